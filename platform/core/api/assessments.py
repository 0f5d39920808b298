"""Assessment routes: list, run, show, enter scores, adjust, publish, export.

The steps are ``core.supervision.assessment_runs`` (permissions checked there); a run
another tenant owns is a plain 404.  Drafts and superseded runs are for ``assessment.view``
holders; a published run, being a notice to everyone, for any staff member.
"""
from flask import Response, g, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import bp, language, load
from core.api.spot_checks import period_of
from core.contacts.schemas import Str
from core.extensions import db
from core.supervision import assessment_export
from core.supervision import assessment_runs as runs
from core.supervision.assessment_models import AssessmentRun
from core.tenancy.permissions import require
from core.tenancy.scoping import get_or_404

LIST_LIMIT = 100
SCORES = fields.Dict(keys=Str(validate=validate.Length(max=40)),
                     values=fields.Dict(keys=Str(validate=validate.Length(max=40)),
                                        values=fields.Float(allow_none=True, allow_nan=False)),
                     load_default=dict, metadata={"description": "{department code: "
                                                  "{component key: 0-100}}"})


class RunIn(Schema):
    period = Str(load_default=None, metadata={"description": "month | quarter | year"})
    at = Str(load_default=None, metadata={"description": "2027-03, 2027-Q1, 2027"})
    from_ = Str(data_key="from", load_default=None)
    to = Str(load_default=None)
    entered = SCORES
    note = Str(load_default="", validate=validate.Length(max=runs.MAX_REASON))


class ScoresIn(Schema):
    entered = fields.Dict(keys=Str(validate=validate.Length(max=40)),
                          values=fields.Dict(keys=Str(validate=validate.Length(max=40)),
                                             values=fields.Float(allow_none=True,
                                                                 allow_nan=False)),
                          required=True)


class AdjustIn(Schema):
    department = Str(required=True, validate=validate.Length(min=1, max=40))
    score = fields.Float(required=True, allow_nan=False,
                         validate=validate.Range(min=0, max=100))
    reason = Str(required=True, validate=validate.Length(min=1, max=runs.MAX_REASON))


def _summary(run):
    return {"id": run.id, "period": {"grain": run.grain, "key": run.period_key,
                                     "from": run.first.isoformat(), "to": run.last.isoformat()},
            "revision": run.revision, "status": run.status,
            "policy_version_id": run.policy_version_id, "pack": run.pack_key,
            "created_by": run.created_by.username, "created_at": run.created_at.isoformat(),
            "published_by": run.published_by.username if run.published_by else None,
            "published_at": run.published_at.isoformat() if run.published_at else None,
            "note": run.note}


def _body(run):
    rows = runs.rows_of(run)
    return {**_summary(run), "components": run.section.get("components", []),
            "rows": [{"department": r.code, "name": r.name_zh, "name_en": r.name_en,
                      "components": r.components, "entered": r.entered,
                      "computed": r.computed, "score": r.score, "adjusted": r.adjusted,
                      "rank": r.rank} for r in rows],
            "adjustments": [{"kind": a.kind, "component": a.component, "department": next(
                (r.code for r in rows if r.id == a.row_id), None), "before": a.before,
                "after": a.after, "reason": a.reason, "by": a.by.username,
                "at": a.at.isoformat()} for a in runs.trail(run)],
            "revisions": [{"id": r.id, "revision": r.revision, "status": r.status}
                          for r in runs.revisions(run)]}


def _visible(run_id):
    """The run, if the caller may see it (another tenant's: 404)."""
    run = get_or_404(AssessmentRun, id=run_id)
    require(g.actor, "assessment.view_published" if run.status == "published"
            else "assessment.view")
    return run


def _ctx():
    return runs.Context(tenant=g.tenant, actor=g.actor)


@bp.get("/assessments")
def list_assessments():
    require(g.actor, "assessment.view")
    items = db.session.scalars(select(AssessmentRun).order_by(
        AssessmentRun.created_at.desc(), AssessmentRun.id.desc()).limit(LIST_LIMIT)).all()
    return jsonify({"items": [_summary(r) for r in items]})


@bp.post("/assessments")
def run_assessment():
    data = load(RunIn())
    run = runs.run(_ctx(), period_of(data), data["entered"], data["note"])
    body = _body(run)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/assessments/<int:run_id>")
def show_assessment(run_id):
    return jsonify(_body(_visible(run_id)))


@bp.post("/assessments/<int:run_id>/scores")
def enter_assessment_scores(run_id):
    run = get_or_404(AssessmentRun, id=run_id)
    data = load(ScoresIn())
    run = runs.enter_scores(_ctx(), run, data["entered"])
    body = _body(run)
    db.session.commit()
    return jsonify(body)


@bp.post("/assessments/<int:run_id>/adjustments")
def adjust_assessment(run_id):
    run = get_or_404(AssessmentRun, id=run_id)
    data = load(AdjustIn())
    runs.adjust(_ctx(), run, data["department"], data["score"], data["reason"])
    body = _body(run)
    db.session.commit()
    return jsonify(body), 201


@bp.post("/assessments/<int:run_id>/publish")
def publish_assessment(run_id):
    run = runs.publish(_ctx(), get_or_404(AssessmentRun, id=run_id))
    body = _body(run)
    db.session.commit()
    return jsonify(body)


@bp.get("/assessments/<int:run_id>/export.xlsx")
def export_assessment(run_id):
    run = _visible(run_id)
    lang = language()
    data = assessment_export.workbook(run, runs.rows_of(run), runs.trail(run), lang,
                                      g.tenant.timezone)
    name = f"assessment-{run.period_key}-r{run.revision}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
