"""Every route of the app (listed from ``app.url_map``) is sent text no database can store,
numbers beyond a bigint, bodies nested too deeply and broken JSON: none may answer 500.

Run on SQLite and PostgreSQL (PostgreSQL refuses NUL in text, SQLite stores it); the app runs
with TESTING on, so an error inside a view escapes as an exception, caught here as a 500.
"""
import json
import re
from urllib.parse import quote, urlencode

import pytest

from core.extensions import db
from core.validation import MAX_JSON_DEPTH

NUL = "a\x00b"
HUGE = str(10 ** 20)
LONG = "长" * 20_000
FORM_FIELDS = (
    "username", "password", "password_confirm", "name", "name_zh", "name_en", "code", "url",
    "description", "note", "text", "summary", "ref", "label", "reason", "decision", "findings",
    "day", "year", "holidays", "makeup_days", "working", "timezone", "ref_prefix", "slug",
    "organisation", "pack", "email", "phone", "department", "title", "role", "rank", "channel",
    "matter_type", "next", "month", "topics", "status", "back", "location", "duties_zh",
    "languages", "default_language", "report_time", "report_day", "departments", "active")
QUERY_FIELDS = ("org", "to", "ref", "code", "lang", "next", "department", "status", "state",
                "owner", "period", "at", "from", "group_by", "unread", "decide", "q", "pack")
INT_QUERY = ("before", "after", "limit", "number", "seed", "year")
PATH_VALUES = {"slug": "demo-hotel", "ref": "HT-0000", "action": "handle", "form":
               "complaint_slip", "key": "mine", "token": "x", "fmt": "csv"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _path(rule, replace=None):
    """The rule's URL with plausible arguments, or with ``replace(name, converter)``'s."""
    def value(match):
        conv, name = match.group(1), match.group(2)
        if replace is not None:
            found = replace(name, conv)
            if found is not None:
                return quote(found, safe="")
        if conv and conv.startswith("int"):
            return "1"
        if conv and conv.startswith("any"):
            return "csv"
        return PATH_VALUES.get(name, "x")
    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", value, rule.rule)


class Caller:
    """One request per probe; an escaping exception is recorded as a 500."""

    def __init__(self, app, client, token, csrf):
        self.app, self.client, self.token, self.csrf = app, client, token, csrf
        self.failures = []

    def __call__(self, rule, method, url, **kw):
        headers = kw.pop("headers", {})
        if url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        if "data" in kw and isinstance(kw["data"], dict):
            kw["data"] = dict(kw["data"], csrf_token=self.csrf)
        try:
            res = self.client.open(url, method=method, headers=headers, **kw)
            status = res.status_code
        except Exception as exc:     # noqa: BLE001  (an escaping error is the 500 under test)
            db.session.rollback()
            status = f"500 {exc!r:.200}"
        if not isinstance(status, int) or status >= 500:
            self.failures.append((method, url[:120], status))
        return status


@pytest.fixture
def call(app, login, web_login):
    web = web_login("demo-hotel", "admin")
    api = login("demo-hotel", "admin")
    html = web.client.get("/t/demo-hotel/").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return Caller(app, web.client, api.token, csrf)


def _skip(rule):
    return rule.endpoint.endswith("logout")


def test_nul_in_every_path_argument_is_no_500(app, call):
    for rule, method in _rules(app):
        if rule.arguments and not _skip(rule):
            call(rule, method, _path(rule, lambda name, conv: NUL))
    assert call.failures == []


def test_nul_in_the_path_answers_400(app, call, client):
    assert client.get("/t/a%00b/login").status_code == 400
    assert client.get("/?org=a%00b").status_code == 400
    res = client.get("/api/v1/public/demo-hotel/progress?ref=a%00b&code=1234")
    assert res.status_code == 400 and res.get_json()["error"]["fields"] == {
        "query": ["Must not contain a NUL character."]}


def test_huge_numbers_in_every_path_argument_are_404(app, call):
    for rule, method in _rules(app):
        if any(conv == "IntegerConverter" or conv == "BoundedIntConverter"
               for conv in (type(c).__name__ for c in rule._converters.values())):
            status = call(rule, method, _path(rule, lambda name, conv: HUGE if conv and
                                                conv.startswith("int") else None))
            assert status in (400, 404, 405), (rule.rule, method, status)
    assert call.failures == []


@pytest.mark.parametrize("query", [
    {name: NUL for name in QUERY_FIELDS + INT_QUERY},
    {name: HUGE for name in INT_QUERY},
    {name: "-" + HUGE for name in INT_QUERY},
    {name: LONG[:2000] for name in QUERY_FIELDS},   # (servers cap a URL at a few KB)
], ids=["nul", "huge", "negative", "long"])
def test_bad_query_strings_on_every_route_are_no_500(app, call, query):
    for rule, method in _rules(app):
        if not _skip(rule):
            call(rule, method, _path(rule) + "?" + urlencode(query))
    assert call.failures == []


@pytest.mark.parametrize("value", [NUL, LONG, HUGE], ids=["nul", "long", "huge"])
def test_bad_form_values_on_every_route_are_no_500(app, call, value):
    for rule, method in _rules(app):
        if method == "POST" and not rule.rule.startswith("/api/") and not _skip(rule):
            call(rule, method, _path(rule), data={name: value for name in FORM_FIELDS})
            call.client.get("/t/demo-hotel/")   # (a probe may end the session: no matter)
    assert call.failures == []


def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("body", [
    json.dumps({name: NUL for name in FORM_FIELDS}),
    '{"summary": "\\ud800", "name": "\\udfff", "customer": {"name": "\\ud800x"}, '
    '"wording": {"banned_phrases": ["\\ud800"]}}',
    '{"wording": {"banned_phrases": ["a\\u0000b"]}, "text": "ok"}',
    '{"wording": ' + _nested(MAX_JSON_DEPTH + 5) + "}",
    _nested(100_000),
    '{"summary": ',
    json.dumps({name: LONG for name in FORM_FIELDS}),
    json.dumps({name: 10 ** 20 for name in FORM_FIELDS + INT_QUERY}),
], ids=["nul", "surrogates", "nul-in-policy", "deep", "very-deep", "broken", "long", "huge"])
def test_bad_json_bodies_on_every_api_route_are_no_500(app, call, body):
    for rule, method in _rules(app):
        if rule.rule.startswith("/api/") and method in ("POST", "PATCH"):
            status = call(rule, method, _path(rule), data=body.encode("utf-8"),
                          content_type="application/json")
            assert status in (400, 401, 403, 404, 405, 409, 413, 422), (rule.rule, status)
    assert call.failures == []
