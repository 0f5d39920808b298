"""marshmallow schemas of the lifecycle actions' input, shared by the API and the web forms.

They live beside the action table (``core.contacts.actions``), which names one per action, so
both interfaces check a step's input with the same rules; ``core.api.schemas`` re-exports them
for the OpenAPI document.
"""
from marshmallow import Schema, ValidationError, fields, validate

from core.rules import TRANSFER_MODES
from core.validation import Text


# The one checked text field (core.validation), under the name these schemas always used.
Str = Text


def _blank_is_error(value):
    if not value.strip():
        raise ValidationError("Must not be blank.")


class NoteIn(Schema):
    note = Str(load_default="", validate=validate.Length(max=4000))


class TransferIn(Schema):
    to_department = Str(required=True)
    to_user = Str(load_default=None, allow_none=True)
    mode = Str(load_default="handover", validate=validate.OneOf(TRANSFER_MODES + ("return",)))
    note = Str(load_default="", validate=validate.Length(max=4000))
    opinion = Str(load_default="", validate=validate.Length(max=4000))
    approved_by = Str(load_default=None, allow_none=True)


class AcceptIn(Schema):
    wrong_transfer = fields.Boolean(load_default=False)
    note = Str(load_default="", validate=validate.Length(max=4000))


class CoordinationIn(Schema):
    lead_department = Str(required=True)
    departments = fields.List(Str(), required=True, validate=validate.Length(min=1, max=20))
    reason = Str(load_default="", validate=validate.Length(max=4000))


class ReferralIn(Schema):
    body = Str(required=True, validate=[validate.Length(min=1, max=200), _blank_is_error])
    address = Str(load_default="", validate=validate.Length(max=300))
    phone = Str(load_default="", validate=validate.Length(max=40))
    note = Str(load_default="", validate=validate.Length(max=4000))


class EscalationIn(Schema):
    reason = Str(required=True, validate=[validate.Length(min=1, max=4000), _blank_is_error])
    # A major or difficult matter put to the level for a decision: the reply waits for it.
    decision_needed = fields.Boolean(load_default=False)


class TextIn(Schema):
    text = Str(required=True, validate=[validate.Length(min=1, max=8000), _blank_is_error])


class CallbackIn(Schema):
    reached = fields.Boolean(load_default=True)
    satisfaction = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=5))
    note = Str(load_default="", validate=validate.Length(max=4000))
