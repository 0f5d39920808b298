"""Application-level promises: layout, configuration, OpenAPI, list filters."""
import os
import subprocess
import sys

import pytest
from conftest import register

from core import create_app
from core.config import ConfigError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_stdlib_platform_is_not_shadowed_from_the_repository_root():
    out = subprocess.run([sys.executable, "-c", "import platform; print(platform.system())"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Linux"
    assert not os.path.exists(os.path.join(ROOT, "platform", "__init__.py"))


def test_fixed_clock_is_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOUWEN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SHOUWEN_NOW", "2026-10-01T09:00:00+08:00")
    monkeypatch.setenv("SHOUWEN_SECRET_KEY", "x" * 32)
    with pytest.raises(ConfigError):
        create_app({"SHOUWEN_ENV": "production"})


def test_production_needs_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOUWEN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SHOUWEN_SECRET_KEY", raising=False)
    monkeypatch.delenv("SHOUWEN_NOW", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SHOUWEN_ENV": "production"})
    app = create_app({"SHOUWEN_ENV": "production", "SECRET_KEY": "k" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]


def test_openapi_document_lists_the_routes(client):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    spec = res.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/contacts/{ref}/transfers" in spec["paths"]
    body = spec["paths"]["/contacts"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]


def test_list_filters(login, frozen):
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen("2026-11-02T10:00:00+08:00"):
        mine = register(security, matter_type="complaint")
        theirs = register(front, matter_type="complaint")
        security.post(f"/contacts/{mine['ref']}/transfers", json={"to_department": "engineering"})

        def refs(user, query):
            res = user.get("/contacts" + query)
            assert res.status_code == 200, res.get_json()
            return [c["ref"] for c in res.get_json()["items"]]

        assert refs(security, "?owner=me") == [mine["ref"]]
        assert refs(front, "?owner=me") == [theirs["ref"]]
        assert mine["ref"] in refs(front, "?department=engineering")
        assert theirs["ref"] not in refs(front, "?department=engineering")
        assert refs(front, "?state=transferred") == [mine["ref"]]
        assert security.get("/contacts?department=nowhere").status_code == 422
        assert security.get("/contacts?owner=you").status_code == 422
        page = security.get("/contacts?limit=1").get_json()
        assert len(page["items"]) == 1 and page["next"]
        rest = refs(security, f"?limit=1&before={page['next']}")
        assert rest and rest[0] != page["items"][0]["ref"]


def test_unknown_api_route_answers_json(login):
    user = login("demo-bank", "counter")
    res = user.get("/nothing-here")
    assert res.status_code == 404 and res.get_json()["error"]["code"] == "not_found"


def test_the_openapi_document_covers_every_api_route(app, client):
    """Every /api/v1 route a client can call is in the document, with its method."""
    import re
    spec = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            documented = {re.sub(r"\{[^}]+\}", "{}", p): ops
                          for p, ops in spec["paths"].items()}
            if method.lower() not in documented.get(re.sub(r"\{[^}]+\}", "{}", path), {}):
                missing.append(f"{method} {path}")
    assert not missing, missing
    registered = spec["paths"]["/contacts"]["post"]["responses"]
    assert "query_code" in str(registered) or "query_code" in str(spec.get("components"))
