"""Complaints about staff (issue 13 item 4): routed per pack, never to the person complained
about, handled once, counted per person and department, and never naming staff to the
customer."""
from datetime import date

import pytest
from conftest import register
from sqlalchemy import select

from core.contacts.models import Violation
from core.extensions import db
from core.notify.inbox import Notification
from core.supervision import figures, periods
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

T0 = "2026-11-02T10:00:00+08:00"
NOVEMBER = periods.containing("month", date(2026, 11, 2))


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _staff(slug, username):
    with tenant_scope(_tenant(slug).id):
        return db.session.scalars(select(Staff).where(Staff.username == username)).one()


def _complain_for(login, slug, owner, by="admin", text="态度生硬，推诿不管"):
    """``owner`` registers a contact, ``by`` registers a complaint about them (API)."""
    contact = register(login(slug, owner), matter_type="consultation")
    res = login(slug, by).post(f"/contacts/{contact['ref']}/complaints",
                               json={"person": owner, "text": text})
    assert res.status_code == 201, res.get_json()
    return contact, res.get_json()


def _public(client, slug, body, lang=None):
    path = f"/api/v1/public/{slug}/complaints" + (f"?lang={lang}" if lang else "")
    return client.post(path, json=body)


# -- routing, per pack ---------------------------------------------------------------------

@pytest.mark.parametrize("slug, person, body", [
    ("demo-hotel", "security", "quality"),               # Quality Inspection (seed 000 hotel)
    ("demo-hotel", "quality", "management"),             # a QI member: the GM's office
    ("demo-property", "engineering", "quality"),          # an operator: the quality department
    ("demo-property", "engineering-lead", "quality"),     # a team leader is not a supervisor
    ("demo-property", "customer-service", "director"),    # customer-service staff: director
    ("demo-property", "cr-supervisor", "director"),       # supervisors and above: director
    ("demo-property", "director-lead", "quality"),        # the director's own office: next body
    ("demo-government", "reception", "supervision"),      # the supervising office (督查股)
    ("demo-government", "supervision", "leadership"),     # a supervision officer: leadership
    ("demo-bank", "counter", "union"),                    # the union (seed 003)
    ("demo-bank", "union", "office"),                     # a union member: the office
])
def test_each_pack_routes_a_complaint_to_its_receiving_body(login, frozen, slug, person, body):
    with frozen(T0):
        _contact, complaint = _complain_for(login, slug, person)
    assert complaint["department"] == body
    assert complaint["person"]["username"] == person
    own = _staff(slug, person).department.code
    assert complaint["person_department"] == own and complaint["department"] != own


def test_a_complaint_is_never_routed_to_the_persons_own_department(login, frozen):
    """Even when the pack names only the person's department first, the next body gets it;
    the person is not told and cannot open it, though they are a supervisor there."""
    with frozen(T0):
        _contact, complaint = _complain_for(login, "demo-hotel", "quality-lead")
    assert complaint["department"] == "management"
    lead = login("demo-hotel", "quality-lead")
    assert lead.get(f"/complaints/{complaint['id']}").status_code == 404
    assert lead.get("/complaints").get_json()["items"] == []
    manager = login("demo-hotel", "management-lead")
    assert [c["id"] for c in manager.get("/complaints").get_json()["items"]] == [complaint["id"]]
    told = _told("demo-hotel", complaint["id"])
    assert "management-lead" in told and "quality-lead" not in told


def _told(slug, complaint_id):
    with tenant_scope(_tenant(slug).id):
        rows = db.session.execute(select(Staff.username, Notification.params).join(
            Notification, Notification.staff_id == Staff.id)).all()
    return {name for name, params in rows
            if params.get("path", "").endswith(f"/complaints/{complaint_id}")}


# -- the customer, from the progress page ----------------------------------------------------

