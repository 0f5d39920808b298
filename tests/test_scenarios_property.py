"""Property pack, stories from the source documents (seed 000: Vanke rules and questionnaire,
天盛 rules art. 1-8, 制度上墙 rules; seed 004: countersign form and repair times), end to end
through the JSON API.

Working days are the Chinese statutory calendar with make-up days; the expected days are
computed here with ``chinese_calendar`` (independently of the product's calendar code), the
times from the rule: closing time 17:30, working periods 09:00-12:00 and 13:30-17:30.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from conftest import deadline, register

CST = ZoneInfo("Asia/Shanghai")


def utc(local_iso):
    """A local (Asia/Shanghai) wall-clock time as the API writes it, in UTC."""
    return datetime.fromisoformat(local_iso).replace(tzinfo=CST).astimezone(
        ZoneInfo("UTC")).isoformat()


def nth_working_day(start, n):
    """The n-th statutory working day after ``start`` (the start day never counts)."""
    day = start
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output


def transfer(user, ref, **body):
    return user.post(f"/contacts/{ref}/transfers", json=body)


def accept(user, ref, tid, **body):
    res = user.post(f"/contacts/{ref}/transfers/{tid}/accept", json=body)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_complaint_on_the_eve_of_national_day_and_make_up_sundays(login, frozen):
    """天盛 art. 5: the resident gets a promised answer time (1 working day).  The holiday week
    does not count; the make-up Sundays before National Day and after New Year's Day do."""
    desk = login("demo-property", "customer-service")
    cases = [("2026-09-30T16:00:00", date(2026, 9, 30)),   # eve of National Day
             ("2026-09-19T10:00:00", date(2026, 9, 19)),   # Saturday before a make-up Sunday
             ("2026-01-03T10:00:00", date(2026, 1, 3))]    # last day of New Year's holiday
    for local, day in cases:
        with frozen(local + "+08:00"):
            c = register(desk, matter_type="complaint", summary="楼上漏水到我家")
        due_day = nth_working_day(day, 1)
        assert deadline(c, "reply")["due_at"] == utc(f"{due_day}T17:30:00"), local
        assert deadline(c, "reply")["calendar_confirmed"] is True
    assert nth_working_day(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert nth_working_day(date(2026, 9, 19), 1).weekday() == 6        # a Sunday, worked
    assert nth_working_day(date(2026, 1, 3), 1).weekday() == 6


def test_guard_hands_a_night_repair_to_his_superior_who_routes_it_to_engineering(
        login, frozen, runner):
    """Vanke: an operator passes what is not his to his direct superior, who sends it to the
    responsible department.  Seed 004: on site within 60 minutes of the resident's call, the
    slip back at customer service within 24 hours.  The repair department may not pass the
    matter on (409, coordination instead); arriving late is proposed against it."""
    guard, captain = login("demo-property", "security"), login("demo-property", "security-lead")
    eng = login("demo-property", "engineering")
    with frozen("2026-10-01T22:00:00+08:00"):           # National Day night
        c = register(guard, matter_type="repair", summary="3栋1单元楼道水管滴水",
                     customer={"name": "钱女士", "unit": "3-1-502", "phone": "13700000502"})
    assert c["category"] == "ordinary" and c["state"] == "registered"
    assert deadline(c, "transfer")["due_at"] == utc("2026-10-01T22:10:00")
    assert deadline(c, "on_site")["due_at"] == utc("2026-10-01T23:00:00")
    with frozen("2026-10-01T22:05:00+08:00"):
        res = transfer(guard, c["ref"], to_department="security", to_user="security-lead")
        assert res.status_code == 201, res.get_json()
        accept(captain, c["ref"], res.get_json()["id"])
        res = transfer(captain, c["ref"], to_department="engineering")
        assert res.status_code == 201, res.get_json()        # routing, not passing on
        c = accept(eng, c["ref"], res.get_json()["id"])
    on_site = deadline(c, "on_site")
    assert on_site["due_at"] == utc("2026-10-01T23:00:00")     # still from the call
    assert on_site["responsible_department"] == "engineering"
    assert deadline(c, "feedback", "open")["due_at"] == utc("2026-10-02T22:05:00")   # 24 h
    with frozen("2026-10-01T22:20:00+08:00"):
        res = transfer(eng, c["ref"], to_department="cleaning")
    assert res.status_code == 409
    err = res.get_json()["error"]
    assert err["code"] == "transfer_forbidden" and err["suggest"] == "coordination"
    sweep(runner, "2026-10-01T23:30:00+08:00")
    with frozen("2026-10-01T23:40:00+08:00"):
        c = guard.post(f"/contacts/{c['ref']}/on-site", json={"note": "已关阀门"}).get_json()
        c = guard.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "on_site")["status"] == "breached"
    assert [e["details"]["to"] for e in c["events"] if e["kind"] == "escalated"] == [
        "cr_supervisor"]
    proposed = {v["rule"]: v for v in guard.get("/violations").get_json()["items"]}
    assert set(proposed) == {"buck_passing", "late_repair"}
    assert (proposed["buck_passing"]["user"], proposed["buck_passing"]["sanction"]["zh"]) == (
        "engineering", "通报批评")
    late = proposed["late_repair"]
    assert (late["department"], late["user"], late["sanction"]["zh"]) == (
        "engineering", None, "批评教育")


