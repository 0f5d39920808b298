"""The customer's progress look-up in JSON, for a kiosk or an app:
``GET /api/v1/public/<slug>/progress?ref=&code=`` without a token.

The same input rules, limits and answers as the page ``/t/<slug>/progress``
(core.web.progress): every failed look-up is the same 404.
"""
from flask import g, jsonify, make_response, request
from flask_babel import force_locale
from marshmallow import Schema, ValidationError, fields, pre_load, validate
from sqlalchemy import select

from core.api import PUBLIC, bp, error
from core.extensions import db
from core.progress import codes as progress
from core.progress.limits import limited
from core.validation import Text
from core.progress.view import customer_view, local_iso
from core.tenancy.models import Tenant
from core.tenancy.scoping import enter_tenant, unscoped

REF = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9\-]*$",
                      error="Letters, digits and hyphens only, as on your receipt.")
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$",
                       error="Letters and digits only, as on your receipt.")


class ProgressQueryIn(Schema):
    """A reference number and its query code (or the last four phone digits)."""
    ref = Text(required=True, validate=[validate.Length(min=1, max=40), REF])
    code = Text(required=True, validate=[validate.Length(min=4, max=12), CODE])

    @pre_load
    def strip(self, data, **kwargs):
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def tenant_for(slug):
    """The tenant of a public URL (platform work: no tenant in scope yet), or None."""
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()


def enter_public_tenant(slug):
    """``(tenant, None)`` for an active tenant's public URL, entered for this request (left
    by the API's teardown), else ``(None, the 404 or 403 answer)``: every public route."""
    tenant = tenant_for(slug)
    if tenant is None:
        return None, error(404, "not_found", "No organisation at this address.")
    if tenant.status != "active":
        return None, error(403, "tenant_suspended",
                           "This organisation's account is suspended; its pages cannot be "
                           "opened.")
    g.tenant = tenant
    g.tenant_tokens = enter_tenant(tenant.id)
    return tenant, None


def too_many(limit):
    """The public routes' 429 (core.progress.limits)."""
    return make_response(error(429, "too_many_requests",
                               "Too many look-ups from here or for this reference; "
                               "try again later."))


@bp.get("/public/<slug>/progress")
@limited(["GET"], too_many)
def public_progress(slug):
    tenant, refused = enter_public_tenant(slug)
    if refused:
        return refused
    try:
        data = ProgressQueryIn().load({k: request.args.get(k, "") for k in ("ref", "code")})
    except ValidationError as err:
        return error(422, "invalid", "The request has invalid fields.", err.messages)
    lang = "en" if request.args.get("lang") == "en" or (
        request.args.get("lang") != "zh"
        and request.accept_languages.best_match(["zh", "en"]) == "en") else "zh"
    contact = progress.look_up(data["ref"], data["code"])      # NoMatch: the API's 404
    with force_locale(lang):
        view = customer_view(tenant, contact, lang)
    for key in ("registered_at", "closed_at"):
        view[key] = local_iso(view[key], tenant)
    if view["due"]:
        view["due"]["at"] = local_iso(view["due"]["at"], tenant)
    for item in view["timeline"]:
        item["at"] = local_iso(item["at"], tenant)
    from core.api.ratings import rating_json       # ratings imports this module
    view["rating"] = rating_json(view["rating"], tenant)
    for item in view["complaints"]:
        for key in ("received_at", "handled_at"):
            item[key] = local_iso(item[key], tenant)
    view["language"] = lang
    response = jsonify(view)
    response.headers["Cache-Control"] = "no-store"
    return response


PUBLIC.add("api.public_progress")