def test_customer_complains_about_the_owner_without_seeing_a_name(login, client, frozen):
    owner = _staff("demo-hotel", "security")
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
        res = _public(client, "demo-hotel", {"ref": contact["ref"], "code": contact["query_code"],
                                             "against": "owner", "text": "保安对我很不耐烦"})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["status"] == "received" and body["complaints"][0]["about"] == "owner"
    assert owner.name not in res.get_data(as_text=True)
    assert owner.username not in res.get_data(as_text=True)
    qi = login("demo-hotel", "quality-lead")
    (item,) = qi.get("/complaints").get_json()["items"]
    assert item["department"] == "quality" and item["source"] == "customer"
    assert item["person"]["username"] == "security" and item["relation"] == "owner"
    assert "quality-lead" in _told("demo-hotel", item["id"])
    assert "security" not in _told("demo-hotel", item["id"])
    progress = client.get(f"/api/v1/public/demo-hotel/progress?ref={contact['ref']}"
                          f"&code={contact['query_code']}&lang=en")
    data = progress.get_json()
    assert data["complaints"][0]["status"] == "received"
    assert owner.name not in progress.get_data(as_text=True)


def test_customer_page_shows_received_then_handled_in_both_languages(login, web_login, app,
                                                                     frozen):
    owner = _staff("demo-hotel", "security")
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
    page = app.test_client()
    html = page.get("/t/demo-hotel/progress?lang=en").get_data(as_text=True)
    import re
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    with frozen(T0):
        res = page.post("/t/demo-hotel/progress/complaint?lang=en", data={
            "csrf_token": csrf, "ref": contact["ref"], "code": contact["query_code"],
            "against": "owner", "text": "Rude at the desk"})
    html = res.get_data(as_text=True)
    assert res.status_code == 200, html[:500]
    assert "Your complaint was received" in html
    assert "Complaint received; it is being looked into" in html
    assert "The person who first received my matter" in html
    assert owner.name not in html and "Rude at the desk" not in html
    qi = login("demo-hotel", "quality-lead")
    (item,) = qi.get("/complaints").get_json()["items"]
    assert qi.post(f"/complaints/{item['id']}/handling", json={
        "finding": "not_substantiated", "reply": "经核实，保安王伟按规定办理。"}).status_code == 200
    res = page.post("/t/demo-hotel/progress?lang=zh", data={
        "csrf_token": csrf, "ref": contact["ref"], "code": contact["query_code"]})
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "投诉已处理" in html
    assert owner.name not in html and "王伟" not in html and "经核实" not in html


def test_the_customer_may_choose_the_handler_only_when_someone_else_handles_it(login, client,
                                                                              frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        contact = register(security, matter_type="complaint")
        ref, code = contact["ref"], contact["query_code"]
        query = f"/api/v1/public/demo-hotel/progress?ref={ref}&code={code}"
        assert [r["key"] for r in client.get(query).get_json()["complaint_roles"]] == ["owner"]
        res = _public(client, "demo-hotel", {"ref": ref, "code": code, "against": "handler",
                                             "text": "没人理我"})
        assert res.status_code == 422 and "against" in res.get_json()["error"]["fields"]
        tid = security.post(f"/contacts/{ref}/transfers",
                            json={"to_department": "front_office"}).get_json()["id"]
        front = login("demo-hotel", "front-office")
        assert front.post(f"/contacts/{ref}/transfers/{tid}/accept").status_code == 200
        roles = client.get(query).get_json()["complaint_roles"]
        assert [r["key"] for r in roles] == ["owner", "handler"]
        res = _public(client, "demo-hotel", {"ref": ref, "code": code, "against": "handler",
                                             "text": "前台答复敷衍"})
    assert res.status_code == 201
    (item,) = login("demo-hotel", "quality-lead").get("/complaints").get_json()["items"]
    assert item["person"]["username"] == "front-office" and item["relation"] == "handler"
    assert item["person_department"] == "front_office"


def test_customer_limits_one_open_complaint_per_person_and_a_cap(login, client, frozen):
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
        body = {"ref": contact["ref"], "code": contact["query_code"], "against": "owner",
                "text": "态度差"}
        assert _public(client, "demo-hotel", body).status_code == 201
        again = _public(client, "demo-hotel", body)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_received"


def test_wrong_code_is_the_look_ups_404_and_counts_towards_its_limit(login, client, frozen):
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
        body = {"ref": contact["ref"], "code": "AAAAAA", "against": "owner", "text": "态度差"}
        answers = [_public(client, "demo-hotel", body).status_code for _ in range(6)]
        other = _public(client, "demo-bank", {**body, "code": contact["query_code"]})
    assert answers[:5] == [404] * 5 and answers[5] == 429
    assert other.status_code == 404          # another organisation's reference: not there


@pytest.mark.parametrize("body, field", [
    ({"against": "owner"}, "text"),
    ({"against": "owner", "text": ""}, "text"),
    ({"against": "owner", "text": "x" * 2001}, "text"),
    ({"against": "owner", "text": "坏\x00人"}, "text"),
    ({"against": "boss", "text": "态度差"}, "against"),
    ({"against": ["owner"], "text": "态度差"}, "against"),
    ({"against": "owner", "text": "态度差", "ref": "<script>"}, "ref"),
])
def test_bad_customer_input_is_422_with_the_field(login, client, frozen, body, field):
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
        full = {"ref": contact["ref"], "code": contact["query_code"], **body}
        res = _public(client, "demo-hotel", full)
    assert res.status_code == 422, res.get_json()
    assert field in res.get_json()["error"]["fields"]


def test_not_json_is_400(client):
    res = client.post("/api/v1/public/demo-hotel/complaints", data="ref=x",
                      content_type="text/plain")
    assert res.status_code in (400, 415, 422)
    assert res.status_code != 500


# -- staff: register, handle, violation --------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"person": "front-office", "text": "态度差"}, "person"),     # not involved in the contact
    ({"person": "security"}, "text"),
    ({"person": "security", "text": "x" * 2001}, "text"),
    ({"person": ["security"], "text": "态度差"}, "person"),
])
def test_bad_staff_registration_is_422(login, frozen, body, field):
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="consultation")
        res = login("demo-hotel", "admin").post(f"/contacts/{contact['ref']}/complaints",
                                                json=body)
    assert res.status_code == 422, res.get_json()
    assert field in res.get_json()["error"]["fields"]


