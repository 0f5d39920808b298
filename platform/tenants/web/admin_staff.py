"""Staff administration: accounts, roles and ranks, deactivation, set-password links.

A set-password link is one-time and expires (``core.tenancy.password_links``); the page shows
it once for the administrator to copy and hand over.  The set-password page itself
(``/t/<slug>/password/<token>``) is open: the link is the credential.
"""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db, limiter
from core.tenancy import password_links
from core.tenancy.models import Department, Staff
from core.tenancy.passwords import hash_password
from core.tenancy.permissions import require
from core.tenancy.scoping import get_or_404
from core.web import OPEN_ENDPOINTS, actor, refused
from tenants import administration
from tenants.admin_schemas import NewPasswordIn, StaffIn
from tenants.web import bp
from tenants.web.admin import _errors
from tenants.web.admin_text import form_errors

FIELDS = ("username", "name", "department", "role", "title", "rank", "email", "phone")


def _departments():
    return db.session.scalars(select(Department).order_by(Department.active.desc(),
                                                          Department.code)).all()


def _schema(policy, departments):
    return StaffIn(titles=[r["key"] for r in policy["roles"]],
                   departments=[d.code for d in departments])


def _form_data(form, policy):
    data = {k: form.get(k, "") for k in FIELDS}
    role = next((r for r in policy["roles"] if r["key"] == data["title"]), None)
    # an empty role or rank takes the pack's default for the chosen title
    if not data["role"] and role:
        data["role"] = role["permission"]
    if data["rank"] == "" and role:
        data["rank"] = str(role["rank"])
    return data


def _render(staff, form, errors, status=200):
    departments = _departments()
    return render_template("web/admin/staff_member.html", staff=staff, form=form, errors=errors,
                           departments=departments,
                           policy=administration.current_policy()), status


@bp.get("/admin/staff")
def admin_staff():
    require(actor(), "staff.manage")
    rows = db.session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.username)).all()
    policy = administration.current_policy()
    return render_template("web/admin/staff.html", rows=rows,
                           titles={r["key"]: r["name"] for r in policy["roles"]},
                           pending=password_links.pending([s.id for s in rows]))


@bp.route("/admin/staff/new", methods=["GET", "POST"])
def admin_new_staff():
    require(actor(), "staff.manage")
    if request.method == "GET":
        return _render(None, {}, {})
    policy = administration.current_policy()
    form = _form_data(request.form, policy)
    try:
        data = _schema(policy, _departments()).load(form)
        if not data.get("username"):
            raise ValidationError({"username": ["Missing data for required field."]})
        staff = administration.create_staff(data)
        link = _issue(staff, "invite")
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        return _render(None, form, _errors(err), 422)
    return _show_link(staff, link)


@bp.route("/admin/staff/<int:staff_id>", methods=["GET", "POST"])
def admin_staff_member(staff_id):
    staff = get_or_404(Staff, id=staff_id)
    require(actor(), "staff.manage")
    if request.method == "GET":
        form = {k: getattr(staff, k) for k in FIELDS if k != "department"}
        form["department"] = staff.department.code if staff.department else ""
        return _render(staff, form, {})
    policy = administration.current_policy()
    form = _form_data(request.form, policy)
    form.pop("username")                        # the user name stays (sign-in, API history)
    try:
        data = _schema(policy, _departments()).load(form)
        administration.update_staff(staff, data, actor())
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        form["username"] = staff.username
        return _render(staff, form, _errors(err), 422)
    flash(_("%(name)s saved.", name=staff.name), "ok")
    return redirect(url_for("admin.admin_staff"))


@bp.post("/admin/staff/<int:staff_id>/active")
def admin_staff_active(staff_id):
    staff = get_or_404(Staff, id=staff_id)
    require(actor(), "staff.manage")
    active = request.form.get("active") == "1"
    try:
        administration.set_staff_active(staff, active, actor())
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("admin.admin_staff"))
    flash(_("%(name)s can sign in again.", name=staff.name) if active else
          _("%(name)s is deactivated: cannot sign in, API tokens stop working; still shown on "
            "their contacts.", name=staff.name), "ok")
    return redirect(url_for("admin.admin_staff"))


@bp.post("/admin/staff/<int:staff_id>/password-link")
def admin_staff_link(staff_id):
    staff = get_or_404(Staff, id=staff_id)
    require(actor(), "staff.manage")
    if not staff.active:
        flash(_("Reactivate %(name)s first.", name=staff.name), "error")
        return redirect(url_for("admin.admin_staff"))
    link = _issue(staff, "reset" if staff.password_hash else "invite")
    db.session.commit()
    return _show_link(staff, link)


def _issue(staff, purpose):
    row, url = password_links.issue(
        staff, actor(), purpose,
        lambda token: url_for("admin.set_password", token=token, _external=True))
    return row, url


def _show_link(staff, link):
    row, url = link
    return render_template("web/admin/password_link.html", staff=staff, url=url, row=row)


# -- the set-password page (open: the link is the credential) -------------------------------

@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def set_password(token):
    row = password_links.find(token)
    if row is None:
        abort(404)
    staff, errors = row.staff, {}
    if request.method == "POST":
        try:
            data = NewPasswordIn(personal=(staff.username, g.tenant.slug, staff.name)).load(
                {"password": request.form.get("password", ""),
                 "password_confirm": request.form.get("password_confirm", "")})
            password_links.redeem(row, hash_password(data["password"]))
            db.session.commit()
            flash(_("Your password is set. Sign in with your user name %(username)s.",
                    username=staff.username), "ok")
            return redirect(url_for("web.login"))
        except ValidationError as err:
            db.session.rollback()
            errors = form_errors(err.messages)
    return render_template("web/set_password.html", staff=staff, row=row, errors=errors,
                           form={}), (422 if errors else 200)


OPEN_ENDPOINTS.add("admin.set_password")
