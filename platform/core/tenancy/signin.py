"""Staff sign-in in the current tenant: the user name normalised, the same work for every
name, the hash renewed when the hashing parameters changed (docs/security.md)."""
from sqlalchemy import select

from core import clock
from core.extensions import db
from core.tenancy import passwords, usernames
from core.tenancy.models import Staff


def find(username):
    """The current tenant's staff member of this user name as typed, or None."""
    name = usernames.normalise(username)
    if not usernames.plausible(name):
        return None
    return db.session.scalars(select(Staff).where(Staff.username == name)).first()


def authenticate(username, password):
    """The active staff member with these credentials, or None (no commit).

    The password is checked before ``active`` is looked at and against a dummy hash when
    the name is unknown, so neither an unknown nor a deactivated name answers faster."""
    staff = find(username)
    ok, new_hash = passwords.verify(staff.password_hash if staff is not None else None,
                                    password)
    if staff is None or not staff.active or not ok:
        return None
    if new_hash:
        staff.password_hash = new_hash
    staff.last_login_at = clock.now()
    return staff
