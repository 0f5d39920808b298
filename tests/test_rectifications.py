"""The bad-review loop (issue 13 item 3): a bad rating opens a rectification with the pack's
clock, tells the supervising department, asks the owner to call back; the customer rates
again after the callback; the department may appeal, the supervising side decides; all of it
in the events, the figures and the API."""
import pytest
from conftest import register
from notify_support import staff
from sqlalchemy import select
from test_ratings import Customer, closed_hotel_contact, rate_json, ratings_of

from core.extensions import db
from core.notify import inbox as notifications
from core.notify.recipients import supervising_departments
from core.policy.plugins import manager
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import tenant_scope

DAY2 = "2026-11-03T09:00:00+08:00"
PACKS = {"demo-hotel": ("hotel", 3), "demo-property": ("property", 3),
         "demo-government": ("government", 15), "demo-bank": ("bank", 3)}


def _reasons(slug, username):
    """{(topic, reason)} in one person's inbox."""
    person = staff(slug, username)
    with tenant_scope(person.tenant_id):
        found = {(n.topic, n.params["reason"]) for n in notifications.inbox(person.id)}
        db.session.commit()
        return found


def _supervising_staff(slug, pack):
    policy = manager().get(pack).policy
    codes = supervising_departments(policy)
    person = staff(slug, "admin")
    with tenant_scope(person.tenant_id):
        names = db.session.scalars(select(Staff.username).join(
            Department, Staff.department_id == Department.id).where(
            Department.code.in_(codes)).order_by(Staff.id)).all()
        db.session.commit()
        return names


def _answered(login, frozen, slug):
    """A matter of ``slug`` its owner handled and replied to."""
    policy = manager().get(PACKS[slug][0]).policy
    owner = login(slug, policy["departments"][0]["code"].replace("_", "-"))
    with frozen("2026-11-02T09:00:00+08:00"):
        c = register(owner, matter_type="consultation")
        if c["state"] == "registered":
            assert owner.post(f"/contacts/{c['ref']}/handle", json={}).status_code == 200
        assert owner.post(f"/contacts/{c['ref']}/replies",
                          json={"text": "您好，已为您答复，谢谢。"}).status_code == 201
    return c["ref"], c["query_code"], owner


@pytest.mark.parametrize("slug", list(PACKS))
def test_a_bad_rating_opens_the_packs_rectification_and_tells_the_supervisors(
        app, client, login, frozen, slug):
    ref, code, owner = _answered(login, frozen, slug)
    with frozen(DAY2):
        res = rate_json(client, slug, ref, code, 2, "答复不清楚")
        assert res.status_code == 201
        assert res.get_json()["rating"]["refusal"] == "rectification_open"
    detail = owner.get(f"/contacts/{ref}").get_json()
    clock = [d for d in detail["deadlines"] if d["kind"] == "rectification"]
    assert len(clock) == 1 and clock[0]["stage"] == "rating"
    assert clock[0]["rule"]["amount"] == PACKS[slug][1]
    assert clock[0]["rule"]["unit"] == "working_days"
    assert clock[0]["responsible_department"] == detail["handler_department"]["code"]
    assert [e["kind"] for e in detail["events"]][-2:] == ["customer_rated",
                                                         "rectification_opened"]
    rating = detail["customer_ratings"][0]
    assert rating["rectification"]["status"] == "open"
    supervisors = _supervising_staff(slug, PACKS[slug][0])
    assert supervisors
    told = [u for u in supervisors if {("contact.rectification_opened", r) for r in (
        "rectification_watch", "rectify", "callback_again")} & _reasons(slug, u)]
    assert told == supervisors
    assert ("contact.rectification_opened", "callback_again") in _reasons(slug, owner.username)


