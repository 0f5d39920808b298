"""Tenant scoping: the one place that keeps every tenant's data apart.

Every tenant-owned model inherits :class:`TenantScoped`.  While a tenant is
current (``tenant_scope``), every ORM SELECT, UPDATE and DELETE, including
relationship loads and ``aliased()`` entities, gets ``tenant_id = <current>`` added by a
``do_orm_execute`` hook (registered by ``core.db.listeners``), and every new row is stamped
with the tenant (a row of another tenant refuses to flush).  With no tenant current, touching
tenant data raises :class:`TenantScopeError` (fail closed) unless the code opted in
explicitly with ``unscoped()`` (the platform operator's counts, sign-up, the
sweep's tenant loop).  Views therefore cannot forget the filter.

The side doors are shut at the engine (``check_statement``, ``check_driver_sql``): raw SQL
(``text()``, ``exec_driver_sql``) that names a tenant table, and any INSERT or UPDATE that
sets a ``tenant_id`` other than the current tenant's, are refused unless the work is
cross-tenant maintenance: inside ``unscoped()`` or with the execution option
``cross_tenant=True`` (on the statement, connection or engine).  ``session.get`` does not
hand out an identity-mapped row of another tenant (:class:`TenantSessionMixin`), and the
tenant tables are recorded as each model class is created, however late.
"""
import contextlib
import contextvars
import functools
import re

from sqlalchemy import ForeignKey, Table
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import Alias, CompoundSelect, Select, TextClause
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.elements import BindParameter, ClauseElement

CROSS_TENANT = "cross_tenant"      # the execution option that marks cross-tenant maintenance
_PRAGMA = re.compile(r"\s*PRAGMA\s", re.I)
_THROUGH_SESSION = "_shouwen_scoped"    # set on every select that passed scope_statement

_tenant = contextvars.ContextVar("shouwen_tenant", default=None)
_unscoped = contextvars.ContextVar("shouwen_unscoped", default=False)


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant in scope, or across tenants."""


class TenantScoped:
    """Mixin for every tenant-owned table: a NOT NULL ``tenant_id``."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id"), nullable=False)

    def __init_subclass__(cls, **kwargs):
        # A model defined after the first query (a plugin's, a test's) is a tenant table too.
        super().__init_subclass__(**kwargs)
        _tenant_tables.cache_clear()


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
    """Tenant-owned tables by name; the cache is cleared whenever a tenant model is created."""
    tables = {}
    stack = list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "__table__", None) is not None:
            tables[cls.__table__.name] = cls.__table__
    return tables


@functools.cache
def _names_pattern(names):
    """A tenant table's name as a word of SQL text (quoted, qualified or bare)."""
    return re.compile(r"(?<![\w$])(?:%s)(?![\w$])" % "|".join(map(re.escape, names)), re.I)


def _raw_names(sql):
    """The tenant tables a piece of raw SQL names (by word: a false alarm refuses, never leaks)."""
    names = tuple(sorted(_tenant_tables()))
    return set(_names_pattern(names).findall(sql)) if names else set()


def _refuse_raw(sql):
    if _raw_names(sql):
        raise TenantScopeError(
            "raw SQL on tenant tables is refused: use the mapped classes, or mark the work "
            "as cross-tenant maintenance (unscoped() or execution_options(cross_tenant=True))")


def _tenant_table_use(statement):
    """(touches tenant tables, through plain Core tables) for a statement, subqueries included.

    ORM entities carry a ``parententity`` annotation and get the loader criteria, and so
    does the table inside an ``aliased()`` entity (``include_aliases``); a tenant table
    reached only through a plain ``Table``, its columns or a Core alias would not, so such
    use is refused.  Raw SQL text inside a statement is refused by the tables it names.
    """
    tenant = _tenant_tables()
    seen, via_orm, orm_aliases, in_alias = set(), set(), set(), []
    stack = [(statement, None)]
    while stack:
        element, alias = stack.pop()
        entity = getattr(element, "_annotations", {}).get("parententity")
        if getattr(entity, "is_aliased_class", False):
            orm_aliases.add(id(entity.selectable))
        if isinstance(element, TextClause):
            _refuse_raw(element.text)
        elif isinstance(element, Alias):
            alias = id(element)
            if entity is not None:
                orm_aliases.add(alias)
        table = element if isinstance(element, Table) else getattr(element, "table", None)
        if isinstance(table, Table) and table.name in tenant:
            seen.add(table.name)
            if entity is not None:
                via_orm.add(table.name)
            elif alias is not None:
                in_alias.append((table.name, alias))
        stack.extend((child, alias) for child in element.get_children())
    via_orm.update(name for name, alias in in_alias if alias in orm_aliases)
    return bool(seen), bool(seen - via_orm)


