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
from core.tenancy.models import ConfirmedYear, SpecialDay, Staff


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
                        # set, not left unloaded: later changes then carry their old value
                        closed_at=None, breached_at=None, elapsed=None,
                        responsible_department_id=department_id,
                        responsible_staff_id=staff_id)
    charge(deadline, contact)
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
        charge(deadline, contact)


def charge(deadline, contact):
    """Set whose figures the clock counts in, from who answers for it now: the responsible
    department, else the responsible person's department; the responsible person, else the
    owner (a clock with only a department is the department's, not a person's)."""
    staff_id = deadline.responsible_staff_id
    if staff_id is None and deadline.responsible_department_id is None:
        staff_id = contact.owner_id
    department_id = deadline.responsible_department_id
    if department_id is None and staff_id is not None:
        if staff_id == contact.owner_id:
            department_id = contact.owner.department_id
        else:
            with db.session.no_autoflush:     # the clock may not be in the session yet
                department_id = db.session.get(Staff, staff_id).department_id
    deadline.charged_staff_id, deadline.charged_department_id = staff_id, department_id


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
        if deadline.status != "cancelled":
            deadline.elapsed = ctx.calendar.elapsed(deadline.start_at, at, deadline.unit)
        closed.append(deadline)
    return closed


def status_at(deadline, now):
    """What a user should see now, whatever the sweep has recorded."""
    if deadline.status == "open" and now > deadline.due_at:
        return "breached"
    return deadline.status


def claim_breach(deadline, at):
    """Mark an open clock breached exactly once across workers; True if this call did it."""
    # The roll-up (core.supervision.rollup) reads a change's old values from the object's
    # history; once the UPDATE below has run, the database can no longer tell them.
    deadline.status, deadline.breached_at       # noqa: B018 (loads any unloaded column)
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
