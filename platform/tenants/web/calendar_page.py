"""The working calendar page: kind, periods and closing time (a policy version), special days,
entered official years and which years are confirmed, and the calendar's audit trail."""
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core import clock
from core.deadlines.workcalendar import library_knows
from core.extensions import db
from core.policy import versions as policies
from core.tenancy.models import ConfirmedYear, SpecialDay
from core.tenancy.permissions import can
from core.tenancy.scoping import get_or_404
from core.web import actor, field_errors
from tenants import calendar_admin as cal
from tenants import policy_editor as pe
from tenants import policy_overrides as po
from tenants.web import bp
from tenants.web.policy_admin import editor_context, save_from_form
from tenants.web.policy_labels import translate_messages

TEMPLATE = "web/admin_calendar.html"


def _denied(permission):
    if not can(actor(), permission):
        return render_template("web/admin_policy_forbidden.html"), 403
    return None


def _page(day_form=None, year_form=None, day_errors=None, year_errors=None, **settings):
    """Everything the page shows; ``settings`` overrides the calendar-settings form context."""
    today = clock.now().astimezone(_zone()).date()
    current = policies.latest_version()
    if not settings:
        default = po.pack_default(current.pack_key)
        settings = dict(note="", current=current,
                        **editor_context(current.document, default, pe.CALENDAR_SECTIONS, {}))
    years = range(today.year - 1, today.year + 3)
    return dict(settings, today=today, days=cal.special_days(date(today.year - 1, 1, 1)),
                years=cal.year_statuses(years), changes=cal.recent_changes(),
                day_form=day_form or {}, year_form=year_form or {},
                day_errors=day_errors or {}, year_errors=year_errors or {},
                next_unknown=next(y for y in range(today.year, today.year + 50)
                                  if not library_knows(y)),
                may_edit=can(actor(), "calendar.edit"))


def _zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo(g.tenant.timezone)


@bp.get("/admin/calendar")
def calendar_admin():
    denied = _denied("calendar.view")
    return denied or render_template(TEMPLATE, **_page())


@bp.post("/admin/calendar/settings")
def calendar_settings():
    denied = _denied("calendar.edit")
    if denied:
        return denied
    refused = save_from_form(pe.CALENDAR_SECTIONS, TEMPLATE, **_extra_for_refusal())
    return refused or redirect(url_for("admin.calendar_admin"))


def _extra_for_refusal():
    page = _page()
    for key in ("note", "current", "form", "doc", "default", "errors", "error_list", "err_at",
                "err_under", "kinds", "path_words", "segment", "value_words", "choice_label",
                "selector_label", "selectors", "MISSING", "NEW"):
        page.pop(key, None)
    return page


@bp.post("/admin/calendar/days")
def calendar_add_day():
    denied = _denied("calendar.edit")
    if denied:
        return denied
    form = {"day": request.form.get("day", ""), "working": request.form.get("working", ""),
            "note": (request.form.get("note") or "").strip()}
    try:
        cal.set_special_day(g.tenant, actor(), cal.SpecialDayIn().load(form))
        db.session.commit()
    except ValidationError as err:
        db.session.rollback()
        errors = field_errors(translate_messages(err.messages))
        return render_template(TEMPLATE, **_page(day_form=form, day_errors=errors)), 422
    flash(_("Saved. Deadlines started from now on count with this day; running ones keep "
            "their due time."), "ok")
    return redirect(url_for("admin.calendar_admin") + "#special-days")


@bp.post("/admin/calendar/days/<int:day_id>/delete")
def calendar_remove_day(day_id):
    row = get_or_404(SpecialDay, id=day_id)     # first: another tenant's day is a 404
    denied = _denied("calendar.edit")
    if denied:
        return denied
    cal.remove_special_day(g.tenant, actor(), row)
    db.session.commit()
    flash(_("Removed: the statutory calendar applies to that day again."), "ok")
    return redirect(url_for("admin.calendar_admin") + "#special-days")


@bp.post("/admin/calendar/years")
def calendar_enter_year():
    denied = _denied("calendar.edit")
    if denied:
        return denied
    form = {k: request.form.get(k, "") for k in ("year", "holidays", "makeup_days", "note")}
    try:
        stored, kept, recomputed = cal.enter_official_year(g.tenant, actor(),
                                                           cal.OfficialYearIn().load(form))
        db.session.commit()
    except ValidationError as err:
        db.session.rollback()
        errors = field_errors(translate_messages(err.messages))
        return render_template(TEMPLATE, **_page(year_form=form, year_errors=errors)), 422
    flash(_("The official schedule of %(year)s is entered and the year is confirmed "
            "(%(days)s days; %(clocks)s running deadlines recomputed).",
            year=form["year"], days=stored, clocks=recomputed), "ok")
    if kept:
        flash(_("Your own special days were kept on: %(days)s.",
                days=", ".join(d.isoformat() for d in kept)), "ok")
    return redirect(url_for("admin.calendar_admin") + "#years")


@bp.post("/admin/calendar/years/<int:year>/withdraw")
def calendar_withdraw_year(year):
    if db.session.scalars(select(ConfirmedYear.id).where(ConfirmedYear.year == year)).first() \
            is None:
        abort(404)              # no entered schedule of that year in this tenant
    denied = _denied("calendar.edit")
    if denied:
        return denied
    try:
        cal.withdraw_official_year(g.tenant, actor(), year)
        db.session.commit()
    except ValidationError:
        db.session.rollback()
        abort(404)              # no entered schedule of that year (in this tenant)
    flash(_("The entered schedule of %(year)s was withdrawn.", year=year), "ok")
    return redirect(url_for("admin.calendar_admin") + "#years")


@bp.app_template_filter("weekday")
def weekday(day):
    from flask_babel import format_date
    return format_date(day, "EEE")
