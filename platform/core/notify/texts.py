"""The words of a notification, in the reader's language.

An inbox row keeps only the reason and its parameters (``Notification.params``),
so the page renders it in the language the reader has chosen; an e-mail is
rendered once, in the tenant's default language, when it is created.
"""
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock

TITLES = {
    "to_accept": _l("%(ref)s was handed over to your department: sign for it"),
    "accepted": _l("%(ref)s: your handover was signed for"),
    "coordination": _l("%(ref)s: a coordination with your department was opened"),
    "callback_due": _l("%(ref)s: feedback received, call the customer back"),
    "overdue": _l("%(ref)s: the deadline \"%(deadline)s\" has passed"),
    "chase": _l("%(ref)s: the handler is overdue (%(deadline)s), chase them"),
    "escalated": _l("%(ref)s was escalated to you (%(level)s)"),
    "escalation_watch": _l("%(ref)s was escalated to %(level)s"),
    "decided": _l("%(ref)s: the decision was given, reply to the customer"),
    "reminder": _l("%(ref)s: \"%(deadline)s\" is due %(due)s"),
    "violation": _l("%(ref)s: violation proposed: %(rule)s (%(staff)s)"),
    "copy": _l("Copy: %(ref)s, %(step)s (%(actor)s)"),
    "report": _l("Supervision report for %(period)s"),
    "assessment": _l("Assessment notice for %(period)s (revision %(revision)s)"),
    "rectify": _l("%(ref)s: the customer rated it badly; record how your department puts it "
                  "right"),
    "callback_again": _l("%(ref)s: the customer rated it badly; call the customer back"),
    "rectification_watch": _l("%(ref)s: a bad customer rating opened a rectification"),
    "rectified": _l("%(ref)s: the rectification was recorded"),
    "appeal_to_decide": _l("%(ref)s: a department appealed a customer rating; decide it"),
    "appeal_decided": _l("%(ref)s: the appeal of the customer rating was decided"),
    "complaint": _l("%(ref)s: a complaint about staff was sent to your department"),
}
REPORT_LINES = (
    ("contacts", _l("Contacts: %(value)s")),
    ("on_time_rate", _l("On time: %(value)s")),
    ("breached", _l("Deadlines breached: %(value)s")),
    ("escalations", _l("Escalations: %(value)s")),
    ("conflict", _l("Conflict escalations: %(value)s")),
    ("proposed", _l("Violations proposed: %(value)s")),
    ("confirmed", _l("Violations confirmed: %(value)s")),
    ("reached", _l("Customers reached on callback: %(value)s")),
    ("satisfaction", _l("Satisfaction (1-5): %(value)s")),
)
# A copied step nobody took by hand (a sweep's breach or escalation).
COPY_AUTOMATIC = _l("Copy: %(ref)s, %(step)s")
FALLBACK = _l("%(ref)s: %(topic)s")


def _pair(value, lang):
    """A {zh, en} pair (or plain text) in ``lang``."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh") or value.get("en") or ""
    return str(value or "")


def _instant(value, tz=None):
    """An ISO instant in the request's time zone, or in ``tz`` (e-mails, rendered in a job)."""
    try:
        at = clock.parse_instant(value) if value else None
    except (TypeError, ValueError):
        return str(value)
    if at is None:
        return ""
    if tz:
        return babel_datetime(at, "yyyy-MM-dd HH:mm", tzinfo=ZoneInfo(tz))
    return format_datetime(at, "yyyy-MM-dd HH:mm")


def _step(params, lang):
    """A copied step in words: "Transferred → Engineering", "Feedback to the owner"."""
    from core.vocabulary import EVENTS
    step = params.get("step") or ""
    words = str(EVENTS.get(step, step))
    to = _pair(params.get("to"), lang)
    return f"{words} → {to}" if to else words


def title(params, topic, lang, tz=None):
    """One line saying what happened and what to do (``lang``: "zh" or "en")."""
    from core.vocabulary import KINDS
    kind = params.get("deadline") or ""
    reason = params.get("reason")
    values = {
        "ref": params.get("ref", ""),
        "deadline": str(KINDS.get(kind, kind)),
        "due": _instant(params.get("due"), tz),
        "level": _pair(params.get("level"), lang),
        "rule": _pair(params.get("rule"), lang),
        "staff": params.get("staff") or "-",
        "topic": topic,
        "period": params.get("period", ""),
        "revision": params.get("revision", ""),
    }
    if reason == "copy":
        values.update(step=_step(params, lang), actor=params.get("actor") or "")
        if not params.get("actor"):
            return str(COPY_AUTOMATIC) % values
    template = TITLES.get(reason, FALLBACK)
    return str(template) % values


def _value(key, value):
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if key == "on_time_rate" else str(value)


def report_body(params, lang):
    """The report's totals, then one line per department (``lang`` already forced)."""
    totals = params.get("totals") or {}
    lines = [str(label) % {"value": _value(k, totals.get(k))} for k, label in REPORT_LINES]
    departments = params.get("departments") or []
    if departments:
        lines += ["", _("By department:")]
    for row in departments:
        numbers = "; ".join(str(label) % {"value": _value(k, row.get(k))}
                            for k, label in REPORT_LINES)
        lines.append(f"{_pair(row.get('name'), lang)}: {numbers}")
    return "\n".join(lines)


def ranking_body(params, lang):
    """The published assessment: one line per department, by rank."""
    lines = []
    for row in params.get("rows") or []:
        score = "-" if row.get("score") is None else f"{row['score']:.2f}"
        rank = row.get("rank") or "-"
        lines.append(_("%(rank)s. %(name)s: %(score)s", rank=rank,
                       name=_pair(row.get("name"), lang), score=score))
    return "\n".join(lines)


BODIES = {"report.summary": report_body, "assessment.published": ranking_body}


def render(params, topic, lang, tz=None):
    """``(title, body)`` in ``lang`` whatever the current request's language."""
    with force_locale(lang):
        text = title(params, topic, lang, tz)
        if topic in BODIES:
            return text, BODIES[topic](params, lang)
        summary = params.get("summary") or ""
        point = params.get("point") or ""
        if point == "morning":
            point = _("It is due today.")
        elif point.endswith("%"):
            point = _("%(share)s of the allowed time has passed.", share=point)
        body = "\n".join(line for line in (point, summary) if line)
    return text, body


def email(params, topic, lang, link, tenant_name, tz):
    """``(subject, plain-text body)`` of the e-mail telling one staff member."""
    text, body = render(params, topic, lang, tz)
    with force_locale(lang):
        footer = {"report.summary": _("Open the figures: %(link)s", link=link),
                  "assessment.published": _("Open the assessment: %(link)s", link=link),
                  "complaint.received": _("Open the complaint: %(link)s", link=link),
                  }.get(topic) or _("Open the contact: %(link)s", link=link)
        why = _("You receive this as a staff member of %(tenant)s (Shouwen).",
                tenant=tenant_name)
    return text, "\n\n".join(
        part for part in (text, body, footer, "-- \n" + why) if part)
