"""Concurrency on a real PostgreSQL: N requests released together by a barrier.

The normal fixtures run each test inside one rolled-back transaction, which cannot show two
transactions racing.  :class:`ConcurrentApp` is the app against a database of its own, with
a pooled engine and committed data (migrated, demo tenants seeded), and
:meth:`ConcurrentApp.together` runs N calls on N threads, each with its own test client
(its own request, app context, session and pooled connection), released at once by a
``threading.Barrier``.
"""
import os
import re
import tempfile
import threading
from collections import Counter

from sqlalchemy import func, select

from core import create_app
from core.extensions import db
from core.policy import versions as policies
from core.tenancy import tokens
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

N = 20


class Api:
    """One bearer token; every call opens its own test client (one per thread)."""

    def __init__(self, app, token):
        self.app, self.token = app, token

    def call(self, method, path, json=None, **kw):
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return self.app.test_client().open("/api/v1" + path, method=method, headers=headers,
                                           json=json, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json if json is not None else {}, **kw)


class Web:
    """One signed-in browser session; :meth:`clone` gives another client with its cookies."""

    def __init__(self, app, slug, cookies, csrf):
        self.app, self.slug, self.cookies, self.csrf = app, slug, cookies, csrf

    def client(self):
        client = self.app.test_client()
        for name, value in self.cookies.items():
            client.set_cookie(name, value)
        return client

    def post(self, path, data=None):
        return self.client().post(f"/t/{self.slug}{path}",
                                  data={"csrf_token": self.csrf, **(data or {})})


class ConcurrentApp:
    def __init__(self, url):
        previous = os.environ.get("SHOUWEN_INSTANCE_PATH")
        os.environ["SHOUWEN_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="shouwen-conc-")
        try:
            self.app = create_app({
                "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-only-key",
                "SHOUWEN_JOBS": "eager", "RATELIMIT_ENABLED": False,
                # every thread holds a connection while it waits for a row lock
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": N + 5, "max_overflow": 5,
                                              "pool_timeout": 60, "pool_pre_ping": True}})
        finally:
            if previous is None:
                os.environ.pop("SHOUWEN_INSTANCE_PATH", None)
            else:
                os.environ["SHOUWEN_INSTANCE_PATH"] = previous
        policies.clear_cache()
        with self.app.app_context():
            from flask_migrate import upgrade

            from tenants import demo
            upgrade()
            demo.seed()
            db.session.remove()

    def close(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        policies.clear_cache()

    # -- setting the scene (committed, before the barrier) ----------------------------------

    def tenant_id(self, slug):
        with self.app.app_context(), unscoped():
            return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))

    def api(self, slug, username):
        with self.app.app_context(), tenant_scope(self.tenant_id(slug)):
            staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
            _, token = tokens.create(staff, "concurrency")
            db.session.commit()
        return Api(self.app, token)

    def web(self, slug, username):
        from tenants.demo import DEMO_PASSWORD
        client = self.app.test_client()
        page = client.get(f"/t/{slug}/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        res = client.post(f"/t/{slug}/login", data={"username": username,
                                                    "password": DEMO_PASSWORD,
                                                    "csrf_token": csrf})
        assert res.status_code == 302, res.get_data(as_text=True)[:300]
        page = client.get(f"/t/{slug}/").get_data(as_text=True)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        cookies = {c.key: c.value for c in client._cookies.values()}
        return Web(self.app, slug, cookies, csrf)

    def count(self, slug, model, *where):
        with self.app.app_context(), tenant_scope(self.tenant_id(slug)):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

    def rows(self, slug, query):
        with self.app.app_context(), tenant_scope(self.tenant_id(slug)):
            found = db.session.execute(query).all()
            db.session.rollback()
            return found

    # -- the race -----------------------------------------------------------------------------

    @staticmethod
    def together(calls, timeout=60):
        """Run each call on its own thread, all released at once; returns their responses
        in order (an exception raised by a call is re-raised here)."""
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(i, call):
            barrier.wait()
            try:
                results[i] = call()
            except BaseException as exc:    # noqa: BLE001 (re-raised below, in the test)
                results[i] = exc

        threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
        assert not any(t.is_alive() for t in threads), "a request hung"
        for r in results:
            if isinstance(r, BaseException):
                raise r
        return results


def statuses(responses):
    """``Counter`` of status codes, e.g. ``{201: 1, 409: 19}``."""
    return Counter(r.status_code for r in responses)
