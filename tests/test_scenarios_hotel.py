"""Hotel pack, stories from the source documents (seed 000 "酒店首问责任制" items 1-11, seed 002
training cases), end to end through the JSON API.

Expected instants are computed here from the rule (1 hour on the wall clock, 1 working day on
the hotel's 7-day calendar = closing time 17:30 the next day, 4 working hours inside
09:00-12:00 / 13:30-17:30), and holidays are checked with ``chinese_calendar`` to show that a
hotel counts them as ordinary days.
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


def sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output


def transfer(user, ref, **body):
    res = user.post(f"/contacts/{ref}/transfers", json=body)
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def test_lost_phone_on_spring_festival_eve_night_shift(login, frozen):
    """Seed 002: a guest rings at 03:00 about a phone left in the card room.  The night desk
    hands it to Security within the 15 minutes lost property allows; Security answers the
    guest and reports back; the owner calls the guest back before the slip can be closed."""
    front, security = login("demo-hotel", "front-office"), login("demo-hotel", "security")
    assert chinese_calendar.is_holiday(date(2026, 2, 16))       # 除夕, a public holiday
    with frozen("2026-02-16T03:00:00+08:00"):
        c = register(front, matter_type="lost_property", summary="棋牌室遗留手机",
                     customer={"name": "周先生", "room": "0816", "phone": "13900000016"})
    assert c["state"] == "registered"                     # not the front office's duty
    assert deadline(c, "transfer")["due_at"] == utc("2026-02-16T03:15:00")
    assert deadline(c, "transfer")["rule"] == {"amount": 15, "unit": "minutes"}
    with frozen("2026-02-16T03:10:00+08:00"):
        tid = transfer(front, c["ref"], to_department="security", note="已记入交接班本")
        c = security.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    assert deadline(c, "transfer")["status"] == "met"
    assert deadline(c, "accept")["status"] == "met"
    # 1 working day from the handover on a 7-day calendar: the festival's first day counts
    reply_day = date(2026, 2, 17)
    assert chinese_calendar.is_holiday(reply_day)
    assert deadline(c, "reply")["due_at"] == utc(f"{reply_day}T17:30:00")
    assert deadline(c, "reply")["calendar_confirmed"] is True
    assert deadline(c, "feedback")["due_at"] == utc(f"{reply_day}T17:30:00")
    with frozen("2026-02-16T10:00:00+08:00"):
        res = security.post(f"/contacts/{c['ref']}/replies",
                            json={"text": "周先生您好，您的手机已在棋牌室找到，请到前台领取。"})
        assert res.status_code == 201, res.get_json()
        res = security.post(f"/contacts/{c['ref']}/feedback", json={"text": "手机已交还客人"})
        assert res.status_code == 201
        c = res.get_json()
    assert c["state"] == "awaiting_callback"
    fed_back = [e for e in c["events"] if e["kind"] == "feedback"][0]
    assert fed_back["details"]["copied_to"] == ["quality"]       # item 4: result to QI too
    # 4 working hours from 10:00: 10:00-12:00 and 13:30-15:30
    assert deadline(c, "callback")["due_at"] == utc("2026-02-16T15:30:00")
    with frozen("2026-02-16T11:00:00+08:00"):
        early = front.post(f"/contacts/{c['ref']}/close")
        assert early.status_code == 409
        assert early.get_json()["error"]["code"] == "callback_required"
        assert front.post(f"/contacts/{c['ref']}/callbacks",
                          json={"satisfaction": 5}).status_code == 201
        closed = front.post(f"/contacts/{c['ref']}/close").get_json()
    assert closed["state"] == "closed"
    assert deadline(closed, "callback")["status"] == "met"
    assert front.get("/violations").get_json()["items"] == []


def test_slip_not_passed_on_within_the_hour_is_a_conflict_escalation(login, frozen, runner):
    """Item 3 and 6: the slip must reach the responsible department within 1 hour; a late slip
    is proposed for the owner (graded: verbal warning first) and reaches QI, which counts it
    as a conflict escalation."""
    security = login("demo-hotel", "security")
    with frozen("2026-10-01T20:00:00+08:00"):
        c = register(security, matter_type="complaint", summary="隔壁房间吵闹")
    sweep(runner, "2026-10-01T21:05:00+08:00")
    with frozen("2026-10-01T21:05:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "transfer")["status"] == "breached"
    assert c["escalation_level"] == 1
    escalated = [e for e in c["events"] if e["kind"] == "escalated"]
    assert [(e["details"]["to"], e["details"]["conflict"], e["details"]["automatic"])
            for e in escalated] == [("quality", True, True)]
    [v] = security.get("/violations").get_json()["items"]
    assert (v["contact"], v["user"], v["trigger"], v["rule"]) == (
        c["ref"], "security", "deadline.transfer", "late_transfer")
    assert v["sanction"]["zh"] == "口头警告" and v["sanction"]["amount"] is None


def test_late_department_climbs_qi_deputy_gm_gm(login, frozen, runner):
    """Item 4 and 6: the receiving department answers within 1 working day; when it does not,
    the slip climbs the chain QI -> deputy GM in charge -> GM, each level a conflict
    escalation with 4 working hours of its own, and the department's lateness is proposed
    (the escalation clocks themselves propose nothing).  The reply and the feedback fall due
    together: one lateness, so one level and one proposal, not two (issue 11)."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen("2026-11-02T10:00:00+08:00"):             # a Monday
        c = register(security, matter_type="complaint", summary="账单多收了房费")
        tid = transfer(security, c["ref"], to_department="front_office")
        front.post(f"/contacts/{c['ref']}/transfers/{tid}/accept")
    sweep(runner, "2026-11-03T18:00:00+08:00")     # reply and feedback due 11-03 17:30
    sweep(runner, "2026-11-06T18:00:00+08:00")     # every level's own clock has run out
    with frozen("2026-11-06T18:00:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
        top = security.post(f"/contacts/{c['ref']}/escalations", json={"reason": "客人再投诉"})
    escalated = [e["details"] for e in c["events"] if e["kind"] == "escalated"]
    # The first sweep: QI only; the second: QI's own 4 working hours ran out -> deputy GM.
    assert [(e["to"], e["automatic"]) for e in escalated] == [
        ("quality", True), ("deputy_gm", True)]
    assert all(e["conflict"] for e in escalated)
    breached = {e["details"]["deadline_kind"]: e["details"] for e in c["events"]
                if e["kind"] == "deadline_breached"}
    assert breached["feedback"]["coincides_with"] == breached["reply"]["deadline_id"]
    assert top.status_code == 201
    with frozen("2026-11-06T18:05:00+08:00"):
        again = security.post(f"/contacts/{c['ref']}/escalations", json={"reason": "再次"})
        events = security.get(f"/contacts/{c['ref']}").get_json()["events"]
    assert [e["details"]["to"] for e in events if e["kind"] == "escalated"][-1] == "gm"
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "chain_exhausted"
    proposed = security.get("/violations").get_json()["items"]
    assert sorted((v["trigger"], v["department"], v["rule"]) for v in proposed) == [
        ("deadline.reply", "front_office", "late_handling")]


def test_wrong_slip_is_signed_for_and_sorted_out_by_quality(login, frozen):
    """Item 11: nobody may refuse a transferred slip.  Engineering signs for a slip that is not
    its own, marks the wrong transfer (QI is asked to sort it out) and passes it on, with its
    opinion, to the department that handles it."""
    security, eng = login("demo-hotel", "security"), login("demo-hotel", "engineering")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(security, matter_type="complaint", summary="餐厅菜品有异物")
        tid = transfer(security, c["ref"], to_department="engineering")
        res = eng.post(f"/contacts/{c['ref']}/transfers/{tid}/accept",
                       json={"wrong_transfer": True, "note": "属餐饮部"})
        assert res.status_code == 200
        requested = [e for e in res.get_json()["events"] if e["kind"] == "coordination_requested"]
        assert requested[0]["details"]["to_department"] == "quality"
        res = eng.post(f"/contacts/{c['ref']}/transfers",
                       json={"to_department": "food_beverage", "opinion": "非工程部职责"})
        assert res.status_code == 201 and res.get_json()["is_return"] is False
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert c["handler_department"]["code"] == "food_beverage"
    assert deadline(c, "accept", "open")["responsible_department"] == "food_beverage"
    assert security.get("/violations").get_json()["items"] == []


def test_brush_off_phrases_are_refused_and_graded(login, frozen):
    """Seeds 001/002: 不知道, 不清楚, 不归我管 ... never reach the guest.  Each attempt is put on
    record; a confirmed first offence makes the next proposal the second step of the ladder."""
    front, inspector = login("demo-hotel", "front-office"), login("demo-hotel", "inspector")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(front, matter_type="inquiry", summary="问早餐时间")   # own duty
        res = front.post(f"/contacts/{c['ref']}/replies", json={"text": "不知道，不归我管"})
    assert res.status_code == 422
    err = res.get_json()["error"]
    assert err["code"] == "banned_phrase"
    assert sorted(err["phrases"]) == sorted(["不知道", "不归我管"])
    assert "text" in err["fields"]
    [first] = inspector.get("/violations").get_json()["items"]
    assert (first["user"], first["rule"], first["sanction"]["zh"]) == (
        "front-office", "banned_phrase", "口头警告")
    with frozen("2026-11-02T11:00:00+08:00"):
        inspector.post(f"/violations/{first['id']}/decision",
                       json={"decision": "confirm", "reason": "质检抽查录音属实"})
        again = front.post(f"/contacts/{c['ref']}/replies", json={"text": "这个我不清楚"})
        ok = front.post(f"/contacts/{c['ref']}/replies",
                        json={"text": "您好，早餐6:30至10:00在二楼餐厅，如有不清楚的地方请随时联系我们。"})
    assert again.status_code == 422 and again.get_json()["error"]["phrases"] == ["不清楚"]
    assert ok.status_code == 201
    second = [v for v in inspector.get("/violations").get_json()["items"]
              if v["status"] == "proposed"]
    assert [(v["rule"], v["sanction"]["amount"]) for v in second] == [("banned_phrase", 50)]


def test_a_2027_slip_needs_no_official_holiday_schedule(login, frozen):
    """A hotel works every day: its working-day deadlines do not wait for the State Council's
    2027 schedule and are never flagged as computed on an unconfirmed calendar."""
    front = login("demo-hotel", "front-office")
    with frozen("2027-02-05T16:00:00+08:00"):             # eve of Spring Festival 2027
        c = register(front, matter_type="complaint", summary="房间暖气不热")
    reply = deadline(c, "reply")
    expected = datetime(2027, 2, 5, 17, 30, tzinfo=CST) + timedelta(days=1)
    assert reply["due_at"] == expected.astimezone(ZoneInfo("UTC")).isoformat()
    assert reply["calendar_confirmed"] is True


def test_after_a_departments_feedback_the_owner_calls_back_whatever_the_slip_was(login, frozen):
    """Rule 8: once the handling department has reported back, the owner calls the guest back
    to check what they were told, also for a bill inquiry (not a matter type called back on
    its own).  An inquiry the owner answers alone closes without a call-back."""
    security, finance = login("demo-hotel", "security"), login("demo-hotel", "finance")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(security, matter_type="inquiry", summary="客人询问账单明细")
        tid = transfer(security, c["ref"], to_department="finance")
        assert finance.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").status_code == 200
        assert finance.post(f"/contacts/{c['ref']}/replies",
                            json={"text": "您好，账单明细已发送到您的邮箱。"}).status_code == 201
    with frozen("2026-11-02T11:00:00+08:00"):
        res = finance.post(f"/contacts/{c['ref']}/feedback", json={"text": "已答复客人"})
        assert res.status_code in (200, 201), res.get_json()
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert c["state"] == "awaiting_callback"
    assert deadline(c, "callback")["status"] == "open"
    with frozen("2026-11-02T11:30:00+08:00"):
        refused = security.post(f"/contacts/{c['ref']}/close", json={})
        assert refused.status_code == 409
        assert refused.get_json()["error"]["code"] == "callback_required"
        assert security.post(f"/contacts/{c['ref']}/callbacks",
                             json={"satisfaction": 5}).status_code in (200, 201)
        assert security.post(f"/contacts/{c['ref']}/close", json={}).status_code == 200
    finance_own = login("demo-hotel", "finance")
    with frozen("2026-11-02T12:00:00+08:00"):
        own = register(finance_own, matter_type="inquiry", summary="询问发票抬头")
        assert own["state"] == "handling"
        assert finance_own.post(f"/contacts/{own['ref']}/replies",
                                json={"text": "您好，发票抬头可以开具公司名称。"}).status_code == 201
        assert finance_own.post(f"/contacts/{own['ref']}/close", json={}).status_code == 200


def test_a_department_passes_a_slip_on_only_with_its_written_opinion(login, frozen):
    """Item 11: nobody refuses a slip; a department that is truly not responsible writes its
    opinion and returns it, or passes it on to the next department."""
    security, engineering = login("demo-hotel", "security"), login("demo-hotel", "engineering")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(security, matter_type="repair", summary="客房热水忽冷忽热")
        tid = transfer(security, c["ref"], to_department="engineering")
        assert engineering.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").status_code == 200
        bare = engineering.post(f"/contacts/{c['ref']}/transfers",
                                json={"to_department": "housekeeping"})
        assert bare.status_code == 422
        error = bare.get_json()["error"]
        assert error["code"] == "opinion_required" and "opinion" in error["fields"]
        ok = engineering.post(f"/contacts/{c['ref']}/transfers", json={
            "to_department": "housekeeping", "opinion": "设备正常，系客人误操作，请客房部指导使用"})
        assert ok.status_code == 201, ok.get_json()
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert c["state"] == "transferred" and c["handler_department"]["code"] == "housekeeping"


def test_a_decision_asked_of_quality_inspection_goes_up_when_its_time_runs_out(
        login, frozen, runner):
    """The owner puts a dispute to QI for a decision; QI's 4 working hours pass (sweep), the
    matter climbs to the deputy GM, who now owes the decision and gives it."""
    security, quality = login("demo-hotel", "security"), login("demo-hotel", "quality-lead")
    deputy = login("demo-hotel", "leader")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(security, matter_type="help", summary="客人要求减免房费", own_duty=True)
        c = security.post(f"/contacts/{c['ref']}/escalations",
                          json={"reason": "减免超出权限，请质检部决定",
                                "decision_needed": True}).get_json()
    assert [d["status"] for d in c["deadlines"] if d["kind"] == "reply"] == ["cancelled"]
    sweep(runner, "2026-11-02T16:00:00+08:00")       # QI's 4 working hours ran out at 15:00
    with frozen("2026-11-02T16:05:00+08:00"):
        late = quality.post(f"/contacts/{c['ref']}/decision", json={"text": "同意减免"})
        assert late.status_code == 403             # the question is the deputy GM's now
        res = deputy.post(f"/contacts/{c['ref']}/decision", json={"text": "同意减免一晚房费"})
        assert res.status_code == 200, res.get_json()
        c = res.get_json()
    escalated = [e["details"] for e in c["events"] if e["kind"] == "escalated"]
    assert [(e["to"], e["decision_needed"]) for e in escalated] == [
        ("quality", True), ("deputy_gm", True)]
    running = [d for d in c["deadlines"] if d["kind"] == "reply" and d["status"] == "open"]
    assert len(running) == 1                          # the reply runs again, from the decision
