"""Staff web interface under ``/t/<slug>/`` (server-rendered Jinja, no JS framework).

The tenant is resolved once per request from the URL (``g.tenant``) and put in
scope for every query; a signed-in session belongs to one tenant and is not
recognised under another tenant's URL.  Views stay thin: they validate with
the API's marshmallow schemas, call one domain function and render.
"""
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db, login_manager
from core.i18n import translate_error
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import enter_tenant, leave_tenant, unscoped

OPEN_ENDPOINTS = {"web.login", "web.static"}


def tenant_blueprint(name, import_name, **options):
    """A blueprint under ``/t/<slug>``: the tenant resolved once per request from the URL and
    put in scope, sign-in required (but for ``OPEN_ENDPOINTS``), refusals shown as a page.

    The staff interface (``web``) and the tenant administration (``tenants.web``) are both
    built with it, so every page under a tenant's URL is scoped the same way."""
    blueprint = Blueprint(name, import_name, url_prefix="/t/<slug>", **options)
    blueprint.url_value_preprocessor(resolve_tenant)
    blueprint.url_defaults(add_slug)
    blueprint.teardown_request(release)
    blueprint.before_request(require_login)
    blueprint.errorhandler(DomainError)(on_domain_error)
    return blueprint


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


def add_slug(endpoint, values):
    if "slug" not in values and g.get("tenant") is not None:
        values["slug"] = g.tenant.slug


def release(exc):
    scope = g.pop("tenant_tokens", None)
    if scope is not None:
        leave_tenant(scope)


def require_login():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path))
    return None


def on_domain_error(err):
    """Another tenant's object, or none at all: a plain 404; other refusals: 409 page."""
    db.session.rollback()
    return render_template("web/error.html", message=err.message.get(lang(), ""),
                           status=err.status), err.status


bp = tenant_blueprint("web", __name__)


@login_manager.user_loader
def load_user(user_id):
    """Session ids are ``"<tenant id>:<staff id>:<session generation>"``: valid only under
    that tenant's URLs and while the person's generation is unchanged (sign-out, password
    reset, deactivation... raise it: core.tenancy.sessions).  The one place a session
    becomes the current staff member."""
    tenant = g.get("tenant")
    try:
        tenant_id, staff_id, generation = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    if tenant is None or tenant.id != tenant_id or tenant.status != "active":
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.session_generation != generation:
        return None
    return WebUser(staff)


class WebUser:
    """Flask-Login's view of a staff member (kept apart from the model)."""

    is_authenticated = is_active = True
    is_anonymous = False

    def __init__(self, staff):
        self.staff = staff

    def get_id(self):
        return f"{self.staff.tenant_id}:{self.staff.id}:{self.staff.session_generation}"


def actor():
    return current_user.staff


def lang():
    return "en" if str(get_locale()) == "en" else "zh"


def refused(err):
    """Show a refused action to the person and roll back, unless the refusal's evidence must
    be kept.  A refusal worded in both languages is shown in the reader's; one that only
    names fields (an unknown department or person: one wording, the API's) shows the field
    errors, translated as on every form."""
    if getattr(err, "keep", False):
        db.session.commit()
    else:
        db.session.rollback()
    if err.fields and err.message.get("zh") == err.message.get("en"):
        for message in field_errors(err.fields).values():
            flash(message, "error")
        return
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


__all__ = ["bp", "tenant_blueprint", "actor", "lang", "refused", "field_errors", "DomainError"]

# The staff pages' routes (imported for their side effect: they add to ``bp``).
from core.web import (  # noqa: E402,F401
    account,
    assessments,
    auth,
    complaints,
    contacts,
    copies,
    dashboard,
    inbox,
    printing,
    progress,
    questionnaires,
    queues,
    ratings,
    registers,
    short_links,
    signatures,
    spot_checks,
    supervision,
    tokens,
)
