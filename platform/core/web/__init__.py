"""Staff web interface under ``/t/<slug>/`` (server-rendered Jinja, no JS framework).

The tenant is resolved once per request from the URL (``g.tenant``) and put in
scope for every query; a signed-in session belongs to one tenant and is not
recognised under another tenant's URL.  Views stay thin: they validate with
the API's marshmallow schemas, call one domain function and render.
"""
from flask import (Blueprint, abort, flash, g, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Staff, Tenant
from tenants.scoping import enter_tenant, leave_tenant, unscoped

from ..errors import DomainError
from ..i18n import translate_error
from ..extensions import db, login_manager

bp = Blueprint("web", __name__, url_prefix="/t/<slug>")
OPEN_ENDPOINTS = {"web.login", "web.static"}


@bp.url_value_preprocessor
def resolve_tenant(endpoint, values):
    slug = values.pop("slug", None)
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        abort(404)
    g.tenant = tenant
    if tenant.status != "active":
        # Said plainly to the organisation's staff (docs/administration.md); nothing inside.
        abort(make_response(render_template("public/suspended.html"), 403))
    g.tenant_tokens = enter_tenant(tenant.id)


@bp.url_defaults
def add_slug(endpoint, values):
    if "slug" not in values and g.get("tenant") is not None:
        values["slug"] = g.tenant.slug


@bp.teardown_request
def release(exc):
    tokens = g.pop("tenant_tokens", None)
    if tokens is not None:
        leave_tenant(tokens)


@bp.before_request
def require_login():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path))
    return None


@bp.errorhandler(DomainError)
def on_domain_error(err):
    """Another tenant's object, or none at all: a plain 404; other refusals: 409 page."""
    db.session.rollback()
    return render_template("web/error.html", message=err.message.get(lang(), ""),
                           status=err.status), err.status


@login_manager.user_loader
def load_user(user_id):
    """Session ids are ``"<tenant id>:<staff id>"``: valid only under that tenant's URLs."""
    tenant = g.get("tenant")
    try:
        tenant_id, staff_id = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    if tenant is None or tenant.id != tenant_id or tenant.status != "active":
        return None
    staff = db.session.get(Staff, staff_id)
    return WebUser(staff) if staff is not None and staff.active else None


class WebUser:
    """Flask-Login's view of a staff member (kept apart from the model)."""

    is_authenticated = is_active = True
    is_anonymous = False

    def __init__(self, staff):
        self.staff = staff

    def get_id(self):
        return f"{self.staff.tenant_id}:{self.staff.id}"


def actor():
    return current_user.staff


def lang():
    return "en" if str(get_locale()) == "en" else "zh"


def refused(err):
    """Show a refused action to the person (the message in their language) and roll back,
    unless the refusal's evidence must be kept."""
    if getattr(err, "keep", False):
        db.session.commit()
    else:
        db.session.rollback()
    flash(err.message.get(lang(), err.message.get("en", "")), "error")


def field_errors(messages):
    """Flatten marshmallow messages into {field: "message"} for the form."""
    out = {}
    for key, value in (messages or {}).items():
        if isinstance(value, dict):
            for sub, text in field_errors(value).items():
                out[f"{key}.{sub}"] = text
        else:
            items = value if isinstance(value, list) else [value]
            out[key] = "; ".join(translate_error(v) for v in items)
    return out


__all__ = ["bp", "actor", "lang", "refused", "field_errors", "DomainError"]

from . import (admin, admin_staff, auth, calendar_admin, contacts, policy_admin,  # noqa: E402,F401
               printing, queues, registers, supervision, tokens)  # (routes)
from . import inbox, progress, webhooks_admin  # noqa: E402,F401  (routes)
