"""Spot checks: a reproducible sample of closed contacts, the inspector's calls, what a
contradiction proposes under the pack, and the figures the calls feed.

The stories happen in March 2027, where the demo tenants have no contacts.
"""
import re
from datetime import date

import pytest
from conftest import register
from sqlalchemy import select

from core.contacts.models import Violation
from core.extensions import db
from core.supervision import figures, periods, rollup, spot_checks
from core.tenancy.models import Department, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

POLITE = "您好，已为您处理完毕，谢谢您的耐心等待。"
MARCH = periods.containing("month", date(2027, 3, 1))


def _closed(user, day, hour, handled_by=None, grade=5, summary="空调不制冷"):
    """A contact closed that day: handled in the owner's duty, or handed to ``handled_by``."""
    at = f"2027-03-{day:02d}T{hour:02d}:00:00+08:00"
    c = register(user, summary=summary)
    ref = c["ref"]
    if handled_by is None:
        assert user.post(f"/contacts/{ref}/handle", json={"note": "我来办"}).status_code == 200
    else:
        department, handler = handled_by
        tid = user.post(f"/contacts/{ref}/transfers",
                        json={"to_department": department}).get_json()["id"]
        assert handler.post(f"/contacts/{ref}/transfers/{tid}/accept").status_code == 200
        assert handler.post(f"/contacts/{ref}/replies", json={"text": POLITE}).status_code == 201
        assert handler.post(f"/contacts/{ref}/feedback", json={"text": POLITE}).status_code == 201
    res = user.post(f"/contacts/{ref}/callbacks", json={"satisfaction": grade})
    assert res.status_code == 201, res.get_json()
    res = user.post(f"/contacts/{ref}/close", json={"note": "结案"})
    assert res.status_code == 200, (at, res.get_json())
    return ref


