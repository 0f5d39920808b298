"""The customer rates the service (好差评): five grades and a comment, from the progress page.

Rules (docs/progress.md, "Rating the service"):

- A matter may be rated once it is answered (replied, waiting for or past the callback) or
  closed; before that nothing is offered.
- Only an explicit submission records a rating (a POST with the reference and query code);
  a link may pre-select a grade, but opening it records nothing.
- One rating per contact and round.  The customer may change it while the matter is open
  and for ``customer_rating.change_days`` calendar days after closure (after a re-rating,
  counted from the later of closure and the re-rating).  A rating that opened a
  rectification, or that was appealed, is no longer changed: it is answered by the
  rectification and the re-rating after the owner's callback, or by the appeal's decision.
- A bad rating (不满意 2, 非常不满意 1) opens a rectification (``core.voice.rectifications``):
  the department's duty with its own clock, the supervising department told, the owner
  asked to call back.  After that callback the customer may rate again: a new round, which
  replaces the earlier one in the figures (the earlier is kept, ``superseded``).

Two submissions for one contact at once run one after the other (the contact's row lock,
taken by the caller's context): the second is a change of the first, within the same rules.
Kept apart from the owner's callback satisfaction (``Callback.satisfaction``).
"""
from datetime import timedelta

from sqlalchemy import func, select

from core.contacts import events
from core.contacts.models import Callback, Reply
from core.contacts.states import State
from core.errors import DomainError
from core.extensions import db
from core.voice.rating_models import BAD, GRADES, CustomerRating, Rectification, RatingAppeal

ANSWERED = (State.REPLIED, State.AWAITING_CALLBACK, State.CALLED_BACK, State.CLOSED)
COMMENT_MAX = 500


def _not_now(zh, en, code):
    raise DomainError({"zh": zh, "en": en}, code=code)


def is_answered(contact):
    """Whether the customer has had an answer: the state says so, or a department replied
    while it still works on the matter."""
    if contact.state in ANSWERED:
        return True
    if contact.state in (State.HANDLING, State.COORDINATING):
        return bool(db.session.scalar(select(func.count(Reply.id)).where(
            Reply.contact_id == contact.id)))
    return False


def current(contact):
    """The contact's latest rating round, or None."""
    return db.session.scalars(select(CustomerRating).where(
        CustomerRating.contact_id == contact.id).order_by(CustomerRating.round.desc())
        .limit(1)).first()


def rectification_of(rating):
    if rating is None:
        return None
    return db.session.scalars(select(Rectification).where(
        Rectification.rating_id == rating.id)).first()


def appeal_of(rating):
    if rating is None:
        return None
    return db.session.scalars(select(RatingAppeal).where(
        RatingAppeal.rating_id == rating.id)).first()


def called_back_since(contact, at):
    """Whether the owner reached the customer on a callback at or after ``at``."""
    return bool(db.session.scalar(select(func.count(Callback.id)).where(
        Callback.contact_id == contact.id, Callback.reached.is_(True), Callback.at >= at)))


def change_until(ctx, rating):
    """Until when ``rating`` may be changed: None while the matter is open (no limit yet),
    else ``change_days`` after closure; a re-rating (round 2 on, given after the
    rectification's callback), ``change_days`` after the later of closure and itself."""
    closed_at = ctx.contact.closed_at
    if closed_at is None:
        return None
    days = (ctx.policy.get("customer_rating") or {}).get("change_days", 7)
    start = closed_at if rating.round == 1 else max(closed_at, rating.rated_at)
    return start + timedelta(days=days)


