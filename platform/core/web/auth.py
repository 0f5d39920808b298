"""Sign-in and sign-out for one tenant's staff; failed attempts are rate-limited.

Three limits count failed sign-ins only (docs/security.md): per address and account, per
account from any address (a slow spread attack locks that account's sign-in for a while),
and per address over all accounts (password spraying).  The user name is normalised
(``core.tenancy.usernames``) before it is counted, so " hr" and "HR" are tries at "hr".
"""
from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from core.extensions import db, limiter
from core.tenancy import sessions, signin, usernames
from core.web import WebUser, actor, bp

FAILED = 401
PER_ADDRESS_AND_ACCOUNT = "5 per 15 minutes"
PER_ACCOUNT = "10 per 15 minutes"
PER_ADDRESS = "50 per 15 minutes"


def address_limit():
    """The per-address limit over all accounts: ``SHOUWEN_SIGN_IN_ADDRESS_LIMIT`` raises it
    for a site whose whole staff signs in from one address (NAT)."""
    return current_app.config.get("SHOUWEN_SIGN_IN_ADDRESS_LIMIT") or PER_ADDRESS


def limit_failed_sign_ins(realm):
    """Decorator: the three limits on a sign-in view; ``realm()`` names whose accounts
    (a tenant's, the platform's), so one tenant's "admin" is not another's."""
    def name():
        return usernames.normalise(request.form.get("username"))[:usernames.MAX_LENGTH]

    def address():
        return request.remote_addr or "-"

    keys = [(PER_ADDRESS_AND_ACCOUNT, lambda: f"{realm()}|{address()}|{name()}"),
            (PER_ACCOUNT, lambda: f"{realm()}|account|{name()}"),
            (address_limit, lambda: f"{realm()}|address|{address()}")]

    def decorate(view):
        for limit, key in keys:
            view = limiter.limit(limit, key_func=key, methods=["POST"],
                                 deduct_when=lambda response: response.status_code == FAILED
                                 )(view)
        return view
    return decorate


def safe_next(target, prefix):
    """``target`` if it is a path of this site under ``prefix``, else None: no scheme or
    host (``//``, a backslash browsers read as ``/``), no control character (CR LF would
    split the Location header)."""
    if not target or not target.startswith(prefix) or "//" in target or "\\" in target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in target):
        return None
    return target


def _tenant_realm():
    tenant = g.get("tenant")
    return "t:" + (tenant.slug if tenant else "")


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_sign_ins(_tenant_realm)
def login():
    if request.method == "POST":
        staff = signin.authenticate(request.form.get("username"),
                                    request.form.get("password") or "")
        if staff is not None:
            db.session.commit()
            login_user(WebUser(staff))
            target = safe_next(request.args.get("next"), f"/t/{g.tenant.slug}/")
            return redirect(target or url_for("web.home"))
        return render_template("web/login.html",
                               error=_("Wrong user name or password.")), FAILED
    return render_template("web/login.html", error=None)


@bp.post("/logout")
def logout():
    """Ends every session of this person, a cookie copied before included
    (core.tenancy.sessions)."""
    sessions.end_sessions(actor())
    db.session.commit()
    logout_user()
    return redirect(url_for("web.login"))
