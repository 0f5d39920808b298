"""The tenant's configuration stamp, and per-process caches that are never stale because of it.

Registration and every action need the tenant's current policy version and its working
calendar (special days, confirmed years).  These change a few times a year but were read
on every request.  ``core.policy.config_stamp`` is a fresh random value written whenever a
policy version, special day or confirmed year of the tenant is inserted, changed or
deleted, in the same transaction as the change.  Authentication loads the tenant row
anyway, so a cache keyed by ``(tenant id, stamp, ...)`` costs no query, and a request that
sees a change's stamp also sees the change (the stamp commits with it).

The stamp is random, not a counter, so a change that is rolled back can never leave a
cache entry that a later, different change would match.  The bump hooks the ORM session
(``core.db.listeners``: flushes and ORM-enabled INSERT/UPDATE/DELETE statements), so every writer of those tables
is covered without remembering it; a change made outside the application (SQL by hand)
needs ``UPDATE tenants SET config_stamp = ''`` or a restart.
"""
import threading
import uuid

from sqlalchemy import update

from core.tenancy.scoping import current_tenant_id

MAX_ENTRIES = 4096
_cache = {}
_lock = threading.Lock()


def _watched():
    from core.tenancy.models import ConfirmedYear, PolicyVersion, SpecialDay
    return (PolicyVersion, SpecialDay, ConfirmedYear)


def cached(tenant, name, key, compute):
    """``compute()``, remembered per process under the tenant's current stamp and ``key``."""
    full = (name, tenant.id, tenant.config_stamp or "", key)
    found = _cache.get(full)
    if found is None:
        found = compute()
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[full] = found
    return found


def clear():
    """Forget every cached entry (tests that recreate the database)."""
    with _lock:
        _cache.clear()


def bump(session, tenant_ids):
    """Give each tenant a new stamp, in the session's transaction (and in loaded rows)."""
    from core.tenancy.models import Tenant
    connection = session.connection()
    for tenant_id in tenant_ids:
        stamp = uuid.uuid4().hex
        connection.execute(update(Tenant.__table__).where(Tenant.__table__.c.id == tenant_id)
                           .values(config_stamp=stamp))
        loaded = session.identity_map.get(session.identity_key(Tenant, tenant_id))
        if loaded is not None:
            from sqlalchemy.orm.attributes import set_committed_value
            set_committed_value(loaded, "config_stamp", stamp)


def on_flush(session, flush_context, instances):
    """Session ``before_flush`` (after scoping has stamped ``tenant_id``; core.db.listeners)."""
    watched = _watched()
    tenant_ids = {obj.tenant_id or current_tenant_id()
                  for obj in (*session.new, *session.dirty, *session.deleted)
                  if isinstance(obj, watched)}
    tenant_ids.discard(None)
    if tenant_ids:
        bump(session, tenant_ids)


def on_bulk_statement(state):
    """Session ``do_orm_execute`` (after scoping; core.db.listeners):
    ``session.execute(insert/update/delete(SpecialDay)...)`` changes the calendar too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, _watched()):
        return
    tenant_id = current_tenant_id()
    if tenant_id is not None:
        bump(state.session, {tenant_id})
    else:   # cross-tenant maintenance: every tenant's caches start afresh
        from core.tenancy.models import Tenant
        state.session.connection().execute(
            update(Tenant.__table__).values(config_stamp=uuid.uuid4().hex))
