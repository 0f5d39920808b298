"""Registers (登记簿): the tenant's contacts, or one department's, like a paper register.

* ``/register``: every contact of the tenant; ``/register?department=<code>``: one
  department's register = contacts its staff received as first-inquiry owner OR that it
  handles now (``handler_department_id``), so a department sees what it answered for and
  what it works on.
* Filters on local dates (tenant time zone, on ``registered_at``), channel, matter type,
  state, owner (username), handling department and "overdue" (a running clock past due).
* Keyset pages, newest first (``before``/``after`` = the id of the page's last/first row):
  no OFFSET, no COUNT.  Without a date range the order is ``Contact.id``; with one it is
  ``(registered_at, id)``, so the ``(tenant_id, registered_at)`` index serves a window of
  any age directly (walking the id index from the newest contact would pass every newer
  one), and ``id`` breaks ties between contacts registered at the same instant.  Each page
  is one query (the page's ids chosen on the contacts, then only their customer, owner and
  handling department joined), one query for the first reply times, one LIMIT 1 probe for
  the other direction, under a date range one primary-key lookup of the boundary contact's
  ``registered_at``, and one id lookup per owner or handling-department filter.
* Exports (CSV with a BOM, XLSX in write-only mode) of the filtered register, newest first,
  read in keyset chunks and capped at ``EXPORT_CAP`` rows; a capped file says so in its last
  row and in the ``X-Export-Capped`` header.
"""
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import and_, false, func, or_, select, tuple_

from core import clock
from core.contacts.models import Contact, Customer, Deadline, Reply
from core.contacts.states import State
from core.errors import Invalid
from core.exports import csv_bytes, safe_row
from core.extensions import db
from core.policy import versions as policies
from core.supervision import drilldown, periods
from core.tenancy.models import Department, Staff
from core.validation import int_arg
from core.web import bp, lang
from core.web.dashboard import figure_chip
from core.web.labels import CHANNELS, STATES, localized

PAGE = 50
EXPORT_CAP = 50_000
CHUNK = 2_000
DATE_COLUMNS = (1, 2, 11, 12)              # received, registered, replied, closed
FILTERS = ("department", "from", "to", "channel", "matter_type", "state", "owner",
           "handler_department", "overdue", *drilldown.PARAMS)

def row_columns():
    """One register (or queue) line per contact: everything a row shows, joined in one
    statement, as plain rows (no ORM objects to build).
    (Staff is the owner, Department the handling department: no aliases, which the tenant
    scoping would refuse; the filters' subqueries are uncorrelated.)"""
    return (select(Contact.id, Contact.ref, Contact.received_at, Contact.registered_at,
                   Contact.channel, Contact.matter_type, Contact.summary, Contact.state,
                   Contact.closed_at, Contact.satisfaction,
                   Customer.name.label("customer_name"), Customer.phone.label("customer_phone"),
                   Staff.name.label("owner_name"), Staff.username.label("owner_username"),
                   Department.name_zh.label("dept_zh"), Department.name_en.label("dept_en"))
            .join(Customer, Customer.id == Contact.customer_id)
            .join(Staff, Staff.id == Contact.owner_id)
            .outerjoin(Department, Department.id == Contact.handler_department_id))


def _department(code):
    return db.session.scalars(select(Department).where(Department.code == code)).first()


def _ids(column, *where):
    """An uncorrelated ``IN`` subquery (the page query joins staff and departments too)."""
    return select(column).where(*where).correlate(None)


def _local_day(value, tz, errors, key):
    try:
        return datetime.combine(date.fromisoformat(value), time(), tz)
    except ValueError:
        errors[key] = _("Not a date (YYYY-MM-DD).")
        return None


def parse_filters(args):
    """(filters as given, SQL conditions on Contact, field errors, the department scope,
    whether a date range orders the pages by registration time)."""
    f = {k: (args.get(k) or "").strip()[:64] for k in FILTERS}
    tz = ZoneInfo(g.tenant.timezone)
    conds, errors, scope, by_time = [], {}, None, False
    if f["department"]:
        scope = _department(f["department"])
        if scope is None:
            abort(404)
        conds.append(or_(Contact.handler_department_id == scope.id,
                         Contact.owner_id.in_(_ids(Staff.id, Staff.department_id == scope.id))))
    if f["from"] and (start := _local_day(f["from"], tz, errors, "from")):
        conds.append(Contact.registered_at >= start)
        by_time = True
    if f["to"] and (end := _local_day(f["to"], tz, errors, "to")):
        conds.append(Contact.registered_at < end + timedelta(days=1))
        by_time = True
    for key in ("channel", "matter_type", "state"):
        if f[key]:
            conds.append(getattr(Contact, key) == f[key])
    # Owner and handling department are looked up first and compared as values: as
    # subqueries, PostgreSQL could not use its statistics for the one id they return (with
    # overdue=1 it probed all 4,000 overdue contacts instead of walking the open ones).
    if f["owner"]:
        owner = db.session.scalar(select(Staff.id).where(Staff.username == f["owner"]))
        conds.append(Contact.owner_id == owner if owner is not None else false())
    if f["handler_department"]:
        handler = db.session.scalar(select(Department.id).where(
            Department.code == f["handler_department"]))
        conds.append(Contact.handler_department_id == handler if handler is not None
                     else false())
    if f["overdue"]:
        # A running clock past due.  Only an open contact has one (closing closes them all);
        # saying so lets PostgreSQL walk the open contacts' partial indexes, not the history.
        f["overdue"] = "1"
        conds.extend((Contact.state != State.CLOSED, Contact.id.in_(_ids(
            Deadline.contact_id, Deadline.closed_at.is_(None),
            Deadline.due_at < clock.now()))))
    if f["figure"]:
        conds.append(_figure(f, errors))
    return f, conds, errors, scope, by_time


