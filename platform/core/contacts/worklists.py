"""Work queues: what a staff member must do now.  Each is one indexed query, newest first,
with a bounded page (keyset on the id: ``before`` = the last id of the previous page); the
badge data for the page comes from one more query."""
from sqlalchemy import or_, select

from core.contacts.models import Contact, Deadline
from core.contacts.states import ACTIVE, WITH_DEPARTMENT, State
from core.tenancy.permissions import can


def owned(actor, now):
    """I am the first-inquiry owner: everything still open that I answer for."""
    return [Contact.owner_id == actor.id, Contact.state.in_(ACTIVE)]


def department(actor, now):
    """My department is handling: to sign for, to answer, to report back."""
    return [Contact.handler_department_id == actor.department_id,
            Contact.state.in_(WITH_DEPARTMENT), Contact.owner_id != actor.id]


def callbacks(actor, now):
    """Results are in: call the customer back."""
    return [Contact.owner_id == actor.id, Contact.state == State.AWAITING_CALLBACK]


def overdue(actor, now):
    """Clocks that have run out and are still running: mine, my department's, or (for
    supervisors) everyone's.  (A clock is running exactly while ``closed_at`` is null; asking
    for its status too would hide the subquery's size from PostgreSQL's planner.)"""
    late = (select(Deadline.contact_id).where(Deadline.closed_at.is_(None),
                                              Deadline.due_at < now).correlate(None))
    conds = [Contact.id.in_(late), Contact.state.in_(ACTIVE)]
    if not can(actor, "queue.see_all"):
        conds.append(or_(Contact.owner_id == actor.id,
                         Contact.handler_department_id == actor.department_id))
    return conds


QUEUES = {"owned": owned, "department": department, "overdue": overdue,
          "callbacks": callbacks}


def query(key, actor, now, limit=50, before=None, columns=None):
    """Queue ``key`` for ``actor``: ``limit`` contacts, newest first, older than id ``before``.
    ``columns`` is the select to filter (default: whole contacts)."""
    stmt = (select(Contact) if columns is None else columns).where(*QUEUES[key](actor, now))
    if before is not None:
        stmt = stmt.where(Contact.id < before)
    return stmt.order_by(Contact.id.desc()).limit(limit)
