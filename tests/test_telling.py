"""Telling the customer (issue 13 item 6): consent per channel, the three events, e-mail
through a real local SMTP server in the customer's language, never a staff name, never twice.
The SMS gateway itself is tested in tests/test_sms.py."""
import pytest
from conftest import register
from notify_support import SMTPServer, staff, tenant_id
from sqlalchemy import select

from core.contacts.models import Contact, Customer
from core.extensions import db
from core.notify.outbox import OutboxMessage
from core.tenancy.models import Department
from core.tenancy.scoping import tenant_scope
from core.voice import telling
from core.voice.telling_models import CustomerMessage

T0 = "2026-11-02T10:00:00+08:00"
DEPT_PHONE = "0755-8888-6666"


@pytest.fixture
def smtp(app, monkeypatch):
    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", server.url)
        monkeypatch.setitem(app.config, "SHOUWEN_PUBLIC_URL", "https://sw.example")
        yield server


def _dept_phone(slug, code, phone=DEPT_PHONE):
    with tenant_scope(tenant_id(slug)):
        dept = db.session.scalars(select(Department).where(Department.code == code)).one()
        dept.phone = phone
        db.session.commit()
        return dept


def _customer(**extra):
    return {"name": "赵先生", "phone": "13800000000", "email": "zhao@guest.example", **extra}


def _to_customer(smtp, address="zhao@guest.example"):
    """The e-mails the customer received (staff are told by e-mail too)."""
    return [msg for rcpt, msg in smtp.messages if rcpt == [address]]


def _messages(slug, ref):
    with tenant_scope(tenant_id(slug)):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        return db.session.scalars(select(CustomerMessage).where(
            CustomerMessage.contact_id == contact.id).order_by(CustomerMessage.id)
            .execution_options(populate_existing=True)).all()


def _staff_names(slug):
    from core.tenancy.models import Staff
    with tenant_scope(tenant_id(slug)):
        return [n for n in db.session.scalars(select(Staff.name)) if n]


def _handover(login, frozen, **customer):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair", customer=_customer(**customer))
        res = security.post(f"/contacts/{c['ref']}/transfers",
                            json={"to_department": "engineering"})
        assert res.status_code == 201, res.get_json()
    return c


def test_consent_is_stored_with_its_time_and_needs_an_address(app, login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, customer=_customer(tell_by_email=True, language="en"))
        res = security.post("/contacts", json={
            "channel": "phone", "matter_type": "complaint", "summary": "空调不制冷",
            "customer": {"name": "钱女士", "tell_by_email": True, "tell_by_sms": True}})
    assert res.status_code == 422
    fields = res.get_json()["error"]["fields"]["customer"]
    assert set(fields) == {"email", "phone"}
    with tenant_scope(tenant_id("demo-hotel")):
        customer = db.session.scalars(select(Customer).join(Contact).where(
            Contact.ref == c["ref"])).one()
    assert customer.email_consent_at.isoformat() == "2026-11-02T02:00:00+00:00"
    assert customer.sms_consent_at is None and customer.language == "en"


def test_no_consent_nothing_is_sent(app, login, frozen, smtp):
    _dept_phone("demo-hotel", "engineering")
    c = _handover(login, frozen)             # address and phone given, no consent
    assert _messages("demo-hotel", c["ref"]) == []
    assert _to_customer(smtp) == []


def test_handover_tells_department_and_its_phone_never_a_staff_name(app, login, frozen, smtp):
    dept = _dept_phone("demo-hotel", "engineering")
    c = _handover(login, frozen, tell_by_email=True)
    [row] = _messages("demo-hotel", c["ref"])
    assert (row.channel, row.topic, row.status) == ("email", "contact.transferred", "email")
    [msg] = _to_customer(smtp)
    text = msg["Subject"] + msg.get_content()
    assert dept.name_zh in text and DEPT_PHONE in text and c["ref"] in text
    assert "已转交" in text                            # zh: the customer's default language
    for name in _staff_names("demo-hotel"):
        assert name not in text
    assert "handed over" not in text


def test_email_in_english_when_the_customer_chose_english(app, login, frozen, smtp):
    dept = _dept_phone("demo-hotel", "engineering")
    c = _handover(login, frozen, tell_by_email=True, language="en")
    [msg] = _to_customer(smtp)
    assert msg["Subject"] == f"Your matter {c['ref']} is now handled by {dept.name_en}"
    assert f"Phone: {DEPT_PHONE}" in msg.get_content()
    assert dept.name_zh not in msg.get_content()


def test_answer_ready_and_closed_with_the_link_to_rate(app, login, frozen, smtp):
    finance = login("demo-hotel", "finance")
    with frozen(T0):
        own = register(finance, matter_type="inquiry", summary="询问发票抬头",
                       customer=_customer(tell_by_email=True, language="en"))
        assert finance.post(f"/contacts/{own['ref']}/replies",
                            json={"text": "您好，发票抬头可以开具公司名称。"}).status_code == 201
        assert finance.post(f"/contacts/{own['ref']}/close", json={}).status_code == 200
    rows = _messages("demo-hotel", own["ref"])
    assert [r.topic for r in rows] == ["contact.replied", "contact.closed"]
    link = f"https://sw.example/t/demo-hotel/progress?ref={own['ref']}"
    answered, closed = _to_customer(smtp)
    assert answered["Subject"] == f"There is an answer to your matter {own['ref']}"
    assert link in answered.get_content()
    assert closed["Subject"] == f"Your matter {own['ref']} is closed"
    assert "Please rate our service" in closed.get_content() and link in closed.get_content()
    assert "发票抬头可以" not in answered.get_content()     # the answer itself is on the page


