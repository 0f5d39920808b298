"""The policy document: its schema, validation and how overrides merge.

A pack supplies a complete default document; a tenant stores partial
overrides.  ``effective = merge(pack default, overrides)``, validated as a
whole, is frozen into a policy version that contacts point to.

Dicts merge key by key; lists and scalars in an override replace the default.
A ``null`` deadline rule means "no clock for this case".
"""
import copy
import re

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from core.policy import templating
from core.policy.assessment_schema import DEFAULT_GROUPING, Assessment, Grouping, check_codes
from core.policy.text_schema import Text
from core.rules import DEADLINE_KINDS, PERMISSIONS, STAGES, TRIGGERS, UNITS
from core.validation import Text as Str

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
SELECTOR = re.compile(r"^(default|@[a-z][a-z0-9_]*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?)$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _key(value):
    if not isinstance(value, str) or not KEY.match(value):
        raise ValidationError("Use lower-case letters, digits and _ (starting with a letter).")


class RuleSchema(Schema):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100000))
    unit = Str(required=True, validate=validate.OneOf(UNITS))


class RuleOrNone(fields.Field):
    """A deadline rule, or null for "no clock"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ValidationError('Expected {"amount": N, "unit": "..."} or null.')
        return RuleSchema().load(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Category(Schema):
    name = fields.Nested(Text, required=True)


class MatterType(Schema):
    name = fields.Nested(Text, required=True)
    categories = fields.Dict(keys=Str(validate=_key), values=fields.Nested(Category),
                             load_default=dict)
    default_category = Str(allow_none=True, load_default=None)

    @validates_schema
    def _default_is_known(self, data, **kwargs):
        cat = data.get("default_category")
        if cat is not None and cat not in data.get("categories", {}):
            raise ValidationError("Not one of this matter type's categories.", "default_category")


class Department(Schema):
    code = Str(required=True, validate=_key)
    name = fields.Nested(Text, required=True)
    duties = fields.Nested(Text, load_default=None, allow_none=True)
    matter_types = fields.List(Str(), load_default=list)
    location = Str(load_default="")
    phone = Str(load_default="")


class Role(Schema):
    key = Str(required=True, validate=_key)
    name = fields.Nested(Text, required=True)
    rank = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    permission = Str(load_default="staff", validate=validate.OneOf(PERMISSIONS))


class ChainLevel(Schema):
    key = Str(required=True, validate=_key)
    name = fields.Nested(Text, required=True)
    department = Str(allow_none=True, load_default=None)
    role = Str(allow_none=True, load_default=None)
    conflict = fields.Boolean(load_default=False)


class Escalation(Schema):
    chain = fields.List(fields.Nested(ChainLevel), required=True)
    on_breach = fields.Boolean(load_default=True)


class Transfer(Schema):
    modes = fields.List(Str(validate=_key), required=True,
                        validate=validate.Length(min=1))
    receiver_may_pass_on = fields.Boolean(required=True)
    receiver_may_return = fields.Boolean(required=True)
    return_requires_opinion = fields.Boolean(load_default=True)
    # The receiving department passes it on only with its written opinion (hotel item 11).
    pass_on_requires_opinion = fields.Boolean(load_default=False)
    copy_to = fields.List(Str(), load_default=list)
    wrong_transfer_coordinator = Str(allow_none=True, load_default=None)
    handover_requires_approval = fields.Boolean(load_default=False)
    # Org roles (``roles[].key``) whose holders may approve that handover; empty: any
    # holder of the ``contact.approve_handover`` permission.
    handover_approvers = fields.List(Str(), load_default=list)


class Callback(Schema):
    required_for = fields.List(Str(), load_default=list)
    # Any matter a department handled and reported back on is called back by its owner,
    # whatever its type (hotel rule 8: after the handler's feedback, call the guest back).
    after_feedback = fields.Boolean(load_default=False)


class CustomerRating(Schema):
    """The customer's own rating (core.voice.ratings): how many calendar days after closure
    (or after a re-rating) the customer may still change it."""
    change_days = fields.Integer(load_default=7, strict=True,
                                 validate=validate.Range(min=0, max=365))


CONFIRMATION_WAYS = ("paper", "tablet", "online")


class Confirmation(Schema):
    """Which printed forms carry the customer's own confirmation, and the ways the customer
    may give it (core/voice/signatures.py): signed on paper, drawn on the desk tablet,
    confirmed later from the progress page.  No form listed: no confirmation is asked."""
    forms = fields.List(Str(validate=_key), load_default=list)
    ways = fields.List(Str(validate=validate.OneOf(CONFIRMATION_WAYS)),
                       load_default=lambda: list(CONFIRMATION_WAYS),
                       validate=validate.Length(min=1))


class Wording(Schema):
    banned_phrases = fields.List(Str(validate=validate.Length(min=1, max=200)),
                                 load_default=list)
    courtesy_phrases = fields.List(Str(validate=validate.Length(min=1, max=200)),
                                   load_default=list)
    # Phrases that contain a banned phrase but are courteous ("如有不清楚的地方").
    allowed_phrases = fields.List(Str(validate=validate.Length(min=1, max=200)),
                                  load_default=list)
    templates = fields.Dict(keys=Str(validate=_key), values=fields.Nested(Text),
                            load_default=dict)

    @validates("templates")
    def _placeholders(self, value, **kwargs):
        """Only the placeholders the core declares for each template (core.policy.templating)."""
        found = {}
        for key, texts in value.items():
            for lang, text in (texts or {}).items():
                messages = templating.problems(key, text)
                if messages:
                    found.setdefault(key, {})[lang] = messages
        if found:
            raise ValidationError(found)


class Sanction(Schema):
    name = fields.Nested(Text, required=True)
    amount = fields.Integer(allow_none=True, load_default=None,
                            validate=validate.Range(min=0, max=10 ** 9))


class Penalty(Schema):
    name = fields.Nested(Text, required=True)
    triggers = fields.List(Str(), required=True, validate=validate.Length(min=1))
    sanctions = fields.List(fields.Nested(Sanction), required=True, validate=validate.Length(min=1))


class Reminders(Schema):
    fractions = fields.List(fields.Float(validate=validate.Range(min=0.01, max=0.99)),
                            load_default=lambda: [0.5, 0.8])
    morning_of_due_day = fields.Boolean(load_default=True)


class Calendar(Schema):
    kind = Str(required=True, validate=validate.OneOf(["statutory", "seven_day"]))
    working_periods = fields.List(fields.List(Str(validate=validate.Regexp(HHMM)),
                                              validate=validate.Length(equal=2)),
                                  load_default=lambda: [["09:00", "12:00"], ["13:30", "17:30"]],
                                  validate=validate.Length(min=1))
    closing_time = Str(load_default="17:30", validate=validate.Regexp(HHMM))

    @validates_schema
    def _periods_ordered(self, data, **kwargs):
        last = "00:00"
        for start, end in data.get("working_periods", []):
            if not (last <= start < end):
                raise ValidationError("Periods must be in order and not overlap.", "working_periods")
            last = end


class PolicySchema(Schema):
    matter_types = fields.Dict(keys=Str(validate=_key), values=fields.Nested(MatterType),
                               required=True)
    channels = fields.List(Str(validate=_key), required=True,
                           validate=validate.Length(min=1))
    departments = fields.List(fields.Nested(Department), required=True)
    roles = fields.List(fields.Nested(Role), required=True, validate=validate.Length(min=1))
    deadlines = fields.Dict(keys=Str(validate=_key),
                            values=fields.Dict(keys=Str(validate=validate.Regexp(SELECTOR)),
                                               values=RuleOrNone(allow_none=True)),
                            required=True)
    escalation = fields.Nested(Escalation, required=True)
    transfer = fields.Nested(Transfer, required=True)
    callback = fields.Nested(Callback,
                             load_default=lambda: {"required_for": [], "after_feedback": False})
    wording = fields.Nested(Wording, required=True)
    customer_rating = fields.Nested(CustomerRating, load_default=lambda: {"change_days": 7})
    confirmation = fields.Nested(Confirmation, load_default=lambda: {
        "forms": [], "ways": list(CONFIRMATION_WAYS)})
    penalties = fields.Dict(keys=Str(validate=_key), values=fields.Nested(Penalty),
                            required=True)
    assessment = fields.Nested(Assessment, required=True)
    # Who answers the questionnaires in which group (core.voice.questionnaire_scores).
    questionnaire = fields.Nested(Grouping, load_default=lambda: DEFAULT_GROUPING)
    reminders = fields.Nested(Reminders, load_default=lambda: {"fractions": [0.5, 0.8],
                                                               "morning_of_due_day": True})
    calendar = fields.Nested(Calendar, required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = {}
        mts = data.get("matter_types", {})
        for kind, table in data.get("deadlines", {}).items():
            for selector in table:
                mt = selector.split(".")[0]
                if selector.startswith("@"):
                    if selector[1:] not in STAGES:
                        errors.setdefault("deadlines", {}).setdefault(kind, {})[selector] = [
                            f"Unknown stage; use one of {', '.join(STAGES)}."]
                elif selector != "default" and mt not in mts:
                    errors.setdefault("deadlines", {}).setdefault(kind, {})[selector] = [
                        f"Unknown matter type {mt!r}."]
                elif "." in selector and selector.split(".")[1] not in mts[mt].get("categories", {}):
                    errors.setdefault("deadlines", {}).setdefault(kind, {})[selector] = [
                        "Unknown category."]
        codes = {d["code"] for d in data.get("departments", [])}
        roles = {r["key"] for r in data.get("roles", [])}
        for i, level in enumerate(data.get("escalation", {}).get("chain", [])):
            if level.get("department") and level["department"] not in codes:
                errors.setdefault("escalation", {}).setdefault("chain", {})[i] = {
                    "department": ["Unknown department code."]}
            if level.get("role") and level["role"] not in roles:
                errors.setdefault("escalation", {}).setdefault("chain", {})[i] = {
                    "role": ["Unknown role."]}
        coordinator = data.get("transfer", {}).get("wrong_transfer_coordinator")
        if coordinator and coordinator not in codes:
            errors.setdefault("transfer", {})["wrong_transfer_coordinator"] = [
                f"Unknown department {coordinator!r}."]
        for i, dept in enumerate(data.get("departments", [])):
            unknown = [mt for mt in dept.get("matter_types", []) if mt not in mts]
            if unknown:
                errors.setdefault("departments", {})[i] = {
                    "matter_types": [f"Unknown matter types: {', '.join(unknown)}."]}
        unknown_roles = [r for r in data.get("transfer", {}).get("handover_approvers", [])
                         if r not in roles]
        if unknown_roles:
            errors.setdefault("transfer", {})["handover_approvers"] = [
                f"Unknown roles: {', '.join(unknown_roles)}."]
        for code in data.get("transfer", {}).get("copy_to", []):
            if code not in codes:
                errors.setdefault("transfer", {})["copy_to"] = [f"Unknown department {code!r}."]
        for mt in data.get("callback", {}).get("required_for", []):
            if mt not in mts:
                errors.setdefault("callback", {})["required_for"] = [f"Unknown matter type {mt!r}."]
        kinds = set(data.get("deadlines", {})) | set(DEADLINE_KINDS)
        for key, pen in data.get("penalties", {}).items():
            for trig in pen.get("triggers", []):
                if not (trig in TRIGGERS
                        or trig == "deadline.*"
                        or (trig.startswith("deadline.") and trig[9:] in kinds)):
                    errors.setdefault("penalties", {}).setdefault(key, {})["triggers"] = [
                        f"Unknown trigger {trig!r}."]
        errors.update(check_codes(data, codes, set(data.get("penalties", {}))))
        if errors:
            raise ValidationError(errors)

    @post_load
    def _all_kinds(self, data, **kwargs):
        for kind in DEADLINE_KINDS:
            data["deadlines"].setdefault(kind, {})
        return data


def merge(base, overrides):
    """Deep-merge ``overrides`` into a copy of ``base`` (dicts merge, the rest replaces)."""
    out = copy.deepcopy(base)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _plain(messages):
    """Drop marshmallow's ``{"value": ...}`` level under dict entries, so paths read
    ``deadlines.reply.default.unit``."""
    if not isinstance(messages, dict):
        return messages
    out = {}
    for key, value in messages.items():
        if isinstance(value, dict) and set(value) <= {"key", "value"}:
            value = {**({"_key": value["key"]} if "key" in value else {}),
                     **(value.get("value") or {})} if isinstance(value.get("value", {}), dict) \
                else value.get("value")
        out[key] = _plain(value)
    return out


def validate_policy(document):
    """Validate a complete policy document; return the normalised document.

    Raises :class:`marshmallow.ValidationError` with messages keyed by path.
    """
    try:
        return PolicySchema().load(document)
    except ValidationError as err:
        raise ValidationError(_plain(err.messages)) from None


def effective_policy(pack_policy, overrides):
    """Merge a tenant's overrides into its pack's defaults and validate the result."""
    if not isinstance(overrides, dict):
        raise ValidationError({"_schema": ["Overrides must be an object."]})
    unknown = set(overrides) - set(PolicySchema().fields)
    if unknown:
        raise ValidationError({k: ["Unknown policy section."] for k in sorted(unknown)})
    return validate_policy(merge(pack_policy, overrides))