def test_a_good_rating_opens_nothing(app, client, login, frozen):
    ref, code, owner = _answered(login, frozen, "demo-bank")
    with frozen(DAY2):
        assert rate_json(client, "demo-bank", ref, code, 3).status_code == 201
    detail = owner.get(f"/contacts/{ref}").get_json()
    assert not [d for d in detail["deadlines"] if d["kind"] == "rectification"]
    assert detail["customer_ratings"][0]["rectification"] is None


def test_callback_again_then_the_customer_rates_again(app, client, login, frozen, web_login):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    owner_page = web_login("demo-hotel", "security")
    assert 'id="step-callback"' not in owner_page.get(f"/contacts/{ref}").get_data(as_text=True)
    with frozen(DAY2):
        assert rate_json(client, "demo-hotel", ref, code, 1, "很差").status_code == 201
        # the closed matter offers its owner the callback again, and the API takes it
        page = owner_page.get(f"/contacts/{ref}").get_data(as_text=True)
        assert 'id="step-callback"' in page
        assert 'id="step-callback"' not in web_login("demo-hotel", "front-office").get(
            f"/contacts/{ref}").get_data(as_text=True)
        # not yet: the customer waits for the callback
        assert rate_json(client, "demo-hotel", ref, code, 4).status_code == 409
    with frozen("2026-11-03T11:00:00+08:00"):
        res = security.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 3})
        assert res.status_code == 201 and res.get_json()["state"] == "closed"
        assert 'id="step-callback"' not in owner_page.get(f"/contacts/{ref}").get_data(
            as_text=True)
        me = Customer(app, "demo-hotel", lang="en")
        page = me.look_up(ref, code).get_data(as_text=True)
        assert "After the callback you may rate the service again." in page
        assert me.rate(ref, code, 4, comment="好多了").status_code == 200
    assert ratings_of("demo-hotel", ref) == [(1, 1, "superseded"), (2, 4, "counted")]
    detail = security.get(f"/contacts/{ref}").get_json()
    assert detail["satisfaction"] == 3           # the owner's figure stays apart
    # a re-rating may be changed for the pack's period from itself (7 days)
    with frozen("2026-11-10T10:59:00+08:00"):
        assert rate_json(client, "demo-hotel", ref, code, 5).status_code == 200
    with frozen("2026-11-10T11:01:00+08:00"):
        assert rate_json(client, "demo-hotel", ref, code, 3).status_code == 409
    assert ratings_of("demo-hotel", ref) == [(1, 1, "superseded"), (2, 5, "counted")]


def test_the_department_records_its_rectification_which_meets_the_clock(
        app, client, login, frozen, web_login):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    with frozen(DAY2):
        rate_json(client, "demo-hotel", ref, code, 2)
        other = login("demo-hotel", "housekeeping")
        assert other.post(f"/contacts/{ref}/rectification",
                          json={"text": "x"}).status_code == 403
        assert front.post(f"/contacts/{ref}/rectification", json={"text": "  "}) \
            .status_code == 422
        page = web_login("demo-hotel", "front-office").get(f"/contacts/{ref}")
        assert 'id="rectification-form"' in page.get_data(as_text=True)
        web = web_login("demo-hotel", "front-office")
        res = web.post(f"/contacts/{ref}/rectification", data={"text": "已培训前台员工，改进流程。"})
        assert res.status_code == 302
        again = front.post(f"/contacts/{ref}/rectification", json={"text": "再次"})
        assert again.status_code == 409 and again.get_json()["error"]["code"] == "no_rectification"
    detail = security.get(f"/contacts/{ref}").get_json()
    clock = [d for d in detail["deadlines"] if d["kind"] == "rectification"][0]
    assert clock["status"] == "met"
    rect = detail["customer_ratings"][0]["rectification"]
    assert rect["status"] == "done" and rect["done_by"] == "front-office"
    assert rect["action_taken"] == "已培训前台员工，改进流程。"
    assert ("contact.rectification_completed", "rectified") in _reasons("demo-hotel", "security")