def test_a_retried_job_creates_and_sends_nothing_twice(app, login, frozen, smtp):
    _dept_phone("demo-hotel", "engineering")
    c = _handover(login, frozen, tell_by_email=True)
    hotel = tenant_id("demo-hotel")
    with tenant_scope(hotel):
        row = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.topic == "contact.transferred",
            OutboxMessage.payload["ref"].as_string() == c["ref"])).one()
        with frozen(T0):
            assert telling.tell(hotel, row.id) == []          # the consumer again
            [message] = _messages("demo-hotel", c["ref"])
            from core.notify import mail
            assert mail.send_email(hotel, message.email_id) is None   # the e-mail job again
        db.session.commit()
    assert len(_to_customer(smtp)) == 1
    assert len(_messages("demo-hotel", c["ref"])) == 1


def test_without_smtp_staff_see_the_email_was_not_sent(app, login, frozen, web_login,
                                                      monkeypatch):
    monkeypatch.setitem(app.config, "SHOUWEN_SMTP_URL", None)
    c = _handover(login, frozen, tell_by_email=True)
    html = web_login("demo-hotel", "security").get(f"/contacts/{c['ref']}?lang=en") \
        .get_data(as_text=True)
    assert "E-mail not sent: e-mail is not configured" in html
    assert "Delivered" not in html


def test_staff_see_what_the_customer_was_told(app, login, frozen, smtp, web_login):
    _dept_phone("demo-hotel", "engineering")
    c = _handover(login, frozen, tell_by_email=True, tell_by_sms=True)
    page = web_login("demo-hotel", "security").get(f"/contacts/{c['ref']}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="customer-told"' in html
    assert "zhao@guest.example" in html and "Delivered" in html
    # No SMS gateway in demo-hotel: the SMS row says it was not sent.
    assert "SMS not sent: no gateway configured" in html
    assert {r.channel: r.status for r in _messages("demo-hotel", c["ref"])} == \
        {"email": "email", "sms": "no_gateway"}


def test_the_web_form_records_consent(app, web_login, frozen):
    web = web_login("demo-hotel", "security")
    with frozen(T0):
        res = web.post("/contacts/new", data={
            "channel": "visit", "matter_type": "complaint", "summary": "房间太吵",
            "customer_name": "孙先生", "customer_phone": "13900000000",
            "customer_tell_by_sms": "1", "customer_language": "en"})
    assert res.status_code == 302, res.get_data(as_text=True)[:800]
    with tenant_scope(tenant_id("demo-hotel")):
        customer = db.session.scalars(select(Customer).where(
            Customer.phone == "13900000000")).one()
    assert customer.sms_consent_at is not None and customer.email_consent_at is None
    assert customer.language == "en"
    with frozen(T0):
        bad = web.post("/contacts/new?lang=en", data={
            "channel": "visit", "matter_type": "complaint", "summary": "房间太吵",
            "customer_name": "孙先生", "customer_tell_by_email": "1"})
    assert bad.status_code == 422
    assert "Enter the e-mail address the customer agreed to be told at." in \
        bad.get_data(as_text=True)


def test_the_owner_is_not_named_on_a_handover_to_a_person(app, login, frozen, smtp):
    """A handover to a named receiver still tells only the department."""
    _dept_phone("demo-hotel", "engineering")
    security = login("demo-hotel", "security")
    engineer = staff("demo-hotel", "engineering")
    with frozen(T0):
        c = register(security, matter_type="repair", customer=_customer(tell_by_email=True))
        assert security.post(f"/contacts/{c['ref']}/transfers", json={
            "to_department": "engineering", "to_user": "engineering"}).status_code == 201
    [msg] = _to_customer(smtp)
    assert engineer.name not in msg.get_content() and "engineering" not in msg.get_content()


@pytest.mark.parametrize("slug", ["demo-hotel", "demo-property", "demo-government", "demo-bank"])
def test_every_pack_tells_the_receiving_department_and_its_phone(app, login, frozen, smtp, slug):
    admin = staff(slug, "admin")
    with tenant_scope(tenant_id(slug)):
        target = db.session.scalars(select(Department).where(
            Department.active, Department.id != admin.department_id)
            .order_by(Department.id)).first()
        target.phone = DEPT_PHONE
        db.session.commit()
        code, name = target.code, target.name_zh
    user = login(slug, "admin")
    with frozen(T0):
        c = register(user, matter_type="complaint", customer=_customer(tell_by_email=True))
        res = user.post(f"/contacts/{c['ref']}/transfers", json={"to_department": code})
        assert res.status_code == 201, res.get_json()
    [msg] = _to_customer(smtp)
    assert name in msg.get_content() and DEPT_PHONE in msg.get_content()
    for person in _staff_names(slug):
        assert person not in msg.get_content()
