"""Escalation up the pack's chain (升级 / 请示), by a person or by a breached deadline."""
from sqlalchemy import select

from tenants.models import Department

from . import events, guards
from .errors import DomainError
from .extensions import db
from .models import Escalation


def escalate_step(ctx, actor, reason, deadline=None):
    """Move the contact one level up its chain; returns the Escalation, or None at the top."""
    contact = ctx.contact
    step = ctx.hooks.shouwen_next_escalation(policy=ctx.policy, contact=contact,
                                             level=contact.escalation_level)
    if not step:
        return None
    department_id = None
    if step.get("department"):
        department_id = db.session.scalar(
            select(Department.id).where(Department.code == step["department"]))
    elif step.get("role"):
        # A level named by role only (e.g. "section chief") is that role in the department
        # now handling the matter, else in the owner's department.
        department_id = contact.handler_department_id or contact.owner.department_id
    row = Escalation(tenant_id=contact.tenant_id, contact_id=contact.id, level=step["level"],
                     key=step["key"], name=step["name"], department_id=department_id,
                     from_department_id=contact.handler_department_id,
                     conflict=bool(step.get("conflict")), by_id=actor.id if actor else None,
                     deadline_id=deadline.id if deadline is not None else None,
                     reason=reason, at=ctx.at)
    db.session.add(row)
    contact.escalation_level = step["level"]
    events.record(ctx, "escalated", actor, level=step["level"], to=step["key"],
                  name=step["name"], conflict=bool(step.get("conflict")), reason=reason,
                  automatic=actor is None)
    return row


def escalate(ctx, actor, reason):
    """A person escalates the matter (owner, handling department or a supervisor)."""
    guards.may_escalate(ctx, actor)
    row = escalate_step(ctx, actor, reason)
    if row is None:
        raise DomainError({"zh": "已到升级链最高一级。",
                           "en": "The matter is already at the top of the escalation chain."},
                          code="chain_exhausted")
    return row
