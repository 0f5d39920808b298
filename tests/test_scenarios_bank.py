"""Bank branch stories from seed 003, end to end through the API.

Seed 003 gives no hours or days for a bank (the pack's numbers are product defaults: put
through within 1 working hour, complaints answered within 3 working days, branch hours
09:00-12:00 and 13:30-17:00); it does give the principles (must handle, tracked to the end),
the chain (department head first, then the branch leadership), the banned brush-offs
不知道 / 不清楚 / 不归我管, the sanction (criticism, no award this year, 500-2000 yuan
off the bonus) and the report of major public-opinion matters to the leadership.
Expected working days come from ``chinese_calendar`` (tests/statutory.py).
"""
from conftest import deadline, register
from statutory import due_working_days

SLUG = "demo-bank"


def _sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output
    return result.output


def _violations(user, ref):
    return [v for v in user.get("/violations").get_json()["items"] if v["contact"] == ref]


def test_complaint_at_the_counter_on_the_eve_of_national_day(login, frozen):
    """A client complains at the counter at 16:30 on 30 Sep 2026.  The counter puts it
    through to the office within 1 working hour: 30 minutes that day, the rest on 8 Oct after
    the holiday week.  Handed over at 16:50, the office's 3 working days for a complaint end
    on the make-up Saturday 10 Oct at closing time 17:00."""
    counter, office = login(SLUG, "counter"), login(SLUG, "office")
    with frozen("2026-09-30T16:30:00+08:00"):
        c = register(counter, channel="visit", matter_type="complaint",
                     summary="ATM吞卡后柜面处理不及时", customer={"name": "何先生",
                                                               "phone": "13700000002"})
    assert deadline(c, "transfer")["due_at"] == "2026-10-08T01:30:00+00:00"   # 09:30 local
    handed = "2026-09-30T16:50:00+08:00"
    with frozen(handed):
        res = counter.post(f"/contacts/{c['ref']}/transfers",
                           json={"to_department": "office", "mode": "guide"})
        assert res.status_code == 201
        tid = res.get_json()["id"]
        c = counter.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "transfer")["status"] == "met"
    assert deadline(c, "accept")["due_at"] == "2026-10-08T01:50:00+00:00"     # 10 + 50 min
    reply = deadline(c, "reply")
    assert reply["rule"] == {"amount": 3, "unit": "working_days"}
    assert reply["due_at"] == due_working_days(handed, 3, closing="17:00") == (
        "2026-10-10T09:00:00+00:00")
    with frozen("2026-10-08T09:20:00+08:00"):
        c = office.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    assert deadline(c, "accept")["status"] == "met"


def test_working_hours_continue_on_the_make_up_saturday(login, frozen):
    """Friday 9 Oct 2026 at 16:30, half an hour before closing: the next working hour ends on
    the make-up Saturday 10 Oct at 09:30.  On Saturday 26 Sep (an ordinary weekend day) the
    clock waits for Monday morning."""
    counter = login(SLUG, "counter")
    with frozen("2026-10-09T16:30:00+08:00"):
        c = register(counter, matter_type="complaint")
    assert deadline(c, "transfer")["due_at"] == "2026-10-10T01:30:00+00:00"
    with frozen("2026-09-26T10:00:00+08:00"):
        weekend = register(counter, matter_type="complaint")
    # 26-27 Sep is the Mid-Autumn weekend: the hour runs Monday 28 Sep 09:00-10:00.
    assert deadline(weekend, "transfer")["due_at"] == "2026-09-28T02:00:00+00:00"


def test_business_over_the_spring_festival(login, frozen):
    """Own-duty business not finished on the spot: answered within 1 working day.  On Friday
    13 Feb 2026 that is the make-up Saturday 14 Feb; on that Saturday it is 24 Feb, after the
    festival.  The 10-working-day ceiling skips the whole week too."""
    counter = login(SLUG, "counter")
    for at in ("2026-02-13T11:00:00+08:00", "2026-02-14T11:00:00+08:00"):
        with frozen(at):
            c = register(counter, channel="visit", matter_type="business", summary="挂失补卡")
        assert c["state"] == "handling"
        assert deadline(c, "reply")["due_at"] == due_working_days(at, 1, closing="17:00")
        assert deadline(c, "final")["due_at"] == due_working_days(at, 10, closing="17:00")
    assert deadline(c, "reply")["due_at"] == "2026-02-24T09:00:00+00:00"


def test_complaint_answered_into_2027_is_flagged(login, frozen):
    """A complaint the office receives on 29 Dec 2026 is due on 1 Jan 2027 by the Monday-Friday
    fallback, flagged as computed on an unconfirmed calendar."""
    office = login(SLUG, "office")
    at = "2026-12-29T10:00:00+08:00"
    with frozen(at):
        c = register(office, channel="letter", matter_type="complaint", summary="来函投诉")
    reply = deadline(c, "reply")
    assert reply["due_at"] == due_working_days(at, 3, closing="17:00") == (
        "2027-01-01T09:00:00+00:00")
    assert reply["calendar_confirmed"] is False


