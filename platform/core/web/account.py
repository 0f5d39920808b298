"""The staff member's own account page: who they are signed in as, and "sign out
everywhere" (every other session of theirs ends; this one goes on)."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_user

from core.extensions import db
from core.tenancy import sessions
from core.tenancy.permissions import require
from core.web import WebUser, actor, bp


@bp.get("/account")
def account():
    require(actor(), "account.manage_own")
    return render_template("web/account.html", me=actor())


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    me = actor()
    require(me, "account.manage_own")
    sessions.end_sessions(me)
    db.session.commit()
    login_user(WebUser(me))              # this session carries the new generation
    flash(_("Every other session of yours has ended: other browsers and devices must "
            "sign in again."), "ok")
    return redirect(url_for("web.account"))