def test_a_late_rectification_is_breached(app, client, login, frozen):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    with frozen(DAY2):
        rate_json(client, "demo-hotel", ref, code, 1)
    with frozen("2026-11-20T09:00:00+08:00"):
        assert front.post(f"/contacts/{ref}/rectification",
                          json={"text": "迟到的整改"}).status_code == 200
    detail = security.get(f"/contacts/{ref}").get_json()
    clock = [d for d in detail["deadlines"] if d["kind"] == "rectification"][0]
    assert clock["status"] == "breached"


def test_appeal_and_decision(app, client, login, frozen, web_login):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    lead, inspector = login("demo-hotel", "front-office-lead"), login("demo-hotel", "inspector")
    with frozen(DAY2):
        assert lead.post(f"/contacts/{ref}/rating/appeal",
                         json={"reason": "误评"}).status_code == 409      # nothing rated yet
        rate_json(client, "demo-hotel", ref, code, 1, "态度差")
        assert front.post(f"/contacts/{ref}/rating/appeal",
                          json={"reason": "误评"}).status_code == 403     # not a supervisor
        assert security.post(f"/contacts/{ref}/rating/appeal",
                             json={"reason": "误评"}).status_code == 403  # not the department
        assert lead.post(f"/contacts/{ref}/rating/appeal", json={"reason": ""}).status_code == 422
        res = lead.post(f"/contacts/{ref}/rating/appeal", json={"reason": "客户评价的是另一事项"})
        assert res.status_code == 201
        assert res.get_json()["ratings"][0]["appeal"]["status"] == "pending"
        assert lead.post(f"/contacts/{ref}/rating/appeal",
                         json={"reason": "again"}).status_code == 409
        assert ("contact.rating_appealed", "appeal_to_decide") in _reasons("demo-hotel",
                                                                          "inspector")
        # the appealing department never decides its own case
        assert lead.post(f"/contacts/{ref}/rating/appeal/decision",
                         json={"outcome": "overturned", "reason": "x"}).status_code == 403
        assert inspector.post(f"/contacts/{ref}/rating/appeal/decision",
                              json={"outcome": "maybe", "reason": "x"}).status_code == 422
        page = web_login("demo-hotel", "inspector").get(f"/contacts/{ref}").get_data(
            as_text=True)
        assert 'id="rating-decision-form"' in page and 'id="rating-appeal-form"' not in page
        res = inspector.post(f"/contacts/{ref}/rating/appeal/decision",
                             json={"outcome": "overturned", "reason": "核实为误评"})
        assert res.status_code == 200
        body = res.get_json()
        assert body["customer_rating"] is None and body["ratings"][0]["status"] == "overturned"
        assert body["ratings"][0]["appeal"]["decided_by"] == "inspector"
        again = inspector.post(f"/contacts/{ref}/rating/appeal/decision",
                               json={"outcome": "upheld", "reason": "x"})
        assert again.status_code == 409
    assert ("contact.rating_appeal_decided", "appeal_decided") in _reasons(
        "demo-hotel", "front-office-lead")
    kinds = [e["kind"] for e in security.get(f"/contacts/{ref}").get_json()["events"]]
    assert kinds[-4:] == ["customer_rated", "rectification_opened", "rating_appealed",
                          "rating_appeal_decided"]


