"""The platform operator's pages at ``/platform/``: tenants, usage counts, suspension.

An operator session is its own session key (``operator_id``), unknown to Flask-Login's
tenant sessions, so it opens no ``/t/<slug>/`` page and no API call.  The list shows
aggregate counts only (``tenants.operators.usage``), never a contact.
"""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Tenant
from core.tenancy.sessions import end_sessions
from core.tenancy.scoping import unscoped
from core.web.auth import FAILED, limit_failed_sign_ins
from tenants import operators

bp = Blueprint("platform", __name__, url_prefix="/platform")
KEY = "operator_id"
GENERATION = "operator_generation"


def current_operator():
    """The signed-in operator, while their session generation is the stored one (raised
    on sign-out: core.tenancy.sessions), else None."""
    operator_id, generation = session.get(KEY), session.get(GENERATION)
    if not isinstance(operator_id, int) or not isinstance(generation, int):
        return None
    row = db.session.get(operators.PlatformOperator, operator_id)
    if row is None or not row.active or row.session_generation != generation:
        return None
    return row


def operator_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_operator() is None:
            return redirect(url_for("platform.login"))
        return view(*args, **kwargs)
    return wrapped


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_sign_ins(lambda: "platform")
def login():
    if request.method == "POST":
        row = operators.authenticate(request.form.get("username"),
                                     request.form.get("password") or "")
        if row is not None:
            db.session.commit()
            session[KEY], session[GENERATION] = row.id, row.session_generation
            return redirect(url_for("platform.tenants"))
        return render_template("platform/login.html",
                               error=_("Wrong user name or password.")), FAILED
    return render_template("platform/login.html", error=None)


@bp.post("/logout")
def logout():
    """Ends every session of this operator, a copied cookie included."""
    row = current_operator()
    if row is not None:
        end_sessions(row)
        db.session.commit()
    session.pop(KEY, None)
    session.pop(GENERATION, None)
    return redirect(url_for("platform.login"))


@bp.get("/")
@operator_required
def tenants():
    return render_template("platform/tenants.html", rows=operators.usage(),
                           operator=current_operator())


@bp.post("/tenants/<int:tenant_id>/status")
@operator_required
def set_status(tenant_id):
    status = request.form.get("status")
    if status not in operators.STATUSES:
        abort(400)
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.id == tenant_id)).first()
    if tenant is None:
        abort(404)
    operators.set_status(tenant, status)
    db.session.commit()
    flash(_("%(name)s is suspended: its staff see a notice, its API answers 403.",
            name=tenant.name) if status == "suspended" else
          _("%(name)s is active again.", name=tenant.name), "ok")
    return redirect(url_for("platform.tenants"))
