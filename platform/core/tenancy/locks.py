"""Row locks that make concurrent changes of one thing run one after the other.

On PostgreSQL two requests that read, decide and write the same thing at once both decide
on what they read, and both write: two policy versions numbered alike, two live links for
one person.  ``SELECT ... FOR UPDATE`` of the one row the change belongs to makes the second
wait for the first's commit; under READ COMMITTED its next statements then see the first's
result.  SQLite ignores FOR UPDATE; its writers are serialised already (``BEGIN
IMMEDIATE``, ``core.db.sqlite_writers``).

Lock order, where a path takes several: tenant, then staff, then contact, then clock.
"""
from core.extensions import db


def tenant_row(tenant):
    """Serialise the tenant's configuration changes (policy versions, working calendar);
    its pack and configuration stamp are re-read under the lock."""
    db.session.refresh(tenant, attribute_names=["pack_key", "config_stamp"],
                       with_for_update=True)


def staff_row(staff):
    """Serialise changes of one person's credentials (links, tokens) with each other and with
    their deactivation; ``staff.active`` is re-read under the lock."""
    db.session.refresh(staff, attribute_names=["active"], with_for_update=True)
