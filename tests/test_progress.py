"""Customers look up the progress of their matter: /t/<slug>/progress and its JSON form."""
import re

import pytest
from conftest import register
from sqlalchemy import select

from core.contacts.models import Contact, Violation
from core.extensions import db
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped


def _csrf(client, slug, lang=None):
    page = client.get(f"/t/{slug}/progress" + (f"?lang={lang}" if lang else ""))
    assert page.status_code == 200
    return re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)


class Customer:
    """A customer's browser (own cookies, own address) on one organisation's progress page."""

    def __init__(self, app, slug, address="198.51.100.7", lang=None):
        self.client, self.slug, self.address = app.test_client(), slug, address
        self.client.environ_base["REMOTE_ADDR"] = address
        self.token = _csrf(self.client, slug, lang)

    def look_up(self, ref, code, **extra):
        data = {"ref": ref, "code": code, "csrf_token": self.token, **extra}
        return self.client.post(f"/t/{self.slug}/progress", data=data)


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _in_tenant(slug, fn):
    with tenant_scope(_tenant(slug).id):
        result = fn()
        db.session.commit()
        return result


def _staff_names(slug):
    return _in_tenant(slug, lambda: [s.name for s in db.session.scalars(select(Staff))])


def _text(res):
    return res.get_data(as_text=True)


def _message(res):
    found = re.search(r'id="progress-message">([^<]*)<', _text(res))
    return found.group(1) if found else None


@pytest.fixture
def hotel(login):
    return login("demo-hotel", "security"), login("demo-hotel", "front-office")


def test_the_customer_follows_handover_accept_reply_and_close(app, hotel, frozen):
    security, front = hotel
    _in_tenant("demo-hotel", lambda: setattr(db.session.scalars(select(Department).where(
        Department.code == "front_office")).one(), "phone", "0571-8888 1234"))
    with frozen("2026-10-01T09:00:00+08:00"):
        c = register(security, summary="空调不制冷 INTERNAL-SUMMARY")
    code, ref = c["query_code"], c["ref"]
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    me = Customer(app, "demo-hotel")
    page = _text(me.look_up(ref, code))
    assert 'id="progress-result"' in page and ref in page
    assert "已登记，正在转交负责部门" in page                     # registered, in plain words

    with frozen("2026-10-01T09:30:00+08:00"):
        tid = security.post(f"/contacts/{ref}/transfers",
                            json={"to_department": "front_office", "mode": "handover",
                                  "note": "INTERNAL-NOTE"}).get_json()["id"]
    page = _text(me.look_up(ref, code.lower()))                  # typed in lower case: fine
    assert "已转交前厅部" in page
    with frozen("2026-10-01T09:40:00+08:00"):
        assert front.post(f"/contacts/{ref}/transfers/{tid}/accept").status_code == 200
    res = me.look_up(ref, f"{code[:3]} {code[3:]}")               # with a space: fine
    page = _text(res)
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"
    assert "正在由前厅部办理" in page and "0571-8888 1234" in page
    # the reply is due by the close of the next day, in the hotel's time zone
    assert re.search(r'id="progress-due">2026-10-02 17:30<', page)
    assert "答复期限" in page

    with frozen("2026-10-01T10:00:00+08:00"):
        assert front.post(f"/contacts/{ref}/replies",
                          json={"text": "您好，空调已修好 REPLY-TEXT，对不起。"}).status_code == 201
        front.post(f"/contacts/{ref}/feedback", json={"text": "FEEDBACK-TEXT"})
        security.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 2, "note": "CB-NOTE"})
        assert security.post(f"/contacts/{ref}/close", json={"note": "CLOSE-NOTE"}) \
            .status_code == 200
    page = _text(me.look_up(ref, code))
    assert "progress-state state-closed" in page and 'id="progress-due"' not in page
    timeline = re.search(r'id="progress-timeline">(.*?)</ol>', page, re.S).group(1)
    kinds = re.findall(r'class="ms-([a-z_]+)"', timeline)
    assert kinds == ["registered", "transferred", "accepted", "replied", "called_back", "closed"]
    assert "2026-10-01 09:30" in timeline and "已转交前厅部" in timeline
    assert "前厅部已受理" in timeline
    # nothing internal: no staff names, notes, texts, the summary, satisfaction
    for secret in ["INTERNAL-NOTE", "INTERNAL-SUMMARY", "REPLY-TEXT", "FEEDBACK-TEXT",
                   "CB-NOTE", "CLOSE-NOTE", "13800000000", "赵先生", "2/5",
                   *_staff_names("demo-hotel")]:
        assert secret not in page, secret


