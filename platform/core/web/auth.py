"""Sign-in and sign-out for one tenant's staff; failed attempts are rate-limited."""
from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from core import clock
from core.extensions import db, limiter
from core.tenancy.models import Staff
from core.tenancy.passwords import check_password
from core.web import WebUser, bp

FAILED = 401


def _login_key():
    """Failures count per client address, tenant and user name."""
    tenant = g.get("tenant")
    return "|".join([request.remote_addr or "-", tenant.slug if tenant else "",
                     (request.form.get("username") or "")[:64]])


def _safe_next(target):
    prefix = f"/t/{g.tenant.slug}/"
    return target if target and target.startswith(prefix) and "//" not in target else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == FAILED)
def login():
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        staff = db.session.scalars(select(Staff).where(Staff.username == username)).first()
        if staff is not None and staff.active and check_password(staff.password_hash, password):
            login_user(WebUser(staff))
            staff.last_login_at = clock.now()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("web.home"))
        error = _("Wrong user name or password.")
        return render_template("web/login.html", error=error), FAILED
    return render_template("web/login.html", error=error)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("web.login"))
