"""The platform operator: its own accounts and sign-in, tenant usage counts from one grouped
query, suspension and reactivation, and no way into any tenant's pages or API."""
import re

import pytest
from conftest import register
from sqlalchemy import event, select

from core.extensions import db
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from tenants import operators

STRONG = "granite-meadow-42-slowly"


@pytest.fixture
def operator(app):
    operators.create("ops", STRONG)
    db.session.commit()
    return "ops"


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def ops(app, operator):
    client = app.test_client()
    res = client.post("/platform/login", data={"username": "ops", "password": STRONG,
                                               "csrf_token": _csrf(client, "/platform/login")})
    assert res.status_code == 302
    return client


def _tenant(slug):
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def test_cli_creates_an_operator_with_a_strong_password(runner):
    res = runner.invoke(args=["operator", "create", "--username", "alice", "--password-stdin"],
                        input=STRONG + "\n")
    assert res.exit_code == 0, res.output
    assert operators.find("alice") is not None
    assert operators.find("alice").password_hash.startswith("$argon2id$")
    weak = runner.invoke(args=["operator", "create", "--username", "bob", "--password-stdin"],
                         input="password123\n")
    assert weak.exit_code != 0 and "password refused" in weak.output
    assert operators.find("bob") is None
    again = runner.invoke(args=["operator", "create", "--username", "alice",
                                "--password-stdin"], input=STRONG + "\n")
    assert again.exit_code != 0 and "exists" in again.output
    prompted = runner.invoke(args=["operator", "create", "--username", "carol"],
                             input=f"{STRONG}\n{STRONG}\n")
    assert prompted.exit_code == 0, prompted.output


def test_sign_in_needs_the_right_password_and_is_rate_limited(app, operator):
    client = app.test_client()
    assert client.get("/platform/").status_code == 302
    token = _csrf(client, "/platform/login")
    codes = [client.post("/platform/login", data={"username": "ops", "password": "wrong",
                                                  "csrf_token": token}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert client.get("/platform/").status_code == 302


def test_tenant_staff_are_not_operators(app, web_login):
    from tenants.demo import DEMO_PASSWORD
    staff = web_login("demo-hotel", "admin")
    assert staff.client.get("/platform/").status_code == 302
    client = app.test_client()
    res = client.post("/platform/login", data={"username": "admin", "password": DEMO_PASSWORD,
                                               "csrf_token": _csrf(client, "/platform/login")})
    assert res.status_code == 401


def test_usage_counts_come_from_one_grouped_query(app, ops, login, frozen):
    hotel = login("demo-hotel", "security")
    with frozen("2026-09-01T10:00:00+08:00"):
        register(hotel, summary="旧事项")
    with frozen("2026-11-02T10:00:00+08:00"):
        register(hotel, summary="新事项一")
        register(hotel, summary="新事项二")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with frozen("2026-11-10T10:00:00+08:00"):
            rows = {r["tenant"].slug: r for r in operators.usage()}
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    h, b = rows["demo-hotel"], rows["demo-bank"]
    assert (h["contacts"], h["contacts_30d"]) == (3, 2)
    assert (b["contacts"], b["contacts_30d"]) == (0, 0)
    with tenant_scope(_tenant("demo-hotel").id):
        from core.tenancy.models import Staff
        assert h["staff"] == len(db.session.scalars(select(Staff).where(Staff.active)).all())
    assert h["last_activity"].isoformat().startswith("2026-11-02T02:00")
    # the page shows the counts, and nothing of the contacts
    with frozen("2026-11-10T10:00:00+08:00"):
        page = ops.get("/platform/").get_data(as_text=True)
    row = re.search(r'<tr data-slug="demo-hotel".*?</tr>', page, re.S).group(0)
    assert '<td class="n-contacts">3</td>' in row and '<td class="n-recent">2</td>' in row
    assert "新事项" not in page and "旧事项" not in page and "赵先生" not in page


def test_operator_code_never_loads_a_contact_row(app, ops, login, frozen):
    """Whatever the operator pages run, no contact, customer or event row is loaded."""
    from sqlalchemy.orm import Session

    from core.contacts.models import Contact, ContactEvent, Customer
    with frozen("2026-11-02T10:00:00+08:00"):
        register(login("demo-hotel", "security"))
    loaded = []

    def on_load(target, context):
        loaded.append(type(target).__name__)
    for model in (Contact, ContactEvent, Customer):
        event.listen(model, "load", on_load)
    try:
        assert ops.get("/platform/").status_code == 200
    finally:
        for model in (Contact, ContactEvent, Customer):
            event.remove(model, "load", on_load)
    assert loaded == []
    assert Session  # (imported for the reader: loads are per session, listened on the class)


def test_suspend_and_reactivate_a_tenant(app, ops, login, web_login):
    bank_api = login("demo-bank", "counter")
    bank_web = web_login("demo-bank", "counter")
    tenant = _tenant("demo-bank")
    token = _csrf(ops, "/platform/")
    res = ops.post(f"/platform/tenants/{tenant.id}/status",
                   data={"status": "suspended", "csrf_token": token})
    assert res.status_code == 302
    assert _tenant("demo-bank").status == "suspended"
    page = bank_web.get("/")
    assert page.status_code == 403
    assert "暂停" in page.get_data(as_text=True)
    login_page = bank_web.client.get("/t/demo-bank/login?lang=en")
    assert login_page.status_code == 403 and "suspended" in login_page.get_data(as_text=True)
    front = app.test_client().get("/?org=demo-bank")        # the front page leads there too
    assert front.status_code == 302 and front.location.endswith("/t/demo-bank/login")
    res = bank_api.get("/contacts")
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "tenant_suspended"
    # other tenants are untouched
    assert web_login("demo-hotel", "security").get("/").status_code == 200
    # reactivated: everything works again, the bank's data unchanged
    ops.post(f"/platform/tenants/{tenant.id}/status",
             data={"status": "active", "csrf_token": token})
    assert bank_web.get("/").status_code == 200
    assert bank_api.get("/contacts").status_code == 200


def test_bad_status_requests(app, ops):
    token = _csrf(ops, "/platform/")
    tenant = _tenant("demo-bank")
    assert ops.post(f"/platform/tenants/{tenant.id}/status",
                    data={"status": "deleted", "csrf_token": token}).status_code == 400
    assert ops.post("/platform/tenants/987654/status",
                    data={"status": "suspended", "csrf_token": token}).status_code == 404
    assert ops.post(f"/platform/tenants/{tenant.id}/status",
                    data={"status": "suspended"}).status_code == 400          # no CSRF token
    assert _tenant("demo-bank").status == "active"
    anonymous = app.test_client()
    res = anonymous.post(f"/platform/tenants/{tenant.id}/status",
                         data={"status": "suspended",
                               "csrf_token": _csrf(anonymous, "/platform/login")})
    assert res.status_code == 302 and _tenant("demo-bank").status == "active"
