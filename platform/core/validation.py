"""Input every database can store, checked once: text, integers, JSON bodies, the request.

PostgreSQL refuses a NUL character in text and a lone UTF-16 surrogate cannot be encoded at
all; SQLite stores both and fails later, when the value is read back or matched.  So text is
refused at the edge: by the marshmallow field :class:`Text` (a field message, 422 in the API,
a form error on the web), and before any view by :func:`guard_request`, which answers 400
when the path, the query string or a form value holds such a character (the field checks stay:
JSON bodies are not form values).  Integers that reach a query are bounded to what a
PostgreSQL ``bigint`` holds; JSON bodies are bounded in depth (and in size by
``MAX_CONTENT_LENGTH``).
"""
from flask import abort, jsonify, make_response, request
from marshmallow import ValidationError, fields
from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2 ** 63 - 1
# The id columns are INTEGER: PostgreSQL casts a bound id to it and refuses a larger one
# ("integer out of range", aborting the transaction), so ids are bounded by int4.
ID_MAX = 2 ** 31 - 1
MAX_TEXT = 10_000           # any text field without a tighter limit of its own
MAX_JSON_DEPTH = 32
NUL = "Must not contain a NUL character."
NOT_UNICODE = "Not valid Unicode text."
TOO_LONG = "Longer than %d characters."
TOO_DEEP = "The JSON body is nested more than %d levels deep." % MAX_JSON_DEPTH


def text_problem(value):
    """Why ``value`` cannot be stored as text (a message id), or None."""
    if "\x00" in value:
        return NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return NOT_UNICODE
    return None


class Text(fields.String):
    """Text that every database can store: no NUL character, valid Unicode, bounded length.

    ``max_length`` is a backstop for fields without a ``validate.Length`` of their own.
    """

    def __init__(self, *args, max_length=MAX_TEXT, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem)
        if len(value) > self.max_length:
            raise ValidationError(TOO_LONG % self.max_length)
        return value


def strings_problems(node, depth=0):
    """Messages for every string (key or value) of a JSON document that cannot be stored, and
    for nesting deeper than :data:`MAX_JSON_DEPTH`, nested as marshmallow nests its messages
    (``{"customer": {"name": [...]}}``, list items by index); the recursion stops at the
    depth limit, so a hostile document cannot exhaust the stack."""
    if depth > MAX_JSON_DEPTH:
        return {"_schema": [TOO_DEEP]}
    if isinstance(node, str):
        problem = text_problem(node)
        return {"_schema": [problem]} if problem else {}
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    problems = {}
    for key, value in items:
        if isinstance(key, str) and text_problem(key):
            problems.setdefault("_schema", []).append("A key: " + text_problem(key))
            continue
        found = strings_problems(value, depth + 1)
        if found:
            problems[key] = found["_schema"] if list(found) == ["_schema"] else found
    return problems


def too_deep(problems):
    """True when the messages of :func:`strings_problems` hold the too-deep one."""
    stack = [problems]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list) and TOO_DEEP in item:
            return True
    return False


def int_arg(args, name, minimum=1, maximum=ID_MAX):
    """An integer query parameter: None when absent or not a number (ignored, as before);
    400 when it is a number outside ``minimum..maximum`` (it would overflow the query)."""
    raw = (args.get(name) or "").strip()
    if not raw.lstrip("-").isdecimal():
        return None
    if len(raw) > 25:
        abort(400, description=f"The parameter {name} is out of range.")
    value = int(raw)
    if not minimum <= value <= maximum:
        abort(400, description=f"The parameter {name} is out of range.")
    return value


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in a URL: a number beyond an id column is no row (404), not an
    overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _request_problem():
    """Where the request carries text no database can store, or None."""
    if text_problem(request.path):
        return "path"
    for key, value in request.args.items(multi=True):
        if text_problem(key) or text_problem(value):
            return "query"
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if text_problem(key) or text_problem(value):
                return "form"
    return None


def guard_request(endpoint=None, values=None):
    """An app-wide URL value preprocessor: it runs before the blueprints' (which look the
    tenant up by its slug) and before every ``before_request``."""
    where = _request_problem()
    if where is None:
        return
    message = f"The request's {where} contains a NUL character or invalid text."
    if request.path.startswith("/api/"):
        body = {"code": "bad_request", "message": message, "fields": {where: [NUL]}}
        abort(make_response(jsonify({"error": body}), 400))
    abort(400, description=message)


def init_app(app):
    """Before anything else: bounded ``<int:>`` URLs (before routes are added) and the guard."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_value_preprocessor(guard_request)
