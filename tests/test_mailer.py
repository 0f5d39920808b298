"""E-mail through a real local SMTP server (aiosmtpd): content, retries, no SMTP configured."""
from datetime import timedelta

import pytest
from conftest import register
from notify_support import SMTPServer, fan_out_event, free_port, staff, tenant_id
from sqlalchemy import select

from core import clock
from core.extensions import db
from core.notify import mail as mailer
from core.notify.mail import OutgoingEmail
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _fan_out_by_hand(app, monkeypatch):
    """These tests call the fan-out themselves; the outbox relay (which would already have
    run it after each commit) hands rows to no consumer here.  test_notifications.py has
    the end-to-end case with the relay on."""
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


def _give_addresses(slug, **addresses):
    for username, address in addresses.items():
        person = staff(slug, username)
        with tenant_scope(person.tenant_id):
            person.email = address
            db.session.commit()


def _handover(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        assert security.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "engineering"}).status_code == 201
    return c


def _emails(slug, to=("eng@hotel.example", "eng-lead@hotel.example", "nobody@hotel.example")):
    with tenant_scope(tenant_id(slug)):
        return db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.to_addr.in_(to))
                                  .order_by(OutgoingEmail.id)
                                  .execution_options(populate_existing=True)).all()


def test_the_receiving_department_gets_an_email_with_a_link(app, login, frozen, monkeypatch):
    _give_addresses("demo-hotel", engineering="eng@hotel.example",
                    **{"engineering-lead": "eng-lead@hotel.example"})
    c = _handover(login, frozen)
    with SMTPServer() as smtp:
        monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", smtp.url)
        monkeypatch.setitem(app.config, "SHOUWEN_MAIL_FROM", "前台 <desk@hotel.example>")
        monkeypatch.setitem(app.config, "SHOUWEN_PUBLIC_URL", "https://shouwen.example")
        with frozen(T0):
            fan_out_event("demo-hotel", c["ref"], "transferred")
    received = {tuple(rcpt): msg for rcpt, msg in smtp.messages}
    copies = {("quality@demo-hotel.example",), ("quality-lead@demo-hotel.example",),
              ("inspector@demo-hotel.example",)}       # the hotel copies handovers to QI
    assert set(received) == {("eng@hotel.example",), ("eng-lead@hotel.example",)} | copies
    copy = received[("inspector@demo-hotel.example",)]
    assert copy["Subject"] == f"抄送：{c['ref']}，已转办 → 工程部（{staff('demo-hotel', 'security').name}）"
    msg = received[("eng@hotel.example",)]
    # The tenant's default language is Chinese.
    assert msg["Subject"] == f"{c['ref']}：已转交您的部门，请签收"
    assert msg["To"] == "eng@hotel.example"
    assert "desk@hotel.example" in msg["From"]
    body = msg.get_content()
    assert f"https://shouwen.example/t/demo-hotel/contacts/{c['ref']}" in body
    assert "空调不制冷" in body
    assert [(e.status, e.attempts) for e in _emails("demo-hotel")] == [("sent", 1), ("sent", 1)]


def test_a_server_that_is_down_is_retried_with_back_off(app, login, frozen, monkeypatch):
    # One e-mail only: nobody else with an address (the handover's copies to QI included).
    _give_addresses("demo-hotel", engineering="eng@hotel.example", quality="", inspector="",
                    **{"engineering-lead": "", "quality-lead": ""})
    c = _handover(login, frozen)
    port = free_port()
    monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", f"smtp://127.0.0.1:{port}")
    with frozen(T0):
        fan_out_event("demo-hotel", c["ref"], "transferred")
    (row,) = _emails("demo-hotel")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefused" in row.last_error
    assert row.next_attempt_at == clock.parse_instant(T0) + timedelta(seconds=2 * mailer.BASE)
    with frozen("2026-11-02T10:01:00+08:00"):          # not due yet
        assert mailer.retry_due(clock.now()) == 0
    with SMTPServer(port) as smtp:                     # the server is back
        with frozen("2026-11-02T10:05:00+08:00"):
            assert mailer.retry_due(clock.now()) == 1
            db.session.commit()                        # the jobs run after the commit
            assert mailer.retry_due(clock.now()) == 0  # sent: never again
            db.session.commit()
    (row,) = _emails("demo-hotel")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [rcpt for rcpt, _ in smtp.messages] == [["eng@hotel.example"]]


def test_an_address_the_server_refuses_fails_at_once(app, login, frozen, monkeypatch):
    class Refusing(SMTPServer):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 No such mailbox"

    _give_addresses("demo-hotel", engineering="nobody@hotel.example", **{"engineering-lead": ""})
    c = _handover(login, frozen)
    with Refusing() as smtp:
        monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", smtp.url)
        with frozen(T0):
            fan_out_event("demo-hotel", c["ref"], "transferred")
    (row,) = _emails("demo-hotel")
    assert row.status == "failed" and row.next_attempt_at is None
    assert "550" in row.last_error


def test_without_smtp_emails_are_kept_as_skipped(app, login, frozen, monkeypatch):
    _give_addresses("demo-hotel", engineering="eng@hotel.example")
    monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", None)
    c = _handover(login, frozen)
    with frozen(T0):
        fan_out_event("demo-hotel", c["ref"], "transferred")
        assert mailer.retry_due(clock.now()) == 0
    assert [e.status for e in _emails("demo-hotel")] == ["skipped"]


def test_a_reminder_email_shows_the_due_time_in_the_tenants_zone(app, login, frozen,
                                                                  monkeypatch):
    from notify_support import event_payload

    from core.notify import inbox as notifications
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    contact_id, payload = event_payload("demo-hotel", c["ref"], "registered")
    owner = staff("demo-hotel", "security")
    with SMTPServer() as smtp:
        monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", smtp.url)
        with tenant_scope(owner.tenant_id), frozen(T0):
            notifications.fan_out_message(owner.tenant_id, "contact.reminder", {
                **payload, "kind": "reminder", "actor_id": None,
                "details": {"deadline_kind": "transfer", "due_at": "2026-11-02T03:00:00+00:00",
                            "point": "morning", "staff_ids": [owner.id]}}, contact_id, 9001)
            db.session.commit()
    ((rcpt, msg),) = smtp.messages
    assert rcpt == ["security@demo-hotel.example"]
    assert msg["Subject"] == f"{c['ref']}：“转办”将于 2026-11-02 11:00 到期"
    assert "今天到期。" in msg.get_content()
