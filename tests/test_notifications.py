"""Fan-out of outbox messages: who is told, once, in their language, with set-based queries."""
import pytest
from conftest import register
from notify_support import event_payload, fan_out_event, staff, tenant_id
from sqlalchemy import event, select

from core.extensions import db
from core.notify import inbox as notifications
from core.notify.inbox import Notification
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope
from tenants.provisioning import add_staff

T0 = "2026-11-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _fan_out_by_hand(app, monkeypatch):
    """These tests call the fan-out themselves; the outbox relay (which would already have
    run it after each commit) hands rows to no consumer here.  test_notifications.py has
    the end-to-end case with the relay on."""
    monkeypatch.setitem(app.config, "SHOUWEN_OUTBOX_CONSUMERS", "")


def _inbox(slug, username):
    """[(topic, reason, ref)] of one person's inbox, newest first."""
    person = staff(slug, username)
    with tenant_scope(person.tenant_id):
        return [(n.topic, n.params["reason"], n.params["ref"])
                for n in notifications.inbox(person.id)]


def _transferred(login, frozen, to="engineering"):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        res = security.post(f"/contacts/{c['ref']}/transfers", json={"to_department": to})
        assert res.status_code == 201, res.get_json()
    c["transfer_id"] = res.get_json()["id"]
    return security, c


def test_a_handover_tells_the_receiving_department_once(app, login, frozen):
    _, c = _transferred(login, frozen)
    created, _, _ = fan_out_event("demo-hotel", c["ref"], "transferred")
    want = [("contact.transferred", "to_accept", c["ref"])]
    assert _inbox("demo-hotel", "engineering") == want
    assert _inbox("demo-hotel", "engineering-lead") == want
    assert _inbox("demo-hotel", "security") == []          # the one who acted
    assert _inbox("demo-hotel", "housekeeping") == []
    assert len(created) == 2 + 3          # and Quality Inspection's three copies (test_copies.py)
    again, _, _ = fan_out_event("demo-hotel", c["ref"], "transferred")   # a retried job
    assert again == [] and _inbox("demo-hotel", "engineering") == want