def _figure(f, errors):
    """The drill-down from a supervision figure (core.supervision.drilldown); nothing
    listed when its parameters are not one."""
    try:
        period = periods.parse({"from": f["figure_from"], "to": f["figure_to"]},
                               clock.now().date())
        ids = [int(f[k]) if f[k] else None for k in ("figure_department", "figure_staff")]
        return drilldown.condition(f["figure"], f["figure_key"], period, g.tenant.timezone,
                                   *ids)
    except (Invalid, ValueError):
        errors["figure"] = _("Not a figure of the supervision dashboard.")
        return false()


def _order(by_time, newest_first=True):
    columns = (Contact.registered_at, Contact.id) if by_time else (Contact.id,)
    return [c.desc() if newest_first else c.asc() for c in columns]


def _key(by_time, row):
    return (row.registered_at, row.id) if by_time else (row.id,)


def _boundary(by_time, contact_id):
    """The sort key of the contact a page link names, or None when it is not one of this
    tenant's (a page link with a stale or foreign id then shows the first page)."""
    if contact_id is None or not by_time:
        return None if contact_id is None else (contact_id,)
    at = db.session.scalar(select(Contact.registered_at).where(Contact.id == contact_id))
    return None if at is None else (at, contact_id)


def _beyond(key, older):
    """Rows after ``key`` in the page order (``older``) or before it.  The plain bound on
    ``registered_at`` lets the index seek; the row comparison settles ties on ``id``."""
    if len(key) == 1:
        return Contact.id < key[0] if older else Contact.id > key[0]
    pair = tuple_(Contact.registered_at, Contact.id)
    if older:
        return and_(Contact.registered_at <= key[0], pair < key)
    return and_(Contact.registered_at >= key[0], pair > key)


def _exists(conds, key, older, by_time):
    """Is there a row past the page?  Ordered, so the probe walks the index from there."""
    return db.session.execute(select(Contact.id).where(*conds, _beyond(key, older))
                              .order_by(*_order(by_time, newest_first=older))
                              .limit(1)).first() is not None


def _lines(conds, limit, by_time, newest_first=True):
    """Register lines in page order: the page's ids first, chosen on the contacts alone (the
    filters' own plan), then the joined columns of just those.  Joined in one statement, a
    misestimated filter (e.g. overdue with a state) let PostgreSQL join customers and staff
    to thousands of contacts before the LIMIT."""
    order = _order(by_time, newest_first)
    ids = select(Contact.id).where(*conds).order_by(*order).limit(limit).subquery()
    return db.session.execute(row_columns().where(Contact.id.in_(select(ids.c.id)))
                              .order_by(*order)).all()


def keyset_page(conds, before=None, after=None, size=PAGE, by_time=False):
    """(rows newest first, has_newer, has_older) for the page before/after a contact id."""
    after_key = _boundary(by_time, after)
    if after_key is not None:
        rows = _lines([*conds, _beyond(after_key, older=False)], size + 1, by_time,
                      newest_first=False)
        has_newer, rows = len(rows) > size, rows[:size][::-1]
        has_older = bool(rows) and _exists(conds, _key(by_time, rows[-1]), True, by_time)
        return rows, has_newer, has_older
    before_key = _boundary(by_time, None if after is not None else before)
    more = [] if before_key is None else [_beyond(before_key, older=True)]
    rows = _lines([*conds, *more], size + 1, by_time)
    has_older, rows = len(rows) > size, rows[:size]
    has_newer = before_key is not None and bool(rows) and _exists(
        conds, _key(by_time, rows[0]), False, by_time)
    return rows, has_newer, has_older


