"""Period assessments: each department's score from the pack's components and weights.

The components and how a figure becomes a 0-100 value are defined once, in
``core.policy.assessment_schema`` (read its docstring for the normalisations).  The figures
come from ``core.supervision.figures.read(period, by="department")``: one grouped query over
the roll-ups, never a scan of contacts, so a year at a million contacts stays fast.  The
pack may compute the score itself through the ``shouwen_assessment_score`` hook; the core
default combines the components by weight.

What a run keeps (``inputs``) is everything the score was computed from: the figures used
and each component's value, so a frozen run can be shown and checked without the roll-ups.

The stored runs, their review, adjustment, publishing and revisions are in
``core.supervision.assessment_runs``; this module only computes.
"""
from sqlalchemy import select

from core.extensions import db
from core.policy import versions as policies
from core.policy.plugins import manager
from core.supervision import figures as figures_mod
from core.tenancy.models import Department
from core.voice import questionnaire_scores


def _per_contact(n, contacts):
    """A count against the department's own contacts: 100 × max(0, 1 − n / contacts)."""
    if not contacts:
        return None, {"count": n, "contacts": contacts}
    return 100 * max(0.0, 1 - n / contacts), {"count": n, "contacts": contacts}


def figure_value(component, fig):
    """``(value 0-100 or None, inputs)`` of a figure component over one department's figures."""
    name = component["figure"]
    if name == "on_time":
        on_time = fig.on_time()
        return (None if on_time["rate"] is None else 100 * on_time["rate"]), on_time
    if name == "satisfaction":
        callbacks = fig.callbacks()
        mean = callbacks["satisfaction_mean"]
        return (None if mean is None else 100 * (mean - 1) / 4), {
            "graded": callbacks["graded"], "mean": mean}
    if name == "conflict_escalations":
        return _per_contact(fig.n("escalations.conflict"), fig.n("contacts"))
    if name == "violations":
        n = sum(fig.n("violations.confirmed", rule) for rule in component["rules"])
        return _per_contact(n, fig.n("contacts"))
    if name == "spot_checks":
        confirmed, failed = fig.n("spot_checks", "confirmed"), fig.n("spot_checks", "failed")
        inputs = {"confirmed": confirmed, "failed": failed,
                  "unreached": fig.n("spot_checks", "unreached")}
        return (100 * confirmed / (confirmed + failed) if confirmed + failed else None), inputs
    raise ValueError(name)


def score(hooks, policy, department, fig, entered=None):
    """One department: its component values (with their inputs) and its score."""
    entered = entered or {}
    rows = []
    for component in policy["assessment"]["components"]:
        if component["source"] == "entered":
            value = entered.get(component["key"])
            inputs = {"entered": value}
        elif component["source"] == "questionnaire":
            value, inputs = questionnaire_scores.component_value(component, fig)
        else:
            value, inputs = figure_value(component, fig)
        rows.append({"key": component["key"], "weight": component["weight"],
                     "value": None if value is None else round(float(value), 2),
                     "inputs": inputs})
    result = hooks.shouwen_assessment_score(
        policy=policy, department=department, figures=fig,
        components=[{k: r[k] for k in ("key", "weight", "value")} for r in rows])
    total = None if result is None or result is False else round(float(result), 2)
    return {"components": rows, "score": total}


def rank(rows):
    """Competition ranking by score, highest first (1, 2, 2, 4); no score, no rank."""
    scored = sorted((r["score"] for r in rows if r["score"] is not None), reverse=True)
    for r in rows:
        r["rank"] = None if r["score"] is None else scored.index(r["score"]) + 1
    return rows


def assessed_departments(policy):
    """Every active department of the tenant but the assessing one, in document order."""
    supervisor = policy["assessment"]["supervisor"]
    return [d for d in db.session.scalars(select(Department).order_by(Department.id))
            if d.code != supervisor and getattr(d, "active", True)]


def with_section(pack_key, policy):
    """A version frozen before the assessment section had one shape keeps free-form weights
    that no code read: it is assessed by its pack's default section."""
    if "components" in (policy.get("assessment") or {}):
        return policy
    from core.policy.schema import validate_policy
    default = validate_policy(manager().packs[pack_key].policy)["assessment"]
    return {**policy, "assessment": default}


def policy_of(version_id):
    """``(pack key, effective policy with its assessment section)`` of a version."""
    pack_key, policy = policies.load(version_id)
    return pack_key, with_section(pack_key, policy)


def department_rows(pack_key, policy, by_department, departments, entered=None):
    """Unranked rows ``{department_id, code, components, score, figures}`` of
    ``departments`` from their figures (``{department id: Figures}``)."""
    hooks = manager().hooks_for(pack_key)
    rows = []
    for dept in departments:
        fig = by_department.get(dept.id) or figures_mod.Figures()
        one = score(hooks, policy, {"id": dept.id, "code": dept.code}, fig,
                    (entered or {}).get(dept.code))
        rows.append({"department_id": dept.id, "code": dept.code, "figures": fig, **one})
    return rows


def compute(tenant, period, entered=None, version_id=None):
    """Scores of every assessed department for ``period`` under the tenant's current
    policy (or ``version_id``): ``{"policy_version_id", "pack_key", "policy", "rows"}``
    ranked.  ``entered`` is ``{department code: {component key: 0-100}}``."""
    version_id = version_id or policies.current_version_id(tenant)
    pack_key, policy = policy_of(version_id)
    by_department = figures_mod.read(period, by="department")
    if any(c["source"] == "questionnaire" for c in policy["assessment"]["components"]):
        # the answers' sums join the figures, so the run freezes them with the rest
        questionnaire_scores.add_to(by_department, period, figures_mod.Figures)
    rows = department_rows(pack_key, policy, by_department,
                           assessed_departments(policy), entered)
    return {"policy_version_id": version_id, "pack_key": pack_key, "policy": policy,
            "rows": rank(rows)}