def test_repair_slip_back_within_24_hours_then_callback_across_labour_day(login, frozen):
    """Seed 004: the slip returns to customer service within 24 hours so it can call the
    resident back; the callback (2 working days) skips the Labour Day holiday."""
    desk, eng = login("demo-property", "customer-service"), login("demo-property", "engineering")
    with frozen("2026-04-30T09:00:00+08:00"):
        c = register(desk, matter_type="repair", category="simple", summary="更换门禁读卡器")
        assert deadline(c, "on_site")["due_at"] == utc("2026-04-30T09:20:00")
        tid = transfer(desk, c["ref"], to_department="engineering").get_json()["id"]
        accept(eng, c["ref"], tid)
    with frozen("2026-04-30T09:15:00+08:00"):
        assert eng.post(f"/contacts/{c['ref']}/on-site").status_code == 200
    with frozen("2026-04-30T15:00:00+08:00"):
        res = eng.post(f"/contacts/{c['ref']}/feedback", json={"text": "读卡器已更换"})
        assert res.status_code == 201
        c = res.get_json()
    assert deadline(c, "on_site")["status"] == "met"
    assert deadline(c, "feedback")["status"] == "met"
    fed_back = [e for e in c["events"] if e["kind"] == "feedback"][0]
    assert fed_back["details"]["copied_to"] == ["customer_service"]
    callback_day = nth_working_day(date(2026, 4, 30), 2)
    assert callback_day == date(2026, 5, 7)
    assert deadline(c, "callback")["due_at"] == utc(f"{callback_day}T17:30:00")
    assert desk.get("/violations").get_json()["items"] == []


def test_utility_outage_contacted_within_30_minutes(login, frozen, runner):
    """天盛 art. 6: a power cut is the power company's; the owner contacts its local office
    within 30 minutes (wall clock, a Saturday evening too) and later tells the resident the
    result.  Too late: proposed, and the customer-relations supervisor is brought in."""
    desk = login("demo-property", "customer-service")
    with frozen("2026-11-07T19:00:00+08:00"):             # a Saturday
        on_time = register(desk, matter_type="utility", summary="整栋楼停电")
        late = register(desk, matter_type="utility", summary="小区停水")
    assert deadline(on_time, "transfer")["due_at"] == utc("2026-11-07T19:30:00")
    with frozen("2026-11-07T19:20:00+08:00"):
        res = desk.post(f"/contacts/{on_time['ref']}/referral",
                        json={"body": "国网供电公司城东供电所", "address": "城东路1号",
                              "phone": "95598", "note": "已告知业主姓名、住址、电话和反映事项"})
        assert res.status_code == 201, res.get_json()
        on_time = res.get_json()
    assert on_time["state"] == "referred"
    assert deadline(on_time, "transfer")["status"] == "met"
    callback_day = nth_working_day(date(2026, 11, 7), 2)
    assert callback_day == date(2026, 11, 10)
    assert deadline(on_time, "callback")["due_at"] == utc(f"{callback_day}T17:30:00")
    sweep(runner, "2026-11-07T19:45:00+08:00")
    with frozen("2026-11-07T19:45:00+08:00"):
        late = desk.get(f"/contacts/{late['ref']}").get_json()
    assert deadline(late, "transfer")["status"] == "breached"
    assert late["escalation_level"] == 1
    [v] = desk.get("/violations").get_json()["items"]
    assert (v["contact"], v["user"], v["rule"], v["sanction"]["zh"]) == (
        late["ref"], "customer-service", "late_transfer", "批评教育")


