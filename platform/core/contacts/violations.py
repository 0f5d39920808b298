"""Violations: proposed under the pack's penalty rules, decided by a supervisor."""
from sqlalchemy import func, select

from core.contacts.models import Violation
from core.errors import Forbidden, Invalid
from core.extensions import db
from core.notify import outbox
from core.tenancy import locks
from core.tenancy.permissions import can


def propose(ctx, trigger, staff_id=None, department_id=None, evidence=None, deadline=None):
    """Propose a violation for ``trigger`` if the policy says it is one; returns it or None."""
    penalty = ctx.hooks.shouwen_penalty(policy=ctx.policy, trigger=trigger,
                                        staff=staff_id, previous_count=0)
    if not penalty:
        return None
    previous = 0
    if staff_id is not None:
        # Graded sanctions: the same person's confirmed violations of the same rule.
        previous = _confirmed_before(staff_id, penalty["rule"])
        if previous:
            penalty = ctx.hooks.shouwen_penalty(policy=ctx.policy, trigger=trigger,
                                                staff=staff_id, previous_count=previous)
    violation = Violation(tenant_id=ctx.contact.tenant_id, contact_id=ctx.contact.id,
                          staff_id=staff_id, department_id=department_id, trigger=trigger,
                          rule_key=penalty["rule"], rule_text=penalty["rule_text"],
                          sanction=penalty["sanction"], evidence=evidence or {},
                          deadline_id=deadline.id if deadline is not None else None,
                          status="proposed", offence=previous + 1, created_at=ctx.at)
    db.session.add(violation)
    db.session.flush()
    outbox.emit("violation.proposed", {
        "violation_id": violation.id, "contact_id": ctx.contact.id, "ref": ctx.contact.ref,
        "staff_id": staff_id, "department_id": department_id, "rule": penalty["rule"],
        "sanction": penalty["sanction"]}, contact=ctx.contact)
    return violation


def decide(violation, actor, decision, reason, at):
    """Confirm or waive a proposed violation, with a reason."""
    if not can(actor, "violation.decide"):
        raise Forbidden({"zh": "只有主管、质检或管理员可以裁定违规。",
                         "en": "Only supervisors, inspectors and administrators decide violations."})
    if decision not in ("confirm", "waive"):
        raise Invalid({"zh": "请选择确认或免除。", "en": "Choose confirm or waive."},
                      fields={"decision": ["Must be one of: confirm, waive."]})
    if not (reason or "").strip():
        raise Invalid({"zh": "请填写理由。", "en": "A reason is required."},
                      fields={"reason": ["A reason is required."]})
    # Two supervisors deciding at once: the second waits for the first's commit, then sees
    # its decision and is refused (409), instead of overwriting it.
    locks.locked(violation, ["status"])
    if violation.status != "proposed":
        raise Invalid({"zh": "该违规已裁定。", "en": "This violation has already been decided."},
                      code="already_decided", status=409,
                      details={"current_status": violation.status})
    if decision == "confirm" and violation.staff_id is not None:
        # The ordinal is fixed when it counts: others confirmed since the proposal move it.
        violation.offence = _confirmed_before(violation.staff_id, violation.rule_key) + 1
    violation.status = "confirmed" if decision == "confirm" else "waived"
    violation.decided_by_id, violation.decided_at, violation.reason = actor.id, at, reason.strip()
    return violation


def _confirmed_before(staff_id, rule_key):
    return db.session.scalar(select(func.count(Violation.id)).where(
        Violation.staff_id == staff_id, Violation.rule_key == rule_key,
        Violation.status == "confirmed")) or 0
