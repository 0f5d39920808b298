"""The customer's confirmation of a printed form (issue 13 item 7; docs/progress.md).

The pack names the forms that carry the customer's own confirmation and the ways it may be
given (policy key ``confirmation``; property: the countersign form, seed 004; government:
the three-part form, seed 001): signed on the printed form (``paper``: staff record that it
came back signed), drawn on the desk tablet (``tablet``: the PNG is kept in
``contact_signatures``), or confirmed later by the customer from the progress page
(``online``: reference and query code, an explicit POST).  Each is one ``customer_confirmed``
event; one confirmation per form.  Domain functions take a context and never commit.
"""
import base64
import binascii
import io

from marshmallow import Schema, ValidationError, validate
from PIL import Image, ImageChops, UnidentifiedImageError
from sqlalchemy import select

from core.contacts import events, guards
from core.contacts.models import ContactEvent
from core.errors import DomainError, Forbidden, Invalid
from core.extensions import db
from core.validation import Text
from core.voice.signature_models import ContactSignature

EVENT = "customer_confirmed"
STAFF_WAYS = ("paper", "tablet")
PREFIX = "data:image/png;base64,"
MAX_BYTES = 64 * 1024                  # a signature line, not a photograph
MIN_SIZE, MAX_SIZE = (40, 20), (2000, 1000)   # pixels: a canvas at 1x to 3x device pixels


def check_png(data_url):
    """(png bytes, width, height) of a signature posted as a PNG data URL, or a
    ``ValidationError`` with the field's message: not a data URL, too large, not a PNG,
    an unusable size, or nothing drawn on it."""
    if not data_url.startswith(PREFIX):
        raise ValidationError("Not a PNG image data URL.")
    if len(data_url) - len(PREFIX) > (MAX_BYTES * 4) // 3 + 4:
        raise ValidationError("The signature image is too large.")
    try:
        png = base64.b64decode(data_url[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("Not a PNG image data URL.") from None
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            width, height = image.size
            if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
                raise ValidationError("The signature image has an unusable size.")
            ink = _ink(image)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError("Not a PNG image.") from None
    if ink is None:
        raise ValidationError("The signature is empty.")
    return png, width, height


def _ink(image):
    """The box of what was drawn: pixels neither transparent nor near white (a canvas's
    background is transparent, a scanned one white); None for a blank image."""
    rgba = image.convert("RGBA")
    opaque = rgba.getchannel("A").point(lambda a: 255 if a > 0 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    return ImageChops.multiply(opaque, dark).getbbox()


class SignatureImage(Text):
    """A PNG data URL checked by :func:`check_png`; loads as ``(png, width, height)``."""

    def __init__(self, **kwargs):
        super().__init__(max_length=len(PREFIX) + (MAX_BYTES * 4) // 3 + 8, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > self.max_length:
            raise ValidationError("The signature image is too large.")
        return check_png(super()._deserialize(value, attr, data, **kwargs))


class ConfirmationIn(Schema):
    """Staff record the customer's confirmation of a form: on paper, or drawn on the tablet
    (``signature``).  Without a form: the first one still waiting for a confirmation."""
    form = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    how = Text(load_default="paper", validate=validate.OneOf(STAFF_WAYS))
    signature = SignatureImage(load_default=None, allow_none=True)


# -- what the pack asks, and what is on record -------------------------------------------

def asked(policy):
    """(forms that carry a confirmation, ways allowed) of a policy version: only forms the
    pack also prints (``wording.templates``)."""
    rules = policy.get("confirmation") or {}
    templates = (policy.get("wording") or {}).get("templates") or {}
    forms = [f for f in rules.get("forms") or [] if f in templates]
    return forms, list(rules.get("ways") or [])


def confirmations(contact):
    """{form: its ``customer_confirmed`` event} of a contact, oldest first."""
    rows = db.session.scalars(select(ContactEvent).where(
        ContactEvent.contact_id == contact.id, ContactEvent.kind == EVENT)
        .order_by(ContactEvent.id)).all()
    return {e.details.get("form"): e for e in rows}


def outstanding(ctx):
    """The forms of this contact still waiting for the customer's confirmation."""
    forms, _ = asked(ctx.policy)
    done = confirmations(ctx.contact)
    return [f for f in forms if f not in done]


def signatures(contact):
    """{event id: ContactSignature} of a contact (the images, for the contact page / form)."""
    return {s.event_id: s for s in db.session.scalars(select(ContactSignature).where(
        ContactSignature.contact_id == contact.id))}


def _nothing_to_confirm():
    raise DomainError({"zh": "此事项没有待客户确认的表单。",
                       "en": "No form of this matter is waiting for the customer's confirmation."},
                      code="nothing_to_confirm")


def may_record(ctx, actor):
    """Guard: the owner or the handling department records a confirmation given at the desk
    or on paper, while a form the pack asks about is still unconfirmed.  Returns the forms."""
    if not (guards.is_owner(ctx, actor)
            or guards.is_member(actor, ctx.contact.handler_department_id)):
        raise Forbidden({"zh": "只有首问责任人或承办部门可以登记客户确认。",
                         "en": "Only the owner or the handling department records the "
                               "customer's confirmation."}, code="not_allowed")
    _, ways = asked(ctx.policy)
    waiting = outstanding(ctx)
    if not waiting or not set(ways) & set(STAFF_WAYS):
        _nothing_to_confirm()
    return waiting


def _form(ctx, form, waiting):
    form = form or waiting[0]
    if form not in waiting:
        if form in asked(ctx.policy)[0]:
            _nothing_to_confirm()
        raise Invalid({"zh": "此表单无需客户确认。", "en": "This form needs no confirmation."},
                      fields={"form": ["This form needs no confirmation."]})
    return form


def record(ctx, actor, form=None, how="paper", signature=None):
    """Staff record the customer's confirmation of ``form``: signed on paper, or drawn on
    the tablet (``signature`` = checked ``(png, width, height)``).  Returns the event."""
    waiting = may_record(ctx, actor)
    form = _form(ctx, form, waiting)
    if how not in asked(ctx.policy)[1]:
        raise Invalid({"zh": "本单位不采用这种确认方式。",
                       "en": "This organisation does not take confirmations this way."},
                      fields={"how": ["Invalid value."]})
    if how == "tablet" and signature is None:
        raise Invalid({"zh": "请先签名。", "en": "Draw the signature first."},
                      fields={"signature": ["Draw the signature first."]})
    event = events.record(ctx, EVENT, actor, form=form, how=how)
    if how == "tablet":
        png, width, height = signature
        db.session.add(ContactSignature(contact_id=ctx.contact.id, event=event, form=form,
                                        at=ctx.at, png=png, width=width, height=height))
    return event


def may_confirm_online(ctx):
    """The forms the customer may still confirm from the progress page (none: no button)."""
    if "online" not in asked(ctx.policy)[1]:
        return []
    return outstanding(ctx)


def confirm_online(ctx, form):
    """The customer confirms ``form`` from the progress page (after reference and query
    code were checked by the caller).  No actor: the log says "the customer"."""
    waiting = may_confirm_online(ctx)
    if not waiting:
        _nothing_to_confirm()
    return events.record(ctx, EVENT, None, form=_form(ctx, form, waiting), how="online")


def image_url(signature):
    """The signature as a ``data:`` URL for an ``<img>`` (the CSP allows ``img-src data:``)."""
    return PREFIX + base64.b64encode(signature.png).decode("ascii")
