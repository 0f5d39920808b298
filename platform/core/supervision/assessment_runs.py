"""Assessment runs (考核): run a period's assessment, review it, publish it as a notice.

One function per user action, taking a :class:`Context` and never committing:

- :func:`run` computes every assessed department's score for a period from the roll-ups
  under the tenant's current policy and freezes it as the period's next revision (a draft);
  the period's earlier draft is superseded by it;
- :func:`enter_scores` records questionnaire scores (the pack's ``entered`` components)
  during review and re-scores those departments from their frozen figures;
- :func:`adjust` sets one department's score by hand, only with a written reason, kept in
  the audit trail (``AssessmentAdjustment``);
- :func:`publish` makes a draft the period's published run (superseding an earlier one)
  and sends it as a notice (通报) to the assessed departments' inboxes.

A published or superseded run is never changed: every step on it answers 409, and a
correction is a new run of the same period (the next revision).  One winner: each step
locks its run row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises
writers), so of two supervisors publishing at once one wins and the other is told the run
is already published; two runs of one period at once collide on the revision number.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core import clock
from core.errors import DomainError, Invalid
from core.extensions import db
from core.notify import outbox
from core.policy import versions as policies
from core.supervision import assessments
from core.supervision.assessment_models import (
    AssessmentAdjustment,
    AssessmentRow,
    AssessmentRun,
)
from core.supervision.figures import Figures
from core.tenancy import locks
from core.tenancy.models import Department
from core.tenancy.permissions import require

TOPIC = "assessment.published"
MAX_REASON = 2000


@dataclass
class Context:
    tenant: object
    actor: object
    at: object = field(default_factory=clock.now)


def _conflict(en, zh, code="conflict"):
    raise DomainError({"zh": zh, "en": en}, code=code, status=409)


def _invalid(fields, en, zh):
    raise Invalid({"zh": zh, "en": en}, fields=fields)


# -- freezing figures ---------------------------------------------------------------------

def freeze(fig):
    """A department's figures as JSON: the roll-up sums the scores were computed from."""
    return {"counts": [[m, k, int(n), int(t)] for (m, k), (n, t) in sorted(fig.counts.items())],
            "durations": [[kind, unit, int(b), int(n)] for (kind, unit), hist
                          in sorted(fig.durations.items()) for b, n in sorted(hist.items())]}


def thaw(frozen):
    """The :class:`Figures` a frozen row was computed from."""
    fig = Figures()
    for m, k, n, t in (frozen or {}).get("counts", []):
        fig.counts[(m, k)] = (n, t)
    for kind, unit, bucket, n in (frozen or {}).get("durations", []):
        fig.durations.setdefault((kind, unit), {})
        fig.durations[(kind, unit)][bucket] = n
    return fig


# -- checking what is typed in --------------------------------------------------------------

def entered_keys(section):
    return [c["key"] for c in section["components"] if c["source"] == "entered"]


def check_entered(section, codes, entered):
    """``{code: {key: float}}``: refused field by field (``entered.<code>.<key>``)."""
    keys, errors, out = entered_keys(section), {}, {}
    for code, values in (entered or {}).items():
        if code not in codes:
            errors[f"entered.{code}"] = ["Not an assessed department."]
            continue
        if not isinstance(values, dict):
            errors[f"entered.{code}"] = ["Give component scores by key."]
            continue
        for key, value in values.items():
            name = f"entered.{code}.{key}"
            if key not in keys:
                errors[name] = ["Not a component typed in by the supervisor."]
            elif value is None or value == "":
                out.setdefault(code, {})[key] = None
            elif isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 <= value <= 100:
                errors[name] = ["A score from 0 to 100."]
            else:
                out.setdefault(code, {})[key] = round(float(value), 2)
    if errors:
        _invalid(errors, "Some scores are not valid.", "部分分数无效。")
    return out


# -- the steps ----------------------------------------------------------------------------

