"""Reminders before a deadline, and each staff member's daily digest.

Reminder points come from the policy (``reminders``): fractions of the allowed time (50 %,
80 %), counted in working time for working-time units, and, for a working-day clock, the
morning of its last day at the start of working hours.  Each open clock carries its next
point in ``deadlines.next_reminder_at`` (set when the clock starts, moved on after each
reminder, cleared when the clock stops), so the scan reads a partial index whose size is the
number of clocks still to remind, not the open contacts.

Exactly once: the scan claims a point with ``UPDATE ... WHERE reminders_sent = k`` (one
worker wins), and the reminder's outbox row has the unique key
``reminder:<deadline>:<point>`` as a backstop.  A late scan sends only the latest point
that has passed, not a burst of stale ones.
"""
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core import clock, jobs
from core.contacts import context, events
from core.contacts.models import Contact, Deadline
from core.contacts.states import State
from core.deadlines import clocks
from core.extensions import db
from core.notify import outbox
from core.policy import versions as policies
from core.tenancy.models import Staff, Tenant, active_tenant_ids

BATCH = 500
WORKING_UNITS = ("working_hours", "working_days")


# --- reminder points -------------------------------------------------------------------------

def _working_minutes(cal, start, end):
    """Working minutes between two instants on ``cal``."""
    total, day = timedelta(0), cal.local(start).date()
    while cal._at(day, "00:00") < end:
        if cal.is_working_day(day):
            for begin, finish in cal.working_periods:
                lo, hi = max(cal._at(day, begin), start), min(cal._at(day, finish), end)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 60


def points(policy, cal, deadline):
    """The reminder points of a clock: ``[(label, instant)]`` in time order."""
    rules = policy.get("reminders") or {}
    start, due = deadline.start_at, deadline.due_at
    if due <= start:
        return []
    found = {}
    working = deadline.unit in WORKING_UNITS
    total = _working_minutes(cal, start, due) if working else None
    for fraction in rules.get("fractions", []):
        if working:
            at = cal._add_working_minutes(start, total * fraction).at if total else None
        else:
            at = start + (due - start) * fraction
        if at is not None and start < at < due:
            found.setdefault(at, f"{round(fraction * 100)}%")
    if rules.get("morning_of_due_day") and deadline.unit == "working_days":
        at = cal._at(cal.local(due).date(), cal.working_periods[0][0])
        if start < at < due:
            found.setdefault(at, "morning")
    return [(label, at) for at, label in sorted(found.items())]


def first_point(ctx, deadline):
    """Set up a new clock's reminders: skip points already past (a paper contact entered
    late) and return the time of the first one to come, or None."""
    for index, (_, at) in enumerate(points(ctx.policy, ctx.calendar, deadline)):
        if at > ctx.at:
            deadline.reminders_sent = index
            return at
    deadline.reminders_sent = 0
    return None


def recipients(deadline, contact):
    """Who a reminder about ``deadline`` goes to: its responsible person, else the handler in
    the responsible department, else that department's supervisors (or all its staff)."""
    if deadline.responsible_staff_id is not None:
        return [deadline.responsible_staff_id]
    dept = deadline.responsible_department_id
    if dept is None:
        return [contact.owner_id]
    if contact.handler_id is not None and contact.handler_department_id == dept:
        return [contact.handler_id]
    staff = db.session.execute(select(Staff.id, Staff.role).where(
        Staff.department_id == dept, Staff.active.is_(True)).order_by(Staff.id)).all()
    leads = [sid for sid, role in staff if role != "staff"]
    return leads or [sid for sid, _ in staff]


# --- the reminder scan -----------------------------------------------------------------------

def remind_due(tenant_id, at, limit=BATCH):
    """Send this tenant's reminder points due by ``at``; returns how many were sent."""
    tenant = db.session.get(Tenant, tenant_id)
    due = db.session.scalars(
        select(Deadline).where(Deadline.next_reminder_at.is_not(None),
                               Deadline.next_reminder_at <= at)
        .order_by(Deadline.next_reminder_at, Deadline.id).limit(limit)).all()
    sent = 0
    for deadline in due:
        contact = db.session.get(Contact, deadline.contact_id)
        ctx = context.for_contact(tenant, contact, at=at)
        sent += _remind(ctx, deadline, at)
        db.session.commit()
    return sent


