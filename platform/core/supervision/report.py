"""The scheduled supervision report: the figures of the period just ended, sent to the
supervising roles by inbox and e-mail.

Each tenant chooses how often (``Tenant.report_frequency``: monthly by default, weekly,
quarterly or off), the day of the new period and the local time it goes out
(``report_day``, ``report_time``; the 1st at 08:00 for the previous month).  The periodic
job ``report_all`` fans out per active tenant; ``send_reports`` finds the period due and
writes one outbox row per recipient with the key ``report:<period>:<staff>``, so two
workers or a retry never send it twice (the unique outbox key is the claim).  The inbox
and e-mail are made by the ordinary fan-out (``core.notify.inbox``; reason ``report``).

Recipients: the holders of ``report.receive`` and the staff of the pack's supervising
department(s) (``core.notify.recipients.supervising_departments``), active ones only.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from core import clock, jobs
from core.extensions import db
from core.notify import outbox
from core.notify.recipients import supervising_departments
from core.policy import versions as policies
from core.supervision import figures, periods
from core.tenancy.models import Department, Staff, Tenant, active_tenant_ids
from core.tenancy.permissions import roles_with

TOPIC = "report.summary"
GRAINS = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}


def due(tenant, at):
    """The period whose report is due at ``at`` (the one just ended, once the tenant's day
    and time of the new period have come), or None (off, or not yet)."""
    grain = GRAINS.get(tenant.report_frequency)
    if grain is None:
        return None
    zone = ZoneInfo(tenant.timezone)
    local = at.astimezone(zone)
    current = periods.containing(grain, local.date())
    hour, minute = (int(x) for x in (tenant.report_time or "08:00").split(":"))
    send_day = current.first + timedelta(days=max(1, tenant.report_day or 1) - 1)
    if local < datetime.combine(send_day, time(hour, minute), tzinfo=zone):
        return None
    return current.shift(-1)


def recipients(policy):
    """Active holders of ``report.receive`` and the supervising departments' staff."""
    stmt = select(Staff.id).outerjoin(Department, Staff.department_id == Department.id).where(
        Staff.active.is_(True),
        or_(Staff.role.in_(roles_with("report.receive")),
            Department.code.in_(supervising_departments(policy))))
    return list(db.session.scalars(stmt.order_by(Staff.id)))


def _plain(value):
    """A JSON number: PostgreSQL's SUM of a BIGINT is a Decimal."""
    if value is None or isinstance(value, int | float):
        return value
    return int(value) if value == int(value) else float(value)


def _numbers(f):
    """The headline figures of one group, as plain numbers for the payload."""
    on_time, esc = f.on_time(), f.escalations()
    vio, calls = f.violations(), f.callbacks()
    return {k: _plain(v) for k, v in {"contacts": f.contacts()["total"], "on_time_rate": on_time["rate"],
            "breached": on_time["breached"], "escalations": esc["total"],
            "conflict": esc["conflict"], "proposed": vio["proposed"],
            "confirmed": vio["confirmed"], "reached": calls["reached"],
            "callbacks": calls["total"], "satisfaction": calls["satisfaction_mean"]}.items()}


def content(tenant, period):
    """The report's figures: organisation totals and one row per department (by name)."""
    total = figures.read(period).get(None) or figures.Figures()
    per = figures.read(period, by="department")
    names = {d.id: {"zh": d.name_zh, "en": d.name_en} for d in db.session.execute(
        select(Department.id, Department.name_zh, Department.name_en))}
    rows = [{"name": names.get(dept, {"zh": "（无部门）", "en": "(no department)"}),
             **_numbers(f)} for dept, f in sorted(per.items(), key=lambda kv: kv[0] or 0)]
    return {"totals": _numbers(total), "departments": rows,
            "path": f"/t/{tenant.slug}/supervision?period={period.grain}&at={period.key}"}


def send_reports(tenant_id, at):
    """Write the due report's outbox rows (one per recipient, once); returns how many."""
    tenant = db.session.get(Tenant, tenant_id)
    period = due(tenant, at)
    if period is None:
        return 0
    version_id = policies.latest_version_id()
    policy = policies.load(version_id)[1] if version_id else {}
    people = recipients(policy)
    prefix = f"report:{period.grain}:{period.key}:"
    done = set(db.session.scalars(select(outbox.OutboxMessage.key).where(
        outbox.OutboxMessage.key.like(prefix + "%"))))
    todo = [sid for sid in people if prefix + str(sid) not in done]
    if not todo:
        return 0
    body = {"period": period.key, "grain": period.grain, **content(tenant, period)}
    sent = 0
    for staff_id in todo:
        try:
            with db.session.begin_nested():
                outbox.emit(TOPIC, {**body, "staff_id": staff_id}, key=prefix + str(staff_id),
                            tenant_id=tenant_id)
            sent += 1
        except IntegrityError:          # another worker sent this one first
            pass
    return sent


@jobs.job(queue="default", retry=None)
def report_all(tenant_id):
    """Periodic: one report job per active tenant."""
    for tid in active_tenant_ids():
        report_tenant.enqueue(tid)


@jobs.job(queue="default")
def report_tenant(tenant_id):
    return send_reports(tenant_id, clock.now())