def first_replies(ids):
    """When each contact on the page was first replied to (one query)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(Reply.contact_id, func.min(Reply.at))
                                   .where(Reply.contact_id.in_(ids))
                                   .group_by(Reply.contact_id)).all())


def _matter_names(policy):
    return {key: localized(mt.get("name")) or key
            for key, mt in (policy.get("matter_types") or {}).items()}


def _policy():
    return policies.load(policies.current_version_id(g.tenant))[1]


def _query_args(filters):
    return {k: v for k, v in filters.items() if v}


@bp.get("/register")
def register():
    filters, conds, errors, scope, by_time = parse_filters(request.args)
    before = int_arg(request.args, "before")
    after = int_arg(request.args, "after")
    rows, has_newer, has_older = keyset_page(conds, before, after, PAGE, by_time)
    policy = _policy()
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    return render_template(
        "web/register.html", rows=rows, replied=first_replies([r.id for r in rows]),
        has_newer=has_newer, has_older=has_older, filters=filters, errors=errors,
        scope=scope, args=_query_args(filters), policy=policy,
        matter_names=_matter_names(policy), departments=departments,
        usernames=db.session.scalars(select(Staff.username).where(Staff.active)
                                     .order_by(Staff.username)).all(),
        cap=EXPORT_CAP, paged=before is not None or after is not None,
        figure_chip=figure_chip(filters), figure_params=drilldown.PARAMS,
        unfigured={k: v for k, v in _query_args(filters).items()
                   if k not in drilldown.PARAMS})


def export_rows(conds, cap=EXPORT_CAP, by_time=False):
    """(rows newest first, {contact id: first reply}, capped), read in keyset chunks (in the
    register's order)."""
    rows, replied, last = [], {}, None
    while len(rows) < cap:
        more = [] if last is None else [_beyond(last, older=True)]
        chunk = _lines([*conds, *more], min(CHUNK, cap - len(rows)), by_time)
        if not chunk:
            return rows, replied, False
        rows.extend(chunk)
        replied.update(first_replies([r.id for r in chunk]))
        last = _key(by_time, chunk[-1])
    return rows, replied, _exists(conds, last, True, by_time)


def _header():
    return [_("Reference"), _("Received at"), _("Registered at"), _("Channel"),
            _("Customer"), _("Phone"), _("Matter type"), _("Summary"), _("Owner"),
            _("Handling department"), _("State"), _("Replied at"), _("Closed at"),
            _("Satisfaction")]


def _words():
    """The export's words, translated once (not once per row)."""
    return {"channels": {k: str(v) for k, v in CHANNELS.items()},
            "states": {k: str(v) for k, v in STATES.items()},
            "matters": _matter_names(_policy()), "en": lang() == "en",
            "tz": ZoneInfo(g.tenant.timezone)}


def _line(row, replied, words):
    """One export line; instants as naive local times of the tenant (for Excel)."""
    tz = words["tz"]

    def local(value):
        return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) \
            if value else None
    return [row.ref, local(row.received_at), local(row.registered_at),
            words["channels"].get(row.channel, row.channel), row.customer_name,
            row.customer_phone, words["matters"].get(row.matter_type, row.matter_type),
            row.summary, row.owner_name, (row.dept_en if words["en"] else row.dept_zh) or "",
            words["states"].get(row.state, row.state), local(replied.get(row.id)),
            local(row.closed_at), row.satisfaction]


def _capped_note():
    return _("Capped at %(n)s rows, newest first: narrow the filters to export the rest.",
             n=f"{EXPORT_CAP:,}")


def _csv(lines, capped):
    rows = ([v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in line]
            for line in lines)
    return csv_bytes(_header(), rows, _capped_note() if capped else None), \
        "text/csv; charset=utf-8"


def _xlsx(lines, capped):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Register")
    for column, width in zip("ABCDEFGHIJKLMN", (20, 17, 17, 9, 12, 15, 11, 40, 10, 14, 12,
                                                 17, 17, 8)):
        sheet.column_dimensions[column].width = width
    header = []
    for text in _header():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for line in lines:
        line = safe_row(line)
        for i in DATE_COLUMNS:
            if line[i] is not None:
                line[i] = WriteOnlyCell(sheet, value=line[i])
                line[i].number_format = "yyyy-mm-dd hh:mm"
        sheet.append(line)
    if capped:
        sheet.append([_capped_note()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/register.<any(csv, xlsx):fmt>")
def export_register(fmt):
    filters, conds, errors, scope, by_time = parse_filters(request.args)
    rows, replied, capped = export_rows(conds, EXPORT_CAP, by_time)
    words = _words()
    lines = (_line(r, replied, words) for r in rows)
    body, mimetype = (_csv if fmt == "csv" else _xlsx)(lines, capped)
    stamp = clock.now().astimezone(words["tz"]).strftime("%Y%m%d-%H%M")
    name = f"register-{g.tenant.slug}{'-' + scope.code if scope else ''}-{stamp}.{fmt}"
    response = Response(body, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.headers["Content-Type"] = mimetype
    if capped:
        response.headers["X-Export-Capped"] = str(EXPORT_CAP)
    return response
