"""The customer's rating on the progress page, and the staff side of the bad-review loop.

Public: ``POST /t/<slug>/progress/rating`` (CSRF, reference and query code, the progress
page's shared limits).  Only this POST records a rating; a link to the progress page may
carry ``?grade=`` to pre-select a grade, which the page's forms carry along but never record
(``templates/public/_rating.html``).

Staff: the contact page's "Customer rating" section (``templates/web/voice/ratings.html``)
offers the rectification, the appeal and the appeal's decision only to whoever
``core.voice.rectifications`` lets take them; each posts here.
"""
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from core import clock
from core.api.progress import ProgressQueryIn
from core.api.ratings import (
    PER_REFERENCE_RATINGS,
    AppealDecisionIn,
    AppealIn,
    RatingIn,
    RectificationIn,
)
from core.contacts import context
from core.contacts.models import Contact
from core.errors import DomainError
from core.extensions import db, limiter
from core.progress import codes as progress
from core.progress.limits import limited, reference_key
from core.progress.view import customer_view
from core.tenancy.scoping import get_or_404
from core.vocabulary import APPEAL_OUTCOMES, EVENTS, RATING_STATUS
from core.voice import ratings, rectifications
from core.voice.rating_models import GRADES
from core.web import OPEN_ENDPOINTS, actor, bp, field_errors, lang, refused
from core.web.progress import _page, _too_many

OPEN_ENDPOINTS.add("web.rate_service")


def preselected_grade(value):
    """A grade a link or a form carried (``?grade=``), if it is one of the five; else None."""
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) in GRADES \
        else None


@bp.app_template_global("preselected_grade")
def _preselected():
    return preselected_grade(request.values.get("grade"))


@bp.post("/progress/rating")
@limited(["POST"], _too_many)
@limiter.shared_limit(PER_REFERENCE_RATINGS, "rating-reference", key_func=reference_key,
                      on_breach=_too_many)
def rate_service():
    form = request.form
    try:
        query = ProgressQueryIn().load({k: form.get(k, "") for k in ("ref", "code")})
    except ValidationError as err:
        return _page(422, errors=field_errors(err.messages))
    try:
        contact = progress.look_up(query["ref"], query["code"])
    except progress.NoMatch as err:
        return _page(404, message=err.message.get(lang()))
    raw = form.get("grade", "")
    try:
        data = RatingIn().load({"grade": int(raw) if raw.isdigit() else raw,
                                "comment": form.get("comment", "")})
    except ValidationError as err:
        return _page(422, view=customer_view(g.tenant, contact, lang()), form={},
                     rating_errors=field_errors(err.messages))
    ctx = context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)
    try:
        ratings.rate(ctx, data["grade"], data["comment"], source="web")
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        view = customer_view(g.tenant, contact, lang())
        said = {"rating_message" if view["rating"] else "message": err.message.get(lang())}
        return _page(err.status, view=view, form={}, **said)
    return _page(200, view=customer_view(g.tenant, contact, lang()), form={},
                 rating_thanks=_("Thank you: your rating was recorded."))


# -- staff --------------------------------------------------------------------------------

@bp.app_context_processor
def _rating_words():
    return {"APPEAL_OUTCOMES": APPEAL_OUTCOMES, "RATING_STATUS": RATING_STATUS}


@bp.app_template_global("rating_offers")
def rating_offers(ctx):
    """Which bad-review steps the signed-in person may take on the contact now."""
    return rectifications.staff_offers(ctx, actor())


STEPS = {
    "rectification": (RectificationIn, lambda ctx, who, d: rectifications.complete(
        ctx, who, d["text"]), ("text",)),
    "rating-appeal": (AppealIn, lambda ctx, who, d: rectifications.appeal(
        ctx, who, d["reason"]), ("reason",)),
    "rating-appeal-decision": (AppealDecisionIn, lambda ctx, who, d: rectifications.decide(
        ctx, who, d["outcome"], d["reason"]), ("outcome", "reason")),
}
EVENT_OF = {"rectification": "rectification_completed", "rating-appeal": "rating_appealed",
            "rating-appeal-decision": "rating_appeal_decided"}


def _step(ref, name):
    schema, perform, names = STEPS[name]
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)
    try:
        data = schema().load({k: request.form.get(k, "") for k in names})
        perform(ctx, actor(), data)
        db.session.commit()
        flash(_("Done: %(action)s.", action=str(EVENTS[EVENT_OF[name]])), "ok")
    except ValidationError as err:
        db.session.rollback()
        for message in field_errors(err.messages).values():
            flash(message, "error")
    except DomainError as err:
        refused(err)
    return redirect(url_for("web.show_contact", ref=ref) + "#customer-rating")


@bp.post("/contacts/<ref>/rectification")
def record_rectification(ref):
    return _step(ref, "rectification")


@bp.post("/contacts/<ref>/rating-appeal")
def appeal_rating(ref):
    return _step(ref, "rating-appeal")


@bp.post("/contacts/<ref>/rating-appeal/decision")
def decide_rating_appeal(ref):
    return _step(ref, "rating-appeal-decision")
