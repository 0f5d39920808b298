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


def strings_problems(node, path="", depth=0):
    """{dotted path: [message]} for every string (key or value) of a JSON document that
    cannot be stored, and for nesting deeper than :data:`MAX_JSON_DEPTH` (the recursion stops
    there, so a hostile document cannot exhaust the stack)."""
    problems = {}
    if depth > MAX_JSON_DEPTH:
        return {path or "_schema": [TOO_DEEP]}
    if isinstance(node, str):
        problem = text_problem(node)
        if problem:
            problems[path or "_schema"] = [problem]
    elif isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            problem = text_problem(key) if isinstance(key, str) else None
            if problem:
                problems[_safe(here)] = ["Key: " + problem]
                continue
            problems.update(strings_problems(value, here, depth + 1))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            problems.update(strings_problems(value, f"{path}.{index}" if path else str(index),
                                             depth + 1))
    return problems


def _safe(path):
    return path.replace("\x00", "\\0").encode("utf-8", "backslashreplace").decode("utf-8")


def int_arg(args, name, minimum=1, maximum=BIGINT_MAX):
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
    """``<int:...>`` in a URL: a number beyond a bigint is no row (404), not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", BIGINT_MAX)
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
