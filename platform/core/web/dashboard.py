"""The supervision dashboard (督查统计): a period's figures for the whole organisation, per
department or per person, every number a link to the contacts behind it.

Figures come from ``core.supervision.figures`` (the roll-ups, a few queries per page); the
drill-down links from ``core.supervision.drilldown`` (the register filtered).  Who sees
what is decided in one place, ``core.supervision.access.scope``: holders of ``supervision.view`` see their own
department's figures, holders of ``supervision.view_all`` every department's.  Charts are
small server-side SVG macros (templates/web/supervision/_charts.html), each beside a
table of the same numbers.
"""
from zoneinfo import ZoneInfo

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.errors import Invalid
from core.extensions import db
from core.policy import versions as policies
from core.supervision import access, drilldown, figures, periods
from core.tenancy.models import Department, Staff
from core.tenancy.permissions import can
from core.web import actor, bp
from core.web.labels import localized

GROUPS = {"organisation": None, "department": "department", "staff": "staff"}
TREND = 6


def unit_words():
    return {"minutes": _("minutes"), "hours": _("hours"), "working_days": _("working days"),
            "working_hours": _("working hours")}


def today():
    return clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()


def read_period(args):
    """(period, field errors): a bad period shows this month with the field's message."""
    try:
        return periods.parse(args, today()), {}
    except Invalid as err:
        # periods' own messages are English; the page says the same in the reader's words
        words = {"period": _("Choose day, week, month, quarter or year."),
                 "at": _("Use e.g. 2027-03-01, 2027-W10, 2027-03, 2027-Q1 or 2027."),
                 "from": _("A date such as 2027-03-01."),
                 "to": _("A date such as 2027-03-31, not before the start, at most three "
                         "years later.")}
        return periods.containing("month", today()), {
            field: [words.get(field, _("Not valid."))] for field in err.fields}


def names():
    """{department id: name}, {staff id: name} in the reader's language (two queries)."""
    from core.web import lang
    departments = {d.id: d.name(lang()) for d in db.session.scalars(select(Department))}
    staff = dict(db.session.execute(select(Staff.id, Staff.name)).all())
    return departments, staff


def rule_names():
    policy = policies.load(policies.current_version_id(g.tenant))[1]
    return {key: localized(pen.get("name")) or key
            for key, pen in (policy.get("penalties") or {}).items()}


def level_names():
    policy = policies.load(policies.current_version_id(g.tenant))[1]
    return {step.get("key"): localized(step.get("name")) or step.get("key")
            for step in (policy.get("escalation") or {}).get("chain", [])}


def _linker(period, department):
    dept_id = department.id if department else None

    def link(metric, key="", department_id=None, staff_id=None, other=None):
        return url_for("web.register", **drilldown.params(
            metric, key, other or period,
            department_id if department_id is not None else dept_id, staff_id))
    return link


@bp.get("/supervision")
def supervision_dashboard():
    staff = actor()
    department = access.scope(staff, (request.args.get("department") or "").strip()[:64])
    period, errors = read_period(request.args)
    group = request.args.get("group_by", "organisation")
    if group not in GROUPS:
        errors["group_by"] = [_("One of: organisation, department, person.")]
        group = "organisation"
    dept_id = department.id if department else None
    per_department = figures.read(period, by="department", department_id=dept_id)
    whole = figures.total(per_department)
    # the page shows only each person's violations unless it is grouped by person
    # (the per-person table shows counts and rates, never time taken)
    per_staff = figures.read(period, by="staff", department_id=dept_id, durations=False,
                             family=None if group == "staff" else "violations")
    groups = {"organisation": {}, "department": per_department, "staff": per_staff}[group]
    # complaints about staff per person (core.voice), one family's read
    complaints_per_staff = figures.read(period, by="staff", department_id=dept_id,
                                        family="complaints")
    trend = figures.trend(period, TREND, department_id=dept_id)
    department_names, staff_names = names()
    all_departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    status = 422 if errors else 200
    return render_template(
        "web/supervision/dashboard.html", period=period, errors=errors, group=group,
        department=department, whole=whole, groups=groups, per_department=per_department,
        per_staff=per_staff, complaints_per_staff=complaints_per_staff, trend=trend,
        department_names=department_names,
        staff_names=staff_names, rules=rule_names(), levels=level_names(),
        units=unit_words(), link=_linker(period, department), grains=periods.GRAINS,
        departments=all_departments if can(staff, "supervision.view_all") else [department],
        may_view_all=can(staff, "supervision.view_all"),
        previous=period.shift(-1), following=period.shift(1), trend_points=trend_points,
        bar_items=bar_items, satisfaction_items=satisfaction_items), status


def trend_points(trend):
    return [(p.key, f.contacts()["total"]) for p, f in trend]


def bar_items(rows, department_names, what, link):
    """[(department, value, drill-down)] for the per-department charts."""
    items = []
    for dept_id, f in rows:
        name = department_names.get(dept_id, _("No department"))
        if what == "rate":
            rate = f.on_time()["rate"]
            items.append((name, None if rate is None else round(rate * 100, 1),
                          link("clocks.done", "", dept_id)))
        else:
            items.append((name, f.escalations()["conflict"],
                          link("escalations.conflict", "", dept_id)))
    return items


def satisfaction_items(callbacks, link):
    return [(_("Grade %(g)s", g=grade), n, link("satisfaction", grade))
            for grade, n in callbacks["satisfaction"].items()]


def figure_chip(filters):
    """The active drill-down in words, for the register's chip (None when there is none)."""
    from core.vocabulary import CHANNELS, KINDS
    metric, key = filters.get("figure"), filters.get("figure_key")
    if not metric:
        return None
    words = {"contacts": _("Contacts"), "clocks.met": _("Met"),
             "clocks.breached": _("Breached"), "clocks.cancelled": _("Cancelled"),
             "clocks.done": _("Deadlines"), "escalations": _("Escalations"),
             "escalations.conflict": _("Conflict escalations"),
             "escalations.to": _("Escalations"), "violations.proposed": _("Awaiting decision"),
             "violations.confirmed": _("Confirmed"), "violations.waived": _("Waived"),
             "violations.all": _("Violations"), "violations.offence": _("Offence"),
             "callbacks": _("Callbacks"), "satisfaction": _("Satisfaction")}
    parts = [str(words.get(metric, _("Contacts")))]
    if key:
        table = {**{k: str(v) for k, v in KINDS.items()},
                 **{k: str(v) for k, v in CHANNELS.items()}, **rule_names(), **level_names(),
                 "reached": _("Reached"), "unreached": _("Not reached")}
        parts.append(table.get(key, key))
    department_names, staff_names = names()
    for field, table in (("figure_department", department_names),
                         ("figure_staff", staff_names)):
        if (filters.get(field) or "").isdigit():
            parts.append(table.get(int(filters[field]), "?"))
    parts.append(f"{filters.get('figure_from')} – {filters.get('figure_to')}")
    return " · ".join(parts)


@bp.app_template_global("may_see_supervision")
def may_see_supervision():
    return current_user.is_authenticated and can(current_user.staff, "supervision.view")
