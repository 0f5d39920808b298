"""Tenant scoping: the one place that keeps every tenant's data apart.

Every tenant-owned model inherits :class:`TenantScoped`.  While a tenant is
current (``tenant_scope``), every ORM SELECT, UPDATE and DELETE, including
relationship loads, gets ``tenant_id = <current>`` added by a
``do_orm_execute`` hook (registered by ``core.db.listeners``), and every new row is stamped with the tenant (a row
of another tenant refuses to flush).  With no tenant current, touching tenant
data raises :class:`TenantScopeError` (fail closed) unless the code opted in
explicitly with ``unscoped()`` (the platform operator's counts, sign-up, the
sweep's tenant loop).  Views therefore cannot forget the filter.
"""
import contextlib
import contextvars
import functools

from sqlalchemy import ForeignKey, Table
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors

_tenant = contextvars.ContextVar("shouwen_tenant", default=None)
_unscoped = contextvars.ContextVar("shouwen_unscoped", default=False)


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant in scope, or across tenants."""


class TenantScoped:
    """Mixin for every tenant-owned table: a NOT NULL ``tenant_id``."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id"), nullable=False)


def current_tenant_id():
    return _tenant.get()


@contextlib.contextmanager
def tenant_scope(tenant_id):
    """Make ``tenant_id`` the current tenant for the block."""
    token = _tenant.set(tenant_id)
    utoken = _unscoped.set(False)
    try:
        yield tenant_id
    finally:
        _unscoped.reset(utoken)
        _tenant.reset(token)


def enter_tenant(tenant_id):
    """Set the current tenant until :func:`leave_tenant` (per request)."""
    return _tenant.set(tenant_id), _unscoped.set(False)


def leave_tenant(tokens):
    _tenant.reset(tokens[0])
    _unscoped.reset(tokens[1])


@contextlib.contextmanager
def unscoped():
    """Explicitly work across tenants (platform operator, sign-up, sweep loop)."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


@functools.cache
def _tenant_tables():
    """Tenant-owned tables by name (the models are all imported before the first query)."""
    tables = {}
    stack = list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "__table__", None) is not None:
            tables[cls.__table__.name] = cls.__table__
    return tables


def _tenant_table_use(statement):
    """(touches tenant tables, through plain Core tables) for a statement, subqueries included.

    ORM entities carry a ``parententity`` annotation and get the loader criteria; a
    tenant table reached only through a plain ``Table`` or its columns would not, so such
    use is refused.
    """
    tenant = _tenant_tables()
    seen, via_orm = set(), set()
    for element in visitors.iterate(statement):
        table = element if isinstance(element, Table) else getattr(element, "table", None)
        if not isinstance(table, Table) or table.name not in tenant:
            continue
        seen.add(table.name)
        if "parententity" in getattr(element, "_annotations", {}):
            via_orm.add(table.name)
    return bool(seen), bool(seen - via_orm)


def scope_statement(state):
    """Session ``do_orm_execute`` (registered by ``core.db.listeners``): refuse or filter."""
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if _unscoped.get():
        return
    tenant_id = _tenant.get()
    touches, core = _tenant_table_use(state.statement)
    if tenant_id is None and touches:
        raise TenantScopeError("tenant data queried with no tenant in scope")
    if core:
        raise TenantScopeError("tenant tables must be queried through their mapped classes")
    if tenant_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id,
                             include_aliases=True))


def stamp_tenant(session, flush_context, instances):
    """Session ``before_flush`` (registered by ``core.db.listeners``): new rows get the
    current tenant; a row of another tenant refuses to flush."""
    tenant_id = _tenant.get()
    free = _unscoped.get()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no tenant in scope")
            obj.tenant_id = tenant_id
        elif not free and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} of another tenant in this session")


def get_or_404(model, **filters):
    """The one lookup helper: a row of the current tenant, or NotFound (404).

    Another tenant's row is simply not found: the scoping criteria apply.
    """
    from sqlalchemy import select

    from core.errors import NotFound
    from core.extensions import db
    row = db.session.scalars(select(model).filter_by(**filters).limit(1)).first()
    if row is None:
        raise NotFound({"zh": "未找到。", "en": f"{model.__name__} not found."})
    return row