def _remind(ctx, deadline, at):
    db.session.refresh(ctx.contact, attribute_names=["state"], with_for_update=True)
    db.session.refresh(deadline)
    k = deadline.reminders_sent
    if deadline.next_reminder_at is None:
        return 0
    pts = points(ctx.policy, ctx.calendar, deadline)
    passed = [i for i, (_, t) in enumerate(pts) if i >= k and t <= at]
    stopped = deadline.status != "open" or deadline.closed_at is not None or at >= deadline.due_at
    if stopped or not passed:
        upcoming = [t for i, (_, t) in enumerate(pts) if i >= k and t > at]
        _claim(deadline, k, k, None if stopped or not upcoming else upcoming[0])
        return 0
    j = passed[-1]
    following = pts[j + 1][1] if j + 1 < len(pts) else None
    if not _claim(deadline, k, j + 1, following):
        return 0                      # another worker sent it
    label = pts[j][0]
    events.record(ctx, "reminder", None, outbox_key=f"reminder:{deadline.id}:{label}",
                  deadline_id=deadline.id, deadline_kind=deadline.kind,
                  due_at=deadline.due_at.isoformat(), point=label,
                  staff_ids=recipients(deadline, ctx.contact),
                  department_id=deadline.responsible_department_id)
    return 1


def _claim(deadline, expected, sent, next_at):
    result = db.session.execute(
        update(Deadline).where(Deadline.id == deadline.id, Deadline.reminders_sent == expected)
        .values(reminders_sent=sent, next_reminder_at=next_at)
        .execution_options(synchronize_session=False))
    deadline.reminders_sent, deadline.next_reminder_at = sent, next_at
    return result.rowcount == 1



@jobs.job(queue="default", retry=None)
def scan_all(tenant_id):
    """Periodic: one reminder job per active tenant."""
    for tid in active_tenant_ids():
        remind_tenant.enqueue(tid)


@jobs.job(queue="default")
def remind_tenant(tenant_id):
    sent = remind_due(tenant_id, clock.now())
    if sent >= BATCH:
        remind_tenant.enqueue(tenant_id)       # more due: continue in a fresh job
    return sent


# --- the daily digest ------------------------------------------------------------------------

@jobs.job(queue="default", retry=None)
def digest_all(tenant_id):
    """Periodic: one digest job per active tenant."""
    for tid in active_tenant_ids():
        digest_tenant.enqueue(tid)


@jobs.job(queue="default")
def digest_tenant(tenant_id):
    return send_digests(tenant_id, clock.now())


def send_digests(tenant_id, at):
    """From the start of the tenant's working day on, one ``digest.daily`` message per staff
    member with clocks overdue or due today (key ``digest:<staff>:<date>``: once a day)."""
    tenant = db.session.get(Tenant, tenant_id)
    policy = policies.load(policies.latest_version_id())[1]
    cal = clocks.calendar_for(tenant, policy)
    today = cal.local(at).date()
    if at < cal._at(today, cal.working_periods[0][0]):
        return 0
    end_of_day = cal._at(today + timedelta(days=1), "00:00")
    rows = db.session.execute(
        select(Deadline, Contact).join(Contact, Contact.id == Deadline.contact_id)
        .where(Deadline.closed_at.is_(None), Deadline.status.in_(("open", "breached")),
               Deadline.due_at < end_of_day, Contact.state != State.CLOSED)
        .order_by(Deadline.due_at, Deadline.id)).all()
    per_staff = {}
    for deadline, contact in rows:
        item = {"ref": contact.ref, "contact_id": contact.id, "deadline_id": deadline.id,
                "deadline_kind": deadline.kind, "due_at": deadline.due_at.isoformat()}
        bucket = "overdue" if clocks.status_at(deadline, at) == "breached" else "due_today"
        for staff_id in recipients(deadline, contact):
            per_staff.setdefault(staff_id, {"overdue": [], "due_today": []})[bucket].append(item)
    sent = 0
    for staff_id, items in per_staff.items():
        key = f"digest:{staff_id}:{today.isoformat()}"
        if db.session.scalar(select(outbox.OutboxMessage.id).where(outbox.OutboxMessage.key == key)):
            continue
        payload = {"staff_id": staff_id, "date": today.isoformat(),
                   "overdue_count": len(items["overdue"]),
                   "due_today_count": len(items["due_today"]),
                   "overdue": items["overdue"][:50], "due_today": items["due_today"][:50]}
        try:
            with db.session.begin_nested():
                outbox.emit("digest.daily", payload, key=key, tenant_id=tenant_id)
                db.session.flush()
            sent += 1
        except IntegrityError:        # another worker sent it first
            pass
    return sent
