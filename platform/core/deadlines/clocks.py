"""Deadline clocks: start one when a stage starts, close it when a decision makes it moot.

Status is open -> met | cancelled | breached.  A clock closed after its due
time is breached (and its consequences happen then, if the sweep has not
already seen it).  What users see is derived from the clock (``status_at``),
so a late sweep never shows a wrong status.
"""
import json

from sqlalchemy import select, update

from core.contacts.models import Deadline
from core.deadlines.workcalendar import WorkCalendar
from core.extensions import db
from core.policy import config_stamp
from core.tenancy.models import ConfirmedYear, SpecialDay


def calendar_for(tenant, policy):
    """The tenant's working calendar: the policy's kind and hours plus its special days.

    Cached per process under the tenant's configuration stamp, which every change of its
    special days or confirmed years renews (``core.policy.config_stamp``); callers only read it.
    """
    def days():
        special = dict(db.session.execute(select(SpecialDay.day, SpecialDay.working)).all())
        return special, frozenset(db.session.scalars(select(ConfirmedYear.year)).all())

    def build():
        special, years = config_stamp.cached(tenant, "calendar_days", None, days)
        return WorkCalendar.from_policy(policy["calendar"], tz=tenant.timezone,
                                        special_days=special, confirmed_years=years)
    # Keyed by the whole calendar section, so any setting a policy version adds counts.
    key = (tenant.timezone, json.dumps(policy["calendar"], sort_keys=True, default=str))
    return config_stamp.cached(tenant, "calendar", key, build)


def start(ctx, kind, stage, at, department_id=None, staff_id=None):
    """Start the clock ``kind`` for the contact in ``ctx`` if the policy has a rule for it.

    Returns the new :class:`Deadline`, or ``None`` when the policy sets no clock.
    """
    contact = ctx.contact
    rule = ctx.hooks.shouwen_deadline_rule(policy=ctx.policy, kind=kind,
                                           matter_type=contact.matter_type,
                                           category=contact.category, stage=stage)
    if not rule:
        return None
    due = ctx.calendar.add(at, rule["amount"], rule["unit"])
    deadline = Deadline(tenant_id=contact.tenant_id, contact=contact, kind=kind, stage=stage,
                        amount=rule["amount"], unit=rule["unit"], start_at=at, due_at=due.at,
                        calendar_confirmed=due.confirmed, status="open",
                        responsible_department_id=department_id,
                        responsible_staff_id=staff_id)
    from core.deadlines.reminders import (
        first_point,  # reminders reads the policy; keep imports one-way
    )
    deadline.next_reminder_at = first_point(ctx, deadline)
    db.session.add(deadline)
    return deadline


def open_clocks(contact, kinds=None):
    return [d for d in contact.deadlines
            if d.status == "open" and (kinds is None or d.kind in kinds)]


def running_clocks(contact, kinds=None):
    """Clocks still running: open, or breached but not yet closed by their step."""
    return [d for d in contact.deadlines
            if d.closed_at is None and d.status in ("open", "breached")
            and (kinds is None or d.kind in kinds)]


def hand_on(contact, kinds, department_id, staff_id=None):
    """The running clocks of ``kinds`` are now answered for by ``department_id`` (and
    ``staff_id``): e.g. the on-site time keeps counting from the customer's call, but the
    department that must be there is now the one the matter was handed to."""
    for deadline in running_clocks(contact, kinds):
        deadline.responsible_department_id, deadline.responsible_staff_id = department_id, staff_id


def close(ctx, kinds, outcome, at, department_id=None):
    """Close the contact's open clocks of ``kinds`` as ``outcome`` ("met" or "cancelled").

    A clock closed after its due time was breached, whatever closed it: it
    becomes breached and its consequences run.
    ``department_id`` limits the closing to clocks that department answers for.
    """
    from core.deadlines.breaches import breach  # breaches imports clocks' callers; avoid the cycle
    closed = []
    for deadline in running_clocks(ctx.contact, kinds):
        if department_id is not None and deadline.responsible_department_id not in (
                None, department_id):
            continue
        if deadline.status == "open":
            if at > deadline.due_at:
                breach(ctx, deadline, at)
            else:
                deadline.status = outcome
        deadline.closed_at, deadline.next_reminder_at = at, None
        closed.append(deadline)
    return closed


def status_at(deadline, now):
    """What a user should see now, whatever the sweep has recorded."""
    if deadline.status == "open" and now > deadline.due_at:
        return "breached"
    return deadline.status


def claim_breach(deadline, at):
    """Mark an open clock breached exactly once across workers; True if this call did it."""
    result = db.session.execute(
        update(Deadline).where(Deadline.id == deadline.id, Deadline.status == "open")
        .values(status="breached", breached_at=at, next_reminder_at=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        deadline.status, deadline.breached_at, deadline.next_reminder_at = "breached", at, None
        return True
    return False


def evaluate(ctx):
    """Re-evaluate the contact's open clocks at ``ctx.at``: each one past due is breached now
    (with its consequences), so acting on a contact never waits for the sweep."""
    from core.deadlines.breaches import breach
    return [d for d in open_clocks(ctx.contact)
            if ctx.at > d.due_at and breach(ctx, d, ctx.at)]
