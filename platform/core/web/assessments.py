"""Assessments (考核) on the web: run a period's assessment, review, publish, export, print.

The steps are ``core.supervision.assessment_runs``; what the page offers follows the same
permissions and the run's status (a published run offers nothing to change, a department's
supervisor is offered no run button), so nothing shown is refused.  A published run is a
notice: any staff member may open it (the inbox links to it).
"""
from zoneinfo import ZoneInfo

from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.errors import DomainError, Invalid
from core.extensions import db
from core.policy import versions as policies
from core.supervision import assessment_export, assessments, periods
from core.supervision import assessment_runs as runs
from core.supervision.assessment_models import AssessmentRun
from core.tenancy.permissions import can, require
from core.tenancy.scoping import get_or_404
from core.web import actor, bp, lang, refused

PAGE = 50
GRAINS = ("month", "quarter", "year")
# The words for a component's frozen inputs (core.supervision.assessments.figure_value).
INPUT_WORDS = {"count": _l("counted"), "contacts": _l("contacts"), "met": _l("met"),
               "breached": _l("breached"), "graded": _l("graded callbacks"),
               "mean": _l("mean grade"), "confirmed": _l("confirmed"), "failed": _l("failed"),
               "unreached": _l("not reached"), "entered": _l("entered")}


def describe(inputs):
    """A component's frozen inputs in words: "counted 1 · contacts 2"."""
    parts = []
    for key, value in (inputs or {}).items():
        if key == "rate" or value is None:
            continue
        parts.append(f"{INPUT_WORDS.get(key, key)} {value:g}" if isinstance(value, float)
                     else f"{INPUT_WORDS.get(key, key)} {value}")
    return " · ".join(parts)


def _today():
    return clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()


def _section():
    """The current policy's assessment section (what a new run will use)."""
    return assessments.policy_of(policies.current_version_id(g.tenant))[1]["assessment"]


def _visible(run_id):
    run = get_or_404(AssessmentRun, id=run_id)
    require(actor(), "assessment.view_published" if run.status == "published"
            else "assessment.view")
    return run


def _number(name):
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Invalid({"zh": "请填写数字。", "en": "Enter a number."},
                      fields={name: ["Not a number."]}) from None


def _entered(codes, keys):
    """``{code: {key: score}}`` from the form's ``entered.<code>.<key>`` fields."""
    out = {}
    for code in codes:
        for key in keys:
            value = _number(f"entered.{code}.{key}")
            if value is not None:
                out.setdefault(code, {})[key] = value
    return out


@bp.get("/assessments")
def list_assessments():
    require(actor(), "assessment.view")
    items = db.session.scalars(select(AssessmentRun).order_by(
        AssessmentRun.created_at.desc(), AssessmentRun.id.desc()).limit(PAGE)).all()
    section = _section()
    grain = section.get("period") or "month"
    return render_template(
        "web/supervision/assessments.html", items=items, section=section, grains=GRAINS,
        grain=grain, at=periods.containing(grain, _today()).shift(-1).key,
        departments=assessments.assessed_departments({"assessment": section}),
        entered_components=[c for c in section["components"] if c["source"] == "entered"],
        may_run=can(actor(), "assessment.run"))


@bp.post("/assessments")
def run_assessment():
    try:
        section = _section()
        codes = [d.code for d in assessments.assessed_departments({"assessment": section})]
        period = periods.parse({"period": request.form.get("period") or "",
                                "at": (request.form.get("at") or "").strip()[:20]}, _today())
        ctx = runs.Context(tenant=g.tenant, actor=actor())
        run = runs.run(ctx, period, _entered(codes, runs.entered_keys(section)),
                       (request.form.get("note") or "")[:runs.MAX_REASON])
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("web.list_assessments"))
    return redirect(url_for("web.show_assessment", run_id=run.id))


def _page(run, template):
    rows = runs.rows_of(run)
    draft = run.status == "draft"
    return render_template(
        template, run=run, rows=rows, trail=runs.trail(run), revisions=runs.revisions(run),
        components=run.section.get("components", []),
        entered_components=[c for c in run.section.get("components", [])
                            if c["source"] == "entered"],
        by_rank=sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.position)),
        row_names={r.id: r.name(lang()) for r in rows},
        may_review=draft and can(actor(), "assessment.run"),
        may_publish=draft and can(actor(), "assessment.publish"),
        may_see_drafts=can(actor(), "assessment.view"), describe=describe)


@bp.get("/assessments/<int:run_id>")
def show_assessment(run_id):
    return _page(_visible(run_id), "web/supervision/assessment.html")


@bp.get("/assessments/<int:run_id>/print")
def print_assessment(run_id):
    return _page(_visible(run_id), "web/supervision/assessment_print.html")


@bp.get("/assessments/<int:run_id>/export.xlsx")
def export_assessment(run_id):
    run = _visible(run_id)
    data = assessment_export.workbook(run, runs.rows_of(run), runs.trail(run), lang(),
                                      g.tenant.timezone)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet", headers={
                        "Content-Disposition": f'attachment; filename="assessment-'
                        f'{run.period_key}-r{run.revision}.xlsx"'})


def _step(run_id, do):
    """Run one review step on the run; a refusal is shown on the run's page."""
    run = get_or_404(AssessmentRun, id=run_id)
    try:
        do(runs.Context(tenant=g.tenant, actor=actor()), run)
        db.session.commit()
    except DomainError as err:
        refused(err)
    return redirect(url_for("web.show_assessment", run_id=run_id))


@bp.post("/assessments/<int:run_id>/scores")
def enter_assessment_scores(run_id):
    def do(ctx, run):
        codes = [r.code for r in runs.rows_of(run)]
        runs.enter_scores(ctx, run, _entered(codes, runs.entered_keys(run.section)))
    return _step(run_id, do)


@bp.post("/assessments/<int:run_id>/adjustments")
def adjust_assessment(run_id):
    def do(ctx, run):
        score = _number("score")
        runs.adjust(ctx, run, (request.form.get("department") or "")[:40],
                    score, (request.form.get("reason") or "")[:runs.MAX_REASON + 1])
    return _step(run_id, do)


@bp.post("/assessments/<int:run_id>/publish")
def publish_assessment(run_id):
    return _step(run_id, runs.publish)


@bp.app_template_global("may_see_assessments")
def may_see_assessments():
    return current_user.is_authenticated and can(current_user.staff, "assessment.view")
