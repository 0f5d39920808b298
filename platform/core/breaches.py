"""What a breached deadline brings about, exactly once: the event, the violation, the escalation."""
from . import clocks, events, violations
from .extensions import db


def breach(ctx, deadline, at):
    """Record the breach of ``deadline`` at ``at`` and its consequences.

    Safe under retries and concurrent sweeps: only the caller that flips the
    clock from open to breached acts (``clocks.claim_breach``), and the
    violation and escalation carry a unique deadline id as a backstop.
    """
    db.session.flush()
    if not clocks.claim_breach(deadline, deadline.due_at):
        return False
    contact = ctx.contact
    staff_id = deadline.responsible_staff_id
    if staff_id is None and deadline.responsible_department_id is None:
        staff_id = contact.owner_id
    events.record(ctx, "deadline_breached", None, deadline_id=deadline.id, deadline_kind=deadline.kind,
                  due_at=deadline.due_at.isoformat())
    violations.propose(ctx, f"deadline.{deadline.kind}", staff_id=staff_id,
                       department_id=deadline.responsible_department_id,
                       evidence={"deadline_id": deadline.id, "kind": deadline.kind,
                                 "due_at": deadline.due_at.isoformat(),
                                 "breached_at": at.isoformat()},
                       deadline=deadline)
    if ctx.policy.get("escalation", {}).get("on_breach"):
        from .escalation import escalate_step
        escalate_step(ctx, actor=None, reason=f"deadline.{deadline.kind}",
                      deadline=deadline)
    return True
