"""Issue #12 item 9: headers on every response, and configurations refused at start."""
import os
import re
import stat

import pytest

from core import create_app
from core.config import ConfigError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE_DIRS = [os.path.join(ROOT, "platform", "core", "templates"),
                 os.path.join(ROOT, "platform", "tenants", "templates")]


@pytest.fixture
def bare_env(tmp_path, monkeypatch):
    """A fresh instance folder, no configuration from the environment."""
    monkeypatch.setenv("SHOUWEN_INSTANCE_PATH", str(tmp_path))
    for name in ("SHOUWEN_SECRET_KEY", "SHOUWEN_NOW", "SHOUWEN_ENV", "SHOUWEN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


# -- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/t/demo-hotel/login", "/api/v1/openapi.json",
                                  "/platform/login", "/t/no-such-tenant/", "/signup",
                                  "/static/app.css"])
def test_every_response_forbids_framing_and_carries_a_policy(client, path):
    res = client.get(path)
    policy = res.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, (path, res.status_code)
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert res.headers["X-Frame-Options"] == "DENY"
    assert res.headers["X-Content-Type-Options"] == "nosniff"


def test_a_page_style_block_carries_the_nonce_of_its_own_response(web_login):
    me = web_login("demo-hotel", "admin")
    res = me.get("/register")
    assert res.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", res.headers["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in res.get_data(as_text=True)
    again = me.get("/register")
    assert nonce not in again.headers["Content-Security-Policy"]       # one per response


def test_templates_hold_no_inline_script_handler_or_unmarked_style():
    """What the policy would block in a browser: inline handlers, inline scripts, style
    attributes and <style> blocks without the nonce."""
    found = []
    for top in TEMPLATE_DIRS:
        for folder, _, files in os.walk(top):
            for name in files:
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                for pattern in (r"\son[a-z]+\s*=", r"<script(?![^>]*\ssrc=)[^>]*>",
                                r"\sstyle\s*=", r"<style(?![^>]*nonce=)[^>]*>",
                                r"javascript:"):
                    found += [(name, m.group(0)) for m in re.finditer(pattern, text)]
    assert found == []


# -- configuration ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Production", "prod", "PRODUCTION", "", "staging"])
def test_an_unknown_environment_name_refuses_to_start(bare_env, value):
    with pytest.raises(ConfigError, match="SHOUWEN_ENV must be one of development, production"):
        create_app({"SHOUWEN_ENV": value, "SECRET_KEY": "k" * 32})


def test_the_command_line_says_why_it_refuses_without_a_traceback(bare_env, monkeypatch):
    import subprocess
    import sys
    env = dict(os.environ, SHOUWEN_ENV="Production", SHOUWEN_INSTANCE_PATH=str(bare_env),
               PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "platform"), ROOT]))
    out = subprocess.run([sys.executable, "-m", "core.cli", "init-db"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "SHOUWEN_ENV must be one of development, production" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("key", ["x", "k" * 31, "密钥" * 5])          # 30 bytes in UTF-8
def test_production_refuses_a_short_secret_key(bare_env, monkeypatch, key):
    monkeypatch.setenv("SHOUWEN_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        create_app({"SHOUWEN_ENV": "production"})
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        create_app({"SHOUWEN_ENV": "production", "SECRET_KEY": key})


def test_production_accepts_a_32_byte_key_and_development_any(bare_env, monkeypatch):
    monkeypatch.setenv("SHOUWEN_SECRET_KEY", "k" * 32)
    app = create_app({"SHOUWEN_ENV": "production"})
    assert app.config["SECRET_KEY"] == "k" * 32
    res = app.test_client().get("/")
    assert res.headers["Strict-Transport-Security"].startswith("max-age=")
    monkeypatch.setenv("SHOUWEN_SECRET_KEY", "x")
    assert create_app().config["SECRET_KEY"] == "x"


def test_the_sqlite_file_is_created_readable_by_its_owner_only(bare_env):
    old = os.umask(0o022)                       # the usual umask: files 0644
    try:
        app = create_app({"SECRET_KEY": "k" * 32})
        with app.app_context():
            from core.db import upgrade
            upgrade()
    finally:
        os.umask(old)
    for name in ("shouwen.db", "shouwen.db-wal", "shouwen.db-shm"):
        path = bare_env / name
        if name == "shouwen.db" or path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_an_existing_sqlite_file_keeps_its_mode(bare_env):
    path = bare_env / "shouwen.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    create_app({"SECRET_KEY": "k" * 32})
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_demo_is_refused_in_production_unless_forced(bare_env):
    from sqlalchemy import inspect

    from core.extensions import db
    app = create_app({"SHOUWEN_ENV": "production", "SECRET_KEY": "k" * 32})
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "--no-samples"])
    assert refused.exit_code != 0
    assert "refused in production" in refused.output and "--force" in refused.output
    with app.app_context():
        assert "staff" not in inspect(db.engine).get_table_names()      # nothing was made
    forced = runner.invoke(args=["demo", "--no-samples", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "created demo-hotel" in forced.output
