"""Webhook administration pages: create (secret shown once), send test, log, rotate, disable."""
import hashlib
import hmac
import re

from notify_support import Receiver, tenant_id
from sqlalchemy import select

from core.extensions import db
from core.notify.webhooks import WebhookDelivery, WebhookEndpoint
from core.tenancy.scoping import tenant_scope


def _endpoints(slug="demo-hotel"):
    with tenant_scope(tenant_id(slug)):
        return db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)
                                  .execution_options(populate_existing=True)).all()


def _create(web, url, topics=("contact.escalated", "violation.proposed")):
    return web.post("/admin/webhooks", data={"url": url, "description": "质检系统",
                                             "topics": list(topics)})


def test_only_administrators_see_the_pages(app, web_login):
    assert web_login("demo-hotel", "admin").get("/admin/webhooks").status_code == 200
    inspector = web_login("demo-hotel", "inspector")
    assert inspector.get("/admin/webhooks").status_code == 403
    assert _create(inspector, "https://example.com/h").status_code == 403
    assert _endpoints() == []


def test_create_shows_the_secret_once_then_test_rotate_and_disable(app, web_login):
    web = web_login("demo-hotel", "admin")
    with Receiver() as receiver:
        res = _create(web, receiver.url)
        assert res.status_code == 200
        (endpoint,) = _endpoints()
        page = res.get_data(as_text=True)
        assert f'id="webhook-secret">{endpoint.secret}<' in page
        assert endpoint.topics == ["contact.escalated", "violation.proposed"]
        detail = web.get(f"/admin/webhooks/{endpoint.id}?lang=en").get_data(as_text=True)
        assert endpoint.secret not in detail and "Delivery log" in detail
        assert endpoint.secret not in web.get("/admin/webhooks").get_data(as_text=True)

        res = web.post(f"/admin/webhooks/{endpoint.id}/test")
        assert res.status_code == 302
        detail = web.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
        row = re.search(r'<tr id="delivery-\d+" class="delivery-(\w+)">.*?</tr>', detail, re.S)
        assert row.group(1) == "delivered" and "<td>200</td>" in row.group(0)
        headers, body = receiver.requests[0]
        assert headers["X-Shouwen-Event"] == "webhook.test"
        assert headers["X-Shouwen-Signature"] == "sha256=" + hmac.new(
            endpoint.secret.encode(), body, hashlib.sha256).hexdigest()

    old = endpoint.secret
    res = web.post(f"/admin/webhooks/{endpoint.id}/rotate")
    (rotated,) = _endpoints()
    assert rotated.secret != old
    assert rotated.secret in res.get_data(as_text=True)

    assert web.post(f"/admin/webhooks/{endpoint.id}/disable").status_code == 302
    assert _endpoints()[0].active is False
    web.post(f"/admin/webhooks/{endpoint.id}/test")
    with tenant_scope(tenant_id("demo-hotel")):
        assert len(db.session.scalars(select(WebhookDelivery)).all()) == 1   # none queued


def test_edit_topics_and_reenable(app, web_login):
    web = web_login("demo-hotel", "admin")
    _create(web, "https://example.com/a")
    (endpoint,) = _endpoints()
    res = web.post(f"/admin/webhooks/{endpoint.id}", data={
        "url": "https://example.com/b", "topics": ["contact.feedback"], "active": "1"})
    assert res.status_code == 302
    (endpoint,) = _endpoints()
    assert (endpoint.url, endpoint.topics, endpoint.active) == (
        "https://example.com/b", ["contact.feedback"], True)
    res = web.post(f"/admin/webhooks/{endpoint.id}", data={"url": "https://example.com/b"})
    assert res.status_code == 422 and _endpoints()[0].active is True


def test_bad_input_is_refused_with_field_messages(app, web_login):
    web = web_login("demo-hotel", "admin")
    res = web.post("/admin/webhooks?lang=en", data={"url": "ftp://example.com/x",
                                                    "topics": ["contact.escalated"]})
    assert res.status_code == 422
    assert "Enter a full URL starting with http:// or https://." in res.get_data(as_text=True)
    res = web.post("/admin/webhooks", data={"url": "https://example.com/x"})
    assert res.status_code == 422 and 'class="err"' in res.get_data(as_text=True)
    res = web.post("/admin/webhooks", data={"url": "https://example.com/x",
                                            "topics": ["contact.nonsense"]})
    assert res.status_code == 422
    res = web.post("/admin/webhooks", data={"url": "https://example.com/" + "x" * 600,
                                            "topics": ["contact.escalated"]})
    assert res.status_code == 422
    assert _endpoints() == []


def test_another_tenants_endpoint_is_not_found(app, web_login):
    hotel = web_login("demo-hotel", "admin")
    _create(hotel, "https://example.com/a")
    (endpoint,) = _endpoints()
    other = web_login("demo-bank", "admin")
    assert other.get(f"/admin/webhooks/{endpoint.id}").status_code == 404
    for action in ("", "/test", "/rotate", "/disable"):
        assert other.post(f"/admin/webhooks/{endpoint.id}{action}", data={
            "url": "https://evil.example/", "topics": ["contact.escalated"]}).status_code == 404
    assert _endpoints()[0].url == "https://example.com/a" and _endpoints()[0].active
