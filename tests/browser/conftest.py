"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

The app is served for the whole session by werkzeug on 127.0.0.1 (a free port) in a
daemon thread, on its own SQLite database (migrated, demo tenants seeded): the parent
conftest's per-test rolled-back transaction cannot reach a server in another thread.
Nothing here depends on the parent's ``backend`` fixture, so these tests run once, not
once per database backend.

Without ``/usr/bin/chromium`` (or ``SHOUWEN_CHROMIUM``) or without Playwright, every test
in this folder is skipped at collection with the reason, so a laptop without them still
runs the rest; in CI (``CI`` set) a missing Chromium fails them instead: .ci/run installs
Chromium and a CJK font, and ``.[test]`` the Python packages.  Never run ``playwright install``: the tests launch the system Chromium.
Set ``SHOUWEN_SCREENSHOTS=DIR`` to keep the screenshots.

This folder is a package (``__init__.py``) so that its ``conftest`` does not replace the
parent ``conftest`` module that other test files import helpers from.
"""
import functools
import importlib.util
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler

CHROMIUM = os.environ.get("SHOUWEN_CHROMIUM", "/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
PASSWORD = "shouwen-demo-2026"          # tenants.demo.DEMO_PASSWORD
REF = re.compile(r"/contacts/([A-Z]+-\d{8}-\d+)")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def _cannot_run():
    if not os.path.exists(CHROMIUM):
        return (f"browser tests need Chromium at {CHROMIUM} "
                "(apt-get install chromium fonts-wqy-zenhei, or set SHOUWEN_CHROMIUM)")
    if not all(importlib.util.find_spec(m) for m in ("playwright", "pytest_playwright", "PIL")):
        return ("browser tests need playwright, pytest-playwright and pillow "
                "(pip install -e '.[test]')")
    return None


def pytest_collection_modifyitems(config, items):
    """Skip this folder's tests when the browser cannot run, except in CI (``CI`` set), where
    .ci/run installs Chromium: there a missing browser must fail, not pass as skipped."""
    reason = _cannot_run()
    if reason is None or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


# -- the live server ---------------------------------------------------------------------

_RUNNERS = []


def pytest_runtest_teardown(item, nextitem):
    """After the last browser test, stop the live server's job runner."""
    leaving = nextitem is None or HERE not in Path(str(nextitem.path)).resolve().parents
    if leaving:
        while _RUNNERS:
            _RUNNERS.pop().stop()


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output (errors are still logged)."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the app on its own freshly migrated and seeded SQLite database."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from core import create_app
    from core.extensions import db
    from core.policy import versions as policies
    from tenants import demo, provisioning

    base = tmp_path_factory.mktemp("browser-server")
    instance = base / "instance"
    instance.mkdir()
    saved = os.environ.get("SHOUWEN_INSTANCE_PATH")
    os.environ["SHOUWEN_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'shouwen.db'}",
                          "SECRET_KEY": "browser-test-only-key",
                          "SHOUWEN_NOW": None})          # the real clock, whatever the env says
    finally:
        if saved is None:
            os.environ.pop("SHOUWEN_INSTANCE_PATH", None)
        else:
            os.environ["SHOUWEN_INSTANCE_PATH"] = saved
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        upgrade()
        policies.clear_cache()
        # argon2 at full strength takes ~0.3 s a user; every demo user has the same password,
        # so hash it once (a salted hash is valid for any user; sign-in still verifies it).
        patch.setattr(provisioning, "hash_password", functools.cache(provisioning.hash_password))
        demo.seed()
        db.session.remove()

    # As `shouwen serve` does: the in-process job runner, so notices reach the inboxes.
    # Stopped after this folder's last test (pytest_runtest_teardown below): the later tests
    # rebind ``db.session`` to their rolled-back connection, which this thread must not use.
    from core.jobs import embedded, start_embedded
    runner = start_embedded(app)
    _RUNNERS.append(runner)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="shouwen-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        runner.stop()
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        policies.clear_cache()


@pytest.fixture
def server_clock(live_server):
    """Set the live server's clock: ``server_clock("2026-05-08T15:00:00+08:00")``.

    ``core.clock`` keeps a ``SHOUWEN_NOW``-style setting in a module global, which the server
    thread shares with the test (a ``clock.frozen`` context variable would not reach it); the
    setting is restored when the test ends.  The browser's own clock is left alone: the
    server renders every time the user sees.
    """
    from core import clock

    saved = clock._configured
    yield clock.configure
    clock._configured = saved


# -- pytest-playwright settings ------------------------------------------------------------

@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright gives every context this base URL, so ``page.goto("/t/...")`` works."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    return {**browser_context_args, "base_url": base_url, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai", "viewport": {"width": 1280, "height": 900},
            "accept_downloads": True}


@pytest.fixture
def context(context):
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(page):
    """The page, failing the test on any uncaught JavaScript error."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors: {errors}"


# -- what a person does --------------------------------------------------------------------

def sign_in(page, slug, username, password=PASSWORD):
    """Open the tenant, land on its sign-in form, sign in; returns the page at "my queues"."""
    from playwright.sync_api import expect

    page.goto(f"/t/{slug}/")
    expect(page).to_have_url(re.compile(rf"/t/{slug}/login"))
    form = page.locator("main form[method=post]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/t/{slug}/(\?.*)?$"))
    expect(page.locator("header .who")).to_contain_text(f"({username})")
    return page


def sign_out(page):
    from playwright.sync_api import expect

    page.locator("header form[action$='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/t/[a-z0-9-]+/login"))
    expect(page.locator("header .who")).to_have_count(0)


def register_contact(page, summary, name="赵先生", phone="13800000000", room=None,
                     matter_type="complaint", channel="phone"):
    """Fill and submit the new-contact form; returns the new contact's reference."""
    from playwright.sync_api import expect

    page.locator("header nav a.primary").click()
    expect(page).to_have_url(re.compile(r"/contacts/new"))
    form = page.locator("form#new-contact")
    form.locator("select[name=channel]").select_option(channel)
    form.locator("select[name=matter_type]").select_option(matter_type)
    form.locator("input[name=customer_name]").fill(name)
    form.locator("input[name=customer_phone]").fill(phone)
    if room is not None:
        form.locator("input[name=customer_room]").fill(room)
    form.locator("textarea[name=summary]").fill(summary)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(REF)
    return REF.search(page.url).group(1)


def open_step(page, action):
    """The form of one allowed step on a contact page, its ``<details>`` opened."""
    from playwright.sync_api import expect

    step = page.locator(f"details#step-{action}")
    expect(step).to_have_count(1)
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    form = step.locator(f"form#action-{action}")
    expect(form).to_be_visible()
    return form
