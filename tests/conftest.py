"""Test fixtures (flaskr style: ``app``, ``client``, ``runner``) on SQLite and PostgreSQL.

The whole suite runs once per backend.  SQLite always; PostgreSQL when its
server binaries are installed (CI installs them): a real server is started for
the session.  ``SHOUWEN_TEST_DATABASES=sqlite`` limits the run.

Per backend the schema is built by the Alembic migrations and the four demo
tenants are seeded once; each test then runs inside a transaction that is
rolled back, so tests see the demo data and never each other's.
"""
import contextvars
import os
import tempfile

import pgserver
import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from core import clock, create_app
from core.extensions import db, limiter
from core.policy import versions as policies
from core.tenancy.scoping import TenantSessionMixin


class TestSession(TenantSessionMixin, Session):
    """The plain session of the tests, with the app session's tenant-keeping ``get``."""
    __test__ = False


BACKENDS = [b for b in os.environ.get(
    "SHOUWEN_TEST_DATABASES",
    "sqlite,postgresql" if pgserver.available() else "sqlite").split(",") if b]


@pytest.fixture(scope="session")
def pg_server():
    server = pgserver.PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        return "postgresql", server.create_database("shouwen_test")
    path = tmp_path_factory.mktemp("sqlite") / "shouwen.db"
    return "sqlite", f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_app(backend):
    """The app with the schema migrated and the demo tenants seeded (committed once)."""
    instance = tempfile.mkdtemp(prefix="shouwen-instance-")
    os.environ["SHOUWEN_INSTANCE_PATH"] = instance
    # Jobs run "eager": each enqueued job runs synchronously right after the commit that
    # enqueued it (core.jobs), inside the test's transaction.  Tests of the queueing itself
    # use the redis path on fakeredis with a burst RQ SimpleWorker (``rq_jobs`` in
    # tests/test_jobs.py), a real Redis server with worker processes (tests/test_jobs_faults.py)
    # or the embedded runner (tests/test_jobs_embedded.py).
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": backend[1],
                      "SECRET_KEY": "test-only-key", "SHOUWEN_JOBS": "eager",
                      # the webhook receivers of the tests listen on 127.0.0.1
                      "SHOUWEN_WEBHOOK_PRIVATE_TARGETS": "allow"})
    with app.app_context():
        from flask_migrate import upgrade

        from tenants import demo
        upgrade()
        policies.clear_cache()
        demo.seed()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(seeded_app):
    """Each test in its own transaction, rolled back afterwards (app commits become savepoints).

    Flask-SQLAlchemy's session picks engines itself, so the test session is a plain
    SQLAlchemy one bound to the outer connection, scoped like Flask-SQLAlchemy's.
    """
    with seeded_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                         expire_on_commit=False, class_=TestSession),
            scopefunc=_app_ctx_id)
        policies.clear_cache()
        seeded_app.test_client_class = IsolatedClient
        limiter.reset()                   # failed sign-ins of one test don't lock the next
        try:
            yield seeded_app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            policies.clear_cache()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and so its own ``g``), as in production,
    although the test itself runs inside an app context; other context variables (the
    frozen clock) still reach the request."""

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)
        return contextvars.copy_context().run(run)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def frozen():
    """Fix the clock: ``with frozen("2026-09-30T09:00:00+08:00"): ...``."""
    return clock.frozen


class ApiUser:
    """A staff member speaking to the API with their own bearer token."""

    def __init__(self, client, token, username, tenant):
        self.client, self.token, self.username, self.tenant = client, token, username, tenant

    def _call(self, method, path, **kw):
        headers = kw.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kw)

    def get(self, path, **kw):
        return self._call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self._call("POST", path, json=json if json is not None else {}, **kw)

    def patch(self, path, json=None, **kw):
        return self._call("PATCH", path, json=json, **kw)


@pytest.fixture
def login(app, client):
    """``login("demo-hotel", "front-office")`` -> an :class:`ApiUser` with a fresh token."""
    from sqlalchemy import select

    from core.tenancy import tokens
    from core.tenancy.models import Staff, Tenant
    from core.tenancy.scoping import tenant_scope, unscoped

    def _login(slug, username):
        with unscoped():
            tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
        with tenant_scope(tenant.id):
            staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
            _, token = tokens.create(staff, "test")
            db.session.commit()
        return ApiUser(client, token, username, slug)
    return _login


def register(user, **fields):
    """Register a contact through the API; returns the JSON (asserts 201)."""
    body = {"channel": "phone", "matter_type": "complaint", "summary": "空调不制冷",
            "customer": {"name": "赵先生", "phone": "13800000000"}}
    body.update(fields)
    res = user.post("/contacts", json=body)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def deadline(contact, kind, status=None):
    """The (single, or last) deadline of ``kind`` in a contact's JSON."""
    found = [d for d in contact["deadlines"] if d["kind"] == kind
             and (status is None or d["status"] == status)]
    assert found, f"no {kind} deadline in {[d['kind'] for d in contact['deadlines']]}"
    return found[-1]



class WebSession:
    """A browser-like session of one staff member (real sign-in form, real CSRF tokens)."""

    def __init__(self, client, slug):
        self.client, self.slug = client, slug

    def csrf(self, path):
        import re
        html = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def get(self, path, **kw):
        return self.client.get(f"/t/{self.slug}{path}", **kw)

    def post(self, path, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(f"/t/{self.slug}/"))
        return self.client.post(f"/t/{self.slug}{path}", data=data, **kw)


@pytest.fixture
def web_login(app):
    """``web_login("demo-hotel", "security")`` -> a signed-in :class:`WebSession`
    (each call gets its own cookie jar)."""
    import re

    from tenants.demo import DEMO_PASSWORD

    def _login(slug, username, password=DEMO_PASSWORD):
        client = app.test_client()
        page = client.get(f"/t/{slug}/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        res = client.post(f"/t/{slug}/login", data={"username": username, "password": password,
                                                     "csrf_token": token})
        assert res.status_code == 302, res.get_data(as_text=True)[:500]
        return WebSession(client, slug)
    return _login
