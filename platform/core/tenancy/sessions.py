"""Sessions that end: a per-person generation kept server-side (docs/security.md).

A web session is a signed cookie that holds the staff member's ``session_generation``
from the moment they signed in; the user loader (``core.web.load_user``) accepts it only
while it equals the stored one.  Raising the generation ends every session of that person
at their next request, including a cookie copied earlier.  It is raised on sign-out (so
signing out ends all of that person's sessions: a signed cookie cannot be revoked alone
without a server-side session table), on "sign out everywhere", a password set through a
link, deactivation, reactivation and a change of permission role.

API tokens are separate credentials with their own list and revocation; they are revoked
as well on deactivation (so reactivating does not bring them back) and on a password reset
(the reset may be the answer to a stolen password, and a thief may have made a token).
"""
from sqlalchemy import update

from core import clock
from core.extensions import db
from core.tenancy.models import ApiToken


def end_sessions(person):
    """Raise ``person``'s generation (a staff member or a platform operator): their
    existing sessions end.  Atomic in SQL; the attribute reloads on its next read."""
    person.session_generation = type(person).session_generation + 1
    db.session.flush()


def revoke_tokens(staff):
    """Revoke every live API token of ``staff`` (no commit)."""
    db.session.execute(update(ApiToken).where(
        ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session=False))
