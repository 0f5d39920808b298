"""Rebuilding a tenant's figures: after an upgrade (clocks closed before the figures
existed have no time taken), after its time zone changes (every local day moves), or
for data loaded around the ORM.  ``shouwen supervision rebuild`` and the job below."""
from sqlalchemy import select

from core import jobs
from core.contacts import context
from core.contacts.models import Contact, Deadline
from core.extensions import db
from core.supervision import rollup
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope

BATCH = 2000


def backfill_elapsed(tenant):
    """Fill the time taken of clocks closed by their step before it was recorded; returns
    how many.  Each needs the contact's calendar (its policy version's)."""
    filled = 0
    while True:
        rows = db.session.scalars(
            select(Deadline).where(Deadline.closed_at.is_not(None), Deadline.elapsed.is_(None),
                                   Deadline.status.in_(("met", "breached")))
            .order_by(Deadline.id).limit(BATCH)).all()
        if not rows:
            return filled
        contacts = {c.id: c for c in db.session.scalars(
            select(Contact).where(Contact.id.in_({d.contact_id for d in rows})))}
        for deadline in rows:
            ctx = context.for_contact(tenant, contacts[deadline.contact_id],
                                      at=deadline.closed_at)
            deadline.elapsed = ctx.calendar.elapsed(deadline.start_at, deadline.closed_at,
                                                    deadline.unit)
        db.session.flush()
        filled += len(rows)


def rebuild_tenant(tenant_id):
    """Backfill, then recompute the roll-up, in one transaction; returns (filled, rows)."""
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        db.session.info.pop("figure_zones", None)      # the time zone may just have changed
        filled = backfill_elapsed(tenant)
        rows = rollup.rebuild(tenant_id)
        db.session.commit()
    return filled, rows


@jobs.job(queue="default")
def rebuild_figures(tenant_id):
    """A tenant's figures recomputed (enqueued when its time zone changes)."""
    return rebuild_tenant(tenant_id)