def run(ctx, period, entered=None, note=""):
    """Compute and freeze the next revision of ``period``'s assessment (a draft)."""
    require(ctx.actor, "assessment.run")
    if period.grain in ("day", "week"):
        _invalid({"period": ["Assess a month, a quarter, a year or a range."]},
                 "Assess a month, a quarter, a year or a range.", "考核期须为月、季、年或日期范围。")
    version_id = policies.current_version_id(ctx.tenant)
    section = assessments.policy_of(version_id)[1]["assessment"]
    codes = {d.code for d in assessments.assessed_departments({"assessment": section})}
    entered = check_entered(section, codes, entered)
    result = assessments.compute(ctx.tenant, period, entered, version_id)
    same_period = (AssessmentRun.grain == period.grain,
                   AssessmentRun.period_key == period.key)
    revision = (db.session.scalar(select(func.max(AssessmentRun.revision))
                                  .where(*same_period)) or 0) + 1
    names = {d.id: d for d in db.session.scalars(select(Department))}
    try:
        with db.session.begin_nested():
            db.session.execute(update(AssessmentRun).where(
                *same_period, AssessmentRun.status == "draft").values(status="superseded")
                .execution_options(synchronize_session=False))
            row = AssessmentRun(
                tenant_id=ctx.tenant.id, grain=period.grain, period_key=period.key,
                first=period.first, last=period.last, revision=revision, status="draft",
                policy_version_id=result["policy_version_id"], pack_key=result["pack_key"],
                section=section, created_by_id=ctx.actor.id, created_at=ctx.at,
                note=(note or "").strip()[:MAX_REASON])
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        _conflict("Someone ran this period's assessment at the same moment; open it.",
                  "他人刚刚运行了本期考核，请打开查看。", "already_running")
    for position, r in enumerate(result["rows"]):
        dept = names[r["department_id"]]
        db.session.add(AssessmentRow(
            tenant_id=ctx.tenant.id, run_id=row.id, department_id=dept.id, code=dept.code,
            name_zh=dept.name_zh, name_en=dept.name_en, position=position,
            figures=freeze(r["figures"]), entered=(entered or {}).get(dept.code, {}),
            components=r["components"], computed=r["score"], score=r["score"],
            adjusted=False, rank=r["rank"]))
    db.session.flush()
    return row


def lock_draft(run_row):
    """The run, locked and fresh; anything but a draft is a 409."""
    locked = locks.locked(run_row)
    if locked.status != "draft":
        _conflict("This run is %s and can no longer be changed: run a new revision."
                  % locked.status,
                  "该考核已%s，不能再修改；如需更正请重新运行（新修订版）。"
                  % {"published": "发布", "superseded": "被新修订版取代"}[locked.status],
                  "run_" + locked.status)
    return locked


def rows_of(run_row):
    return db.session.scalars(select(AssessmentRow).where(AssessmentRow.run_id == run_row.id)
                              .order_by(AssessmentRow.position)).all()


def _rerank(rows):
    ranked = assessments.rank([{"score": r.score} for r in rows])
    for row, one in zip(rows, ranked, strict=True):
        row.rank = one["rank"]


def enter_scores(ctx, run_row, entered):
    """Record questionnaire scores on a draft and re-score those departments."""
    require(ctx.actor, "assessment.run")
    run_row = lock_draft(run_row)
    rows = rows_of(run_row)
    by_code = {r.code: r for r in rows}
    entered = check_entered(run_row.section, set(by_code), entered)
    pack_key, policy = assessments.policy_of(run_row.policy_version_id)
    policy = {**policy, "assessment": run_row.section}
    for code, values in entered.items():
        row = by_code[code]
        for key, value in values.items():
            if row.entered.get(key) != value:
                db.session.add(AssessmentAdjustment(
                    tenant_id=ctx.tenant.id, run_id=run_row.id, row_id=row.id, kind="entered",
                    component=key, before=row.entered.get(key), after=value, reason="",
                    by_id=ctx.actor.id, at=ctx.at))
        row.entered = {**row.entered, **values}
        dept = db.session.get(Department, row.department_id)
        one = assessments.department_rows(pack_key, policy, {dept.id: thaw(row.figures)},
                                          [dept], {code: row.entered})[0]
        row.components, row.computed = one["components"], one["score"]
        if not row.adjusted:
            row.score = one["score"]
    _rerank(rows)
    db.session.flush()
    return run_row