def scope_statement(state):
    """Session ``do_orm_execute`` (registered by ``core.db.listeners``): refuse or filter."""
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_select:             # the engine refuses a select that came round the session
        state.update_execution_options(**{_THROUGH_SESSION: True})
    if _unscoped.get() or state.execution_options.get(CROSS_TENANT):
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


def _maintenance(options):
    return _unscoped.get() or bool(options.get(CROSS_TENANT))


def check_statement(conn, clauseelement, multiparams, params, execution_options):
    """Engine ``before_execute`` (``core.db.listeners``): every statement on its way to the
    database, from the ORM, a Core construct or ``session.connection()``.

    Raw SQL naming a tenant table is refused (no criteria can be added to text), and an
    INSERT or UPDATE of a tenant table may only set the current tenant's ``tenant_id``.
    """
    if _maintenance(execution_options):
        return
    if isinstance(clauseelement, TextClause):
        _refuse_raw(clauseelement.text)
    elif isinstance(getattr(clauseelement, "element", None), TextClause):   # text().columns()
        _refuse_raw(clauseelement.element.text)
    elif isinstance(clauseelement, (Insert, Update)):
        _check_tenant_values(clauseelement, multiparams or [params])
    elif isinstance(clauseelement, (Select, CompoundSelect)) \
            and not execution_options.get(_THROUGH_SESSION) \
            and _tenant_table_use(clauseelement)[0]:
        # session.connection().execute(select(...)): no do_orm_execute, so no criteria
        raise TenantScopeError("tenant tables must be queried through the session")


def check_driver_sql(conn, cursor, statement, parameters, context, executemany):
    """Engine ``before_cursor_execute``: ``exec_driver_sql`` strings skip ``before_execute``.
    SQLite's reflection (``PRAGMA table_info(...)``) names tables but reads no rows."""
    if context is None or context.compiled is not None or _PRAGMA.match(statement):
        return
    if not _maintenance(context.execution_options):
        _refuse_raw(statement)


def _set_tenant_ids(stmt, rows):
    """Every value a DML statement gives ``tenant_id`` (``...`` for a SQL expression)."""
    def named(key):
        return (key if isinstance(key, str) else getattr(key, "key", None)) == "tenant_id"

    def value(v):
        if isinstance(v, BindParameter):
            if v.value is None and not v.callable and any(v.key in r for r in rows):
                return [r.get(v.key) for r in rows]
            return [v.effective_value]
        return [...] if isinstance(v, ClauseElement) else [v]

    found = []
    for key, v in (stmt._values or {}).items():
        if named(key):
            found += value(v)
    for rowset in stmt._multi_values:
        for row in rowset:
            items = row.items() if isinstance(row, dict) else zip(stmt.table.c, row)
            found += [x for key, v in items if named(key) for x in value(v)]
    if "tenant_id" in (stmt._select_names or ()):
        found.append(...)
    for pair in getattr(stmt._post_values_clause, "update_values_to_set", None) or ():
        if named(pair[0]):
            found += value(pair[1])
    found += [r["tenant_id"] for r in rows if "tenant_id" in r]
    return found


def _check_tenant_values(stmt, rows):
    table = stmt.table
    if not isinstance(table, Table) or table.name not in _tenant_tables():
        return
    tenant_id = _tenant.get()
    wrong = [v for v in _set_tenant_ids(stmt, rows) if v is ... or v != tenant_id]
    if wrong:
        shown = "a SQL expression" if wrong[0] is ... else repr(wrong[0])
        scope = "no tenant in scope" if tenant_id is None else f"the scope of tenant {tenant_id}"
        raise TenantScopeError(f"{table.name}: tenant_id {shown} is another tenant's, "
                               f"refused with {scope}")


class TenantSessionMixin:
    """``Session.get`` consults the identity map before any SQL, so no criteria apply to
    it: a row loaded in one tenant's scope would be handed out in the next.  Here it is
    answered as the scoped query would answer it (not found, or refused with no tenant)."""

    def get(self, entity, ident, **kwargs):
        found = super().get(entity, ident, **kwargs)
        if found is None or not isinstance(found, TenantScoped):
            return found
        if _maintenance(kwargs.get("execution_options") or {}):
            return found
        tenant_id = _tenant.get()
        if tenant_id is None:
            raise TenantScopeError("tenant data queried with no tenant in scope")
        return found if found.tenant_id == tenant_id else None


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
