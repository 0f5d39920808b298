"""The inbox as staff use it: web page, nav badge, mark read; and the API (own items only)."""
import re

import pytest
from conftest import register
from notify_support import fan_out_event, staff, tenant_id
from sqlalchemy import func, select

from core.extensions import db
from core.notify.inbox import Notification
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _fan_out_by_hand(app, monkeypatch):
    """These tests call the fan-out themselves; the outbox relay (which would already have
    run it after each commit) hands rows to no consumer here.  test_notifications.py has
    the end-to-end case with the relay on."""
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


def _two_handovers(login, frozen):
    security = login("demo-hotel", "security")
    refs = []
    with frozen(T0):
        for _ in range(2):
            c = register(security, matter_type="repair")
            assert security.post(f"/contacts/{c['ref']}/transfers",
                                 json={"to_department": "engineering"}).status_code == 201
            fan_out_event("demo-hotel", c["ref"], "transferred")
            refs.append(c["ref"])
    return refs


def _badge(html):
    found = re.search(r'id="nav-inbox">[^<]*(?:<span class="badge[^"]*"[^>]*>(\d+)</span>)?', html)
    assert found, "no inbox link in the nav"
    return int(found.group(1) or 0)


def test_inbox_page_badge_and_mark_read(app, login, web_login, frozen):
    first, second = _two_handovers(login, frozen)
    web = web_login("demo-hotel", "engineering", )
    home = web.get("/?lang=en").get_data(as_text=True)
    assert _badge(home) == 2                                  # on every page
    page = web.get("/inbox").get_data(as_text=True)
    assert page.index(second) < page.index(first)             # newest first
    assert page.count('class="unread"') == 2
    assert f"{second} was handed over to your department: sign for it" in page
    assert f'href="/t/demo-hotel/contacts/{second}"' in page
    ids = re.findall(r'id="notification-(\d+)"', page)
    res = web.post(f"/inbox/{ids[0]}/read", data={"open": "1"})
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/contacts/{second}")
    page = web.get("/inbox").get_data(as_text=True)
    assert page.count('class="unread"') == 1 and _badge(page) == 1
    assert web.get("/inbox?unread=1").get_data(as_text=True).count("notification-") == 1
    res = web.post("/inbox/read-all", data={"next": "/t/demo-hotel/inbox?unread=1"})
    assert res.status_code == 302 and res.headers["Location"].endswith("/inbox?unread=1")
    page = web.get("/inbox").get_data(as_text=True)
    assert 'class="unread"' not in page and _badge(page) == 0
    # Chinese by default.
    zh = web_login("demo-hotel", "engineering-lead").get("/inbox?lang=zh").get_data(as_text=True)
    assert f"{second}：已转交您的部门，请签收" in zh and "收件箱" in zh


def test_someone_elses_notification_cannot_be_marked(app, login, web_login, frozen):
    _two_handovers(login, frozen)
    lead = staff("demo-hotel", "engineering-lead")
    with tenant_scope(lead.tenant_id):
        theirs = db.session.scalars(select(Notification.id).where(
            Notification.staff_id == lead.id)).first()
    web = web_login("demo-hotel", "engineering")
    assert web.post(f"/inbox/{theirs}/read").status_code == 404
    other = web_login("demo-property", "admin")
    assert other.post(f"/inbox/{theirs}/read").status_code == 404
    assert other.post("/inbox/read-all", data={"next": "https://evil.example/"}).headers[
        "Location"].endswith("/t/demo-property/inbox")
    with tenant_scope(lead.tenant_id):
        assert db.session.get(Notification, theirs).read_at is None


def test_api_lists_own_notifications_and_marks_one_read(app, login, frozen):
    first, second = _two_handovers(login, frozen)
    eng, lead = login("demo-hotel", "engineering"), login("demo-hotel", "engineering-lead")
    res = eng.get("/notifications", headers={"Accept-Language": "en"})
    assert res.status_code == 200
    body = res.get_json()
    assert body["unread"] == 2 and [i["ref"] for i in body["items"]] == [second, first]
    item = body["items"][0]
    assert item["topic"] == "contact.transferred" and item["reason"] == "to_accept"
    assert item["title"] == f"{second} was handed over to your department: sign for it"
    assert item["contact_url"] == f"/t/demo-hotel/contacts/{second}"
    assert item["read_at"] is None
    page = eng.get("/notifications?limit=1").get_json()
    assert len(page["items"]) == 1 and page["next_before"] == item["id"]
    assert [i["ref"] for i in eng.get(f"/notifications?before={page['next_before']}")
            .get_json()["items"]] == [first]

    res = eng.post(f"/notifications/{item['id']}/read")
    assert res.status_code == 200 and res.get_json()["read_at"] is not None
    assert eng.get("/notifications?unread=true").get_json()["unread"] == 1
    # Another staff member's notification, or another tenant's: 404.
    assert lead.post(f"/notifications/{item['id']}/read").status_code == 404
    assert login("demo-property", "admin").post(
        f"/notifications/{item['id']}/read").status_code == 404
    assert lead.get("/notifications").get_json()["unread"] == 2


def test_api_bad_arguments_are_422(app, login):
    eng = login("demo-hotel", "engineering")
    for query in ("limit=0", "limit=x", "before=-1", "unread=maybe"):
        res = eng.get(f"/notifications?{query}")
        assert res.status_code == 422, query
        assert res.get_json()["error"]["fields"]
    assert eng.post("/notifications/999999/read").status_code == 404


def test_unread_badge_is_one_indexed_count(app, login, web_login, frozen):
    _two_handovers(login, frozen)
    web = web_login("demo-hotel", "engineering")
    statements = []
    from sqlalchemy import event

    def listener(conn, cursor, statement, *args):
        if "notifications" in statement:
            statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        web.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "count(" in statements[0].lower()
    if db.engine.dialect.name == "sqlite":
        with tenant_scope(tenant_id("demo-hotel")):
            plan = db.session.execute(db.text(
                "EXPLAIN QUERY PLAN SELECT count(id) FROM notifications WHERE tenant_id = 1 "
                "AND staff_id = 2 AND read_at IS NULL")
                .execution_options(cross_tenant=True)).all()
        assert "ix_notifications_tenant_staff_read" in str(plan)
    with tenant_scope(tenant_id("demo-hotel")):
        # two handovers, each to engineering's two and copied to Quality Inspection's three
        assert db.session.scalar(select(func.count(Notification.id))) == 10