def _story(login, frozen, count=6):
    """``count`` contacts of Security closed in March, two handled by the Front Office,
    one closed in February and one left open."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    refs = {"security": [], "front_office": [], "other": []}
    with frozen("2027-02-27T10:00:00+08:00"):
        refs["other"].append(_closed(security, 27, 10))
    for i in range(count):
        with frozen(f"2027-03-{i + 2:02d}T10:00:00+08:00"):
            refs["security"].append(_closed(security, i + 2, 10))
    for i in range(2):
        with frozen(f"2027-03-{i + 10:02d}T10:00:00+08:00"):
            refs["front_office"].append(_closed(security, i + 10, 10, ("front_office", front)))
    with frozen("2027-03-20T10:00:00+08:00"):
        refs["other"].append(register(security)["ref"])
    return refs


def _draw(user, **body):
    base = {"period": "month", "at": "2027-03"}
    base.update(body)
    with_frozen = user.post("/spot-checks", json=base)
    return with_frozen


def _sampled(body, department=None):
    return [i["ref"] for i in body["items"] if department is None or i["department"] == department]


def test_the_same_seed_draws_the_same_sample_of_the_periods_closed_contacts(app, login, frozen):
    refs = _story(login, frozen)
    qi = login("demo-hotel", "inspector")
    with frozen("2027-04-01T09:00:00+08:00"):
        first = _draw(qi, departments=["security", "front_office"], number=3, seed=42)
        again = _draw(qi, departments=["security", "front_office"], number=3, seed=42)
        everything = _draw(qi, departments=["security", "front_office"], share=1)
    assert first.status_code == 201, first.get_json()
    first, again, everything = first.get_json(), again.get_json(), everything.get_json()
    assert first["seed"] == "42" and _sampled(first) == _sampled(again)
    # Three of Security's six, both of the Front Office's two (fewer than asked: all of them).
    assert len(_sampled(first, "security")) == 3
    assert set(_sampled(first, "security")) <= set(refs["security"])
    assert sorted(_sampled(first, "front_office")) == sorted(refs["front_office"])
    # Only closed contacts of March: not February's, not the open one.
    assert sorted(_sampled(everything)) == sorted(refs["security"] + refs["front_office"])
    assert everything["seed"].isdigit()                   # generated, and kept
    assert first["results"] == {"pending": 5, "confirmed": 0, "failed": 0, "unreached": 0}
    item = first["items"][0]
    assert item["customer_phone"] == "13800000000" and item["owner"] == "security"


def test_different_seeds_usually_draw_different_samples():
    ids = list(range(1, 101))
    samples = {tuple(spot_checks.sample(seed, 7, ids, number=10)) for seed in range(20)}
    assert len(samples) > 15
    assert spot_checks.sample(5, 7, ids, number=10) == spot_checks.sample(5, 7, ids, number=10)
    # A share rounds up: 25 % of 10 is 3 contacts; adding another department changes nothing.
    assert len(spot_checks.sample(5, 7, ids[:10], share=0.25)) == 3
    assert spot_checks.sample(5, 7, ids, number=4) != spot_checks.sample(5, 8, ids, number=4)


def _record(user, draw, item, **body):
    return user.post(f"/spot-checks/{draw['id']}/items/{item['id']}/record", json=body)


def _violations(slug):
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    with tenant_scope(tenant.id):
        return [(v.trigger, v.rule_key, v.staff.username if v.staff else None)
                for v in db.session.scalars(select(Violation).order_by(Violation.id))], tenant


def test_a_contradicted_call_proposes_a_violation_under_the_hotel_pack(app, login, frozen):
    _story(login, frozen, count=3)
    qi = login("demo-hotel", "inspector")
    with frozen("2027-04-01T09:00:00+08:00"):
        draw = _draw(qi, departments=["security", "front_office"], share=1, seed=7).get_json()
    before, _ = _violations("demo-hotel")
    security = [i for i in draw["items"] if i["department"] == "security"]
    front = [i for i in draw["items"] if i["department"] == "front_office"]
    with frozen("2027-04-02T10:00:00+08:00"):
        ok = _record(qi, draw, security[0], reached=True, satisfaction=5,
                     handling_confirmed=True, callback_confirmed=True)
        denied_callback = _record(qi, draw, security[1], reached=True, satisfaction=4,
                                  handling_confirmed=True, callback_confirmed=False,
                                  findings="客人说没有接到回访电话")
        graded_down = _record(qi, draw, security[2], reached=True, satisfaction=2,
                              handling_confirmed=True, callback_confirmed=True)
        unreached = _record(qi, draw, front[0], reached=False)
        denied_handling = _record(qi, draw, front[1], reached=True, satisfaction=4,
                                  handling_confirmed=False, callback_confirmed=True)
        twice = _record(qi, draw, security[0], reached=False)
    assert [r.get_json()["outcome"] for r in (ok, denied_callback, graded_down, unreached,
                                              denied_handling)] == [
        "confirmed", "failed", "failed", "unreached", "failed"]
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_recorded"
    after, tenant = _violations("demo-hotel")
    new = after[len(before):]
    # The owner for the callback (twice), the Front Office handler for the handling.
    assert new == [("spot_check_failed", "spot_check_failed", "security"),
                   ("spot_check_failed", "spot_check_failed", "security"),
                   ("spot_check_failed", "spot_check_failed", "front-office")]
    shown = qi.get(f"/spot-checks/{draw['id']}").get_json()
    assert shown["results"] == {"pending": 0, "confirmed": 1, "failed": 3, "unreached": 1}
    with tenant_scope(tenant.id):
        departments = dict(db.session.execute(select(Department.code, Department.id)).all())
        april = periods.containing("month", date(2027, 4, 1))
        whole = figures.read(april)[None]
        by_department = figures.read(april, by="department")
    checks = whole.counts
    assert checks[("spot_checks", "confirmed")][0] == 1
    assert checks[("spot_checks", "failed")][0] == 3
    assert checks[("spot_checks", "unreached")][0] == 1
    assert checks[("spot_checks.satisfaction", "2")] == (1, 2)
    assert by_department[departments["front_office"]].counts[("spot_checks", "failed")][0] == 1
    assert "spot_checks" in whole.others()
    with tenant_scope(tenant.id):
        assert rollup.stored(tenant.id) == rollup.recompute(tenant.id)


def test_a_pack_without_the_rule_proposes_nothing(app, login, frozen):
    desk = login("demo-property", "customer-service")
    with frozen("2027-03-02T10:00:00+08:00"):
        c = register(desk, matter_type="consultation", summary="物业费怎么交")
        ref = c["ref"]
        res = desk.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 5})
        assert res.status_code == 201, res.get_json()
        res = desk.post(f"/contacts/{ref}/close", json={})
        assert res.status_code == 200, res.get_json()
    before, _ = _violations("demo-property")
    quality = login("demo-property", "inspector")
    with frozen("2027-04-01T09:00:00+08:00"):
        draw = quality.post("/spot-checks", json={"period": "month", "at": "2027-03",
                                                  "number": 5}).get_json()
        assert len(draw["items"]) == 1, draw
        res = _record(quality, draw, draw["items"][0], reached=True, satisfaction=1,
                      handling_confirmed=False, callback_confirmed=False)
    assert res.status_code == 201 and res.get_json()["outcome"] == "failed"
    assert _violations("demo-property")[0] == before


@pytest.mark.parametrize("body, field", [
    ({"share": 1.5}, "share"), ({"share": 0}, "share"), ({"number": 0}, "number"),
    ({"number": 2, "share": 0.5}, "number"), ({}, "number"),
    ({"number": 2, "departments": ["nowhere"]}, "departments"),
    ({"number": 2, "seed": -1}, "seed"), ({"number": "x"}, "number"),
    ({"number": 2, "at": "2027-13"}, "at"),
])
def test_bad_draws_are_refused_under_their_field(app, login, body, field):
    qi = login("demo-hotel", "inspector")
    res = _draw(qi, **body)
    assert res.status_code == 422, res.get_json()
    assert field in res.get_json()["error"]["fields"]


def test_permissions_and_other_tenants(app, login, frozen):
    _story(login, frozen, count=1)
    qi, staff = login("demo-hotel", "inspector"), login("demo-hotel", "security")
    assert _draw(staff, number=1).status_code == 403
    assert staff.get("/spot-checks").status_code == 403
    with frozen("2027-04-01T09:00:00+08:00"):
        draw = _draw(qi, number=1, seed=1).get_json()
    item = draw["items"][0]
    assert _record(staff, draw, item, reached=False).status_code == 403
    assert [d["id"] for d in qi.get("/spot-checks").get_json()["items"]] == [draw["id"]]
    bank = login("demo-bank", "inspector")
    assert bank.get(f"/spot-checks/{draw['id']}").status_code == 404
    assert _record(bank, draw, item, reached=False).status_code == 404
    assert bank.get("/spot-checks").get_json()["items"] == []
    bad = _record(qi, draw, item, reached=True, satisfaction=9)
    assert bad.status_code == 422 and "satisfaction" in bad.get_json()["error"]["fields"]
    missing = _record(qi, draw, item, reached=True)
    assert missing.status_code == 422
    assert set(missing.get_json()["error"]["fields"]) == {"handling_confirmed",
                                                          "callback_confirmed"}


def test_the_web_pages_draw_list_and_record_in_both_languages(app, login, web_login, frozen):
    refs = _story(login, frozen, count=2)
    qi = web_login("demo-hotel", "inspector")
    page = qi.get("/spot-checks?lang=zh").get_data(as_text=True)
    assert 'id="nav-spot-checks"' in page and "抽查" in page and 'id="draw-form"' in page
    with frozen("2027-04-01T09:00:00+08:00"):
        res = qi.post("/spot-checks", {"month": "2027-03", "departments": ["security"],
                                       "number": "1", "seed": "11"})
    assert res.status_code == 302, res.get_data(as_text=True)[:300]
    page = qi.get(res.location.split("/t/demo-hotel")[1] + "?lang=en").get_data(as_text=True)
    assert "Customer phone" in page and "13800000000" in page
    [ref] = [r for r in refs["security"] if r in page]
    item_id = int(re.search(r'id="item-(\d+)"', page).group(1))
    draw_id = int(re.search(r"/spot-checks/(\d+)/items/", page).group(1))
    with frozen("2027-04-02T09:00:00+08:00"):
        res = qi.post(f"/spot-checks/{draw_id}/items/{item_id}",
                      {"reached": "yes", "satisfaction": "5", "handling_confirmed": "yes",
                       "callback_confirmed": "yes", "findings": "客人确认已处理"})
    assert res.status_code == 302
    page = qi.get(f"/spot-checks/{draw_id}?lang=zh").get_data(as_text=True)
    assert "客人确认已处理" in page and 'class="badge confirmed">已确认<' in page
    listing = qi.get("/spot-checks?lang=en").get_data(as_text=True)
    row = re.search(rf'<tr id="draw-{draw_id}">(.*?)</tr>', listing, re.S).group(1)
    assert re.findall(r'<td class="(\w+)">(\d+)</td>', row) == [
        ("pending", "0"), ("confirmed", "1"), ("failed", "0"), ("unreached", "0")]
    # A bad share is refused, the form kept; staff see no page; another tenant's draw is 404.
    res = qi.post("/spot-checks", {"month": "2027-03", "share": "1.5"})
    assert res.status_code == 302
    # (in English: the last page read was English)
    assert "The share must be above 0 and at most 1." in qi.get("/spot-checks").get_data(
        as_text=True)
    staff = web_login("demo-hotel", "security")
    assert 'id="nav-spot-checks"' not in staff.get("/").get_data(as_text=True)
    assert staff.get("/spot-checks").status_code == 403
    assert web_login("demo-bank", "admin").get(f"/spot-checks/{draw_id}").status_code == 404
