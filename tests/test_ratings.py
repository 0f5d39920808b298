"""The customer rates the service (issue 13 item 1): only an explicit POST records a rating,
one per contact, changeable for the pack's period after closure; kept apart from the owner's
callback figure and shown to staff; on the progress page (both languages) and in JSON."""
import re

import pytest
from conftest import register
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from core.voice.rating_models import CustomerRating

T0 = "2026-11-02T09:00:00+08:00"       # a Monday


def _csrf(client, slug, query=""):
    page = client.get(f"/t/{slug}/progress{query}")
    assert page.status_code == 200
    return re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)


class Customer:
    """A customer's browser on one organisation's progress page (own cookies and address)."""

    def __init__(self, app, slug, address="198.51.100.20", lang=None):
        self.client, self.slug = app.test_client(), slug
        self.client.environ_base["REMOTE_ADDR"] = address
        self.token = _csrf(self.client, slug, f"?lang={lang}" if lang else "")

    def look_up(self, ref, code, **extra):
        return self.client.post(f"/t/{self.slug}/progress",
                                data={"ref": ref, "code": code, "csrf_token": self.token, **extra})

    def rate(self, ref, code, grade, comment="", **extra):
        data = {"ref": ref, "code": code, "grade": str(grade), "comment": comment,
                "csrf_token": self.token, **extra}
        return self.client.post(f"/t/{self.slug}/progress/rating", data=data)


def rate_json(client, slug, ref, code, grade, comment="", address="198.51.100.30", **extra):
    body = {"ref": ref, "code": code, "grade": grade, "comment": comment, **extra}
    return client.post(f"/api/v1/public/{slug}/progress/rating", json=body,
                       environ_base={"REMOTE_ADDR": address})


def _tenant_id(slug):
    with unscoped():
        return db.session.scalars(select(Tenant.id).where(Tenant.slug == slug)).one()


def ratings_of(slug, ref):
    """[(round, grade, status)] of a contact, oldest first."""
    from core.contacts.models import Contact
    with tenant_scope(_tenant_id(slug)):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        rows = db.session.scalars(select(CustomerRating).where(
            CustomerRating.contact_id == contact.id).order_by(CustomerRating.round)).all()
        out = [(r.round, r.grade, r.status) for r in rows]
        db.session.commit()
        return out