def what_now(ctx):
    """``(mode, rating)``: what the customer may do now, ``mode`` "first" (no rating yet),
    "change" (the current round), "again" (a new round after the rectification's callback);
    raises :class:`DomainError` (409) when nothing may be recorded now."""
    contact = ctx.contact
    if not is_answered(contact):
        _not_now("事项尚未答复，暂不能评价。", "The matter has not been answered yet; it can be "
                 "rated once it is.", "not_answered")
    rating = current(contact)
    if rating is None:
        return "first", None
    rectification = rectification_of(rating)
    if rectification is not None:
        if called_back_since(contact, rectification.opened_at):
            return "again", rating
        _not_now("整改后将回访您，回访后可再次评价。", "The department is putting it right; "
                 "you may rate again after the callback.", "rectification_open")
    if appeal_of(rating) is not None:
        _not_now("该评价正在复核或已复核，不能修改。", "This rating is under review and can no "
                 "longer be changed.", "rating_appealed")
    until = change_until(ctx, rating)
    if until is not None and ctx.at > until:
        _not_now("评价修改期限已过。", "The period for changing the rating has ended.",
                 "change_period_over")
    return "change", rating


def _counted_for(contact):
    """The department and person a rating counts for: the department that handled the
    matter (else the owner's at registration) and the owner."""
    return (contact.handler_department_id or contact.owner_department_id), contact.owner_id


def rate(ctx, grade, comment="", source="web"):
    """Record the customer's grade (1-5) and comment; returns the rating row.

    The caller took the contact's lock (``context.for_contact(..., evaluate=True)``) and
    commits.  A bad grade opens the rectification (once per rating)."""
    from core.voice import rectifications        # rectifications imports this module
    if grade not in GRADES:
        raise DomainError({"zh": "评价等级须为 1 至 5。", "en": "The grade is from 1 to 5."},
                          code="invalid", status=422, fields={"grade": ["From 1 to 5."]})
    mode, rating = what_now(ctx)
    contact, previous = ctx.contact, None
    if mode == "change":
        previous = rating.grade
        rating.grade, rating.comment, rating.changed_at = grade, comment, ctx.at
        rating.changes = (rating.changes or 0) + 1
    else:
        if rating is not None and rating.status == "counted":
            rating.status = "superseded"           # the re-rating replaces it in the figures
        department_id, owner_id = _counted_for(contact)
        rating = CustomerRating(tenant_id=contact.tenant_id, contact_id=contact.id,
                                round=(rating.round + 1) if rating is not None else 1,
                                grade=grade, comment=comment, rated_at=ctx.at, changed_at=None,
                                changes=0, department_id=department_id, owner_id=owner_id,
                                status="counted", source=source)
        db.session.add(rating)
        db.session.flush()
    events.record(ctx, "customer_rated", None, rating_id=rating.id, grade=grade,
                  round=rating.round, changed_from=previous, comment=comment, source=source)
    if grade in BAD:
        rectifications.open_for(ctx, rating)
    return rating


# -- what the customer and staff see --------------------------------------------------------

def customer_part(ctx):
    """The rating part of the customer's page: None before the matter is answered; else
    the current grade (never a staff name) and whether, and how, it may be rated now."""
    contact = ctx.contact
    if not is_answered(contact):
        return None
    rating = current(contact)
    try:
        mode, _ = what_now(ctx)
        refusal = None
    except DomainError as err:
        mode, refusal = None, err
    return {
        "current": {"grade": rating.grade, "comment": rating.comment, "round": rating.round,
                    "rated_at": rating.changed_at or rating.rated_at}
        if rating is not None else None,
        "may_rate": mode is not None, "mode": mode,
        "change_until": change_until(ctx, rating) if rating is not None and mode == "change"
        else None,
        "refusal": refusal.code if refusal is not None else None,
        "refusal_text": refusal.message if refusal is not None else None,
        "grades": list(GRADES),
    }


def history(contact):
    """Every round of the contact's rating, oldest first, with its rectification and appeal
    (for staff: the contact page and JSON)."""
    rows = db.session.scalars(select(CustomerRating).where(
        CustomerRating.contact_id == contact.id).order_by(CustomerRating.round)).all()
    rects = {r.rating_id: r for r in db.session.scalars(select(Rectification).where(
        Rectification.contact_id == contact.id))}
    appeals = {a.rating_id: a for a in db.session.scalars(select(RatingAppeal).where(
        RatingAppeal.contact_id == contact.id))}
    return [(row, rects.get(row.id), appeals.get(row.id)) for row in rows]
