"""Platform operators: the people who run the Shouwen service itself, not tenant users.

An operator signs in at ``/platform/login`` (its own session key, never Flask-Login's
tenant session), lists tenants with aggregate usage counts and suspends or reactivates
them.  It never reads a tenant's contacts: :func:`usage` returns counts only, computed in
one grouped statement over all tenants.
"""
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.db.types import UTCDateTime
from core.extensions import db
from core.tenancy.models import Staff, Tenant
from core.tenancy import passwords, usernames
from core.tenancy.passwords import hash_password
from core.tenancy.scoping import unscoped

USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"
STATUSES = ("active", "suspended")


class PlatformOperator(db.Model):
    """Not tenant-owned (no ``tenant_id``): an operator belongs to the platform."""
    __tablename__ = "platform_operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # As for staff (core.tenancy.sessions): raised on sign-out, ends every session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def create(username, password):
    """A new operator (no commit).  The caller has checked the password's strength."""
    row = PlatformOperator(username=usernames.normalise(username),
                           password_hash=hash_password(password))
    db.session.add(row)
    db.session.flush()
    return row


def find(username):
    """The operator of this user name as typed (normalised: core.tenancy.usernames)."""
    name = usernames.normalise(username)
    if not usernames.plausible(name):
        return None
    return db.session.scalars(select(PlatformOperator).where(
        PlatformOperator.username == name)).first()


def authenticate(username, password):
    """The active operator with these credentials, or None.  Unknown names cost the same
    (a dummy hash is checked); a hash of older parameters is renewed."""
    row = find(username)
    ok, new_hash = passwords.verify(row.password_hash if row is not None else None, password)
    if row is None or not row.active or not ok:
        return None
    if new_hash:
        row.password_hash = new_hash
    row.last_login_at = clock.now()
    return row


def usage(now=None):
    """Every tenant with its usage counts, as dicts; one statement, aggregates only.

    Counts: active staff, contacts, contacts registered in the last 30 days, and the last
    activity (latest contact event or staff sign-in).  The operator sees numbers, never rows.
    """
    from core.contacts.models import Contact, ContactEvent
    now = now or clock.now()
    since = now - timedelta(days=30)
    staff = (select(Staff.tenant_id.label("tid"), func.count().label("n"),
                    func.max(Staff.last_login_at).label("seen"))
             .where(Staff.active.is_(True)).group_by(Staff.tenant_id).subquery())
    contacts = (select(Contact.tenant_id.label("tid"), func.count().label("n"),
                       func.count().filter(Contact.registered_at >= since).label("recent"))
                .group_by(Contact.tenant_id).subquery())
    events = (select(ContactEvent.tenant_id.label("tid"), func.max(ContactEvent.at).label("at"))
              .group_by(ContactEvent.tenant_id).subquery())
    query = (select(Tenant, func.coalesce(staff.c.n, 0), func.coalesce(contacts.c.n, 0),
                    func.coalesce(contacts.c.recent, 0), staff.c.seen, events.c.at)
             .outerjoin(staff, staff.c.tid == Tenant.id)
             .outerjoin(contacts, contacts.c.tid == Tenant.id)
             .outerjoin(events, events.c.tid == Tenant.id)
             .order_by(Tenant.created_at.desc(), Tenant.id.desc()))
    with unscoped():
        rows = db.session.execute(query).all()
    out = []
    for tenant, n_staff, n_contacts, n_recent, seen, event_at in rows:
        seen, event_at = _utc(seen), _utc(event_at)
        last = max((x for x in (seen, event_at) if x is not None), default=None)
        out.append({"tenant": tenant, "staff": n_staff, "contacts": n_contacts,
                    "contacts_30d": n_recent, "last_activity": last})
    return out


def _utc(value):
    """Aggregates bypass the column type on SQLite: make them aware UTC again."""
    from core.db.types import UTCDateTime as T
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return T().process_result_value(value, None)


def set_status(tenant, status):
    if status not in STATUSES:
        raise ValueError(status)
    tenant.status = status
