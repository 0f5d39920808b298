"""The customer's rating in JSON, and the staff side of the bad-review loop.

Public (no token; the reference and query code authenticate, as the progress look-up does,
with the same shared limits): ``POST /api/v1/public/<slug>/progress/rating``.  A GET of the
progress never records a rating.

Staff (bearer token): ``GET /contacts/<ref>/ratings``; ``POST /contacts/<ref>/rectification``
(the department records what it did), ``POST /contacts/<ref>/rating/appeal`` (the rated
department appeals), ``POST /contacts/<ref>/rating/appeal/decision`` (the supervising side
decides).  Each takes the contact's lock; a second request on the same step is a 409.
"""
from flask import g, jsonify, make_response, request
from flask_babel import force_locale
from marshmallow import Schema, fields, validate

from core import clock
from core.api import PUBLIC, bp, error, load, present
from core.api import schemas as s
from core.api.progress import ProgressQueryIn, enter_public_tenant
from core.api.schemas import schema
from core.contacts import context
from core.contacts.models import Contact
from core.extensions import db, limiter
from core.progress import codes as progress
from core.progress.limits import limited, reference_key
from core.progress.view import local_iso, rating_part
from core.tenancy.scoping import get_or_404
from core.validation import Text
from core.voice import ratings, rectifications
from core.voice.rating_models import GRADES

# Besides the look-up limits: ratings of one reference from anywhere, page and JSON together,
# so a leaked code cannot be used to flip a grade back and forth all day.
PER_REFERENCE_RATINGS = "10 per day"


class RatingIn(Schema):
    """The customer's grade (5 very satisfied … 1 very dissatisfied) and an optional comment."""
    grade = fields.Integer(required=True, strict=True, validate=validate.OneOf(
        GRADES, error="Choose one of the five grades (1-5)."))
    comment = Text(load_default="", validate=validate.Length(max=ratings.COMMENT_MAX))


class PublicRatingIn(ProgressQueryIn, RatingIn):
    """The reference number and query code, as for the look-up, with the rating."""
    lang = Text(load_default=None, allow_none=True, validate=validate.OneOf(["zh", "en"]))


class RectificationIn(Schema):
    text = Text(required=True, validate=[validate.Length(min=1, max=4000), s._blank_is_error],
                metadata={"description": "What the department did to put it right"})


class AppealIn(Schema):
    reason = Text(required=True, validate=[validate.Length(min=1, max=2000), s._blank_is_error])


class AppealDecisionIn(Schema):
    outcome = Text(required=True, validate=validate.OneOf(rectifications.OUTCOMES))
    reason = Text(required=True, validate=[validate.Length(min=1, max=2000), s._blank_is_error])


def rating_json(part, tenant):
    """The rating part of the customer's view with instants in the tenant's time zone."""
    if part is None:
        return None
    part = dict(part)
    if part.get("current"):
        part["current"] = dict(part["current"],
                               rated_at=local_iso(part["current"]["rated_at"], tenant))
    part["change_until"] = local_iso(part.get("change_until"), tenant)
    return part


def _too_many(limit):
    return make_response(error(429, "too_many_requests",
                               "Too many look-ups or ratings from here or for this reference; "
                               "try again later."))


@bp.post("/public/<slug>/progress/rating")
@limited(["POST"], _too_many)
@limiter.shared_limit(PER_REFERENCE_RATINGS, "rating-reference", key_func=reference_key,
                      on_breach=_too_many)
def public_rating(slug):
    tenant, refused = enter_public_tenant(slug)
    if refused:
        return refused
    data = load(PublicRatingIn())
    lang = data["lang"] or ("en" if request.accept_languages.best_match(["zh", "en"]) == "en"
                            else "zh")
    contact = progress.look_up(data["ref"], data["code"])      # NoMatch: the API's 404
    ctx = context.for_contact(tenant, contact, at=clock.now(), evaluate=True)
    before = ratings.current(contact)
    row = ratings.rate(ctx, data["grade"], data["comment"], source="api")
    created = before is None or before.id != row.id
    db.session.commit()
    with force_locale(lang):
        part = rating_part(tenant, contact, lang)
    response = jsonify({"ref": contact.ref, "recorded": True, "language": lang,
                        "rating": rating_json(part, tenant)})
    response.headers["Cache-Control"] = "no-store"
    return response, 201 if created else 200


PUBLIC.add("api.public_rating")


# -- staff --------------------------------------------------------------------------------

def _locked(ref):
    contact = get_or_404(Contact, ref=ref)
    return context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)


def _answer(contact, status=200):
    return jsonify(schema(s.ContactRatingsOut).dump({
        "contact": contact.ref, "ratings": present.customer_ratings(contact),
        "customer_rating": _counted_grade(contact),
        "callback_satisfaction": contact.satisfaction})), status


def _counted_grade(contact):
    row = ratings.current(contact)
    return row.grade if row is not None and row.status == "counted" else None


@bp.get("/contacts/<ref>/ratings")
def contact_ratings(ref):
    return _answer(get_or_404(Contact, ref=ref))


@bp.post("/contacts/<ref>/rectification")
def complete_rectification(ref):
    data = load(schema(RectificationIn))
    ctx = _locked(ref)
    rectifications.complete(ctx, g.actor, data["text"])
    db.session.commit()
    return _answer(ctx.contact)


@bp.post("/contacts/<ref>/rating/appeal")
def appeal_rating(ref):
    data = load(schema(AppealIn))
    ctx = _locked(ref)
    rectifications.appeal(ctx, g.actor, data["reason"])
    db.session.commit()
    return _answer(ctx.contact, 201)


@bp.post("/contacts/<ref>/rating/appeal/decision")
def decide_rating_appeal(ref):
    data = load(schema(AppealDecisionIn))
    ctx = _locked(ref)
    rectifications.decide(ctx, g.actor, data["outcome"], data["reason"])
    db.session.commit()
    return _answer(ctx.contact)
