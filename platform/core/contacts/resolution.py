"""The first-inquiry lifecycle, part 2: answering, feedback, callback and closing."""
from sqlalchemy import func, select

from core.contacts import events, guards, wording
from core.contacts.models import Callback, ContactEvent, Reply
from core.contacts.states import State
from core.deadlines import clocks
from core.errors import DomainError, Invalid
from core.extensions import db


def _needs_callback(ctx, after_feedback=False):
    """Must the owner call the customer back before closing?  By matter type, and, when
    the policy says so, after any department's feedback (``after_feedback``: the handler
    reported back, so the owner checks with the customer what they were told)."""
    rules = ctx.policy["callback"]
    return ctx.contact.matter_type in rules["required_for"] \
        or (after_feedback and rules.get("after_feedback", False))


def reply(ctx, actor, text):
    """Answer the customer (答复).  A banned phrase is refused (422) and put on record."""
    contact = ctx.contact
    guards.may_reply(ctx, actor)
    is_owner = actor.id == contact.owner_id
    findings = wording.check(ctx, actor, text)
    row = Reply(tenant_id=contact.tenant_id, contact_id=contact.id, by_id=actor.id, at=ctx.at,
                text=text)
    db.session.add(row)
    clocks.close(ctx, ["reply", "escalation"], "met", ctx.at)
    if is_owner and contact.handler_id == actor.id and contact.state == State.HANDLING:
        # The owner handled it in their own duty: the reply is the result.
        if _needs_callback(ctx):
            contact.state = State.AWAITING_CALLBACK
            clocks.start(ctx, "callback", "reply", ctx.at, staff_id=contact.owner_id)
        else:
            contact.state = State.REPLIED
    events.record(ctx, "replied", actor, text=text)
    return row, findings


def feedback(ctx, actor, text):
    """The handler reports the result to the owner; the owner's callback clock starts."""
    contact = ctx.contact
    guards.may_feedback(ctx, actor)
    wording.check(ctx, actor, text)
    clocks.close(ctx, ["feedback"], "met", ctx.at)
    if _needs_callback(ctx, after_feedback=True):
        contact.state = State.AWAITING_CALLBACK
        if not clocks.running_clocks(contact, ["callback"]):
            clocks.start(ctx, "callback", "feedback", ctx.at, staff_id=contact.owner_id)
    else:
        contact.state = State.REPLIED
    events.record(ctx, "feedback", actor, text=text)


def on_site(ctx, actor, note=""):
    """The handler has arrived on site (property repairs)."""
    guards.may_on_site(ctx, actor)
    clocks.close(ctx, ["on_site"], "met", ctx.at)
    events.record(ctx, "on_site", actor, note=note)


def callback(ctx, actor, satisfaction, reached=True, note=""):
    """The owner calls the customer back (回访) and records satisfaction 1-5."""
    contact = ctx.contact
    guards.may_callback(ctx, actor)
    if reached and satisfaction is None:
        raise Invalid("satisfaction required",
                      fields={"satisfaction": ["Required when the customer was reached."]})
    row = Callback(tenant_id=contact.tenant_id, contact_id=contact.id, by_id=actor.id,
                   department_id=actor.department_id, at=ctx.at, reached=reached, satisfaction=satisfaction, note=note)
    db.session.add(row)
    if reached:
        clocks.close(ctx, ["callback"], "met", ctx.at)
        contact.satisfaction = satisfaction
        if contact.state != State.CLOSED:      # a callback asked by a bad rating (core.voice)
            contact.state = State.CALLED_BACK
    events.record(ctx, "called_back", actor, reached=reached, satisfaction=satisfaction,
                  note=note)
    return row


def closing_refusal(ctx):
    """Why the matter may not be closed yet (a :class:`DomainError` to raise), or None.

    Asked by :func:`close` and by "what may I do now" (``core.contacts.actions``), so the
    screen does not offer closing before the callback or the reply it needs."""
    contact = ctx.contact
    fed_back = db.session.scalar(select(func.count(ContactEvent.id)).where(
        ContactEvent.contact_id == contact.id, ContactEvent.kind == "feedback")) \
        if ctx.policy["callback"].get("after_feedback") else 0
    if _needs_callback(ctx, after_feedback=bool(fed_back)):
        reached = db.session.scalar(select(func.count(Callback.id)).where(
            Callback.contact_id == contact.id, Callback.reached.is_(True)))
        if not reached:
            return DomainError({"zh": "此类事项须先回访客户再结案。",
                                "en": "This kind of matter is closed only after calling the "
                                      "customer back."}, code="callback_required")
    if contact.state == State.HANDLING:
        answered = db.session.scalar(select(func.count(Reply.id)).where(
            Reply.contact_id == contact.id))
        if not answered:
            return DomainError({"zh": "请先答复客户。", "en": "Reply to the customer first."},
                               code="not_answered")
    return None


def close(ctx, actor, note=""):
    """Close the matter; open clocks are cancelled (or breached, if already late)."""
    contact = ctx.contact
    guards.may_close(ctx, actor)
    refusal = closing_refusal(ctx)
    if refusal is not None:
        raise refusal
    clocks.close(ctx, ["final"], "met", ctx.at)
    clocks.close(ctx, None, "cancelled", ctx.at)
    contact.state, contact.closed_at = State.CLOSED, ctx.at
    events.record(ctx, "closed", actor, note=note)
