"""Webhook URLs are parsed strictly when saved, and a delivery that fails in any way (not
only an HTTP error or a refused connection) is an attempt on record, backed off."""
from datetime import timedelta

import pytest
from conftest import register
from notify_support import fan_out_event, staff, tenant_id
from sqlalchemy import select

from core import clock
from core.errors import Invalid
from core.extensions import db
from core.notify import webhooks
from core.notify.webhooks import WebhookDelivery, WebhookEndpoint
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _fan_out_by_hand(app, monkeypatch):
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


@pytest.mark.parametrize("url, says", [
    ("https://exa\x01mple.com/hook", "control characters"),
    ("https://example.com/ho\x00ok", "control characters"),
    ("https://example.com/hook\x7f", "control characters"),
    ("https://example.com/\u200bhook", "control characters"),
    ("https://example.com/ho ok", "spaces"),
    ("https://example.com/ho\tok", "spaces"),
    ("https://user:secret@example.com/hook", "user name or password"),
    ("https://user@example.com/hook", "user name or password"),
    ("https://exa..mple.com/hook", "host name"),
    ("https://-bad.example.com/hook", "host name"),
    ("https://ex%41mple.com/hook", "host name"),
    ("https://[::1/hook", "http:// or https://"),
    ("https://[not-an-ip]/hook", "http:// or https://"),
    ("https://example.com/路径", "ASCII"),
    ("file:///etc/passwd", "http:// or https://"),
    ("https:///hook", "http:// or https://"),
])
def test_a_url_that_is_not_plainly_http_or_https_is_refused_with_a_field_message(app, url, says):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id), pytest.raises(Invalid) as err:
        webhooks.create_endpoint(admin, url, ["contact.escalated"])
    assert says in err.value.fields["url"][0], err.value.fields


@pytest.mark.parametrize("url", ["https://example.com/hook?x=1&y=%E8%B7%AF",
                                 "http://hooks.example.com:8443/a/b", "https://例子.example/h",
                                 "https://[2001:db8::1]/hook"])
def test_plain_urls_are_kept(app, url):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id):
        assert webhooks.create_endpoint(admin, url, ["contact.escalated"]).url == url


def test_the_admin_form_shows_the_message_at_the_field(web_login):
    admin = web_login("demo-hotel", "admin")
    res = admin.post("/admin/webhooks", data={"url": "https://user:pw@example.com/h",
                                              "topics": ["contact.escalated"]})
    assert res.status_code == 422
    assert "user name or password" in res.get_data(as_text=True)


@pytest.mark.parametrize("saved", ["http://127.0.0.1:9/a\x01b", "http://exa\x1fmple.com/",
                                   "http://[::1/"])
def test_any_delivery_error_is_an_attempt_on_record_and_backs_off(app, login, frozen, saved):
    """A URL saved before the strict check (here written directly) must not crash the
    delivery job every minute: the attempt and its error are recorded, the retry waits."""
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        assert security.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "engineering"}).status_code == 201
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id):
        endpoint = webhooks.create_endpoint(admin, "https://example.com/hook",
                                            ["contact.transferred"])
        db.session.flush()
        db.session.get(WebhookEndpoint, endpoint.id).url = saved
        db.session.commit()
    with frozen(T0):
        fan_out_event("demo-hotel", c["ref"], "transferred")
    with tenant_scope(tenant_id("demo-hotel")):
        (row,) = db.session.scalars(select(WebhookDelivery).execution_options(
            populate_existing=True)).all()
    assert (row.status, row.attempts, row.response_code) == ("pending", 1, None)
    assert row.last_error
    assert row.next_attempt_at == clock.parse_instant(T0) + timedelta(seconds=webhooks.BASE * 2)
