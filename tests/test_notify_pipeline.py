"""End to end, with the real outbox relay: an action commits, its outbox row is relayed to the
fan-out, the inbox and a signed webhook get it exactly once (jobs run eagerly in tests)."""
import hashlib
import hmac
import json

from conftest import register
from notify_support import Receiver, staff, tenant_id
from sqlalchemy import select

from core.extensions import db
from core.notify import inbox as notifications
from core.notify import webhooks
from core.notify.outbox import OutboxMessage
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


def test_a_handover_reaches_the_inbox_and_a_signed_webhook_once(app, login, frozen):
    hotel = tenant_id("demo-hotel")
    with Receiver() as receiver:
        with tenant_scope(hotel):
            endpoint = webhooks.create_endpoint(staff("demo-hotel", "admin"), receiver.url,
                                                ["contact.transferred"])
            secret = endpoint.secret
            db.session.commit()
        security = login("demo-hotel", "security")
        with frozen(T0):
            c = register(security, matter_type="repair")
            res = security.post(f"/contacts/{c['ref']}/transfers",
                                json={"to_department": "engineering"})
            assert res.status_code == 201, res.get_json()

        engineer = staff("demo-hotel", "engineering")
        with tenant_scope(hotel):
            mine = [n for n in notifications.inbox(engineer.id) if n.params["ref"] == c["ref"]]
            rows = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.topic.in_(["contact.registered", "contact.transferred"]))).all()
        assert [(n.topic, n.params["reason"]) for n in mine] == [("contact.transferred", "to_accept")]
        assert sorted(r.topic for r in rows) == ["contact.registered", "contact.transferred"]
        assert all(r.relayed_at is not None for r in rows)
        assert {r.payload["ref"] for r in rows} == {c["ref"]}     # the final number, not a draft

        assert len(receiver.requests) == 1
        headers, body = receiver.requests[0]
        assert headers["X-Shouwen-Event"] == "contact.transferred"
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Shouwen-Signature"], expected)
        assert c["ref"] in json.dumps(json.loads(body), ensure_ascii=False)