def adjust(ctx, run_row, code, score, reason):
    """Set department ``code``'s score by hand; the reason is required and kept."""
    require(ctx.actor, "assessment.run")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["Say why the score is changed."]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [f"At most {MAX_REASON} characters."]
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
        errors["score"] = ["A score from 0 to 100."]
    if errors:
        _invalid(errors, "An adjustment needs a score from 0 to 100 and a reason.",
                 "调整分数须填写 0 至 100 的分数和理由。")
    run_row = lock_draft(run_row)
    rows = rows_of(run_row)
    row = next((r for r in rows if r.code == code), None)
    if row is None:
        _invalid({"department": ["Not an assessed department."]},
                 "Not an assessed department.", "该部门不在本次考核中。")
    db.session.add(AssessmentAdjustment(
        tenant_id=ctx.tenant.id, run_id=run_row.id, row_id=row.id, kind="score",
        before=row.score, after=round(float(score), 2), reason=reason, by_id=ctx.actor.id,
        at=ctx.at))
    row.score, row.adjusted = round(float(score), 2), True
    _rerank(rows)
    db.session.flush()
    return row


def publish(ctx, run_row):
    """Publish a draft as the period's assessment and send the notice (通报)."""
    require(ctx.actor, "assessment.publish")
    run_row = lock_draft(run_row)
    try:
        with db.session.begin_nested():
            db.session.execute(update(AssessmentRun).where(
                AssessmentRun.grain == run_row.grain,
                AssessmentRun.period_key == run_row.period_key,
                AssessmentRun.status == "published").values(status="superseded")
                .execution_options(synchronize_session=False))
            run_row.status, run_row.published_at = "published", ctx.at
            run_row.published_by_id = ctx.actor.id
            db.session.flush()
    except IntegrityError:
        _conflict("Another revision of this period was published at the same moment.",
                  "本期考核的另一修订版刚刚发布。", "run_published")
    rows = rows_of(run_row)
    outbox.emit(TOPIC, notice_payload(ctx, run_row, rows), key=f"assessment:{run_row.id}",
                tenant_id=ctx.tenant.id)
    return run_row


def notice_payload(ctx, run_row, rows):
    """What the notice says: the period, the revision and the ranking (names in both
    languages, so each reader's inbox shows theirs)."""
    return {"run_id": run_row.id, "period": run_row.period_key, "grain": run_row.grain,
            "revision": run_row.revision, "actor_id": ctx.actor.id,
            "department_ids": [r.department_id for r in rows],
            "rows": [{"name": {"zh": r.name_zh, "en": r.name_en}, "score": r.score,
                      "rank": r.rank} for r in sorted(rows, key=_by_rank)],
            "path": f"/t/{ctx.tenant.slug}/assessments/{run_row.id}"}


def _by_rank(row):
    return (row.rank is None, row.rank or 0, row.position)


def revisions(run_row):
    """Every run of the same period, newest revision first."""
    return db.session.scalars(select(AssessmentRun).where(
        AssessmentRun.grain == run_row.grain, AssessmentRun.period_key == run_row.period_key)
        .order_by(AssessmentRun.revision.desc())).all()


def trail(run_row):
    """The run's adjustments and entered scores, oldest first."""
    return db.session.scalars(select(AssessmentAdjustment).where(
        AssessmentAdjustment.run_id == run_row.id).order_by(AssessmentAdjustment.id)).all()
