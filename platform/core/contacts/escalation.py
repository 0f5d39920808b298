"""Escalation up the pack's chain (升级 / 请示), by a person or by a breached deadline."""
from sqlalchemy import select

from core.contacts import events, guards
from core.contacts.models import Escalation
from core.deadlines import clocks
from core.errors import DomainError
from core.extensions import db
from core.tenancy.models import Department, Staff


def escalate_step(ctx, actor, reason, deadline=None, decision_needed=False):
    """Move the contact one level up its chain; returns the Escalation, or None at the top.

    ``decision_needed``: a major or difficult matter put to the level for a decision
    (请示): the running reply clocks stop here, and :func:`decide` starts the reply anew
    from the decision (deadline stage ``decision``); the final clock keeps running."""
    contact = ctx.contact
    step = ctx.hooks.shouwen_next_escalation(policy=ctx.policy, contact=contact,
                                             level=contact.escalation_level)
    if not step:
        return None
    # A decision still owed goes up with the matter: the next level now gives it (a breach
    # of the level's own clock, or a further escalation, must not drop the question).
    decision_needed = decision_needed or guards.pending_decision(contact) is not None
    department_id = None
    if step.get("department"):
        department_id = db.session.scalar(
            select(Department.id).where(Department.code == step["department"]))
    elif step.get("role"):
        # A level named by role only (e.g. "section chief") is that role in the department
        # now handling the matter, else in the owner's department.
        department_id = contact.handler_department_id or contact.owner.department_id
    # Where the matter came from: the department handling it, else (still registered, e.g.
    # the owner's handover ran late) the owner's.
    from_department_id = contact.handler_department_id or contact.owner.department_id
    row = Escalation(tenant_id=contact.tenant_id, contact_id=contact.id, level=step["level"],
                     key=step["key"], name=step["name"], department_id=department_id,
                     from_department_id=from_department_id,
                     charged_department_id=_charged_department(contact, deadline,
                                                               from_department_id),
                     conflict=bool(step.get("conflict")), by_id=actor.id if actor else None,
                     deadline_id=deadline.id if deadline is not None else None,
                     reason=reason, at=ctx.at)
    db.session.add(row)
    contact.escalation_level = step["level"]
    # The level now holding the matter gets its own clock when the pack sets one (deadline
    # kind "escalation"); when that runs out the sweep escalates one level further.
    for previous in clocks.running_clocks(contact, ["escalation"]):
        if previous.status == "open":
            previous.status = "cancelled"
        previous.closed_at, previous.next_reminder_at = ctx.at, None
    db.session.flush()
    targets = _targets(step, department_id)
    if step.get("role") and len(targets) == 1:      # e.g. the deputy GM: that person's clock
        clocks.start(ctx, "escalation", "escalation", ctx.at, staff_id=targets[0])
    else:
        clocks.start(ctx, "escalation", "escalation", ctx.at, department_id=department_id)
    if decision_needed:
        clocks.close(ctx, ["reply"], "cancelled", ctx.at)
    events.record(ctx, "escalated", actor, level=step["level"], to=step["key"],
                  name=step["name"], conflict=bool(step.get("conflict")), reason=reason,
                  automatic=actor is None, department_id=department_id, staff_ids=targets,
                  decision_needed=bool(decision_needed))
    return row


def _charged_department(contact, deadline, from_department_id):
    """The department whose lateness brought the matter up (what QI counts it against):
    the one the breached clock was charged to; for the running out of an escalation
    level's own clock, or a person's escalation, the department the matter came from.
    (A level's clock is the level's, but the lateness that keeps climbing is not.)"""
    if (deadline is not None and deadline.kind != "escalation"
            and deadline.charged_department_id is not None):
        return deadline.charged_department_id
    return from_department_id


def _targets(step, department_id):
    """The staff the escalation step reaches: holders of the step's role in the escalation's
    department (the step's own, or for a role-only step such as "section chief" the one
    handling the matter) if there are any there, else anywhere; for a step without a role,
    the department's supervisors."""
    query = select(Staff.id).where(Staff.active.is_(True)).order_by(Staff.id)
    if step.get("role"):
        query = query.where(Staff.title == step["role"])
        if department_id is not None:
            local = list(db.session.scalars(query.where(Staff.department_id == department_id)))
            if local or step.get("department"):
                return local
    elif department_id is not None:
        query = query.where(Staff.department_id == department_id, Staff.role != "staff")
    else:
        return []
    return list(db.session.scalars(query))


def escalate(ctx, actor, reason, decision_needed=False):
    """A person escalates the matter (owner, handling department or a supervisor)."""
    guards.may_escalate(ctx, actor)
    row = escalate_step(ctx, actor, reason, decision_needed=decision_needed)
    if row is None:
        raise DomainError({"zh": "已到升级链最高一级。",
                           "en": "The matter is already at the top of the escalation chain."},
                          code="chain_exhausted")
    return row


def decide(ctx, actor, text):
    """The level asked gives its decision (上级明确意见): its clock is met, and whoever
    answers the customer (the handling department, else the owner) has a new reply clock
    from now, by the ``decision`` stage's rule (government: 2 working days)."""
    asked = guards.may_decide(ctx, actor)
    contact = ctx.contact
    clocks.close(ctx, ["escalation"], "met", ctx.at)
    if contact.handler_department_id and contact.handler_id != contact.owner_id:
        clocks.start(ctx, "reply", "decision", ctx.at,
                     department_id=contact.handler_department_id, staff_id=contact.handler_id)
    else:
        clocks.start(ctx, "reply", "decision", ctx.at, staff_id=contact.owner_id)
    events.record(ctx, "decided", actor, text=text, level=asked.details.get("level"),
                  escalation_event_id=asked.id)
