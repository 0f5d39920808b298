"""Keep the roll-up tables equal to the sum of the raw rows' contributions.

``collect`` is a Session ``after_flush`` listener (registered by ``core.db.listeners``):
for each new, changed or deleted row of a
contributing model it subtracts what the row counted for before and adds what it counts
for now, and writes the net change at once with one multi-row upsert per table.  Being
in the flush, the change commits or rolls back with the rows that caused it, savepoints
included; work is proportional to what changed.

Rows are upserted in key order, so two transactions bumping the same rows never
deadlock; a hot row (today, one department) is locked from the flush to the commit.

``rebuild`` recomputes a tenant from its raw rows (after a time-zone change, or for data
loaded around the ORM, e.g. the benchmark): the same contribution functions, summed.
"""
import math
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import delete, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import get_history

from core.db import after_commit
from core.extensions import db
from core.supervision.contributions import CONTRIBUTORS, Count
from core.supervision.models import (
    ALL_STAFF, NONE, FigureCount, FigureCountMonth, FigureDuration, FigureDurationMonth,
)
from core.tenancy.models import Tenant


HELD = "figures"


class _Before:
    """The row as it was before this flush's changes (``get_history``'s deleted side);
    ``known`` is False when a changed value's old value was never loaded."""

    def __init__(self, obj, columns):
        self.values, self.known = {}, True
        for name in columns:
            hist = get_history(obj, name)
            if hist.deleted:
                self.values[name] = hist.deleted[0]
            elif hist.added:      # set while expired: the old value was never read
                self.known = False
            else:
                self.values[name] = getattr(obj, name)

    def __getattr__(self, name):
        return self.values[name]


def bucket(value):
    """Thousandths of the unit, rounded to two significant figures (the histogram key)."""
    if value is None or value < 0.005:
        return 0
    digits = 1 - math.floor(math.log10(value))
    return round(round(value, digits) * 1000)


def remember_unread(session, flush_context, instances):
    """Session ``before_flush``: the committed values of contributing rows changed while
    expired (their old values were never loaded), read before the flush overwrites them."""
    unread = session.info.setdefault("figure_unread", {})
    for obj in session.dirty:
        spec = CONTRIBUTORS.get(type(obj))
        if spec is not None and not _Before(obj, spec[1]).known:
            unread[id(obj)] = (obj, _from_database(session, obj, spec[1]))


def collect(session, flush_context):
    """Session ``after_flush``: write the net change of every contributing row.  After the
    flush, because a new row's foreign keys (``owner=...``) are only set by it; the
    history of changed rows is still there until the flush ends."""
    counts, durations = Counter(), Counter()
    unread = session.info.pop("figure_unread", {})
    for obj in session.new:
        if type(obj) in CONTRIBUTORS:
            _add(counts, durations, session, obj, obj, +1)
    for obj in session.dirty:
        spec = CONTRIBUTORS.get(type(obj))
        if spec is None or not session.is_modified(obj, include_collections=False):
            continue
        kept = unread.get(id(obj))
        before = kept[1] if kept and kept[0] is obj else _Before(obj, spec[1])
        _add(counts, durations, session, obj, before, -1)
        _add(counts, durations, session, obj, obj, +1)
    for obj in session.deleted:
        if type(obj) in CONTRIBUTORS:
            _add(counts, durations, session, obj, _Before(obj, CONTRIBUTORS[type(obj)][1]), -1)
    if counts or durations:
        after_commit.hold(session, HELD, (counts, durations))


def write_held(session):
    """Session ``before_commit`` (after the outbox's rows): flush what is left, then write
    the net change of the whole transaction.  Held per savepoint (``core.db.after_commit``),
    so a rolled-back savepoint's changes are dropped with it; written last, so the roll-up
    rows are the last locks a transaction takes (no lock cycle with the contact rows)."""
    session.flush()
    held = after_commit.take(session, HELD)
    if not held:
        return
    counts, durations = Counter(), Counter()
    for c, d in held:
        for key, (n, total) in c.items():
            old = counts.get(key, (0, 0))
            counts[key] = (old[0] + n, old[1] + total)
        durations.update(d)
    write(session, counts, durations)


def _from_database(session, obj, columns):
    """The committed values of a row changed while expired (one query, rare)."""
    model = type(obj)
    row = session.connection().execute(      # the flushed object's own row, by primary key
        select(*[model.__table__.c[c] for c in columns])
        .where(model.__table__.c.id == inspect(obj).identity[0])
        .execution_options(cross_tenant=True)).one()
    before = _Before.__new__(_Before)
    before.values, before.known = dict(zip(columns, row, strict=True)), True
    return before


def _add(counts, durations, session, obj, state, sign):
    tenant_id = obj.tenant_id
    zone = _zone(session, tenant_id)
    for item in CONTRIBUTORS[type(obj)][0](state):
        add_item(counts, durations, tenant_id, zone, item, sign)