def test_english_page(app, hotel, frozen):
    security, _ = hotel
    with frozen("2026-10-01T09:00:00+08:00"):
        c = register(security)
        security.post(f"/contacts/{c['ref']}/transfers",
                      json={"to_department": "front_office", "mode": "handover"})
    me = Customer(app, "demo-hotel", lang="en")
    page = _text(me.look_up(c["ref"], c["query_code"]))
    assert "Progress of your matter" in page and "Handed over to Front Office" in page
    assert "Complaint" in page and "Registered on" in page and "2026-10-01" in page
    zh = Customer(app, "demo-hotel", address="198.51.100.8")
    page = _text(zh.look_up(c["ref"], c["query_code"]))
    assert "您的事项进度" in page and "已转交前厅部" in page


def test_unknown_reference_and_wrong_code_get_the_same_answer(app, hotel):
    security, _ = hotel
    c = register(security)
    me = Customer(app, "demo-hotel")
    wrong_code = me.look_up(c["ref"], "ABCDEF" if c["query_code"] != "ABCDEF" else "ABCDEG")
    unknown = me.look_up("HT-20991231-9999", "ABCDEF")
    old_phone = me.look_up(c["ref"], "0000")       # a contact with a code: the phone is no key
    assert wrong_code.status_code == unknown.status_code == old_phone.status_code == 404
    assert _message(wrong_code) == _message(unknown) == _message(old_phone)
    assert _message(unknown) == "没有找到与此受理编号和查询码相符的事项。"

    def body(res, ref):
        return re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+', r"\1", _text(res)) \
            .replace(ref, "REF")
    assert body(wrong_code, c["ref"]) == body(unknown, "HT-20991231-9999")
    assert 'id="progress-result"' not in _text(wrong_code)


def test_another_tenants_reference_is_not_found(app, hotel):
    security, _ = hotel
    c = register(security)
    bank = Customer(app, "demo-bank")
    res = bank.look_up(c["ref"], c["query_code"])
    assert res.status_code == 404 and ref_not_shown(res, c)
    api = app.test_client().get(f"/api/v1/public/demo-bank/progress?ref={c['ref']}"
                                f"&code={c['query_code']}")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def ref_not_shown(res, c):
    return 'id="progress-result"' not in _text(res)


def test_contacts_without_a_code_use_the_last_four_phone_digits(app, hotel):
    security, _ = hotel
    c = register(security, customer={"name": "钱女士", "phone": "138-1234-5678"})
    _in_tenant("demo-hotel", lambda: setattr(db.session.scalars(select(Contact).where(
        Contact.ref == c["ref"])).one(), "query_code_hash", None))   # registered before 0009
    me = Customer(app, "demo-hotel")
    assert me.look_up(c["ref"], "5678").status_code == 200
    assert me.look_up(c["ref"], c["query_code"]).status_code == 404
    assert me.look_up(c["ref"], "1234").status_code == 404


def test_failed_look_ups_are_limited_per_address(app, hotel):
    security, _ = hotel
    c = register(security)
    me = Customer(app, "demo-hotel", address="203.0.113.1")
    codes = [me.look_up(f"HT-20260101-{i:04d}", "ABCDEF").status_code for i in range(11)]
    assert codes[:10] == [404] * 10 and codes[10] == 429
    assert "请一刻钟后再试" in _text(me.look_up(c["ref"], c["query_code"]))  # even the right one
    # the JSON form shares the counter
    api = me.client.get(f"/api/v1/public/demo-hotel/progress?ref={c['ref']}"
                        f"&code={c['query_code']}")
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_requests"
    # another address is not affected
    other = Customer(app, "demo-hotel", address="203.0.113.2")
    assert other.look_up(c["ref"], c["query_code"]).status_code == 200


