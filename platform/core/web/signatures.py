"""The customer's confirmation of a form on the staff pages and the progress page
(``core.voice.signatures``; docs/progress.md, "The customer's confirmation").

Staff record it as a step of the action table (``confirm``: on paper, or drawn on the
tablet); the contact page and the printed form show whether and how the customer
confirmed.  The customer may confirm later from the progress page: an explicit POST with
the reference and the query code, under the look-up's own limits (``core.progress.limits``).
"""
from flask import g, request
from flask_babel import gettext as _
from marshmallow import ValidationError, validate

from core import clock
from core.api.progress import ProgressQueryIn
from core.contacts import context
from core.errors import DomainError
from core.extensions import db
from core.progress import codes as progress
from core.progress.limits import limited
from core.progress.view import customer_view
from core.validation import Text
from core.vocabulary import CONFIRMATION_WAYS
from core.voice import signatures
from core.web import OPEN_ENDPOINTS, bp, field_errors, lang
from core.web.labels import when
from core.web.printing import offered
from core.web.progress import _page, _too_many

OPEN_ENDPOINTS.add("web.progress_confirm")


@bp.app_template_global("confirmation_way")
def confirmation_way(way):
    return str(CONFIRMATION_WAYS.get(way, way))


@bp.app_template_global("customer_confirmations")
def customer_confirmations(contact, policy):
    """For the contact page and the printed forms: each form the pack asks the customer to
    confirm, with how and when it was confirmed (None: not yet), and the drawn image."""
    forms, _ways = signatures.asked(policy)
    if not forms:
        return []
    names = dict(offered(policy))
    done = signatures.confirmations(contact)
    images = signatures.signatures(contact) if done else {}
    rows = []
    for form in forms:
        event = done.get(form)
        image = images.get(event.id) if event is not None else None
        rows.append({"form": form, "name": names.get(form, form), "event": event,
                     "how": confirmation_way(event.details.get("how")) if event else "",
                     "at": when(event.at) if event else "",
                     "image": signatures.image_url(image) if image is not None else None})
    return rows


class OnlineConfirmationIn(ProgressQueryIn):
    form = Text(required=True, validate=validate.Length(min=1, max=40))


def _result(contact, status=200, **values):
    return _page(status, view=customer_view(g.tenant, contact, lang()), form={},
                 contact=contact, code=request.form.get("code", ""), **values)


@bp.app_template_global("progress_confirm_offer")
def progress_confirm_offer(contact, code):
    """What the progress page offers the customer to confirm (no form waiting: None).  The
    query code the customer just typed goes back in the form's hidden field (the page is
    ``no-store``), so confirming needs no second typing."""
    ctx = context.for_contact(g.tenant, contact)
    forms = signatures.may_confirm_online(ctx)
    if not forms:
        return None
    names = dict(offered(ctx.policy))
    return {"forms": [(f, names.get(f, f)) for f in forms], "ref": ctx.contact.ref,
            "code": code}


@bp.post("/progress/confirm")
@limited(["POST"], _too_many)
def progress_confirm():
    """The customer confirms a form: reference + query code again (the page that offered
    the button kept them in its form), then one ``customer_confirmed`` event."""
    try:
        data = OnlineConfirmationIn().load(
            {k: request.form.get(k, "") for k in ("ref", "code", "form")})
    except ValidationError as err:
        return _page(422, errors=field_errors(err.messages),
                     message=_("Please correct the marked fields."))
    try:
        contact = progress.look_up(data["ref"], data["code"])
    except progress.NoMatch as err:
        return _page(404, message=err.message.get(lang()))
    ctx = context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)
    try:
        signatures.confirm_online(ctx, data["form"])
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        return _result(contact, err.status, message=err.message.get(lang()))
    return _result(contact, confirmed=_("Thank you: your confirmation is recorded."))
