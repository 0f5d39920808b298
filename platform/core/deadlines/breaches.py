"""What a breached deadline brings about, exactly once: the event, the violation, the escalation."""
from core.contacts import events, violations
from core.deadlines import clocks
from core.extensions import db


def breach(ctx, deadline, at):
    """Record the breach of ``deadline`` at ``at`` and its consequences.

    Safe under retries and concurrent sweeps: only the caller that flips the
    clock from open to breached acts (``clocks.claim_breach``), and the
    violation and escalation carry a unique deadline id as a backstop.  The
    contact row is locked (and re-read) first, so two breaches of the same
    contact in two workers escalate one level each, never the same level twice;
    contact before clock is the lock order of every path (sweep and requests).

    One lateness is one consequence: clocks of the same contact charged to the same
    department that run out together (the hotel department's reply and feedback, both due
    one working day after it signed): the first breached draws the violation and the
    escalation, the others record their breach and point at it (``coincides_with``), so
    the slip climbs one level, not two.
    """
    db.session.flush()
    contact = ctx.contact
    db.session.refresh(contact, attribute_names=["escalation_level"], with_for_update=True)
    if deadline.charged_staff_id is None and deadline.charged_department_id is None:
        clocks.charge(deadline, contact)      # a clock started before the figures existed
    if not clocks.claim_breach(deadline, deadline.due_at):
        return False
    staff_id, department_id = deadline.charged_staff_id, deadline.charged_department_id
    first = coinciding_breach(contact, deadline, at)
    # Who answers for the clock, for the "handler overdue: chase" notices (owner + them).
    events.record(ctx, "deadline_breached", None, deadline_id=deadline.id,
                  deadline_kind=deadline.kind, due_at=deadline.due_at.isoformat(),
                  staff_id=staff_id, department_id=deadline.responsible_department_id,
                  owner_id=contact.owner_id,
                  coincides_with=first.id if first is not None else None)
    if first is not None:
        return True
    if deadline.kind != "escalation":
        # An escalation level's own clock running out moves the matter up again; the late
        # handling behind it was already proposed as a violation when it was breached.
        violations.propose(ctx, f"deadline.{deadline.kind}", staff_id=staff_id,
                           department_id=department_id,
                           evidence={"deadline_id": deadline.id, "kind": deadline.kind,
                                     "due_at": deadline.due_at.isoformat(),
                                     "breached_at": at.isoformat()},
                           deadline=deadline)
    if ctx.policy.get("escalation", {}).get("on_breach"):
        from core.contacts.escalation import escalate_step
        escalate_step(ctx, actor=None, reason=f"deadline.{deadline.kind}",
                      deadline=deadline)
    return True


def coinciding_breach(contact, deadline, at):
    """Another breached clock of the contact that fell due at the same instant and is
    charged to the same department (or, with none, the same person), if there is one.
    Escalation levels' own clocks never coincide: each moves the matter up on its own."""
    if deadline.kind == "escalation":
        return None
    for other in contact.deadlines:
        if (other is not deadline and other.status == "breached"
                and other.kind != "escalation" and other.due_at == deadline.due_at
                and _party(other) == _party(deadline)):
            return other
    return None


def _party(deadline):
    if deadline.charged_department_id is not None:
        return ("department", deadline.charged_department_id)
    return ("staff", deadline.charged_staff_id)
