"""Validation of what tenant administrators and new organisations enter (marshmallow 4).

Messages are English message ids; the web layer shows them translated
(``tenants/web/admin_text.py``), the API would answer them as they are.
"""
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from core.i18n import LANGUAGES
from core.tenancy import password_rules, usernames
from core.tenancy.permissions import ROLES
from core.validation import Text

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEPARTMENT_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
PHONE = re.compile(r"^[0-9+()#*,; -]*(转[0-9]+)?$")
REF_PREFIX = re.compile(r"^[A-Z]{2,6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

BAD_USERNAME = ("Use 2-64 lower-case letters, digits, dots, hyphens or underscores, "
                "starting with a letter or digit.")
BAD_CODE = "Use 2-40 lower-case letters, digits or underscores, starting with a letter."
BAD_PHONE = "Not a phone number."
BAD_EMAIL = "Not a valid email address."
BAD_TIMEZONE = "Not a known time zone (for example Asia/Shanghai)."
BAD_PREFIX = "Use 2-6 capital letters."
BAD_REPORT_DAY = "Choose a day from 1 to 28 (1 to 7 for a weekly report)."
BAD_REPORT_TIME = "Give a time of day as HH:MM, for example 08:00."
REPORT_FREQUENCIES = ("off", "weekly", "monthly", "quarterly")
REPORT_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
NO_LANGUAGE = "Offer at least one language."
DEFAULT_NOT_OFFERED = "The default language must be one of the languages offered."
BLANK = "Must not be blank."


def _text(max_len, required=False):
    return Text(required=required, load_default="",
                         validate=validate.Length(max=max_len))


def _not_blank(value):
    if not (value or "").strip():
        raise ValidationError(BLANK)


class _Stripped(Schema):
    class Meta:
        unknown = EXCLUDE           # forms carry csrf_token and buttons

    @pre_load
    def strip(self, data, **kwargs):
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


def _check_phone(value):
    if value and not PHONE.match(value):
        raise ValidationError(BAD_PHONE)


def _check_email(value):
    if value and not EMAIL.match(value):
        raise ValidationError(BAD_EMAIL)


class DepartmentIn(_Stripped):
    code = Text(validate=validate.Regexp(DEPARTMENT_CODE, error=BAD_CODE))
    name_zh = Text(required=True, validate=[validate.Length(max=100), _not_blank])
    name_en = _text(100)
    duties_zh = _text(2000)
    duties_en = _text(2000)
    matter_types = fields.List(Text(), load_default=list)
    location = _text(200)
    phone = Text(load_default="", validate=[validate.Length(max=40), _check_phone])

    def __init__(self, matter_types=(), **kwargs):
        super().__init__(**kwargs)
        self.known_matter_types = tuple(matter_types)

    @validates("matter_types")
    def _known(self, value, **kwargs):
        unknown = [v for v in value if v not in self.known_matter_types]
        if unknown:
            raise ValidationError("Must be one of: %s." % ", ".join(self.known_matter_types))


class Username(Text):
    """A user name as stored: normalised (core.tenancy.usernames) before it is checked, so
    "HR " is taken as "hr", the name its owner signs in with."""

    def _deserialize(self, value, attr, data, **kwargs):
        return usernames.normalise(super()._deserialize(value, attr, data, **kwargs))


class StaffIn(_Stripped):
    username = Username(validate=validate.Regexp(USERNAME, error=BAD_USERNAME))
    name = Text(required=True, validate=[validate.Length(max=100), _not_blank])
    department = Text(load_default="")
    role = Text(required=True, validate=validate.OneOf(ROLES))
    title = Text(load_default="")
    rank = fields.Integer(required=True, strict=False, validate=validate.Range(0, 1000))
    email = Text(load_default="", validate=[validate.Length(max=200), _check_email])
    phone = Text(load_default="", validate=[validate.Length(max=40), _check_phone])

    def __init__(self, titles=(), departments=(), **kwargs):
        super().__init__(**kwargs)
        self.titles, self.departments = tuple(titles), tuple(departments)

    @validates("title")
    def _title(self, value, **kwargs):
        if value and value not in self.titles:
            raise ValidationError("Must be one of: %s." % ", ".join(self.titles))

    @validates("department")
    def _department(self, value, **kwargs):
        if value and value not in self.departments:
            raise ValidationError("Must be one of: %s." % ", ".join(self.departments))


class SettingsIn(_Stripped):
    name = Text(required=True, validate=[validate.Length(max=200), _not_blank])
    timezone = Text(required=True)
    languages = fields.List(Text(validate=validate.OneOf(LANGUAGES)),
                            load_default=list)
    default_language = Text(required=True, validate=validate.OneOf(LANGUAGES))
    ref_prefix = Text(required=True)
    # The scheduled supervision report (core.supervision.report); absent = unchanged.
    report_frequency = Text(load_default=None,
                                     validate=validate.OneOf(REPORT_FREQUENCIES))
    report_day = fields.Integer(load_default=None, validate=validate.Range(0, 1000))
    report_time = Text(load_default=None)

    @validates("report_time")
    def _report_time(self, value, **kwargs):
        if value is not None and not REPORT_TIME.match(value):
            raise ValidationError(BAD_REPORT_TIME)

    @validates_schema
    def _report_day(self, data, **kwargs):
        day = data.get("report_day")
        if day is None:
            return
        top = 7 if data.get("report_frequency") == "weekly" else 28
        if not 1 <= day <= top:
            raise ValidationError({"report_day": [BAD_REPORT_DAY]})

    @pre_load
    def upper(self, data, **kwargs):
        if isinstance(data.get("ref_prefix"), str):
            data["ref_prefix"] = data["ref_prefix"].upper()
        return data

    @validates("timezone")
    def _zone(self, value, **kwargs):
        try:
            if not value or "/" not in value and value != "UTC":
                raise ZoneInfoNotFoundError(value)
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(BAD_TIMEZONE) from None

    @validates("ref_prefix")
    def _prefix(self, value, **kwargs):
        if not REF_PREFIX.match(value):
            raise ValidationError(BAD_PREFIX)

    @validates_schema
    def _languages(self, data, **kwargs):
        offered = data.get("languages") or []
        if not offered:
            raise ValidationError({"languages": [NO_LANGUAGE]})
        if data.get("default_language") not in offered:
            raise ValidationError({"default_language": [DEFAULT_NOT_OFFERED]})


class NewPasswordIn(_Stripped):
    password = Text(required=True)
    password_confirm = Text(required=True)

    @pre_load
    def strip(self, data, **kwargs):       # passwords are taken exactly as typed
        return dict(data)

    def __init__(self, personal=(), **kwargs):
        super().__init__(**kwargs)
        self.personal = tuple(personal)

    @validates_schema(skip_on_field_errors=False)
    def _strong(self, data, **kwargs):
        if "password" not in data:
            return
        found = password_rules.check(data.get("password"), data.get("password_confirm"),
                                     *self.personal, *self.extra_personal(data))
        if found:
            field = "password_confirm" if found == [password_rules.MISMATCH] else "password"
            raise ValidationError({field: found})

    def extra_personal(self, data):
        return ()


class SignupIn(NewPasswordIn):
    organisation = Text(required=True,
                                 validate=[validate.Length(max=200), _not_blank])
    slug = Text(required=True)
    pack = Text(required=True)
    username = Username(required=True, validate=validate.Regexp(USERNAME, error=BAD_USERNAME))
    name = Text(required=True, validate=[validate.Length(max=100), _not_blank])
    email = Text(required=True, validate=[validate.Length(max=200), _not_blank,
                                                   _check_email])

    @pre_load
    def strip(self, data, **kwargs):
        out = {k: (v.strip() if isinstance(v, str) and not k.startswith("password") else v)
               for k, v in data.items()}
        if isinstance(out.get("slug"), str):
            out["slug"] = out["slug"].lower()
        return out

    def __init__(self, packs=(), **kwargs):
        super().__init__(**kwargs)
        self.packs = tuple(packs)

    @validates("pack")
    def _pack(self, value, **kwargs):
        if value not in self.packs:
            raise ValidationError("Choose the kind of organisation.")

    @validates("slug")
    def _slug(self, value, **kwargs):
        from tenants.provisioning import check_slug
        problem = check_slug(value)
        if problem:
            raise ValidationError(problem)

    def extra_personal(self, data):
        return (data.get("username"), data.get("slug"), data.get("organisation"))
