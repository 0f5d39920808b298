"""Row locks that make concurrent changes of one thing run one after the other.

On PostgreSQL two requests that read, decide and write the same thing at once both decide
on what they read, and both write: two policy versions numbered alike, two live links for
one person.  ``SELECT ... FOR UPDATE`` of the one row the change belongs to makes the second
wait for the first's commit; under READ COMMITTED its next statements then see the first's
result.  SQLite ignores FOR UPDATE; its writers are serialised already (``BEGIN
IMMEDIATE``, ``core.db.sqlite_writers``).

Lock order, where a path takes several: tenant, then staff, then contact, then clock.
"""
from sqlalchemy import inspect, select

from core.extensions import db


def locked(obj, attribute_names=None):
    """Lock ``obj``'s row, then re-read it (or ``attribute_names`` of it) from the database.

    The lock is taken on the bare row and the re-read is a separate statement, whose
    snapshot is taken once the lock is granted.  (An ORM ``refresh(with_for_update=True)``
    of a contact, with its joined relations, that had to wait for the lock left the object
    as it was before the wait: PostgreSQL 15, SQLAlchemy 2.1.)"""
    model = type(obj)
    (key,) = inspect(obj).identity          # known without loading an expired object
    db.session.execute(select(model.id).where(model.id == key).with_for_update())
    db.session.refresh(obj, attribute_names=attribute_names)
    return obj


def tenant_row(tenant):
    """Serialise the tenant's configuration changes (policy versions, working calendar);
    its pack and configuration stamp are re-read under the lock."""
    locked(tenant, ["pack_key", "config_stamp"])


def staff_row(staff):
    """Serialise changes of one person's credentials (links, tokens) with each other and with
    their deactivation; ``staff.active`` is re-read under the lock."""
    locked(staff, ["active"])