def test_figures_match_hand_counts(app, client, login, frozen, web_login):
    """Four rated contacts: 5, 4, 1 (overturned on appeal), 2 (re-rated 3 after the callback,
    rectification done on time).  Counted: 5, 4, 3 -> mean 4.0."""
    grades = []
    for first in (5, 4, 1, 2):
        ref, code, security, front = closed_hotel_contact(login, frozen)
        with frozen(DAY2):
            assert rate_json(client, "demo-hotel", ref, code, first).status_code == 201
        grades.append((ref, code, security, front, first))
    lead, inspector = login("demo-hotel", "front-office-lead"), login("demo-hotel", "inspector")
    with frozen("2026-11-03T10:00:00+08:00"):
        ref = grades[2][0]
        assert lead.post(f"/contacts/{ref}/rating/appeal", json={"reason": "误评"}) \
            .status_code == 201
        assert inspector.post(f"/contacts/{ref}/rating/appeal/decision",
                              json={"outcome": "overturned", "reason": "误评"}).status_code == 200
        ref, code, security, front, _ = grades[3]
        assert front.post(f"/contacts/{ref}/rectification", json={"text": "已整改"}) \
            .status_code == 200
        assert security.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 4}) \
            .status_code == 201
        assert rate_json(client, "demo-hotel", ref, code, 3).status_code == 201
    res = inspector.get("/supervision/summary?period=month&at=2026-11")
    assert res.status_code == 200
    cr = res.get_json()["groups"][0]["figures"]["customer_ratings"]
    assert cr["grades"] == {"5": 1, "4": 1, "3": 1, "2": 0, "1": 0}
    assert cr["rated"] == 3 and cr["mean"] == 4.0 and cr["overturned"] == 1
    assert cr["rectifications"] == {"opened": 2, "done": 1, "met": 1, "breached": 0,
                                    "on_time_rate": 1.0}
    assert cr["appeals"] == {"pending": 0, "upheld": 0, "overturned": 1}
    # apart from the owner's callback figure: 4 closing callbacks of 4, then one more of 4
    assert res.get_json()["groups"][0]["figures"]["callbacks"]["graded"] == 5
    page = web_login("demo-hotel", "inspector").get("/supervision?period=month&at=2026-11")
    html = page.get_data(as_text=True)
    assert 'id="chart-customer-ratings"' in html
    assert 'id="cr-rated">3<' in html and 'id="cr-mean">4.0<' in html
    assert 'id="cr-grade-1">0<' in html and 'id="cr-rectifications">2 / 1<' in html


def test_the_loops_notifications_read_in_both_languages(app, client, login, frozen):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    with frozen(DAY2):
        rate_json(client, "demo-hotel", ref, code, 2)
    person = staff("demo-hotel", "security")
    with tenant_scope(person.tenant_id):
        item = next(n for n in notifications.inbox(person.id)
                    if n.topic == "contact.rectification_opened")
        assert item.text("en")[0] == f"{ref}: the customer rated it badly; call the customer back"
        assert item.text("zh")[0] == f"{ref}：客户给出差评，请再次回访客户"
        db.session.commit()


def test_the_appeal_from_the_contact_page(app, client, login, frozen, web_login):
    ref, code, security, front = closed_hotel_contact(login, frozen)
    with frozen(DAY2):
        rate_json(client, "demo-hotel", ref, code, 1)
        lead = web_login("demo-hotel", "front-office-lead")
        page = lead.get(f"/contacts/{ref}").get_data(as_text=True)
        assert 'id="rating-appeal-form"' in page and 'id="rating-decision-form"' not in page
        res = lead.post(f"/contacts/{ref}/rating-appeal", data={"reason": ""})
        assert res.status_code == 302                       # refused with a message
        assert security.get(f"/contacts/{ref}/ratings").get_json()["ratings"][0]["appeal"] is None
        lead.post(f"/contacts/{ref}/rating-appeal", data={"reason": "客户评的是另一件事"})
        inspector = web_login("demo-hotel", "inspector")
        inspector.post(f"/contacts/{ref}/rating-appeal/decision",
                       data={"outcome": "upheld", "reason": "评价属实"})
    body = security.get(f"/contacts/{ref}/ratings").get_json()
    assert body["ratings"][0]["appeal"]["status"] == "upheld"
    assert body["ratings"][0]["status"] == "counted" and body["customer_rating"] == 1
    page = web_login("demo-hotel", "security").get(f"/contacts/{ref}").get_data(as_text=True)
    assert "维持评价" in page and "评价属实" in page
