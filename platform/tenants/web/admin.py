"""Tenant administration shell (``/t/<slug>/admin/``), departments and settings.

Every view looks the object up first (another tenant's id is a plain 404), then asks
``core.tenancy.permissions``; the changes themselves are domain functions in
``tenants.administration``.  Policy and calendar pages live in their own modules
(``admin/policy``, ``admin/calendar``).
"""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.i18n import LANGUAGES
from core.tenancy.models import Department
from core.tenancy.permissions import can, require
from core.tenancy.scoping import get_or_404
from core.web import actor, lang, refused
from tenants import administration
from tenants.admin_schemas import DepartmentIn, SettingsIn
from tenants.web import bp
from tenants.web.admin_text import form_errors

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
REPORT_FREQUENCY_NAMES = {"off": _l("Off"), "weekly": _l("Weekly"), "monthly": _l("Monthly"),
                          "quarterly": _l("Quarterly")}


@bp.app_template_global("may_administer")
def may_administer():
    return current_user.is_authenticated and can(current_user.staff, "admin.open")


@bp.get("/admin/")
def admin_home():
    require(actor(), "admin.open")
    return render_template("web/admin/home.html")


# -- departments ----------------------------------------------------------------------------

def _matter_types(policy):
    return list(policy["matter_types"])


def _department_form(dept):
    return {"code": dept.code, "name_zh": dept.name_zh, "name_en": dept.name_en,
            "duties_zh": dept.duties_zh, "duties_en": dept.duties_en,
            "location": dept.location, "phone": dept.phone}, list(dept.matter_types or [])


def _department_data(form):
    data = {k: form.get(k, "") for k in ("code", "name_zh", "name_en", "duties_zh",
                                         "duties_en", "location", "phone")}
    data["matter_types"] = form.getlist("matter_types")
    return data


@bp.get("/admin/departments")
def admin_departments():
    require(actor(), "department.manage")
    rows = db.session.scalars(select(Department).order_by(Department.active.desc(),
                                                          Department.code)).all()
    return render_template("web/admin/departments.html", rows=rows,
                           policy=administration.current_policy())


def _render_department(dept, errors, form, checked, status=200):
    return render_template("web/admin/department.html", dept=dept, errors=errors, form=form,
                           checked=checked, policy=administration.current_policy()), status


@bp.route("/admin/departments/new", methods=["GET", "POST"])
def admin_new_department():
    require(actor(), "department.manage")
    if request.method == "GET":
        return _render_department(None, {}, {}, [])
    policy = administration.current_policy()
    form = _department_data(request.form)
    try:
        data = DepartmentIn(matter_types=_matter_types(policy)).load(form)
        if not data.get("code"):
            raise ValidationError({"code": ["Missing data for required field."]})
        dept = administration.create_department(data)
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        return _render_department(None, _errors(err), form, form["matter_types"], 422)
    flash(_("Department %(name)s created.", name=dept.name(lang())), "ok")
    return redirect(url_for("admin.admin_departments"))


@bp.route("/admin/departments/<int:department_id>", methods=["GET", "POST"])
def admin_department(department_id):
    dept = get_or_404(Department, id=department_id)
    require(actor(), "department.manage")
    if request.method == "GET":
        form, checked = _department_form(dept)
        return _render_department(dept, {}, form, checked)
    policy = administration.current_policy()
    form = _department_data(request.form)
    form.pop("code")                                # the code never changes
    try:
        data = DepartmentIn(matter_types=_matter_types(policy)).load(form)
        administration.update_department(dept, data)
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        form["code"] = dept.code
        return _render_department(dept, _errors(err), form, form["matter_types"], 422)
    flash(_("Department %(name)s saved.", name=dept.name(lang())), "ok")
    return redirect(url_for("admin.admin_departments"))


@bp.post("/admin/departments/<int:department_id>/active")
def admin_department_active(department_id):
    dept = get_or_404(Department, id=department_id)
    require(actor(), "department.manage")
    active = request.form.get("active") == "1"
    try:
        administration.set_department_active(dept, active)
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("admin.admin_departments"))
    flash(_("Department %(name)s reactivated.", name=dept.name(lang())) if active else
          _("Department %(name)s deactivated: it is no longer offered for new contacts and "
            "handovers; its history stays.", name=dept.name(lang())), "ok")
    return redirect(url_for("admin.admin_departments"))


def _errors(err):
    if isinstance(err, ValidationError):
        return form_errors(err.messages)
    return form_errors(err.fields) or {"_": err.message.get(lang(), "")}


# -- settings -------------------------------------------------------------------------------

@bp.route("/admin/settings", methods=["GET", "POST"])
def admin_settings():
    require(actor(), "tenant.settings")
    tenant = g.tenant
    errors = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("name", "timezone", "default_language",
                                                     "ref_prefix", "report_frequency",
                                                     "report_day", "report_time")}
        form["languages"] = request.form.getlist("languages")
        try:
            # A report field left out of the post keeps its value (older forms, scripts).
            data = SettingsIn().load({k: v for k, v in form.items()
                                      if v != "" or not k.startswith("report_")})
            administration.update_settings(tenant, data)
            db.session.commit()
            flash(_("Settings saved."), "ok")
            return redirect(url_for("admin.admin_settings"))
        except ValidationError as err:
            db.session.rollback()
            errors = form_errors(err.messages)
    else:
        form = {"name": tenant.name, "timezone": tenant.timezone,
                "languages": list(tenant.languages or LANGUAGES),
                "default_language": (tenant.languages or ["zh"])[0],
                "ref_prefix": tenant.ref_prefix, "report_frequency": tenant.report_frequency,
                "report_day": tenant.report_day, "report_time": tenant.report_time}
    return render_template("web/admin/settings.html", form=form, errors=errors,
                           languages=LANGUAGES, language_names=LANGUAGE_NAMES,
                           frequencies=REPORT_FREQUENCY_NAMES), \
        (422 if errors else 200)
