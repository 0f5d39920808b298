"""Words shown for the public vocabulary, and Jinja filters for times and deadline badges."""
from datetime import timedelta, timezone
from urllib.parse import quote

from flask import g, url_for
from flask_babel import format_datetime, get_timezone, gettext, ngettext

from core.tenancy.permissions import can
from core.vocabulary import (  # noqa: F401
    ACTIONS,
    CHANNELS,
    DEADLINE_STATUS,
    EVENTS,
    KINDS,
    MODES,  # (the words shown, re-exported for views)
    ROLES,
    SATISFACTION,
    STATES,
)


def label(table, key):
    """The word for ``key`` in the reader's language; each word is translated once per
    request (a list page shows the same few words on every row)."""
    word = table.get(key)
    if word is None:
        return key
    done = g.setdefault("labels", {})
    text = done.get(id(word))
    if text is None:
        text = done[id(word)] = str(word)
    return text


# Patterns of digits only read the same in every language, so they skip Babel's formatter
# (a list page formats a few instants per row).
NUMERIC = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "HH:mm": "%H:%M",
           "MM-dd HH:mm": "%m-%d %H:%M"}


def when(value, fmt="yyyy-MM-dd HH:mm"):
    """An instant in the tenant's time zone."""
    if not value:
        return ""
    pattern = NUMERIC.get(fmt)
    if pattern is None:
        return format_datetime(value, fmt)
    if value.tzinfo is None:                    # Babel reads naive instants as UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(get_timezone()).strftime(pattern)


def _working_days_between(calendar, start_day, end_day):
    days, day = 0, start_day
    while day < end_day and days < 400:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days += 1
    return days


def badge(due_at, now, unit=None, calendar=None):
    """(css class, text): time left or overdue, in working-day terms for working-day clocks."""
    if due_at is None:
        return "none", ""
    if due_at < now:
        late = now - due_at
        hours = int(late.total_seconds() // 3600)
        if hours >= 24:
            return "late", gettext("Overdue by %(n)s d", n=hours // 24)
        if hours >= 1:
            return "late", gettext("Overdue by %(n)s h", n=hours)
        return "late", gettext("Overdue by %(n)s min", n=max(1, int(late.total_seconds() // 60)))
    left = due_at - now
    if unit == "working_days" and calendar is not None:
        days = _working_days_between(calendar, calendar.local(now).date(),
                                     calendar.local(due_at).date())
        if days == 0:
            return "soon", gettext("Today by %(t)s", t=when(due_at, "HH:mm"))
        return "ok", ngettext("%(num)s working day left", "%(num)s working days left", days)
    minutes = int(left.total_seconds() // 60)
    if minutes < 60:
        return "soon", gettext("%(n)s min left", n=minutes)
    if minutes < 24 * 60:
        return ("soon" if minutes < 180 else "ok"), gettext("%(n)s h left", n=minutes // 60)
    return "ok", gettext("Due %(t)s", t=when(due_at, "MM-dd HH:mm"))


def contact_url(ref):
    """``url_for("web.show_contact", ref=ref)``, with the route built once per request (a
    list page links every row; quoting as Werkzeug's default converter does)."""
    prefix = g.get("contact_url_prefix")
    if prefix is None:
        prefix = g.contact_url_prefix = url_for("web.show_contact", ref="-")[:-1]
    return prefix + quote(ref, safe="!$&'()*+,/:;=@")


def rule_text(rule):
    """A deadline rule in words: "1 working day", "30 min", "at once"."""
    amount, unit = rule["amount"], rule["unit"]
    if amount == 0:
        return gettext("at once")
    if unit == "minutes":
        return ngettext("%(num)s minute", "%(num)s minutes", amount)
    if unit == "hours":
        return ngettext("%(num)s hour", "%(num)s hours", amount)
    if unit == "working_hours":
        return ngettext("%(num)s working hour", "%(num)s working hours", amount)
    return ngettext("%(num)s working day", "%(num)s working days", amount)


def localized(text_pair):
    """A {zh, en} pair in the current language."""
    from core.web import lang
    if not isinstance(text_pair, dict):
        return text_pair or ""
    return text_pair.get(lang()) or text_pair.get("zh") or text_pair.get("en") or ""


def init_app(app):
    app.jinja_env.filters.update(when=when, localized=localized)
    app.jinja_env.globals.update(
        CHANNELS=CHANNELS, STATES=STATES, KINDS=KINDS, DEADLINE_STATUS=DEADLINE_STATUS,
        MODES=MODES, EVENTS=EVENTS, ACTIONS=ACTIONS, ROLES=ROLES, SATISFACTION=SATISFACTION, label=label, badge=badge, rule_text=rule_text,
        contact_url=contact_url,
        tenant=lambda: g.get("tenant"), lang=_lang, can=can)


def _lang():
    from core.web import lang
    return lang()
