"""Home: the four work queues, each row with a deadline badge; and each queue in full, in
keyset pages.

The home page shows the newest ``HOME_ROWS`` of each queue (a "show all" link leads to the
whole queue), reads only the columns a row shows (as plain rows, no ORM objects), and reads
the badges' clocks and the calendar once for all four queues, so its cost does not grow with
the tenant's size or the queues' length.
"""
from flask import abort, g, render_template, request
from sqlalchemy import literal, select, union_all

from core import clock
from core.contacts import worklists as queues
from core.contacts.models import Contact, Deadline
from core.deadlines import clocks
from core.extensions import db
from core.validation import int_arg
from core.web import actor, bp
from core.web.registers import row_columns

HOME_ROWS = 20
PAGE = 50


def next_clocks(contact_ids):
    """The earliest running clock of each contact on the page (one query)."""
    if not contact_ids:
        return {}
    rows = db.session.execute(select(Deadline.contact_id, Deadline.kind, Deadline.unit,
                                     Deadline.due_at).where(
        Deadline.contact_id.in_(contact_ids), Deadline.closed_at.is_(None))).all()
    first = {}
    for d in rows:
        if d.contact_id not in first or d.due_at < first[d.contact_id].due_at:
            first[d.contact_id] = d
    return first


def _calendar():
    """The tenant's working calendar under its current policy (once per request)."""
    if "queue_calendar" not in g:
        from core.policy import versions as policies
        policy = policies.load(policies.current_version_id(g.tenant))[1]
        g.queue_calendar = clocks.calendar_for(g.tenant, policy)
    return g.queue_calendar


def rows_with_badges(contacts, calendar=None):
    """``[(contact row, next clock, now, calendar)]`` for a list of contacts, and now.  The
    calendar is read only when a working-day clock needs it."""
    now = clock.now()
    due = next_clocks([c.id for c in contacts])
    if calendar is None and any(d.unit == "working_days" for d in due.values()):
        calendar = _calendar()
    return [(c, due.get(c.id), now, calendar) for c in contacts], now


def _contacts(key, me, now, limit, before=None):
    """The page's ids first (the queue's own plan, on the contacts alone), then their rows:
    joined in one statement, PostgreSQL misjudged how many contacts the overdue subquery
    keeps and joined customers and staff to all 4,000 overdue contacts before the LIMIT."""
    page = queues.query(key, me, now, limit=limit, before=before,
                        columns=select(Contact.id)).subquery()
    return db.session.execute(row_columns().where(Contact.id.in_(select(page.c.id)))
                              .order_by(Contact.id.desc())).all()


def _home(me, now):
    """The newest ``HOME_ROWS + 1`` of each queue: their ids in one statement (the four
    queue queries as one UNION ALL), then the rows of all of them in a second."""
    keys = list(queues.QUEUES)
    parts = []
    for n, key in enumerate(keys):
        page = queues.query(key, me, now, limit=HOME_ROWS + 1,
                            columns=select(Contact.id)).subquery()
        parts.append(select(literal(n).label("queue"), page.c.id))
    both = union_all(*parts).subquery()
    picked = db.session.execute(select(both.c.queue, both.c.id)).all()
    lines = {r.id: r for r in db.session.execute(row_columns().where(
        Contact.id.in_({i for _q, i in picked}))).all()} if picked else {}
    found = {key: [] for key in keys}
    for n, contact_id in sorted(picked, key=lambda p: -p[1]):
        found[keys[n]].append(lines[contact_id])
    return found


@bp.get("/")
def home():
    me = actor()
    now = clock.now()
    found = _home(me, now)
    rows, _now = rows_with_badges([c for cs in found.values() for c in cs[:HOME_ROWS]])
    by_id = {row[0].id: row for row in rows}
    sections = [(key, [by_id[c.id] for c in cs[:HOME_ROWS]], len(cs) > HOME_ROWS)
                for key, cs in found.items()]
    return render_template("web/home.html", sections=sections)


@bp.get("/queues/<key>")
def queue(key):
    """One queue in full, newest first, ``PAGE`` rows a page (``before`` = an id)."""
    if key not in queues.QUEUES:
        abort(404)
    before = int_arg(request.args, "before")
    found = _contacts(key, actor(), clock.now(), PAGE + 1, before)
    rows, _now = rows_with_badges(found[:PAGE])
    return render_template("web/queue.html", key=key, rows=rows, has_older=len(found) > PAGE,
                           paged=before is not None)
