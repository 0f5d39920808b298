"""JSON API ``/api/v1``: bearer token of one staff member; errors as DESIGN.md says.

The tenant is resolved once per request from the token and put in scope for
every query (``core.tenancy.scoping``); handlers stay thin: validate, call one
domain function, serialise.
"""
from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from core import validation
from core.errors import DomainError
from core.extensions import db
from core.tenancy import tokens
from core.tenancy.scoping import enter_tenant, leave_tenant

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = {"api.openapi"}


def error(status, code, message, fields=None, **extra):
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return jsonify({"error": body}), status


def language():
    return "zh" if request.accept_languages.best_match(["en", "zh"]) == "zh" else "en"


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    found = tokens.authenticate(token)
    if found is None:
        return error(401, "unauthorized", "A valid bearer token is required.")
    g.tenant, g.actor = found
    if g.tenant.status != "active":
        return error(403, "tenant_suspended",
                     "This organisation's account is suspended; contact the Shouwen operator.")
    g.tenant_tokens = enter_tenant(g.tenant.id)
    return None


@bp.teardown_request
def release(exc):
    tokens_ = g.pop("tenant_tokens", None)
    if tokens_ is not None:
        leave_tenant(tokens_)


@bp.errorhandler(ValidationError)
def on_validation(err):
    db.session.rollback()
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return error(422, "invalid", "The request has invalid fields.", messages)


@bp.errorhandler(DomainError)
def on_domain(err):
    if getattr(err, "keep", False):
        db.session.commit()      # the refused attempt stays on record
    else:
        db.session.rollback()
    return error(err.status, err.code, err.message.get(language(), err.message.get("en", "")),
                 err.fields, messages=err.message, **err.details)


@bp.errorhandler(HTTPException)
def on_http(err):
    db.session.rollback()
    body, status = error(err.code, err.name.lower().replace(" ", "_"), err.description)
    # A 405 names the methods the URL allows (RFC 9110), as werkzeug's own answer does.
    allowed = getattr(err, "valid_methods", None)
    if allowed:
        body.headers["Allow"] = ", ".join(sorted(allowed))
    return body, status


@bp.errorhandler(Exception)
def on_unexpected(err):
    """A bug: logged with its traceback, answered in the API's format (tests see it raise)."""
    if current_app.testing:
        raise err
    db.session.rollback()
    current_app.logger.exception("unexpected error in %s %s", request.method, request.path)
    return error(500, "internal_error", "Something went wrong on our side; it has been logged.")


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def on_unrouted(err):
    """Unknown URLs under /api/ answer in the API's error format too."""
    if request.path.startswith(bp.url_prefix + "/"):
        if isinstance(err, MethodNotAllowed) and not _routed_for_any(err.valid_methods):
            err = NotFound()
        return on_http(err)
    return err


def _routed_for_any(methods):
    """Does the path match a route for one of ``methods``?  Werkzeug answers 405 when a
    rule's pattern matched but its converter refused the value (an id beyond the id column):
    that URL names no object for any method, so it is a 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods or ():
        try:
            adapter.match(request.path, method=method)
            return True
        except RequestRedirect:          # routed (a slash to add)
            return True
        except HTTPException:
            continue
    return False


def load(schema, source=None):
    """Validate the JSON body (or query args) with ``schema``; 400 if the body is not JSON."""
    if source is None:
        try:
            data = request.get_json(silent=True)
        except RecursionError:          # absurdly nested JSON
            data = None
        if data is None:
            return _bad_json()
        if not isinstance(data, dict):
            raise ValidationError({"_schema": ["Expected a JSON object."]})
        check_json(data)
    else:
        data = source
    return schema.load(data)


def load_optional(schema):
    """For actions whose body may be left out: no body means defaults, a broken one is 400."""
    if not request.get_data(cache=True):
        return schema.load({})
    return load(schema)


def check_json(data):
    """400 for a body nested too deeply; 422 naming each string no database can store."""
    problems = validation.strings_problems(data)
    if validation.too_deep(problems):
        raise BadJSON({"zh": "请求体嵌套过深（最多 %d 层）。" % validation.MAX_JSON_DEPTH,
                       "en": validation.TOO_DEEP})
    if problems:
        raise ValidationError(problems)


class BadJSON(DomainError):
    status, code = 400, "bad_request"


def _bad_json():
    raise BadJSON({"zh": "请求体须为 JSON。", "en": "The request body must be JSON."})


from core.api import (  # noqa: E402,F401  (routes)
    assessments,
    complaints,
    contacts,
    directory,
    notifications,
    openapi,
    policy_history,
    progress,  # noqa: E402,F401  (the public look-up)
    questionnaires,
    ratings,  # the customer's rating (public) and the bad-review loop
    spot_checks,
    supervision,
)
