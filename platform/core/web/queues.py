"""Home: the four work queues, each row with a deadline badge."""
from flask import g, render_template
from sqlalchemy import select

from .. import clock, clocks, queues
from ..extensions import db
from ..models import Deadline
from . import actor, bp


def next_clocks(contact_ids):
    """The earliest running clock of each contact on the page (one query)."""
    if not contact_ids:
        return {}
    rows = db.session.scalars(select(Deadline).where(
        Deadline.contact_id.in_(contact_ids), Deadline.closed_at.is_(None),
        Deadline.status.in_(("open", "breached")))).all()
    first = {}
    for d in rows:
        if d.contact_id not in first or d.due_at < first[d.contact_id].due_at:
            first[d.contact_id] = d
    return first


def rows_with_badges(contacts):
    now = clock.now()
    calendar = None
    due = next_clocks([c.id for c in contacts])
    if any(d.unit == "working_days" for d in due.values()):
        from tenants import policies
        policy = policies.load(policies.current_version_id(g.tenant))[1]
        calendar = clocks.calendar_for(g.tenant, policy)
    return [(c, due.get(c.id), now, calendar) for c in contacts], now


@bp.get("/")
def home():
    me = actor()
    now = clock.now()
    sections = []
    for key, title, query in (
            ("owned", "owned", queues.owned(me)),
            ("department", "department", queues.department(me)),
            ("overdue", "overdue", queues.overdue(me, now)),
            ("callbacks", "callbacks", queues.callbacks(me))):
        contacts = db.session.scalars(query).unique().all()
        rows = rows_with_badges(contacts)[0]
        sections.append((key, rows))
    return render_template("web/home.html", sections=sections)
