"""The deadline sweep: evaluate every open clock at an instant, idempotently.

Per tenant, one indexed range query (``ix_deadlines_tenant_status_due``) finds
the open clocks already due, so the cost grows with the number of due clocks,
not with all open contacts.  Running it twice, or in two workers at once,
breaches each clock once (``clocks.claim_breach``).

As jobs: the periodic ``sweep_all`` enqueues one ``sweep_due`` per active tenant; a
tenant with more than ``CHUNK`` due clocks continues in a fresh job, so one busy tenant
does not hold a worker for long and a crash loses at most one batch (rolled back, redone
by the retry or the next sweep).
"""
from sqlalchemy import select

from core import clock, jobs
from core.contacts import context
from core.contacts.models import Contact, Deadline
from core.deadlines.breaches import breach
from core.extensions import db
from core.tenancy.models import Tenant, active_tenant_ids
from core.tenancy.scoping import tenant_scope

BATCH = 500          # clocks per transaction
CHUNK = 2000         # clocks per job; a tenant with more continues in a new job


_refreshed = {}      # tenant id -> the configuration stamp its clocks were refreshed under


def sweep_tenant(tenant_id, at, limit=None):
    """Breach this tenant's open clocks due by ``at``; returns how many this call breached.

    ``limit`` stops after about that many clocks were looked at (a job's chunk)."""
    count = seen = 0
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        # Clocks on an unconfirmed year change only when the calendar does: a new tenant
        # configuration stamp (special days, entered years, policy) or a new process (a
        # chinese-calendar upgrade).  So each process refreshes once per stamp, not on every
        # sweep; re-reading them all each minute made an empty sweep cost 93 ms.
        stamp = tenant.config_stamp      # read first: a change committed meanwhile counts
        if _refreshed.get(tenant_id) != stamp:
            refresh_unconfirmed(tenant, at)
            db.session.commit()
            _refreshed[tenant_id] = stamp
        while True:
            due = db.session.scalars(
                select(Deadline).where(Deadline.status == "open", Deadline.due_at < at)
                .order_by(Deadline.due_at, Deadline.id).limit(BATCH)).all()
            if not due:
                break
            contacts = {c.id: c for c in db.session.scalars(
                select(Contact).where(Contact.id.in_({d.contact_id for d in due})))}
            for deadline in due:
                ctx = context.for_contact(tenant, contacts[deadline.contact_id], at=at)
                if breach(ctx, deadline, at):
                    count += 1
                elif deadline.status == "open":   # another worker holds it: don't loop on it
                    db.session.expire(deadline)
            db.session.commit()
            seen += len(due)
            if len(due) < BATCH or (limit is not None and seen >= limit):
                break
    return count


def refresh_unconfirmed(tenant, at):
    """Recompute open clocks computed on an unconfirmed calendar year (now maybe confirmed).
    Also called at once when an administrator enters a year's official schedule."""
    pending = db.session.scalars(select(Deadline).where(
        Deadline.status == "open", Deadline.calendar_confirmed.is_(False))).all()
    for deadline in pending:
        if deadline.unit != "working_days" and deadline.unit != "working_hours":
            continue
        ctx = context.for_contact(tenant, deadline.contact, at=at)
        due = ctx.calendar.add(deadline.start_at, deadline.amount, deadline.unit)
        deadline.due_at, deadline.calendar_confirmed = due.at, due.confirmed
    db.session.flush()


def sweep(at):
    """Sweep every active tenant; returns the number of clocks breached by this run."""
    return sum(sweep_tenant(tid, at) for tid in active_tenant_ids())


@jobs.job(queue="default", retry=None)
def sweep_all(tenant_id):
    """Periodic: one ``sweep_due`` job per active tenant."""
    for tid in active_tenant_ids():
        sweep_due.enqueue(tid)


@jobs.job(queue="default")
def sweep_due(tenant_id):
    """Breach the tenant's clocks due now, one chunk; continue in a new job if more are due."""
    at = clock.now()
    count = sweep_tenant(tenant_id, at, limit=CHUNK)
    more = db.session.scalar(select(Deadline.id).where(Deadline.status == "open",
                                                       Deadline.due_at < at).limit(1))
    if more is not None and count:
        sweep_due.enqueue(tenant_id)
    return count
