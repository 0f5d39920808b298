"""The administration pages' validation messages in the reader's language.

The domain (``tenants.admin_schemas``, ``core.tenancy.password_rules``, ``tenants.provisioning``)
writes English message ids; this table marks them for the catalogues and translates them
for the forms.  Anything else falls back to the shared translations (``core.i18n``).
"""
from flask_babel import gettext

from core.i18n import N_, translate_error
from core.tenancy import password_rules as p
from tenants import admin_schemas as s
from tenants import administration as a

MESSAGES = {m: m for m in (
    N_("Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
    N_("This address is reserved."),
    N_("This address is already taken."),
    N_("Use at least 10 characters."),
    N_("Use at most 200 characters."),
    N_("Must not contain your user name or the organisation's address or name."),
    N_("Too easy to guess. Avoid common passwords, names, dates and keyboard patterns; "
       "a few unrelated words or a long phrase work well."),
    N_("The two passwords differ."),
    N_("Use 2-64 lower-case letters, digits, dots, hyphens or underscores, "
       "starting with a letter or digit."),
    N_("Use 2-40 lower-case letters, digits or underscores, starting with a letter."),
    N_("Not a known time zone (for example Asia/Shanghai)."),
    N_("Use 2-6 capital letters."),
    N_("Offer at least one language."),
    N_("The default language must be one of the languages offered."),
    N_("Choose the kind of organisation."),
    N_("A department with this code exists already."),
    N_("This user name is taken in your organisation."),
    N_("Choose a day from 1 to 28 (1 to 7 for a weekly report)."),
    N_("Give a time of day as HH:MM, for example 08:00."),
)}
# The ids above must stay equal to the domain's constants (checked at import).
assert {p.TOO_SHORT, p.TOO_LONG, p.CONTAINS_NAME, p.GUESSABLE, p.MISMATCH, s.BAD_USERNAME,
        s.BAD_CODE, s.BAD_TIMEZONE, s.BAD_PREFIX, s.NO_LANGUAGE, s.DEFAULT_NOT_OFFERED,
        s.BAD_REPORT_DAY, s.BAD_REPORT_TIME,
        a.CODE_TAKEN, a.USERNAME_TAKEN} <= set(MESSAGES)


def translate(message):
    message = str(message)
    return gettext(message) if message in MESSAGES else translate_error(message)


def form_errors(messages):
    """marshmallow messages -> {field: "translated; messages"} for the templates."""
    out = {}
    for key, value in (messages or {}).items():
        items = value if isinstance(value, list) else [value]
        texts = []
        for item in items:
            if isinstance(item, dict):          # list items: {index: [messages]}
                for sub in item.values():
                    texts.extend(sub if isinstance(sub, list) else [sub])
            else:
                texts.append(item)
        if isinstance(value, dict):
            texts = [t for sub in value.values() for t in (sub if isinstance(sub, list)
                                                           else [sub])]
        out[key] = "; ".join(translate(t) for t in texts)
    return out