def test_an_ipv6_client_counts_by_its_64(app, hotel):
    """One line holds a whole /64: hopping between its addresses does not reset the limit."""
    security, _ = hotel
    c = register(security)
    codes = [Customer(app, "demo-hotel", address=f"2001:db8:1:2::{i + 1:x}")
             .look_up(f"HT-20260101-{i:04d}", "ABCDEF").status_code for i in range(11)]
    assert codes[:10] == [404] * 10 and codes[10] == 429
    neighbour = Customer(app, "demo-hotel", address="2001:db8:1:3::1")     # another /64
    assert neighbour.look_up(c["ref"], c["query_code"]).status_code == 200


def test_guessing_one_reference_from_many_addresses_is_limited(app, hotel):
    security, _ = hotel
    c = register(security)
    for i in range(5):
        guess = Customer(app, "demo-hotel", address=f"192.0.2.{i + 1}")
        assert guess.look_up(c["ref"], "ZZZZZZ" if c["query_code"] != "ZZZZZZ" else "ZZZZZY") \
            .status_code == 404
    fresh = Customer(app, "demo-hotel", address="192.0.2.99")
    assert fresh.look_up(c["ref"], c["query_code"]).status_code == 429
    # other references are not locked
    d = register(security)
    assert fresh.look_up(d["ref"], d["query_code"]).status_code == 200


@pytest.mark.parametrize("ref, code, field", [
    ("", "ABCDEF", "ref"), ("HT-1", "", "code"), ("HT-" + "1" * 60, "ABCDEF", "ref"),
    ("HT-1", "A" * 40, "code"), ("受理编号", "ABCDEF", "ref"), ("HT-1", "查询码查询码", "code"),
    ("HT-1", "AB", "code"), ("HT-1\x00", "ABCDEF", "ref"), ("HT-1", "ÄBCDEF", "code"),
    ("../etc", "ABCDEF", "ref"),
])
def test_bad_input_is_a_form_error_never_500(app, ref, code, field):
    me = Customer(app, "demo-hotel")
    res = me.look_up(ref, code)
    api = app.test_client().get("/api/v1/public/demo-hotel/progress",
                                query_string={"ref": ref, "code": code})
    if "\x00" in ref:      # refused before any view by the request guard (core.validation)
        assert res.status_code == 400 and api.status_code == 400
        return
    assert res.status_code == 422
    assert f'id="err-{field}"' in _text(res)
    assert api.status_code == 422 and field in api.get_json()["error"]["fields"]


def test_the_form_needs_its_csrf_token(app):
    client = app.test_client()
    res = client.post("/t/demo-hotel/progress", data={"ref": "HT-1", "code": "ABCDEF"})
    assert res.status_code == 400


