"""Signed webhook deliveries to a real local HTTP endpoint: retries, back-off, idempotence."""
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from conftest import register
from notify_support import Receiver, fan_out_event, free_port, staff, tenant_id
from sqlalchemy import select

from core import clock
from core.errors import Forbidden, Invalid
from core.extensions import db
from core.notify import webhooks
from core.notify.webhooks import WebhookDelivery
from core.tenancy.scoping import tenant_scope, unscoped

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _fan_out_by_hand(app, monkeypatch):
    """These tests call the fan-out themselves; the outbox relay (which would already have
    run it after each commit) hands rows to no consumer here.  test_notifications.py has
    the end-to-end case with the relay on."""
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


def _endpoint(url, topics=("contact.transferred",), slug="demo-hotel"):
    admin = staff(slug, "admin")
    with tenant_scope(admin.tenant_id):
        endpoint = webhooks.create_endpoint(admin, url, list(topics), "ops")
        db.session.commit()
    return endpoint


def _deliveries(slug="demo-hotel"):
    with tenant_scope(tenant_id(slug)):
        return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)
                                  .execution_options(populate_existing=True)).all()


def _handover(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        assert security.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "engineering"}).status_code == 201
    return c


def _verify(secret, headers, body):
    """What a receiver does (docs/notifications.md)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Shouwen-Signature"])


def test_an_endpoint_that_fails_then_recovers_gets_the_message_once(app, login, frozen):
    c = _handover(login, frozen)
    with Receiver(statuses=[500]) as receiver:
        endpoint = _endpoint(receiver.url)
        with frozen(T0):
            fan_out_event("demo-hotel", c["ref"], "transferred")
        (row,) = _deliveries()
        assert (row.status, row.attempts, row.response_code) == ("pending", 1, 500)
        assert row.last_error == "HTTP 500"
        assert row.next_attempt_at == clock.parse_instant(T0) + timedelta(
            seconds=webhooks.BASE * 2)
        with frozen(T0):
            assert webhooks.retry_due(clock.now()) == 0          # not due yet
        with frozen("2026-11-02T10:01:00+08:00"):
            assert webhooks.retry_due(clock.now()) == 1
            db.session.commit()                                 # the job runs after commit
            assert webhooks.retry_due(clock.now()) == 0
            with tenant_scope(endpoint.tenant_id):              # a duplicate job: no-op
                assert webhooks.deliver(endpoint.tenant_id, row.id) is None
                db.session.commit()
    (row,) = _deliveries()
    assert (row.status, row.attempts, row.response_code) == ("delivered", 2, 200)
    assert len(receiver.requests) == 2
    headers, body = receiver.requests[-1]
    assert receiver.requests[0][1] == body                      # the same bytes each time
    assert _verify(endpoint.secret, headers, body)
    assert not _verify("whsec_wrong", headers, body)
    assert headers["X-Shouwen-Event"] == "contact.transferred"
    assert headers["X-Shouwen-Delivery"] == str(row.id)
    doc = json.loads(body)
    assert doc["topic"] == "contact.transferred" and doc["tenant"] == "demo-hotel"
    assert doc["data"]["ref"] == c["ref"]
    assert doc["data"]["details"]["to_department"] == "engineering"


def test_only_subscribed_active_endpoints_of_the_tenant_get_it(app, login, frozen):
    c = _handover(login, frozen)
    with Receiver() as receiver:
        _endpoint(receiver.url, topics=["contact.escalated"])
        off = _endpoint(receiver.url)
        admin = staff("demo-hotel", "admin")
        with tenant_scope(admin.tenant_id):
            webhooks.update_endpoint(admin, off, off.url, off.topics, active=False)
            db.session.commit()
        _endpoint(receiver.url, slug="demo-property")
        with frozen(T0):
            fan_out_event("demo-hotel", c["ref"], "transferred")
    assert _deliveries() == [] and receiver.requests == []


def test_back_off_doubles_up_to_the_cap_then_fails(app, login, frozen, monkeypatch):
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 4)
    c = _handover(login, frozen)
    _endpoint(f"http://127.0.0.1:{free_port()}/nobody-listens")
    at = clock.parse_instant(T0)
    with frozen(at):
        fan_out_event("demo-hotel", c["ref"], "transferred")
    delays = []
    for _ in range(3):
        (row,) = _deliveries()
        delays.append((row.next_attempt_at - at).total_seconds())
        at = row.next_attempt_at
        with frozen(at):
            webhooks.retry_due(at)
            db.session.commit()
    (row,) = _deliveries()
    assert delays == [60, 120, 240]
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 4, None)
    assert "Connection" in row.last_error
    from core.notify.retries import backoff
    assert backoff(20, webhooks.BASE, webhooks.CAP) == timedelta(seconds=webhooks.CAP)


def test_send_test_and_rotated_secret(app, frozen):
    with Receiver() as receiver:
        endpoint = _endpoint(receiver.url)
        admin = staff("demo-hotel", "admin")
        old = endpoint.secret
        with tenant_scope(admin.tenant_id):
            webhooks.rotate_secret(admin, endpoint)
            db.session.commit()
            assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
            webhooks.send_test(admin, endpoint, _tenant("demo-hotel"))
            db.session.commit()
    (row,) = _deliveries()
    assert (row.status, row.topic) == ("delivered", "webhook.test")
    headers, body = receiver.requests[0]
    assert _verify(endpoint.secret, headers, body) and not _verify(old, headers, body)


def _tenant(slug):
    from core.tenancy.models import Tenant
    with unscoped():
        return db.session.get(Tenant, tenant_id(slug))


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hook", "http://",
                                 "javascript:alert(1)", "http://exa mple.com/",
                                 "https://example.com/" + "x" * 500])
def test_bad_urls_are_refused(app, url):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id), pytest.raises(Invalid) as err:
        webhooks.create_endpoint(admin, url, ["contact.escalated"])
    assert "url" in err.value.fields


def test_topics_are_chosen_from_the_list_and_only_admins_manage(app):
    admin = staff("demo-hotel", "admin")
    with tenant_scope(admin.tenant_id):
        with pytest.raises(Invalid) as err:
            webhooks.create_endpoint(admin, "https://example.com/h", ["contact.nonsense"])
        assert "topics" in err.value.fields
        with pytest.raises(Invalid):
            webhooks.create_endpoint(admin, "https://example.com/h", [])
    inspector = staff("demo-hotel", "inspector")
    with tenant_scope(inspector.tenant_id), pytest.raises(Forbidden):
        webhooks.create_endpoint(inspector, "https://example.com/h", ["contact.escalated"])


def test_a_registration_nobody_is_told_of_still_reaches_a_subscribed_endpoint(app, login, frozen):
    """contact.registered has no inbox recipients; the fan-out still queues its webhook."""
    security = login("demo-hotel", "security")
    with Receiver() as receiver:
        endpoint = _endpoint(receiver.url, topics=["contact.registered"])
        with frozen(T0):
            c = register(security, matter_type="complaint")
            fan_out_event("demo-hotel", c["ref"], "registered")
        (row,) = _deliveries()
        assert (row.topic, row.status) == ("contact.registered", "delivered")
    headers, body = receiver.requests[0]
    assert _verify(endpoint.secret, headers, body)
    assert json.loads(body)["data"]["ref"] == c["ref"]