def add_item(counts, durations, tenant_id, zone, item, sign):
    """Add one contribution to the person's row and the department's total row."""
    day = item.at.astimezone(zone).date()
    department = item.department_id or NONE
    for staff in {item.staff_id or NONE, ALL_STAFF}:
        if isinstance(item, Count):
            key = (tenant_id, day, department, staff, item.metric, item.key or "")
            n, total = counts.get(key, (0, 0))
            counts[key] = (n + sign, total + sign * (item.total or 0))
        else:
            key = (tenant_id, day, department, staff, item.kind, item.unit, bucket(item.value))
            durations[key] += sign


def _zone(session, tenant_id):
    zones = session.info.setdefault("figure_zones", {})
    if tenant_id not in zones:
        zones[tenant_id] = ZoneInfo(session.get(Tenant, tenant_id).timezone)
    return zones[tenant_id]


COUNT_KEYS = ("tenant_id", "day", "department_id", "staff_id", "metric", "key")
DURATION_KEYS = ("tenant_id", "day", "department_id", "staff_id", "kind", "unit", "bucket")


def monthly(counts, durations):
    """The same changes summed per calendar month (the key's day becomes its month's first
    day): what the monthly tables receive."""
    month_counts, month_durations = {}, Counter()
    for key, (n, total) in counts.items():
        month = (key[0], key[1].replace(day=1), *key[2:])
        old = month_counts.get(month, (0, 0))
        month_counts[month] = (old[0] + n, old[1] + total)
    for key, n in durations.items():
        month_durations[(key[0], key[1].replace(day=1), *key[2:])] += n
    return month_counts, month_durations


def write(session, counts, durations):
    """Upsert the net changes (zero ones skipped) into the daily and the monthly tables:
    daily first, each in key order, so concurrent writers lock rows in one order."""
    month_counts, month_durations = monthly(counts, durations)
    for model, keys, changes in ((FigureCount, COUNT_KEYS, counts),
                                 (FigureDuration, DURATION_KEYS, durations),
                                 (FigureCountMonth, COUNT_KEYS, month_counts),
                                 (FigureDurationMonth, DURATION_KEYS, month_durations)):
        names = ("month",) if model in (FigureCountMonth, FigureDurationMonth) else ("day",)
        keys = keys[:1] + names + keys[2:]
        sums = ("n", "total") if "metric" in keys else ("n",)
        rows = [dict(zip(keys, key, strict=True), **dict(zip(sums, _values(value))))
                for key, value in sorted(changes.items()) if value not in ((0, 0), 0)]
        if rows:
            # marked: the tenant ids come from rows that passed the flush's tenant check, and
            # the roll-up also runs at commits outside any scope (sign-up, jobs)
            session.connection().execute(
                _upsert(session, model.__table__, sums).execution_options(cross_tenant=True),
                rows)


def _values(value):
    return value if isinstance(value, tuple) else (value,)


def _upsert(session, table, sums):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + stmt.excluded[name] for name in sums})


def recompute(tenant_id):
    """The roll-up of ``tenant_id`` computed from its raw rows: (counts, durations) as
    the Counters ``write`` takes (zero entries dropped)."""
    db.session.flush()
    counts, durations = Counter(), Counter()
    zone = ZoneInfo(db.session.get(Tenant, tenant_id).timezone)
    for model, (function, _columns) in CONTRIBUTORS.items():
        # What the database holds, not what the identity map last read.
        for row in db.session.scalars(select(model).execution_options(
                yield_per=2000, populate_existing=True)):
            for item in function(row):
                add_item(counts, durations, tenant_id, zone, item, +1)
    return ({k: v for k, v in counts.items() if v != (0, 0)},
            {k: v for k, v in durations.items() if v})


def rebuild(tenant_id):
    """Replace the tenant's roll-up by a recomputation (in the caller's transaction)."""
    counts, durations = recompute(tenant_id)
    for model in (FigureCount, FigureDuration, FigureCountMonth, FigureDurationMonth):
        db.session.execute(delete(model).execution_options(synchronize_session=False))
    write(db.session, counts, durations)
    return len(counts) + len(durations)


def stored(tenant_id, grain="day"):
    """The tenant's roll-up as stored, daily (``grain="day"``, ``recompute``'s shape) or
    monthly (``"month"``, the shape of ``monthly(*recompute(...))``), for checks and tests.
    Plain rows, not entities: the identity map would answer with values it read before."""
    c, d = (FigureCount, FigureDuration) if grain == "day" else \
        (FigureCountMonth, FigureDurationMonth)
    cd, dd = getattr(c, grain), getattr(d, grain)
    counts = {tuple(r[:6]): (r[6], r[7]) for r in db.session.execute(select(
        c.tenant_id, cd, c.department_id, c.staff_id, c.metric, c.key, c.n, c.total))
        if (r[6], r[7]) != (0, 0)}
    durations = {tuple(r[:7]): r[7] for r in db.session.execute(select(
        d.tenant_id, dd, d.department_id, d.staff_id, d.kind, d.unit, d.bucket, d.n)) if r[7]}
    return counts, durations