def test_json_form(app, hotel, frozen):
    security, _ = hotel
    with frozen("2026-10-01T09:00:00+08:00"):
        c = register(security)
    client = app.test_client()
    res = client.get("/api/v1/public/demo-hotel/progress",
                     query_string={"ref": c["ref"], "code": c["query_code"], "lang": "en"})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["ref"] == c["ref"] and body["state"] == "registered"
    assert body["registered_at"] == "2026-10-01T09:00:00+08:00"          # tenant's zone
    assert [m["kind"] for m in body["timeline"]] == ["registered"]
    assert body["department"] is None and body["due"] is None       # no reply clock yet
    with frozen("2026-10-01T09:30:00+08:00"):
        security.post(f"/contacts/{c['ref']}/transfers",
                      json={"to_department": "front_office", "mode": "handover"})
    body = client.get("/api/v1/public/demo-hotel/progress",
                      query_string={"ref": c["ref"], "code": c["query_code"], "lang": "en"}
                      ).get_json()
    assert body["state_text"] == "Handed over to Front Office"
    assert body["department"]["name"] == "Front Office"
    assert body["due"] == {"kind": "reply", "label": "Reply due by",
                           "at": "2026-10-02T17:30:00+08:00"}
    assert "owner" not in body and "customer" not in body and "summary" not in body
    wrong = client.get("/api/v1/public/demo-hotel/progress",
                       query_string={"ref": c["ref"], "code": "ZZZZZ2"})
    unknown = client.get("/api/v1/public/demo-hotel/progress",
                         query_string={"ref": "HT-20990101-0001", "code": "ZZZZZ2"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    assert client.get("/api/v1/public/no-such-org/progress?ref=A&code=ABCDEF").status_code == 404


def test_a_suspended_organisation_answers_like_its_other_public_pages(app, hotel):
    security, _ = hotel
    c = register(security)
    _tenant("demo-hotel").status = "suspended"
    db.session.commit()
    client = app.test_client()
    res = client.get("/t/demo-hotel/progress")
    assert res.status_code == 403 and client.get("/t/demo-hotel/login").status_code == 403
    api = client.get(f"/api/v1/public/demo-hotel/progress?ref={c['ref']}&code={c['query_code']}")
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "tenant_suspended"


def test_links_from_the_sign_in_page_and_the_front_page(app):
    client = app.test_client()
    assert "/t/demo-hotel/progress" in _text(client.get("/t/demo-hotel/login"))
    res = client.get("/?org=demo-hotel&to=progress")
    assert res.status_code == 302 and res.location.endswith("/t/demo-hotel/progress")
    assert client.get("/?org=demo-hotel").location.endswith("/t/demo-hotel/login")


def test_staff_see_the_code_of_a_new_contact_and_issue_a_new_one(app, web_login, frozen):
    owner = web_login("demo-hotel", "security")
    res = owner.post("/contacts/new", {"channel": "phone", "matter_type": "complaint",
                                       "summary": "空调不制冷", "customer_name": "赵先生",
                                       "customer_phone": "13800000000"})
    assert res.status_code == 302
    ref = re.search(r"/contacts/([^/?]+)", res.location).group(1)
    page = _text(owner.get(f"/contacts/{ref}"))
    code = re.search(r'id="query-code">([A-Z2-9]{6})<', page).group(1)
    assert code in _text(owner.get(f"/contacts/{ref}/notice"))   # printed for the customer
    me = Customer(app, "demo-hotel")
    assert me.look_up(ref, code).status_code == 200
    # another staff member's page does not show it (it is not stored in clear)
    other = web_login("demo-hotel", "front-office")
    other_page = _text(other.get(f"/contacts/{ref}"))
    assert code not in other_page and 'id="reissue-query-code"' not in other_page
    assert other.post(f"/contacts/{ref}/query-code").status_code == 302
    assert me.look_up(ref, code).status_code == 200               # refused: nothing changed
    # the owner issues a new one: the old code stops working
    owner.post(f"/contacts/{ref}/query-code")
    new = re.search(r'id="query-code">([A-Z2-9]{6})<', _text(owner.get(f"/contacts/{ref}")))
    assert new and new.group(1) != code
    assert me.look_up(ref, code).status_code == 404
    assert me.look_up(ref, new.group(1)).status_code == 200
    stored = _in_tenant("demo-hotel", lambda: db.session.scalars(select(Contact.query_code_hash)
                                                                  .where(Contact.ref == ref)).one())
    assert new.group(1) not in stored and code not in stored


def test_violations_and_escalations_stay_inside(app, hotel, frozen):
    security, front = hotel
    with frozen("2026-10-01T09:00:00+08:00"):
        c = register(security)
        ref = c["ref"]
        tid = security.post(f"/contacts/{ref}/transfers",
                            json={"to_department": "front_office", "mode": "handover"}
                            ).get_json()["id"]
        front.post(f"/contacts/{ref}/transfers/{tid}/accept")
        assert front.post(f"/contacts/{ref}/replies", json={"text": "这不是我的事"}) \
            .status_code == 422                                   # banned phrase: a violation
        assert security.post(f"/contacts/{ref}/escalations",
                             json={"reason": "ESCALATION-REASON"}).status_code == 201
    rule = _in_tenant("demo-hotel", lambda: db.session.scalars(select(Violation)).first())
    page = _text(Customer(app, "demo-hotel").look_up(ref, c["query_code"]))
    assert 'id="progress-result"' in page
    for secret in ["这不是我的事", "ESCALATION-REASON", rule.rule_text["zh"],
                   rule.rule_text["en"], "升级", "违规", *_staff_names("demo-hotel")]:
        assert secret not in page, secret
