"""The bad-review loop: rectification (整改), the owner's callback, appeals of a rating.

- :func:`open_for`: a bad rating (不满意, 非常不满意) opens one rectification for the
  department that handled the matter, with its own clock (the ``rectification`` deadline,
  whose rule the pack sets; stage "rating"), and records ``rectification_opened``, which
  tells the department, the owner (call the customer back: the callback step is offered
  again, even on a closed matter, ``core.contacts.guards.may_callback``) and the supervising
  department (``core.notify.recipients``).
- :func:`complete`: the department records what it did; that meets the clock.
- :func:`appeal`: the rated department (its supervisors) appeals a rating to the supervising
  department, with a reason; one appeal per rating.
- :func:`decide`: the supervising side (``rating.appeal_decide``) upholds or overturns it,
  with a reason; an overturned rating leaves the figures (status ``overturned``).

Domain functions: the caller holds the contact's lock (its context with ``evaluate=True``)
and commits; a second request on the same thing waits, then finds it done (409).
"""
from sqlalchemy import select

from core.contacts import events
from core.deadlines import clocks
from core.errors import DomainError, Forbidden
from core.extensions import db
from core.tenancy.models import Department
from core.tenancy.permissions import can
from core.voice import ratings
from core.voice.rating_models import Rectification, RatingAppeal

OUTCOMES = ("upheld", "overturned")


def _not_now(zh, en, code):
    raise DomainError({"zh": zh, "en": en}, code=code)


def _deny(zh, en):
    raise Forbidden({"zh": zh, "en": en}, code="not_allowed")


def _code(department_id):
    department = db.session.get(Department, department_id) if department_id else None
    return department.code if department is not None else None


def open_for(ctx, rating):
    """Open the rectification of a bad ``rating`` (once); returns it."""
    found = ratings.rectification_of(rating)
    if found is not None:
        return found
    contact = ctx.contact
    row = Rectification(tenant_id=contact.tenant_id, contact_id=contact.id, rating_id=rating.id,
                        department_id=rating.department_id, status="open", opened_at=ctx.at,
                        done_at=None, action_taken="")
    deadline = clocks.start(ctx, "rectification", "rating", ctx.at,
                            department_id=rating.department_id)
    db.session.add(row)
    db.session.flush()
    row.deadline_id = deadline.id if deadline is not None else None
    events.record(ctx, "rectification_opened", None, rectification_id=row.id,
                  rating_id=rating.id, grade=rating.grade, department_id=rating.department_id,
                  department=_code(rating.department_id),
                  due_at=deadline.due_at.isoformat() if deadline is not None else None)
    return row


def open_rectification(contact):
    """The contact's rectification still open, or None."""
    return db.session.scalars(select(Rectification).where(
        Rectification.contact_id == contact.id, Rectification.status == "open")
        .order_by(Rectification.id.desc()).limit(1)).first()


def may_complete(ctx, actor):
    row = open_rectification(ctx.contact)
    if row is None:
        _not_now("没有进行中的整改。", "There is no open rectification.", "no_rectification")
    if not (actor.department_id == row.department_id or can(actor, "rating.rectify_any")):
        _deny("只有被评价的承办部门可以登记整改情况。",
              "Only the rated department records its rectification.")
    return row


def complete(ctx, actor, text):
    """The department records what it did to put it right; the clock is met (or breached,
    if late)."""
    row = may_complete(ctx, actor)
    row.status, row.done_at, row.done_by_id, row.action_taken = "done", ctx.at, actor.id, text
    clocks.close(ctx, ["rectification"], "met", ctx.at)
    events.record(ctx, "rectification_completed", actor, rectification_id=row.id,
                  rating_id=row.rating_id, department_id=row.department_id, text=text)
    return row


def may_appeal(ctx, actor):
    """The current rating, if ``actor`` may appeal it now: a rating the customer gave
    (counted), not appealed before, by a supervisor of the rated department."""
    rating = ratings.current(ctx.contact)
    if rating is None or rating.status != "counted":
        _not_now("没有可申诉的评价。", "There is no rating to appeal.", "no_rating")
    if not (can(actor, "rating.appeal") and actor.department_id == rating.department_id):
        _deny("只有被评价部门的负责人可以申诉。",
              "Only a supervisor of the rated department may appeal the rating.")
    if ratings.appeal_of(rating) is not None:
        _not_now("该评价已申诉。", "This rating has already been appealed.", "already_appealed")
    return rating


def appeal(ctx, actor, reason):
    """Appeal the current rating to the supervising department; returns the appeal."""
    rating = may_appeal(ctx, actor)
    contact = ctx.contact
    row = RatingAppeal(tenant_id=contact.tenant_id, contact_id=contact.id, rating_id=rating.id,
                       department_id=rating.department_id, by_id=actor.id, reason=reason,
                       at=ctx.at, status="pending", decision_reason="")
    db.session.add(row)
    db.session.flush()
    events.record(ctx, "rating_appealed", actor, appeal_id=row.id, rating_id=rating.id,
                  grade=rating.grade, department_id=rating.department_id, reason=reason)
    return row


def pending_appeal(contact):
    return db.session.scalars(select(RatingAppeal).where(
        RatingAppeal.contact_id == contact.id, RatingAppeal.status == "pending")
        .order_by(RatingAppeal.id.desc()).limit(1)).first()


def may_decide(ctx, actor):
    """The pending appeal, if ``actor`` may decide it: the supervising side's permission,
    and not someone of the department that appealed (no one judges their own case)."""
    row = pending_appeal(ctx.contact)
    if row is None:
        _not_now("没有待复核的申诉。", "There is no appeal waiting for a decision.",
                 "no_appeal_pending")
    if not can(actor, "rating.appeal_decide") or actor.department_id == row.department_id \
            or actor.id == row.by_id:
        _deny("申诉由监督部门复核，申诉部门不能自行决定。",
              "The supervising department decides an appeal, not the department that made it.")
    return row


def decide(ctx, actor, outcome, reason):
    """Uphold or overturn the pending appeal; an overturned rating leaves the figures."""
    row = may_decide(ctx, actor)
    if outcome not in OUTCOMES:
        raise DomainError({"zh": "复核结果无效。", "en": "Unknown outcome."}, code="invalid",
                          status=422, fields={"outcome": ["Upheld or overturned."]})
    row.status, row.decided_by_id, row.decided_at = outcome, actor.id, ctx.at
    row.decision_reason = reason
    if outcome == "overturned" and row.rating.status == "counted":
        row.rating.status = "overturned"
    events.record(ctx, "rating_appeal_decided", actor, appeal_id=row.id,
                  rating_id=row.rating_id, outcome=outcome, reason=reason,
                  department_id=row.department_id, appealed_by_id=row.by_id)
    return row


def staff_offers(ctx, actor):
    """Which of the three steps ``actor`` may take now (the contact page offers only these)."""
    found = {}
    for name, guard in (("rectify", may_complete), ("appeal", may_appeal),
                        ("decide_appeal", may_decide)):
        try:
            guard(ctx, actor)
        except DomainError:
            continue
        found[name] = True
    return found
