"""API tokens in the web interface: each staff member manages their own at ``/tokens``;
the administrator sees, creates and revokes everyone's at ``/admin/tokens``.

A token's plaintext is shown once, on the page that answers its creation; only its
SHA-256 is stored (``core.tenancy.tokens``).
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.tenancy import tokens
from core.tenancy.models import ApiToken, Staff
from core.tenancy.permissions import can, require
from core.tenancy.scoping import get_or_404
from core.web import actor, bp


def _rows(staff_id=None):
    query = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    if staff_id is not None:
        query = query.where(ApiToken.staff_id == staff_id)
    return db.session.scalars(query).all()


def _label():
    return (request.form.get("label") or "").strip()[:100]


@bp.get("/tokens")
def my_tokens():
    require(actor(), "token.manage_own")
    return render_template("web/tokens.html", rows=_rows(actor().id), everyone=False)


@bp.post("/tokens")
def create_my_token():
    require(actor(), "token.manage_own")
    row, plaintext = tokens.create(actor(), _label())
    db.session.commit()
    return render_template("web/token_created.html", row=row, plaintext=plaintext,
                           back=url_for("web.my_tokens"))


@bp.get("/admin/tokens")
def admin_tokens():
    require(actor(), "token.manage_all")
    staff = db.session.scalars(select(Staff).where(Staff.active).order_by(Staff.username)).all()
    return render_template("web/tokens.html", rows=_rows(), everyone=True, staff=staff)


@bp.post("/admin/tokens")
def admin_create_token():
    require(actor(), "token.manage_all")
    owner = get_or_404(Staff, username=request.form.get("username", ""), active=True)
    row, plaintext = tokens.create(owner, _label())
    db.session.commit()
    return render_template("web/token_created.html", row=row, plaintext=plaintext,
                           back=url_for("web.admin_tokens"))


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id):
    row = get_or_404(ApiToken, id=token_id)
    me = actor()
    if row.staff_id == me.id:
        require(me, "token.manage_own")
    else:
        require(me, "token.manage_all")
    tokens.revoke(row)      # revoked already (a second click, a race): 409
    db.session.commit()
    flash(_("Token %(prefix)s… revoked: it no longer works.", prefix=row.prefix), "ok")
    return redirect(url_for("web.admin_tokens") if request.form.get("back") == "all"
                    and can(me, "token.manage_all") else url_for("web.my_tokens"))