def test_handling_once_and_a_substantiated_complaint_proposes_a_violation(login, frozen):
    with frozen(T0):
        _contact, complaint = _complain_for(login, "demo-hotel", "security")
    qi = login("demo-hotel", "quality-lead")
    path = f"/complaints/{complaint['id']}/handling"
    assert qi.post(path, json={"finding": "maybe", "reply": "x"}).status_code == 422
    assert qi.post(path, json={"finding": "substantiated"}).status_code == 422
    outsider = login("demo-hotel", "front-office-lead")
    assert outsider.post(path, json={"finding": "substantiated", "reply": "属实"}
                         ).status_code == 404
    with frozen("2026-11-03T10:00:00+08:00"):
        res = qi.post(path, json={"finding": "substantiated", "reply": "经查属实，已批评教育。",
                                  "propose_violation": True})
    assert res.status_code == 200, res.get_json()
    done = res.get_json()
    assert done["status"] == "handled" and done["violation_id"]
    again = qi.post(path, json={"finding": "not_substantiated", "reply": "改判"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_handled"
    with tenant_scope(_tenant("demo-hotel").id):
        violation = db.session.get(Violation, done["violation_id"])
        assert violation.trigger == "complaint_substantiated"
        assert violation.staff_id == _staff("demo-hotel", "security").id
        assert violation.rule_key == "substantiated_complaint"


# -- counted per person and department ------------------------------------------------------

def test_complaints_are_counted_per_person_and_department(login, frozen):
    with frozen(T0):
        _c1, first = _complain_for(login, "demo-hotel", "security")
        _c2, _second = _complain_for(login, "demo-hotel", "security")
        _c3, _third = _complain_for(login, "demo-hotel", "front-office")
    qi = login("demo-hotel", "quality-lead")
    with frozen("2026-11-05T10:00:00+08:00"):
        assert qi.post(f"/complaints/{first['id']}/handling", json={
            "finding": "substantiated", "reply": "属实"}).status_code == 200
    hotel = _tenant("demo-hotel")
    with tenant_scope(hotel.id):
        security = _staff("demo-hotel", "security")
        front = _staff("demo-hotel", "front-office")
        by_dept = figures.read(NOVEMBER, by="department")
        by_staff = figures.read(NOVEMBER, by="staff", family="complaints")
    assert by_dept[security.department_id].keyed("complaints.received") == {
        "open": 1, "substantiated": 1}
    assert by_dept[front.department_id].keyed("complaints.received") == {"open": 1}
    assert by_staff[security.id].keyed("complaints.received") == {"open": 1,
                                                                  "substantiated": 1}
    assert by_staff[front.id].keyed("complaints.source") == {"staff": 1}
    whole = figures.total(by_dept)
    assert whole.others()["complaints"]["complaints.received"] == {"open": 2,
                                                                    "substantiated": 1}


def test_dashboard_shows_complaints_per_department_and_person(login, web_login, frozen):
    with frozen(T0):
        _complain_for(login, "demo-hotel", "security")
    security = _staff("demo-hotel", "security")
    page = web_login("demo-hotel", "admin").get("/supervision?period=month&at=2026-11&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="complaints"' in html and security.name in html


# -- the web pages -----------------------------------------------------------------------------

def test_web_list_and_handling_form(login, web_login, frozen):
    with frozen(T0):
        contact, complaint = _complain_for(login, "demo-hotel", "security")
    qi = web_login("demo-hotel", "quality-lead")
    assert 'id="nav-complaints"' in qi.get("/").get_data(as_text=True)
    listing = qi.get("/complaints?status=open").get_data(as_text=True)
    assert contact["ref"] in listing
    assert contact["ref"] not in qi.get("/complaints?status=handled").get_data(as_text=True)
    page = qi.get(f"/complaints/{complaint['id']}").get_data(as_text=True)
    assert 'id="handling-form"' in page and "propose_violation" in page
    bad = qi.post(f"/complaints/{complaint['id']}/handling", data={"reply": ""})
    assert bad.status_code == 422
    ok = qi.post(f"/complaints/{complaint['id']}/handling",
                 data={"finding": "not_substantiated", "reply": "不属实"})
    assert ok.status_code == 302
    page = qi.get(f"/complaints/{complaint['id']}").get_data(as_text=True)
    assert 'id="handling-form"' not in page and 'id="complaint-finding"' in page
    plain = web_login("demo-hotel", "security")
    assert 'id="nav-complaints"' not in plain.get("/").get_data(as_text=True)
    assert plain.get("/complaints").status_code == 403


def test_web_contact_page_registers_a_complaint(login, web_login, frozen):
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="consultation")
    desk = web_login("demo-hotel", "front-office")
    page = desk.get(f"/contacts/{contact['ref']}").get_data(as_text=True)
    assert 'id="complaint-form"' in page
    security = _staff("demo-hotel", "security")
    res = desk.post(f"/contacts/{contact['ref']}/complaints",
                    data={"person": str(security.id), "text": "客人说保安态度差"})
    assert res.status_code == 302
    (item,) = login("demo-hotel", "quality-lead").get("/complaints").get_json()["items"]
    assert item["registered_by"]["username"] == "front-office" and item["source"] == "staff"


def test_another_tenants_complaint_is_not_found(login, frozen):
    with frozen(T0):
        _contact, complaint = _complain_for(login, "demo-hotel", "security")
    bank = login("demo-bank", "admin")
    assert bank.get(f"/complaints/{complaint['id']}").status_code == 404
    assert bank.post(f"/complaints/{complaint['id']}/handling", json={
        "finding": "substantiated", "reply": "x"}).status_code == 404
    assert bank.get("/complaints").get_json()["items"] == []


def test_customer_web_form_bad_text_is_422_with_the_matter_still_shown(login, app, frozen):
    import re
    with frozen(T0):
        contact = register(login("demo-hotel", "security"), matter_type="complaint")
    page = app.test_client()
    html = page.get("/t/demo-hotel/progress?lang=en").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    form = {"csrf_token": csrf, "ref": contact["ref"], "code": contact["query_code"],
            "against": "owner"}
    res = page.post("/t/demo-hotel/progress/complaint?lang=en", data={**form, "text": ""})
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and 'id="progress-result"' in html
    assert 'id="err-complaint-text"' in html
    res = page.post("/t/demo-hotel/progress/complaint?lang=en",
                    data={**form, "code": "ZZZZZZ", "text": "态度差"})
    assert res.status_code == 404 and 'id="progress-result"' not in res.get_data(as_text=True)
    res = page.post("/t/demo-hotel/progress/complaint?lang=en", data={**form, "text": "x",
                                                                     "code": "<>"})
    assert res.status_code == 422