def test_unclear_matter_routed_by_customer_relations_supervisor(login, frozen):
    """Vanke: what the receiver cannot place goes to the customer-relations supervisor, who
    decides the department (a single one) or opens a coordination form with a lead."""
    guard, cr = login("demo-property", "security"), login("demo-property", "cr-supervisor")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(guard, matter_type="complaint", summary="业主反映绿化带有人堆放杂物")
        tid = transfer(guard, c["ref"], to_department="customer_service",
                       to_user="cr-supervisor").get_json()["id"]
        accept(cr, c["ref"], tid)
        res = transfer(cr, c["ref"], to_department="landscaping")
        assert res.status_code == 201, res.get_json()
        c = guard.get(f"/contacts/{c['ref']}").get_json()
    assert c["handler_department"]["code"] == "landscaping"
    assert guard.get("/violations").get_json()["items"] == []


def test_escalation_goes_cr_supervisor_office_manager_director(login, frozen):
    """Vanke and seed 004: the customer-relations supervisor, then the management office
    manager, then the property-centre director; no further."""
    desk = login("demo-property", "customer-service")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(desk, matter_type="complaint", summary="投诉客服人员态度差")
        levels = []
        for _ in range(3):
            res = desk.post(f"/contacts/{c['ref']}/escalations", json={"reason": "业主要求"})
            assert res.status_code == 201
            levels.append([e["details"] for e in res.get_json()["events"]
                           if e["kind"] == "escalated"][-1])
        top = desk.post(f"/contacts/{c['ref']}/escalations", json={"reason": "再升级"})
    assert [e["to"] for e in levels] == ["cr_supervisor", "office_manager", "director"]
    assert not any(e["conflict"] for e in levels)        # no "conflict escalation" count here
    assert top.status_code == 409 and top.get_json()["error"]["code"] == "chain_exhausted"


def test_brush_off_phrases_in_both_scripts(login, frozen):
    """天盛 art. 4 and seed 004 (written in traditional characters): 不归我们管, 沒辦法 ..."""
    desk = login("demo-property", "customer-service")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(desk, matter_type="consultation", summary="问装修申请流程")
        simplified = desk.post(f"/contacts/{c['ref']}/replies", json={"text": "这事不归我们管"})
        traditional = desk.post(f"/contacts/{c['ref']}/replies", json={"text": "這個沒辦法"})
        fine = desk.post(f"/contacts/{c['ref']}/replies",
                         json={"text": "您好，装修申请请带房产证到客服中心办理，感谢您的理解与支持。"})
    assert simplified.status_code == 422
    assert simplified.get_json()["error"]["phrases"] == ["不归我们管"]
    assert traditional.status_code == 422
    # matched in either script (core.policy.phrases), reported once, as the pack lists it first
    assert traditional.get_json()["error"]["phrases"] == ["没办法"]
    assert fine.status_code == 201
    rules = [v["rule"] for v in desk.get("/violations").get_json()["items"]]
    assert rules == ["banned_phrase", "banned_phrase"]


def test_2027_dates_fall_back_and_say_so(login, frozen):
    """2027's official schedule is not known yet: a working-day deadline falls back to
    Monday-Friday and is flagged; a repair's minutes need no calendar."""
    desk = login("demo-property", "customer-service")
    try:
        chinese_calendar.is_workday(date(2027, 2, 8))
        known = True
    except NotImplementedError:
        known = False
    assert not known, "chinese_calendar now knows 2027: move this story to the next year"
    with frozen("2027-02-05T10:00:00+08:00"):             # a Friday, eve of Spring Festival
        complaint = register(desk, matter_type="complaint", summary="电梯异响")
        repair = register(desk, matter_type="repair", summary="电梯按钮失灵")
    reply = deadline(complaint, "reply")
    assert reply["due_at"] == utc("2027-02-08T17:30:00")     # next Monday, Mon-Fri fallback
    assert reply["calendar_confirmed"] is False
    on_site = deadline(repair, "on_site")
    assert on_site["due_at"] == utc("2027-02-05T11:00:00")
    assert on_site["calendar_confirmed"] is True
