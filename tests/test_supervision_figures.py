"""The figures of a period, hand-computed from a small story, and the period arithmetic.

The story happens in March 2027, where the demo tenants have no contacts, so every number
below is the story's own.
"""
from datetime import date

import pytest
from conftest import register
from sqlalchemy import select
from supervision_stories import MARCH, POLITE, bank_story, government_story, hotel_story, sweep

from core.errors import Invalid
from core.extensions import db
from core.supervision import figures, periods
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped


def _ids(slug, username="security"):
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    with tenant_scope(tenant.id):
        departments = dict(db.session.execute(select(Department.code, Department.id)).all())
        person = db.session.scalars(select(Staff).where(Staff.username == username)).one()
    return tenant, departments, person


def test_hotel_month_figures_match_the_hand_count(app, login, frozen, runner):
    hotel_story(login, frozen, runner)
    tenant, departments, security = _ids("demo-hotel")
    with tenant_scope(tenant.id):
        whole = figures.read(MARCH)[None].as_dict()
        by_department = figures.read(MARCH, by="department")
        by_person = figures.read(MARCH, by="staff")
    assert whole["contacts"] == {"total": 2, "by_channel": {"phone": 2},
                                 "by_matter_type": {"complaint": 2}, "by_category": {}}
    clocks = whole["deadlines"]
    assert list(clocks) == ["transfer", "accept", "reply", "feedback", "callback",
                            "escalation"]
    # Transfer: 20 minutes and 90 minutes, in the rule's unit (hours).
    assert clocks["transfer"] == {"met": 1, "breached": 1, "cancelled": 0, "on_time_rate": 0.5,
                                  "time_taken": [{"unit": "hours", "count": 2,
                                                  "median": 0.33, "p90": 1.5}]}
    assert clocks["accept"]["on_time_rate"] == 1.0
    assert clocks["accept"]["time_taken"] == [{"unit": "minutes", "count": 2, "median": 5.0,
                                               "p90": 5.0}]
    # C2's reply and feedback ran out; C1's were done the day it was signed for (day 0).
    for kind in ("reply", "feedback"):
        assert (clocks[kind]["met"], clocks[kind]["breached"]) == (1, 1)
        assert clocks[kind]["time_taken"] == [{"unit": "working_days", "count": 1,
                                               "median": 0.0, "p90": 0.0}]
    # The callback 50 minutes after the feedback: 0.83 working hours.
    assert clocks["callback"]["time_taken"][0]["median"] == 0.83
    # The levels' own clocks are shown apart and left out of the on-time rate: QI's 4
    # working hours from 03-02 11:30 ran out at 17:00 (breached); the deputy GM's was
    # cancelled when the late answer took the slip on to the GM in the same sweep.
    assert (clocks["escalation"]["breached"], clocks["escalation"]["cancelled"]) == (1, 1)
    # met: transfer 1 + accept 2 + reply 1 + feedback 1 + callback 1; late: transfer,
    # reply, feedback.
    assert whole["on_time"] == {"met": 6, "breached": 3, "rate": 0.6667}
    # The late handover brought C2 to QI (charged to Security); QI's time running out took
    # it to the deputy GM, and the late answer to the GM (both charged to the Front Office,
    # where it lay; the reply and the feedback fell due together, so they climbed once).
    assert whole["escalations"] == {"total": 3, "conflict": 3,
                                    "by_level": {"deputy_gm": 1, "gm": 1, "quality": 1}}
    assert by_department[departments["security"]].escalations()["conflict"] == 1
    assert by_department[departments["front_office"]].escalations()["conflict"] == 2
    assert whole["violations"]["by_rule"] == {
        "late_handling": {"proposed": 1, "pending": 1, "confirmed": 0, "waived": 0},
        "late_transfer": {"proposed": 1, "pending": 1, "confirmed": 0, "waived": 0}}
    assert whole["callbacks"]["satisfaction"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert whole["callbacks"]["satisfaction_mean"] == 5.0
    assert whole["callbacks"]["on_time_rate"] == 1.0
    # The owner's own figures: two contacts, one late handover, one callback.
    mine = by_person[security.id]
    assert mine.contacts()["total"] == 2
    assert mine.clocks()["transfer"]["on_time_rate"] == 0.5
    assert mine.callbacks()["reached"] == 1


def test_periods_parse_every_grain_and_refuse_nonsense():
    today = date(2026, 12, 2)
    assert periods.parse({}, today) == periods.Period(date(2026, 12, 1), date(2026, 12, 31),
                                                      "month")
    assert periods.parse({"period": "quarter", "at": "2026-Q4"}, today).first == date(2026, 10, 1)
    assert periods.parse({"period": "week", "at": "2026-W01"}, today) == periods.Period(
        date(2025, 12, 29), date(2026, 1, 4), "week")
    assert periods.parse({"period": "year", "at": "2026"}, today).last == date(2026, 12, 31)
    assert periods.parse({"from": "2026-11-03", "to": "2026-11-05"}, today).days() == 3
    assert MARCH.shift(-3).key == "2026-12" and MARCH.series(3)[0].key == "2027-01"
    for bad, field in (({"period": "fortnight"}, "period"), ({"period": "month", "at": "2026-13"},
                       "at"), ({"from": "2026-11-05", "to": "2026-11-03"}, "to"),
                       ({"from": "yesterday", "to": "2026-11-03"}, "from")):
        with pytest.raises(Invalid) as err:
            periods.parse(bad, today)
        assert field in err.value.fields


def test_government_figures_across_national_day(app, login, frozen, runner):
    """Working days with the 2026 National Day holiday (1-7 Oct off, Saturday 10 Oct a
    make-up working day).  G1 is registered on 30 Sep and answered on 9 Oct: it counts
    among September's contacts but October's clocks (a clock is dated by its outcome).
    G2 is handed over on Monday 12 Oct although its 1 working day ended on the make-up
    Saturday: a late handover, charged to the tax window, escalated to its section chief."""
    government_story(login, frozen)
    tenant, departments, _ = _ids("demo-government", "tax")
    september = periods.containing("month", date(2026, 9, 1))
    october = periods.containing("month", date(2026, 10, 1))
    with tenant_scope(tenant.id):
        sep = figures.read(september)[None]
        octo = figures.read(october)[None]
        by_department = figures.read(october, by="department")
    assert sep.contacts()["total"] == 1 and sep.clocks() == {}
    assert octo.contacts()["total"] == 1
    clocks = octo.clocks()
    assert clocks["reply"]["met"] == 2 and clocks["reply"]["time_taken"] == [
        {"unit": "working_days", "count": 2, "median": 2.0, "p90": 2.0}]
    assert (clocks["transfer"]["met"], clocks["transfer"]["breached"]) == (0, 1)
    assert clocks["transfer"]["time_taken"][0]["median"] == 2.0
    assert clocks["accept"]["time_taken"] == [
        {"unit": "working_hours", "count": 1, "median": 1.0, "p90": 1.0}]
    assert octo.on_time() == {"met": 3, "breached": 1, "rate": 0.75}
    assert octo.escalations() == {"total": 1, "conflict": 0, "by_level": {"section_chief": 1}}
    tax_department = by_department[departments["tax"]]
    assert tax_department.escalations()["total"] == 1
    assert tax_department.violations()["by_rule"] == {
        "first_inquiry_duty": {"proposed": 1, "pending": 1, "confirmed": 0, "waived": 0}}
    assert by_department[departments["supervision"]].on_time() == {
        "met": 2, "breached": 0, "rate": 1.0}


def test_bank_figures_of_a_month(app, login, frozen, runner):
    """August 2026 at the branch: B1 answered at the counter within the hour; B2 a
    complaint handed to the office in 30 minutes, signed for in 10, answered and reported
    back the next working day, the client called back the day after (grade 3); B3 a
    complaint never handed over (its working hour ran out at 11:00)."""
    bank_story(login, frozen, runner)
    tenant, departments, person = _ids("demo-bank", "counter")
    august = periods.containing("month", date(2026, 8, 1))
    with tenant_scope(tenant.id):
        whole = figures.read(august)[None]
        by_department = figures.read(august, by="department")
    assert whole.contacts()["by_matter_type"] == {"complaint": 2, "consultation": 1}
    clocks = whole.clocks()
    # Replies: B1 the same day (0), B2 the next working day (1).
    assert clocks["reply"]["met"] == 2 and clocks["reply"]["time_taken"] == [
        {"unit": "working_days", "count": 2, "median": 0.0, "p90": 1.0}]
    assert (clocks["transfer"]["met"], clocks["transfer"]["breached"]) == (1, 1)
    assert clocks["transfer"]["time_taken"] == [
        {"unit": "working_hours", "count": 1, "median": 0.5, "p90": 0.5}]
    assert clocks["accept"]["time_taken"][0]["median"] == 0.17     # 10 of 60 minutes
    assert whole.on_time() == {"met": 6, "breached": 1, "rate": 0.8571}
    assert whole.callbacks()["satisfaction_mean"] == 3.0
    counter_department = by_department[departments["counter"]]
    assert counter_department.contacts()["total"] == 3
    assert counter_department.on_time()["breached"] == 1
    assert by_department[departments["office"]].on_time() == {
        "met": 3, "breached": 0, "rate": 1.0}


def test_property_repair_figures(app, login, frozen, runner):
    """July 2026 (seed 004 repair times): P1, a simple repair (20 minutes), the engineer on
    site in 15 and the slip back the same afternoon, the resident called back next morning
    (grade 4); P2, an ordinary repair (60 minutes) reached in 90."""
    desk, eng = login("demo-property", "customer-service"), login("demo-property", "engineering")
    with frozen("2026-07-01T09:00:00+08:00"):                   # a Wednesday
        p1 = register(desk, matter_type="repair", category="simple", summary="更换门禁读卡器")
        tid = desk.post(f"/contacts/{p1['ref']}/transfers",
                        json={"to_department": "engineering"}).get_json()["id"]
        assert eng.post(f"/contacts/{p1['ref']}/transfers/{tid}/accept").status_code == 200
    with frozen("2026-07-01T09:15:00+08:00"):
        assert eng.post(f"/contacts/{p1['ref']}/on-site").status_code == 200
    with frozen("2026-07-01T10:00:00+08:00"):
        p2 = register(desk, matter_type="repair", category="ordinary", summary="厨房水管漏水")
        tid = desk.post(f"/contacts/{p2['ref']}/transfers",
                        json={"to_department": "engineering"}).get_json()["id"]
        assert eng.post(f"/contacts/{p2['ref']}/transfers/{tid}/accept").status_code == 200
    with frozen("2026-07-01T11:30:00+08:00"):
        assert eng.post(f"/contacts/{p2['ref']}/on-site").status_code == 200
    with frozen("2026-07-01T15:00:00+08:00"):
        assert eng.post(f"/contacts/{p1['ref']}/feedback",
                        json={"text": "读卡器已更换"}).status_code == 201
    with frozen("2026-07-02T10:00:00+08:00"):
        assert desk.post(f"/contacts/{p1['ref']}/callbacks",
                         json={"satisfaction": 4}).status_code == 201
    tenant, departments, _ = _ids("demo-property", "customer-service")
    july = periods.containing("month", date(2026, 7, 1))
    with tenant_scope(tenant.id):
        whole = figures.read(july)[None]
        engineering = figures.read(july, department_id=departments["engineering"],
                                   by="department")[departments["engineering"]]
    assert whole.contacts()["by_category"] == {"ordinary": 1, "simple": 1}
    on_site = whole.clocks()["on_site"]
    assert (on_site["met"], on_site["breached"], on_site["on_time_rate"]) == (1, 1, 0.5)
    assert on_site["time_taken"] == [{"unit": "minutes", "count": 2, "median": 15.0,
                                      "p90": 90.0}]
    # The on-site time is the engineering department's once the slip was signed for.
    assert engineering.clocks()["on_site"]["breached"] == 1
    assert whole.callbacks()["satisfaction"]["4"] == 1
    assert whole.clocks()["callback"]["time_taken"][0] == {
        "unit": "working_days", "count": 1, "median": 1.0, "p90": 1.0}