def test_a_handover_to_a_named_person_tells_only_that_person(app, login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair")
        security.post(f"/contacts/{c['ref']}/transfers",
                      json={"to_department": "engineering", "to_user": "engineering-lead"})
    fan_out_event("demo-hotel", c["ref"], "transferred")
    assert _inbox("demo-hotel", "engineering-lead") == [
        ("contact.transferred", "to_accept", c["ref"])]
    assert _inbox("demo-hotel", "engineering") == []


def test_feedback_asks_the_owner_to_call_back_in_both_languages(app, login, frozen):
    security, c = _transferred(login, frozen)
    engineering = login("demo-hotel", "engineering")
    with frozen("2026-11-02T10:30:00+08:00"):
        assert engineering.post(f"/contacts/{c['ref']}/transfers/{c['transfer_id']}/accept"
                                ).status_code == 200
        assert engineering.post(f"/contacts/{c['ref']}/feedback",
                                json={"text": "已更换压缩机"}).status_code == 201
    fan_out_event("demo-hotel", c["ref"], "accepted")
    fan_out_event("demo-hotel", c["ref"], "feedback")
    assert _inbox("demo-hotel", "security") == [
        ("contact.feedback", "callback_due", c["ref"]),
        ("contact.accepted", "accepted", c["ref"])]
    owner = staff("demo-hotel", "security")
    with tenant_scope(owner.tenant_id):
        row = notifications.inbox(owner.id)[0]
        en_title, _ = row.text("en")
        zh_title, zh_body = row.text("zh")
    assert en_title == f"{c['ref']}: feedback received, call the customer back"
    assert zh_title == f"{c['ref']}：已收到反馈，请回访客户"
    assert "空调不制冷" in zh_body


def test_a_breach_tells_the_late_handler_and_asks_the_owner_to_chase(app, login, frozen, runner):
    security, c = _transferred(login, frozen)
    # The receiving department did not sign for it within the hour (accept clock).
    assert runner.invoke(args=["sweep", "--at", "2026-11-03T18:00:00+08:00"]).exit_code == 0
    fan_out_event("demo-hotel", c["ref"], "deadline_breached")
    assert _inbox("demo-hotel", "security")[0][:2] == ("contact.deadline_breached", "chase")
    # Responsible: the engineering department's supervisor (no named handler yet).
    assert _inbox("demo-hotel", "engineering-lead")[0][:2] == (
        "contact.deadline_breached", "overdue")
    assert _inbox("demo-hotel", "engineering") == []


def test_an_escalation_tells_the_next_level_and_the_supervisors(app, login, frozen, runner):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    # The owner did not hand it over within the hour: the hotel chain's first level is QI.
    assert runner.invoke(args=["sweep", "--at", "2026-11-02T11:30:00+08:00"]).exit_code == 0
    fan_out_event("demo-hotel", c["ref"], "escalated")
    # The step reaches the department's supervisors; the rest of QI watches it.
    assert _inbox("demo-hotel", "quality-lead")[0][:2] == ("contact.escalated", "escalated")
    assert _inbox("demo-hotel", "quality")[0][:2] == ("contact.escalated", "escalation_watch")
    # the quality inspector sits in QI with a supervisor's permission: a supervisor of the step
    assert _inbox("demo-hotel", "inspector")[0][:2] == ("contact.escalated", "escalated")
    assert _inbox("demo-hotel", "engineering") == []
    person = staff("demo-hotel", "quality-lead")
    with tenant_scope(person.tenant_id):
        title, _ = notifications.inbox(person.id)[0].text("en")
    assert title == f"{c['ref']} was escalated to you (Quality Inspection)"


def test_escalation_to_a_role_reaches_its_holders(app, login, frozen):
    cr = login("demo-property", "cr-supervisor")
    with frozen(T0):
        c = register(cr, matter_type="complaint", customer={"name": "钱女士", "phone": "13900000000"})
        res = cr.post(f"/contacts/{c['ref']}/escalations", json={"reason": "业主要求"})
        assert res.status_code == 201, res.get_json()
    _, payload = event_payload("demo-property", c["ref"], "escalated")
    fan_out_event("demo-property", c["ref"], "escalated")
    step = payload["details"]["to"]
    with tenant_scope(tenant_id("demo-property")):
        from core.tenancy.models import Staff
        told = {s.username: n.params["reason"] for n, s in db.session.execute(
            select(Notification, Staff).join(Staff, Staff.id == Notification.staff_id))}
        titled = set(db.session.scalars(select(Staff.username).where(Staff.title == step)))
    assert titled and all(told.get(u) == "escalated" for u in titled - {"cr-supervisor"})
    assert "cr-supervisor" not in told                       # the one who escalated


def test_reminder_and_violation_topics(app, login, frozen, runner):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    contact_id, payload = event_payload("demo-hotel", c["ref"], "registered")
    tid = tenant_id("demo-hotel")
    owner = staff("demo-hotel", "security")
    with tenant_scope(tid):
        notifications.fan_out_message(
            tid, "contact.reminder",
            {**payload, "kind": "reminder", "actor_id": None,
             "details": {"deadline_kind": "transfer", "due_at": "2026-11-02T03:00:00+00:00",
                         "point": "80%", "staff_ids": [owner.id]}}, contact_id, 9001)
        db.session.commit()
        row = notifications.inbox(owner.id)[0]
        assert row.params["reason"] == "reminder"
        title, body = row.text("en")
    assert title == f"{c['ref']}: \"Hand over\" is due 2026-11-02 11:00"
    assert body.startswith("80% of the allowed time has passed.")

    assert runner.invoke(args=["sweep", "--at", "2026-11-02T11:30:00+08:00"]).exit_code == 0
    with tenant_scope(tid):
        from core.contacts.models import Violation
        v = db.session.scalars(select(Violation)).one()
        notifications.fan_out_message(
            tid, "violation.proposed",
            {"violation_id": v.id, "contact_id": v.contact_id, "ref": c["ref"],
             "staff_id": v.staff_id, "department_id": v.department_id, "rule": v.rule_text,
             "sanction": v.sanction}, v.contact_id, 9002)
        db.session.commit()
    assert _inbox("demo-hotel", "inspector")[0][:2] == ("violation.proposed", "violation")
    assert _inbox("demo-hotel", "quality")[0][:2] == ("violation.proposed", "violation")
    assert _inbox("demo-hotel", "security-lead")[0][:2] == ("violation.proposed", "violation")
    assert ("violation.proposed", "violation", c["ref"]) not in _inbox("demo-hotel", "security")


def test_fan_out_queries_do_not_grow_with_the_recipients(app, login, frozen):
    def count_queries(ref):
        seen = []

        def listener(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fan_out_event("demo-hotel", ref, "transferred", commit=False)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        db.session.rollback()
        return len(seen)

    _, c = _transferred(login, frozen)
    few = count_queries(c["ref"])
    hotel = db.session.get(Tenant, tenant_id("demo-hotel"))
    for i in range(40):
        add_staff(hotel, f"eng-{i}", f"工程{i}", None, "engineering")
    with tenant_scope(hotel.id):
        created, _, _ = fan_out_event("demo-hotel", c["ref"], "transferred", commit=False)
        assert len(created) == 42 + 3     # Quality Inspection's copies
        db.session.rollback()
    assert count_queries(c["ref"]) == few


def test_inactive_staff_and_other_tenants_are_never_told(app, login, frozen):
    _, c = _transferred(login, frozen)
    person = staff("demo-hotel", "engineering")
    with tenant_scope(person.tenant_id):
        person.active = False
        db.session.commit()
    fan_out_event("demo-hotel", c["ref"], "transferred")
    assert _inbox("demo-hotel", "engineering") == []
    assert _inbox("demo-hotel", "engineering-lead") != []
    with tenant_scope(tenant_id("demo-property")):
        assert db.session.scalars(select(Notification)).all() == []
