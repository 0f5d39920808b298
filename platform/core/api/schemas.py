"""marshmallow schemas of the JSON API, in and out (also the source of the OpenAPI document)."""
import functools
from datetime import timedelta, timezone

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core.contacts.schemas import (  # noqa: F401  (re-exported: the API's and OpenAPI's names)
    AcceptIn,
    CallbackIn,
    CoordinationIn,
    EscalationIn,
    NoteIn,
    ReferralIn,
    Str,
    TextIn,
    TransferIn,
    _blank_is_error,
)


class CustomerIn(Schema):
    name = Str(load_default="", validate=validate.Length(max=100))
    phone = Str(load_default="", validate=validate.Regexp(r"^[0-9+\-() ]{0,40}$",
                                                          error="Not a phone number."))
    email = fields.Email(load_default=str)   # a callable: no invalid "" default in the document
    room = Str(load_default="", validate=validate.Length(max=40))
    unit = Str(load_default="", validate=validate.Length(max=80))
    address = Str(load_default="", validate=validate.Length(max=300))
    # The customer agrees to be told by e-mail / SMS (core.voice.telling); the messages are in
    # ``language``.  A consent needs the address or phone it is for.
    tell_by_email = fields.Boolean(load_default=False)
    tell_by_sms = fields.Boolean(load_default=False)
    language = Str(load_default="zh", validate=validate.OneOf(["zh", "en"]))

    @validates_schema
    def _consent_has_an_address(self, data, **kwargs):
        problems = {}
        if data.get("tell_by_email") and not data.get("email"):
            problems["email"] = ["Enter the e-mail address the customer agreed to be told at."]
        if data.get("tell_by_sms") and not (data.get("phone") or "").strip():
            problems["phone"] = ["Enter the phone number the customer agreed to be told at."]
        if problems:
            raise ValidationError(problems)


def _plausible_instant(value):
    """Not in the future, and not older than a year: a late-entered paper or phone contact is
    days old, not decades (and year 1 does not even convert to UTC)."""
    from core import clock
    from core.contacts.lifecycle import CLOCK_SKEW
    if value is None:
        return
    try:
        value = value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError("Not a usable date and time.") from None
    now = clock.now()
    if value > now + CLOCK_SKEW:
        raise ValidationError("Must not be in the future.")
    if value < now - timedelta(days=366):
        raise ValidationError("Must be within the last year.")


class ContactIn(Schema):
    channel = Str(required=True)
    matter_type = Str(required=True)
    category = Str(load_default=None, allow_none=True)
    summary = Str(required=True, validate=[validate.Length(min=1, max=4000), _blank_is_error])
    customer = fields.Nested(CustomerIn, required=True)
    received_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                       validate=_plausible_instant,
                                       metadata={"description": "When the customer asked; "
                                                 "defaults to now; never in the future"})
    co_receivers = fields.List(Str(), load_default=list, validate=validate.Length(max=10))
    own_duty = fields.Boolean(load_default=None, allow_none=True)


class DecisionIn(Schema):
    decision = Str(required=True, validate=validate.OneOf(["confirm", "waive"]))
    reason = Str(required=True, validate=[validate.Length(min=1, max=4000), _blank_is_error])