def test_receiving_department_keeps_what_it_receives(login, frozen):
    """Must handle, tracked to the end: the office may not pass a complaint on to credit nor
    send it back to the counter; each attempt answers 409 pointing to coordination and is put
    on record against the person who tried."""
    counter, office = login(SLUG, "counter"), login(SLUG, "office")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(counter, matter_type="complaint", summary="贷款审批进度投诉")
        tid = counter.post(f"/contacts/{c['ref']}/transfers",
                           json={"to_department": "office"}).get_json()["id"]
        office.post(f"/contacts/{c['ref']}/transfers/{tid}/accept")
        for target, code in (("credit", "transfer_forbidden"), ("counter", "return_forbidden")):
            res = office.post(f"/contacts/{c['ref']}/transfers",
                              json={"to_department": target, "opinion": "应由信贷部答复"})
            assert res.status_code == 409
            err = res.get_json()["error"]
            assert (err["code"], err["suggest"]) == (code, "coordination")
        c = office.get(f"/contacts/{c['ref']}").get_json()
    assert c["handler_department"]["code"] == "office"
    proposed = _violations(office, c["ref"])
    assert [(v["trigger"], v["user"]) for v in proposed] == [
        ("forbidden_transfer", "office"), ("forbidden_transfer", "office")]
    assert proposed[0]["sanction"] == {"zh": "批评教育", "en": "Criticism and education",
                                       "amount": None}


def test_brush_offs_are_refused(login, frozen):
    counter = login(SLUG, "counter")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(counter, matter_type="consultation", summary="理财产品赎回规则")
        res = counter.post(f"/contacts/{c['ref']}/replies",
                           json={"text": "这个不归我管，不清楚，你找别人去"})
        assert res.status_code == 422
        err = res.get_json()["error"]
        assert err["code"] == "banned_phrase"
        assert set(err["phrases"]) == {"不归我管", "不清楚", "找别人去"}
        ok = counter.post(f"/contacts/{c['ref']}/replies",
                          json={"text": "您好，该产品T+1日到账，如有不清楚的地方请随时联系我，谢谢。"})
        assert ok.status_code == 201, ok.get_json()
    (v,) = _violations(counter, c["ref"])
    assert (v["trigger"], v["rule"], v["sanction"]["zh"]) == (
        "banned_phrase", "first_inquiry_duty", "批评教育")


def test_repeat_offences_cost_the_award_and_500_to_2000_yuan(login, frozen, runner):
    """X-bank branch rules: criticism first; a repeat costs the year's award and 500-2000
    yuan of bonus (graded 500, 1000, 2000 and stays at 2000)."""
    counter, union = login(SLUG, "counter"), login(SLUG, "inspector")
    amounts = []
    for day in ("03", "04", "05", "06", "09"):                # Nov 2026 working days
        with frozen(f"2026-11-{day}T10:00:00+08:00"):
            c = register(counter, matter_type="complaint", summary="转账到账慢")
        _sweep(runner, f"2026-11-{day}T11:30:00+08:00")      # not put through in 1 hour
        (v,) = _violations(union, c["ref"])
        assert (v["trigger"], v["user"]) == ("deadline.transfer", "counter")
        amounts.append((v["sanction"]["zh"], v["sanction"]["amount"]))
        res = union.post(f"/violations/{v['id']}/decision",
                         json={"decision": "confirm", "reason": "工会检查登记簿属实"})
        assert res.status_code == 200
    assert amounts == [("批评教育", None),
                       ("年终不得评优，扣发奖金500元", 500),
                       ("年终不得评优，扣发奖金1000元", 1000),
                       ("年终不得评优，扣发奖金2000元", 2000),
                       ("年终不得评优，扣发奖金2000元", 2000)]


def test_unclear_case_goes_to_the_department_head_then_the_leadership(login, frozen, runner):
    """Unclear rules or special cases: ask the department head at once; complex ones go to
    the next level of leadership.  A breach escalates by itself."""
    credit = login(SLUG, "credit")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(credit, channel="visit", matter_type="business", summary="个体工商户经营贷")
        res = credit.post(f"/contacts/{c['ref']}/escalations", json={"reason": "政策不明确"})
        assert res.status_code == 201
        c = res.get_json()
    (first,) = [e for e in c["events"] if e["kind"] == "escalated"]
    assert first["details"]["to"] == "dept_head"
    # Own-duty reply due the next working day at 17:00; the sweep escalates the breach.
    _sweep(runner, "2026-11-03T17:01:00+08:00")
    with frozen("2026-11-03T17:05:00+08:00"):
        c = credit.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "reply")["status"] == "breached"
    assert [(e["details"]["to"], e["details"]["automatic"]) for e in c["events"]
            if e["kind"] == "escalated"] == [("dept_head", False), ("deputy_president", True)]


def test_major_public_opinion_matter_is_reported_to_the_leadership(login, frozen):
    """Branch rules art. 5: a sign of a major public-opinion matter goes to the branch
    leadership at once; an ordinary complaint does not."""
    counter = login(SLUG, "counter")
    with frozen("2026-11-02T10:00:00+08:00"):
        major = register(counter, matter_type="complaint", category="public_opinion",
                         summary="客户称将向媒体曝光理财亏损")
        plain = register(counter, matter_type="complaint", summary="排队时间长")
    assert major["events"][0]["kind"] == "registered"
    assert major["events"][0]["details"]["copied_to"] == ["leadership"]
    assert "copied_to" not in plain["events"][0]["details"]