def closed_hotel_contact(login, frozen, at=T0, satisfaction=4):
    """A hotel complaint handed to the front office, answered, called back and closed."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen(at):
        c = register(security)
        ref = c["ref"]
        tid = security.post(f"/contacts/{ref}/transfers", json={
            "to_department": "front_office", "mode": "handover",
            "opinion": "请前厅部处理。"}).get_json()["id"]
        assert front.post(f"/contacts/{ref}/transfers/{tid}/accept").status_code == 200
        assert front.post(f"/contacts/{ref}/replies",
                          json={"text": "您好，已为您处理，谢谢。"}).status_code == 201
        assert front.post(f"/contacts/{ref}/feedback",
                          json={"text": "已处理完毕。"}).status_code == 201
        assert security.post(f"/contacts/{ref}/callbacks",
                             json={"satisfaction": satisfaction}).status_code == 201
        assert security.post(f"/contacts/{ref}/close", json={}).status_code == 200
    return ref, c["query_code"], security, front


def test_nothing_is_offered_before_the_matter_is_answered(app, login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security)
    me = Customer(app, "demo-hotel")
    page = me.look_up(c["ref"], c["query_code"]).get_data(as_text=True)
    assert 'id="progress-result"' in page and 'id="progress-rating"' not in page
    with frozen(T0):
        res = me.rate(c["ref"], c["query_code"], 5)
    assert res.status_code == 409 and "尚未答复" in res.get_data(as_text=True)
    assert ratings_of("demo-hotel", c["ref"]) == []


def test_a_link_preselects_a_grade_but_only_the_submit_records_it(app, client, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    me = Customer(app, "demo-hotel")
    with frozen("2026-11-03T09:00:00+08:00"):
        # the link of a closing notice: ?ref=&grade=1 -- opening it (a mail scanner) records nothing
        page = me.client.get(f"/t/demo-hotel/progress?ref={ref}&grade=1")
        assert page.status_code == 200
        assert '<input type="hidden" name="grade" value="1">' in page.get_data(as_text=True)
        assert me.client.get(f"/t/demo-hotel/progress/rating?ref={ref}&code={code}&grade=1") \
            .status_code == 405
        api = client.get(f"/api/v1/public/demo-hotel/progress?ref={ref}&code={code}&grade=1")
        assert api.status_code == 200 and api.get_json()["rating"]["current"] is None
        assert api.get_json()["rating"]["may_rate"] is True
        assert [g["value"] for g in api.get_json()["rating"]["grades"]] == [5, 4, 3, 2, 1]
        # the look-up carries the grade: the form shows it chosen, still nothing recorded
        page = me.look_up(ref, code, grade="1").get_data(as_text=True)
        assert re.search(r'name="grade" value="1" required checked', page)
        assert "非常不满意" in page and "非常满意" in page
        assert ratings_of("demo-hotel", ref) == []
        # the explicit submit records it
        res = me.rate(ref, code, 3, comment="还可以")
    assert res.status_code == 200 and 'id="rating-thanks"' in res.get_data(as_text=True)
    assert "您的评价：基本满意" in res.get_data(as_text=True)
    assert ratings_of("demo-hotel", ref) == [(1, 3, "counted")]


def test_the_web_form_needs_its_csrf_token(app, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    me = Customer(app, "demo-hotel")
    res = me.client.post("/t/demo-hotel/progress/rating",
                         data={"ref": ref, "code": code, "grade": "5"})
    assert res.status_code == 400
    assert ratings_of("demo-hotel", ref) == []


def test_one_rating_per_contact_changeable_for_the_packs_period(app, client, login, frozen):
    ref, code, security, _f = closed_hotel_contact(login, frozen)     # closed 2026-11-02
    with frozen("2026-11-03T09:00:00+08:00"):
        res = rate_json(client, "demo-hotel", ref, code, 4, "不错")
        assert res.status_code == 201
        rating = res.get_json()["rating"]
        assert rating["current"]["grade"] == 4 and rating["mode"] == "change"
        # hotel: 7 days after closure, in the hotel's time zone
        assert rating["change_until"].startswith("2026-11-09T09:00")
    with frozen("2026-11-08T09:00:00+08:00"):
        again = rate_json(client, "demo-hotel", ref, code, 5, "很好")
        assert again.status_code == 200                                   # a change, no new row
    assert ratings_of("demo-hotel", ref) == [(1, 5, "counted")]
    with frozen("2026-11-09T09:00:01+08:00"):
        late = rate_json(client, "demo-hotel", ref, code, 3)
        assert late.status_code == 409 and late.get_json()["error"]["code"] == "change_period_over"
        page = Customer(app, "demo-hotel", lang="en").look_up(ref, code).get_data(as_text=True)
        assert "The period for changing the rating has ended." in page
        assert 'id="rating-form"' not in page and "Your rating: Very satisfied" in page
    assert ratings_of("demo-hotel", ref) == [(1, 5, "counted")]
    # staff see both figures, apart: the owner's callback 4, the customer's own 5
    detail = security.get(f"/contacts/{ref}").get_json()
    assert detail["satisfaction"] == 4
    assert [(r["grade"], r["changes"], r["status"]) for r in detail["customer_ratings"]] == [
        (5, 1, "counted")]
    kinds = [(e["kind"], e["details"].get("grade"), e["details"].get("changed_from"))
             for e in detail["events"] if e["kind"] == "customer_rated"]
    assert kinds == [("customer_rated", 4, None), ("customer_rated", 5, 4)]


def test_the_change_period_is_the_packs(app, client, login, frozen):
    """Government: 15 days (pack policy ``customer_rating.change_days``)."""
    owner = login("demo-government", "reception")
    with frozen(T0):
        c = register(owner, matter_type="consultation")
        ref = c["ref"]
        assert c["state"] == "handling"                      # the window's own duty
        assert owner.post(f"/contacts/{ref}/replies",
                          json={"text": "您好，已为您答复，谢谢。"}).status_code == 201
        assert owner.post(f"/contacts/{ref}/close", json={}).status_code == 200
        assert rate_json(client, "demo-government", ref, c["query_code"], 4).status_code == 201
    with frozen("2026-11-16T09:00:00+08:00"):               # 14 days later: still open
        assert rate_json(client, "demo-government", ref, c["query_code"], 5).status_code == 200
    with frozen("2026-11-17T09:00:01+08:00"):
        assert rate_json(client, "demo-government", ref, c["query_code"], 3).status_code == 409


def test_the_staff_page_shows_both_figures_and_the_timeline(app, client, login, frozen,
                                                             web_login):
    ref, code, _s, _f = closed_hotel_contact(login, frozen, satisfaction=5)
    with frozen("2026-11-03T09:00:00+08:00"):
        assert rate_json(client, "demo-hotel", ref, code, 3, "等太久了").status_code == 201
    page = web_login("demo-hotel", "security").get(f"/contacts/{ref}").get_data(as_text=True)
    assert re.search(r'id="customer-rating-current">3 · 基本满意', page)
    assert re.search(r'id="callback-satisfaction">5 · 非常满意', page)
    assert "客户评价 3/5（基本满意）" in page and "等太久了" in page
    # no appeal or rectification form for the owner, who may not take them
    assert 'id="rating-appeal-form"' not in page and 'id="rectification-form"' not in page


def test_the_customer_page_shows_no_staff_names(app, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    me = Customer(app, "demo-hotel")
    with frozen("2026-11-03T09:00:00+08:00"):
        page = me.rate(ref, code, 1, comment="很差").get_data(as_text=True)
    from core.tenancy.models import Staff
    with tenant_scope(_tenant_id("demo-hotel")):
        names = [s.name for s in db.session.scalars(select(Staff))]
        db.session.commit()
    for name in names:
        assert name not in page
    assert "整改后将回访您" in page           # the bad rating: rate again after the callback


@pytest.mark.parametrize("body, field", [
    ({"grade": 7}, "grade"), ({"grade": "5"}, "grade"), ({"grade": None}, "grade"),
    ({"grade": True}, "grade"), ({}, "grade"),
    ({"grade": 5, "comment": "x" * 501}, "comment"), ({"grade": 5, "comment": "a\x00b"}, "comment"),
    ({"grade": 5, "comment": 7}, "comment"), ({"grade": 5, "code": ""}, "code"),
    ({"grade": 5, "ref": "no spaces"}, "ref"), ({"grade": 5, "lang": "fr"}, "lang"),
])
def test_bad_input_is_422_with_the_field(app, client, login, frozen, body, field):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    full = {"ref": ref, "code": code, **body}
    res = client.post("/api/v1/public/demo-hotel/progress/rating", json=full,
                      environ_base={"REMOTE_ADDR": "198.51.100.40"})
    assert res.status_code == 422, res.get_json()
    assert field in res.get_json()["error"]["fields"]
    assert ratings_of("demo-hotel", ref) == []


def test_bad_input_on_the_page_names_the_field_in_both_languages(app, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    for lang, words in (("zh", "评价"), ("en", "Rate our service")):
        me = Customer(app, "demo-hotel", lang=lang, address=f"198.51.100.{50 + len(lang)}")
        res = me.rate(ref, code, "9")
        assert res.status_code == 422 and 'id="err-grade"' in res.get_data(as_text=True)
        assert words in res.get_data(as_text=True)
        res = me.rate(ref, code, 5, comment="长" * 501)
        assert res.status_code == 422 and 'id="err-comment"' in res.get_data(as_text=True)
    assert ratings_of("demo-hotel", ref) == []


def test_a_wrong_code_or_another_tenants_reference_is_the_same_404(app, client, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    wrong = "AAAAAA" if code != "AAAAAA" else "BBBBBB"
    assert rate_json(client, "demo-hotel", ref, wrong, 5).status_code == 404
    assert rate_json(client, "demo-property", ref, code, 5).status_code == 404
    assert ratings_of("demo-hotel", ref) == []


def test_rating_is_rate_limited_per_reference(app, client, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    wrong = "AAAAAA" if code != "AAAAAA" else "BBBBBB"
    answers = [rate_json(client, "demo-hotel", ref, wrong, 5, address=f"203.0.113.{i}")
               .status_code for i in range(7)]
    assert answers[:5] == [404] * 5 and answers[5:] == [429, 429]
    # the right code from yet another address is refused too: the reference is locked
    assert rate_json(client, "demo-hotel", ref, code, 5, address="203.0.113.99").status_code == 429


@pytest.mark.parametrize("pack, days", [("hotel", 7), ("property", 7), ("government", 15),
                                        ("bank", 7)])
def test_each_pack_sets_the_change_period_and_the_rectification_clock(pack, days):
    from core.policy.plugins import manager
    from core.policy.schema import validate_policy
    policy = validate_policy(manager().get(pack).policy)
    assert policy["customer_rating"] == {"change_days": days}
    assert policy["deadlines"]["rectification"]["default"]["unit"] == "working_days"


def test_the_change_period_is_checked_like_any_policy_value():
    from core.policy.plugins import manager
    from marshmallow import ValidationError

    from core.policy.schema import merge, validate_policy
    base = manager().get("hotel").policy
    for bad in (-1, 366, "7", None):
        with pytest.raises(ValidationError) as err:
            validate_policy(merge(base, {"customer_rating": {"change_days": bad}}))
        assert "change_days" in err.value.messages["customer_rating"]


def test_one_reference_is_rated_at_most_ten_times_a_day(app, client, login, frozen):
    ref, code, _s, _f = closed_hotel_contact(login, frozen)
    me = Customer(app, "demo-hotel", address="198.51.100.77")
    with frozen("2026-11-03T09:00:00+08:00"):
        answers = [rate_json(client, "demo-hotel", ref, code, 3 + i % 3,
                             address=f"203.0.113.{100 + i}").status_code for i in range(6)]
        answers += [me.rate(ref, code, 4).status_code for _ in range(5)]
    assert answers == [201] + [200] * 9 + [429]