class ContactFilter(Schema):
    state = Str(load_default=None)
    overdue = fields.Boolean(load_default=None, allow_none=True)
    owner = Str(load_default=None, validate=validate.OneOf(["me"]))
    department = Str(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    before = Str(load_default=None, metadata={"description": "cursor: the last ref of the "
                                              "previous page"})


# -- output ------------------------------------------------------------------------------

class StaffRef(Schema):
    username = Str()
    name = Str()


class DeptRef(Schema):
    code = Str()
    name = Str(attribute="name_zh")
    name_en = Str()


class RuleOut(Schema):
    amount = fields.Integer()
    unit = Str()


class DeadlineOut(Schema):
    id = fields.Integer()
    kind = Str()
    stage = Str()
    rule = fields.Nested(RuleOut)
    start_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    status = Str()
    calendar_confirmed = fields.Boolean()
    closed_at = fields.AwareDateTime(allow_none=True)
    responsible_department = Str(allow_none=True)
    responsible_user = Str(allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    kind = Str()
    actor = Str(allow_none=True)
    actor_name = Str(allow_none=True)
    details = fields.Dict()


class CustomerOut(CustomerIn):
    pass


class ContactSummaryOut(Schema):
    ref = Str()
    channel = Str()
    matter_type = Str()
    category = Str(allow_none=True)
    summary = Str()
    state = Str()
    owner = fields.Nested(StaffRef)
    handler = fields.Nested(StaffRef, allow_none=True)
    handler_department = fields.Nested(DeptRef, allow_none=True)
    received_at = fields.AwareDateTime()
    registered_at = fields.AwareDateTime()
    escalation_level = fields.Integer()
    next_due_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean()


class RectificationOut(Schema):
    id = fields.Integer()
    department = Str(allow_none=True)
    status = Str()
    opened_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = Str(allow_none=True)
    action_taken = Str()


class RatingAppealOut(Schema):
    id = fields.Integer()
    by = Str()
    reason = Str()
    at = fields.AwareDateTime()
    status = Str()
    decided_by = Str(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = Str()


class CustomerRatingOut(Schema):
    """One round of the customer's own rating (core.voice), apart from the owner's callback
    satisfaction."""
    round = fields.Integer()
    grade = fields.Integer()
    comment = Str()
    rated_at = fields.AwareDateTime()
    changed_at = fields.AwareDateTime(allow_none=True)
    changes = fields.Integer()
    status = Str(metadata={"description": "counted | superseded | overturned"})
    department = Str(allow_none=True)
    rectification = fields.Nested(RectificationOut, allow_none=True)
    appeal = fields.Nested(RatingAppealOut, allow_none=True)


class ContactRatingsOut(Schema):
    contact = Str()
    customer_rating = fields.Integer(allow_none=True, metadata={
        "description": "The customer's current grade (1-5), None if none is counted"})
    callback_satisfaction = fields.Integer(allow_none=True, metadata={
        "description": "The owner's callback figure, kept apart"})
    ratings = fields.List(fields.Nested(CustomerRatingOut))


class ContactOut(ContactSummaryOut):
    customer = fields.Nested(CustomerOut)
    policy_version = fields.Integer()
    co_receivers = fields.List(Str())
    satisfaction = fields.Integer(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    deadlines = fields.List(fields.Nested(DeadlineOut))
    events = fields.List(fields.Nested(EventOut))
    customer_ratings = fields.List(fields.Nested(CustomerRatingOut))


class RegisteredOut(ContactOut):
    """The registration answer: the contact, plus the customer's progress query code, in
    clear only here (docs/progress.md)."""
    query_code = Str()


class ViolationOut(Schema):
    id = fields.Integer()
    contact = Str()
    user = Str(allow_none=True)
    department = Str(allow_none=True)
    trigger = Str()
    rule = Str()
    rule_text = fields.Dict()
    sanction = fields.Dict()
    evidence = fields.Dict()
    status = Str()
    created_at = fields.AwareDateTime()
    decided_by = Str(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    reason = Str()


class ErrorBody(Schema):
    """Every refusal: a code, a message in the caller's language, the fields at fault, the
    message in both languages, and details of the refusal (e.g. the contact's current
    state after a conflict), hence further properties."""
    class Meta:
        unknown = INCLUDE
    code = Str(required=True)
    message = Str(required=True)
    messages = fields.Dict(keys=Str(), values=Str(),
                           metadata={"description": "the message in zh and en"})
    # Last: the name shadows marshmallow's ``fields`` module in the class body.
    fields = fields.Dict(required=True, metadata={"description": "{field: [messages]}"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


@functools.cache
def schema(cls, many=False):
    """One shared instance per schema (they hold no per-request state); building a schema
    deep-copies its fields, which is a noticeable cost on every request."""
    return cls(many=many)
