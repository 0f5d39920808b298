"""Policy templates (``wording.templates``): ``{name}`` placeholders, nothing more.

Any tenant administrator writes these texts, so they are not ``str.format`` strings (that
reads attributes, ``{ref.__class__}``, and pads, ``{ref:>20000000}``).  A ``{...}`` is a
plain name from :data:`PLACEHOLDERS`, the one table of what each template may use;
``{{`` and ``}}`` are literal braces and a lone brace is text.  :func:`problems` checks a
template at save time (``core.policy.schema``) and before a page shows it; :func:`fill` never
fails: an unknown name becomes a blank line to write on, and the output is bounded.
"""
import re

# Filled from the contact (core.contacts.wording.template_values).
CONTACT = ("customer", "summary", "ref", "handler", "department", "phone")
# Filled from the record on the printed forms (core.web.printing).
RECORD = ("subject", "owner", "staff", "date", "registered_at", "matter", "window",
          "handling_unit", "proposed_unit", "reason")
# Left as a line to write on by hand.
WRITE_IN = ("answer", "new_handler", "conditions", "fees", "location", "materials",
            "procedure", "refusal_reasons", "requirements", "time_limit", "contact", "basis",
            "reasons")
_FORM = CONTACT + RECORD + WRITE_IN
PLACEHOLDERS = {
    "one_time_notice": _FORM,
    "complaint_slip": _FORM, "coordination_form": _FORM, "countersign_form": _FORM,
    "record_sheet": _FORM, "three_part_form": _FORM, "refusal_record": _FORM,
    "register_entry": _FORM, "handover_request": _FORM,
    "reply": CONTACT + ("subject", "registered_at", "answer"),
    "transfer_notice": CONTACT,
    "referral": CONTACT + ("location", "contact"),
}
DEFAULT = CONTACT + WRITE_IN          # a template key of the tenant's own
BLANK = "______"
MAX_OUTPUT = 20_000
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def allowed(key):
    return PLACEHOLDERS.get(key, DEFAULT)


def problems(key, text):
    """Messages naming each placeholder ``text`` may not use as template ``key``."""
    names = allowed(key)
    found = []
    for match in _TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name not in names and name not in found:
            found.append(name)
    return ["Unknown placeholder {%s}; this template may use: %s." % (
        name[:40], ", ".join("{%s}" % n for n in names)) for name in found]


def fill(text, values):
    """``text`` with its placeholders replaced by ``values`` (empty or unknown: a blank)."""
    def replace(match):
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        value = values.get(match.group(1)) if match.group(1).isidentifier() else None
        return str(value) if value else BLANK
    out = _TOKEN.sub(replace, text or "")
    return out if len(out) <= MAX_OUTPUT else out[:MAX_OUTPUT] + "…"
