"""Webhooks never reach internal addresses (server-side request forgery), unless allowed.

The suite itself runs with ``SHOUWEN_WEBHOOK_PRIVATE_TARGETS=allow`` (its receivers listen
on 127.0.0.1); these tests switch to the production default, ``deny``.
"""
import pytest
from conftest import register
from notify_support import Receiver, fan_out_event, staff
from sqlalchemy import select

from core.errors import Invalid
from core.extensions import db
from core.notify import egress, webhooks
from core.notify.webhooks import WebhookDelivery
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture
def deny(app, monkeypatch):
    monkeypatch.setitem(app.config, "SHOUWEN_WEBHOOK_PRIVATE_TARGETS", "deny")
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379/", "http://localhost:8080/hook", "http://10.1.2.3/hook",
    "http://192.168.0.10/hook", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/", "http://[::1]:8000/", "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://[64:ff9b::a00:1]/", "http://[2002:a00:1::1]/", "http://[::7f00:1]/",
    "http://[::ffff:0:7f00:1]/", "http://[fec0::1]/"])
def test_internal_addresses_are_refused_when_saved(app, deny, url):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id), pytest.raises(Invalid) as err:
        webhooks.create_endpoint(admin, url, ["contact.transferred"])
    assert "internal network" in err.value.fields["url"][0]


def test_public_and_not_yet_resolvable_names_are_accepted(app, deny):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id):
        for url in ("https://8.8.8.8/hook",
                    "https://hooks.example-shop.invalid/shouwen"):
            assert webhooks.create_endpoint(admin, url, ["contact.transferred"]).id
    assert egress.is_public("8.8.8.8") and not egress.is_public("::ffff:10.0.0.1")
    assert egress.is_public("64:ff9b::808:808")            # NAT64 of a public address
    assert egress.is_public("2606:4700:4700::1111")


def test_the_web_form_answers_422_at_the_url_field(app, deny, web_login):
    admin = web_login("demo-hotel", "admin")
    response = admin.post("/admin/webhooks", data={
        "url": "http://127.0.0.1:5000/api/v1/contacts", "topics": ["contact.transferred"],
        "description": "x"})
    assert response.status_code == 422
    assert "127.0.0.1" in response.get_data(as_text=True)


def test_a_delivery_to_an_address_that_became_internal_is_not_sent(app, login, frozen, deny,
                                                                   monkeypatch):
    """Saved while the name looked public, then it resolves to loopback (DNS rebinding): the
    delivery checks again, at connection time, and nothing reaches the local service."""
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        assert security.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "engineering"}).status_code == 201
    with Receiver() as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])
        url = f"http://rebinding.example-hooks.invalid:{port}/hook"
        admin = staff("demo-hotel", "admin")
        with tenant_scope(admin.tenant_id):          # unresolvable when saved: accepted
            webhooks.create_endpoint(admin, url, ["contact.transferred"])
            db.session.commit()
        real = egress.resolve
        monkeypatch.setattr(egress, "resolve", lambda host, port: real("127.0.0.1", port))
        with frozen(T0):
            fan_out_event("demo-hotel", c["ref"], "transferred")
        assert receiver.requests == []
        with tenant_scope(admin.tenant_id):
            (row,) = db.session.scalars(select(WebhookDelivery)).all()
        assert row.status == "pending" and "non-public address (127.0.0.1)" in row.last_error
        monkeypatch.setitem(app.config, "SHOUWEN_WEBHOOK_PRIVATE_TARGETS", "allow")
        with frozen("2026-11-02T10:05:00+08:00"), tenant_scope(admin.tenant_id):
            webhooks.deliver(admin.tenant_id, row.id)   # a developer's machine: allowed
            db.session.commit()
        assert len(receiver.requests) == 1
