"""Spot checks (抽查) on the web: draw a sample, call each customer, record the call.

For ``spotcheck.view`` holders; drawing and recording are refused by the domain to anyone
without ``spotcheck.draw`` / ``spotcheck.record`` (``core.tenancy.permissions``).
"""
from zoneinfo import ZoneInfo

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.errors import DomainError, Invalid
from core.extensions import db
from core.supervision import periods
from core.supervision import spot_checks as checks
from core.supervision.spot_check_models import SpotCheckDraw, SpotCheckItem, SpotCheckRecord
from core.tenancy.models import Department
from core.tenancy.permissions import can
from core.tenancy.scoping import get_or_404
from core.web import actor, bp, refused

PAGE = 50
OUTCOMES = ("pending", "confirmed", "failed", "unreached")


def _forbidden():
    if not can(actor(), "spotcheck.view"):
        return render_template("web/violations_forbidden.html"), 403
    return None


def _number(name, kind):
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise Invalid({"zh": "请填写数字。", "en": "Enter a number."},
                      fields={name: ["Not a number."]}) from None


@bp.get("/spot-checks")
def spot_checks():
    denied = _forbidden()
    if denied:
        return denied
    draws = db.session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc())
                               .limit(PAGE)).all()
    departments = db.session.scalars(select(Department).where(Department.active.is_(True))
                                     .order_by(Department.code)).all()
    today = clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()
    return render_template("web/supervision/spot_checks.html", draws=draws,
                           results=checks.results([d.id for d in draws]), outcomes=OUTCOMES,
                           departments=departments, month=today.strftime("%Y-%m"),
                           may_draw=can(actor(), "spotcheck.draw"))


@bp.post("/spot-checks")
def draw_spot_check():
    denied = _forbidden()
    if denied:
        return denied
    try:
        today = clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()
        period = periods.parse({"period": "month", "at": request.form.get("month", "")}, today)
        ctx = checks.Context(tenant=g.tenant, actor=actor())
        row = checks.draw(ctx, period, request.form.getlist("departments"),
                          _number("number", int), _number("share", float),
                          _number("seed", int))
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("web.spot_checks"))
    return redirect(url_for("web.show_spot_check", draw_id=row.id))


@bp.get("/spot-checks/<int:draw_id>")
def show_spot_check(draw_id):
    draw = get_or_404(SpotCheckDraw, id=draw_id)
    denied = _forbidden()
    if denied:
        return denied
    rows = db.session.execute(
        select(SpotCheckItem, SpotCheckRecord)
        .outerjoin(SpotCheckRecord, SpotCheckRecord.item_id == SpotCheckItem.id)
        .where(SpotCheckItem.draw_id == draw.id).order_by(SpotCheckItem.id)).all()
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    return render_template("web/supervision/spot_check.html", draw=draw, rows=rows,
                           results=checks.results([draw.id])[draw.id], outcomes=OUTCOMES,
                           departments=departments, may_record=can(actor(), "spotcheck.record"))


def _yes_no(name):
    return {"yes": True, "no": False}.get(request.form.get(name))


@bp.post("/spot-checks/<int:draw_id>/items/<int:item_id>")
def record_spot_check(draw_id, item_id):
    item = get_or_404(SpotCheckItem, id=item_id, draw_id=draw_id)
    denied = _forbidden()
    if denied:
        return denied
    try:
        ctx = checks.Context(tenant=g.tenant, actor=actor())
        checks.record(ctx, item, reached=request.form.get("reached") == "yes",
                      satisfaction=_number("satisfaction", int),
                      handling_confirmed=_yes_no("handling_confirmed"),
                      callback_confirmed=_yes_no("callback_confirmed"),
                      findings=(request.form.get("findings") or "")[:4000])
        db.session.commit()
    except DomainError as err:
        refused(err)
    return redirect(url_for("web.show_spot_check", draw_id=draw_id) + f"#item-{item_id}")


@bp.app_template_global("may_spot_check")
def may_spot_check():
    return current_user.is_authenticated and can(current_user.staff, "spotcheck.view")
