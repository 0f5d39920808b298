"""Government service hall stories from the source documents, end to end through the API.

Seed 000 (tax bureau arts. 8-11): own duty 3 working days; outside the post, hand over within
1 working day, the receiving department replies within 3 of the handover; 15 working days at
most.  Seed 001: the handling unit may not pass a matter to a third (三联单 part 2) and the
office holds the first unit to account; only the centre's principal leader approves a mid-way
handover; banned phrases 不知道 / 人不在 / 不归我管 / 下回再来.  Seed 003: social-security
completion limits.  Expected due times come from ``chinese_calendar`` (tests/statutory.py),
not from the engine.
"""
from datetime import date

from conftest import deadline, register
from statutory import confirmed, due_working_days

SLUG = "demo-government"


def _sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output
    return result.output


def _handover(user, ref, dept, **body):
    res = user.post(f"/contacts/{ref}/transfers", json={"to_department": dept, **body})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def _violations(user, ref):
    return [v for v in user.get("/violations").get_json()["items"] if v["contact"] == ref]


def test_spring_festival_eve_own_duty_and_handover_clocks(login, frozen):
    """A taxpayer phones the tax window on Friday 13 Feb 2026, the eve of the Spring Festival
    week: the make-up Saturday 14 Feb is a working day, 15-23 Feb are not."""
    tax = login(SLUG, "tax")
    at = "2026-02-13T16:00:00+08:00"
    with frozen(at):
        mine = register(tax, channel="phone", matter_type="consultation",
                        summary="个体户定额核定咨询", customer={"name": "钱女士", "phone": "13900000001"})
        other = register(tax, channel="visit", matter_type="complaint",
                         summary="投诉不动产窗口排队时间过长", customer={"name": "孙先生"})
    reply = deadline(mine, "reply")
    assert reply["rule"] == {"amount": 3, "unit": "working_days"}
    assert reply["due_at"] == due_working_days(at, 3) == "2026-02-25T09:30:00+00:00"
    assert reply["calendar_confirmed"] is True
    transfer = deadline(other, "transfer")
    assert transfer["due_at"] == due_working_days(at, 1) == "2026-02-14T09:30:00+00:00"
    assert deadline(other, "final")["due_at"] == due_working_days(at, 15)


def test_make_up_sunday_and_mid_autumn_for_the_receiving_department(login, frozen, runner):
    """Registered on Friday 18 Sep 2026, not the tax window's duty: the 1-working-day handover
    falls due on the make-up Sunday 20 Sep.  Handed over that Tuesday, the receiving office's
    3 working days skip the Mid-Autumn days 25-27 Sep."""
    tax, supervision = login(SLUG, "tax"), login(SLUG, "supervision")
    with frozen("2026-09-18T10:00:00+08:00"):
        c = register(tax, matter_type="complaint", summary="投诉窗口人员态度生硬")
    assert deadline(c, "transfer")["due_at"] == "2026-09-20T09:30:00+00:00"
    handed = "2026-09-22T16:00:00+08:00"
    with frozen(handed):
        # Late: the make-up Sunday was a working day, so the handover is already overdue.
        tid = _handover(tax, c["ref"], "supervision", mode="accompany")
        c = tax.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "transfer")["status"] == "breached"
    (late,) = _violations(tax, c["ref"])
    assert (late["trigger"], late["user"], late["rule"]) == (
        "deadline.transfer", "tax", "first_inquiry_duty")
    assert late["sanction"]["zh"] == "谈话告诫" and late["sanction"]["amount"] is None
    with frozen("2026-09-24T09:00:00+08:00"):       # signed for two days later
        c = supervision.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    reply = deadline(c, "reply", "open")
    assert reply["stage"] == "handover" and reply["responsible_department"] == "supervision"
    assert reply["due_at"] == due_working_days(handed, 3) == "2026-09-28T09:30:00+00:00"


def test_social_security_limits_on_the_eve_of_labour_day(login, frozen):
    """Seed 003: a work-injury application check takes 2 working days, an unemployment
    benefit claim 7; received on 30 Apr 2026 they run past Labour Day (1-5 May) and count the
    make-up Saturday 9 May."""
    clerk = login(SLUG, "social-security")
    at = "2026-04-30T15:00:00+08:00"
    with frozen(at):
        injury = register(clerk, channel="visit", matter_type="business",
                          category="injury_assessment", summary="工伤认定申请",
                          customer={"name": "周师傅"})
        benefit = register(clerk, channel="visit", matter_type="business",
                           category="unemployment_benefit", summary="申领失业保险金",
                           customer={"name": "吴女士"})
        plain = register(clerk, channel="visit", matter_type="business", summary="参保证明打印",
                         customer={"name": "郑先生"})
    assert injury["category"] == "injury_assessment"
    assert deadline(injury, "final")["due_at"] == due_working_days(at, 2) == (
        "2026-05-07T09:30:00+00:00")
    assert deadline(benefit, "final")["due_at"] == due_working_days(at, 7) == (
        "2026-05-13T09:30:00+00:00")
    assert deadline(plain, "final")["rule"] == {"amount": 15, "unit": "working_days"}
    bad = clerk.post("/contacts", json={"channel": "visit", "matter_type": "business",
                                        "category": "pension_top_up", "summary": "x",
                                        "customer": {"name": "x"}})
    assert bad.status_code == 422 and "category" in bad.get_json()["error"]["fields"]


def test_retirement_approval_into_2027_is_flagged_unconfirmed(login, frozen):
    """A retirement approval (10 working days) received on 24 Dec 2026 ends in January 2027,
    a year the statutory calendar does not know yet: computed Monday-Friday and flagged."""
    clerk = login(SLUG, "social-security")
    at = "2026-12-24T10:00:00+08:00"
    with frozen(at):
        c = register(clerk, channel="visit", matter_type="business",
                     category="retirement_approval", summary="退休审批", customer={"name": "冯师傅"})
    final = deadline(c, "final")
    assert not confirmed(date(2027, 1, 1))
    assert final["due_at"] == due_working_days(at, 10) == "2027-01-07T09:30:00+00:00"
    assert final["calendar_confirmed"] is False
    assert deadline(c, "reply")["calendar_confirmed"] is True      # 3 days stay in 2026


def test_wrong_transfer_is_taken_on_and_the_first_unit_answers_for_it(login, frozen):
    """三联单 part 2: the housing window receives a market-regulation complaint by mistake.  It
    signs for it anyway, may neither pass it to a third window nor send it back, asks the hall
    office to coordinate, and the wrong transfer is charged to the clerk who made it."""
    tax, housing = login(SLUG, "tax"), login(SLUG, "housing")
    office_director = login(SLUG, "cr-supervisor")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(tax, matter_type="complaint", summary="投诉某餐馆食品卫生问题")
        tid = _handover(tax, c["ref"], "housing")
        res = housing.post(f"/contacts/{c['ref']}/transfers/{tid}/accept",
                           json={"wrong_transfer": True, "note": "属市场监管职责"})
        assert res.status_code == 200, res.get_json()
        c = res.get_json()
        assert c["handler_department"]["code"] == "housing"
        (requested,) = [e for e in c["events"] if e["kind"] == "coordination_requested"]
        assert requested["details"]["to_department"] == "office"
        (wrong,) = _violations(tax, c["ref"])
        assert (wrong["trigger"], wrong["user"], wrong["department"], wrong["rule"]) == (
            "wrong_transfer", "tax", "tax", "first_inquiry_duty")
        assert wrong["sanction"]["zh"] == "谈话告诫"
        # No third window, and no return to the issuing one: both point to coordination.
        for target in ("market", "tax"):
            res = housing.post(f"/contacts/{c['ref']}/transfers",
                               json={"to_department": target, "opinion": "非本窗口职责"})
            assert res.status_code == 409
            err = res.get_json()["error"]
            assert err["suggest"] == "coordination"
            assert err["code"] == ("transfer_forbidden" if target == "market"
                                   else "return_forbidden")
        refused = [v["trigger"] for v in _violations(tax, c["ref"]) if v["user"] == "housing"]
        assert refused == ["forbidden_transfer", "forbidden_transfer"]
        # The office director routes it: market regulation leads, housing assists.
        res = office_director.post(f"/contacts/{c['ref']}/coordination",
                                   json={"lead_department": "market",
                                         "departments": ["housing"], "reason": "转办错误"})
        assert res.status_code == 201, res.get_json()
        c = res.get_json()
    assert c["handler_department"]["code"] == "market"
    consult = deadline(c, "consult")
    assert consult["due_at"] == due_working_days("2026-11-02T10:00:00+08:00", 2)


def test_coordination_across_national_day(login, frozen):
    """Seed 000 art. 10: several departments consult within 2 working days and reply within
    2 working days after agreeing; opened on 30 Sep 2026, both clocks skip the holiday week
    and the second one lands on the make-up Saturday 10 Oct."""
    reception, market = login(SLUG, "reception"), login(SLUG, "market")
    opened = "2026-09-30T11:00:00+08:00"
    with frozen(opened):
        c = register(reception, channel="visit", matter_type="business",
                     summary="开办餐饮店：营业执照、食品经营许可、消防", customer={"name": "林先生"})
        c = reception.post(f"/contacts/{c['ref']}/coordination",
                           json={"lead_department": "market",
                                 "departments": ["public_security", "housing"],
                                 "reason": "联办事项"}).get_json()
    assert deadline(c, "consult")["due_at"] == due_working_days(opened, 2) == (
        "2026-10-09T09:30:00+00:00")
    agreed = "2026-10-08T10:00:00+08:00"
    with frozen(agreed):
        c = market.post(f"/contacts/{c['ref']}/coordination/agree",
                        json={"note": "三部门意见一致"}).get_json()
    assert deadline(c, "consult")["status"] == "met"
    reply = deadline(c, "reply")
    assert reply["stage"] == "agreement"
    assert reply["due_at"] == due_working_days(agreed, 2) == "2026-10-10T09:30:00+00:00"


def test_only_the_director_approves_a_midway_handover(login, frozen):
    """Seed 001 service centre art. 5: a first handler who took an application on may hand it
    to someone else only with the consent of the centre's principal leader (中心主要领导)."""
    clerk = login(SLUG, "market")
    with frozen("2026-11-03T10:00:00+08:00"):
        c = register(clerk, channel="visit", matter_type="business", summary="食品经营许可申请")
        assert c["state"] == "handling"
        for approver in ("market-lead", "leader"):      # section chief, deputy director
            res = clerk.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "office", "approved_by": approver})
            assert res.status_code == 422, approver
            assert res.get_json()["error"]["code"] == "approval_required"
        tid = _handover(clerk, c["ref"], "office", approved_by="chief", note="申请人要求联办")
        c = clerk.get(f"/contacts/{c['ref']}").get_json()
    (moved,) = [e for e in c["events"] if e["kind"] == "transferred"]
    assert moved["details"]["transfer_id"] == tid and moved["details"]["approved_by"] == "chief"


def test_brush_offs_are_refused_and_put_on_record(login, frozen):
    """Food & drug bureau art. 3: never turn people away with 人不在 / 下回再来 ... ; explaining
    that the handler is away and taking the matter on their behalf is what the rules ask."""
    tax = login(SLUG, "tax")
    with frozen("2026-11-03T10:00:00+08:00"):
        c = register(tax, matter_type="inquiry", summary="查询退税进度")
        res = tax.post(f"/contacts/{c['ref']}/replies", json={"text": "经办的人不在，你下回再来吧"})
        assert res.status_code == 422
        err = res.get_json()["error"]
        assert err["code"] == "banned_phrase"
        assert set(err["phrases"]) == {"人不在", "下回再来"}
        assert "text" in err["fields"]
        ok = tax.post(f"/contacts/{c['ref']}/replies",
                      json={"text": "您好，经办人不在岗，我已代为接收您的材料，"
                                    "退税预计下周到账，谢谢。"})
        assert ok.status_code == 201, ok.get_json()
    (v,) = _violations(tax, c["ref"])
    assert (v["trigger"], v["user"], v["sanction"]["zh"]) == ("banned_phrase", "tax", "谈话告诫")
    assert v["evidence"]["phrases"] == err["phrases"]


def test_breaches_climb_the_chain_and_the_sanction_ladder(login, frozen, runner):
    """Seed 000 art. 11 / seed 001: up level by level, section chief -> deputy director ->
    director; each confirmed violation by the same clerk climbs the ladder (talk warning,
    criticism and education, notice of criticism ...)."""
    tax, inspector = login(SLUG, "tax"), login(SLUG, "inspector")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(tax, matter_type="complaint", summary="投诉办税服务厅空调不开")
    out = _sweep(runner, "2026-11-03T17:31:00+08:00")          # handover not done in 1 day
    assert "1 deadline(s) newly breached" in out
    with frozen("2026-11-03T17:40:00+08:00"):
        c = tax.get(f"/contacts/{c['ref']}").get_json()
    assert c["escalation_level"] == 1
    (first,) = _violations(inspector, c["ref"])
    assert first["sanction"]["zh"] == "谈话告诫"
    res = inspector.post(f"/violations/{first['id']}/decision",
                         json={"decision": "confirm", "reason": "未在1个工作日内转办"})
    assert res.status_code == 200
    ladder = []
    with frozen("2026-11-04T10:00:00+08:00"):
        for reason in ("领导要求", "事项重大"):
            res = tax.post(f"/contacts/{c['ref']}/escalations", json={"reason": reason})
            assert res.status_code == 201
        c = res.get_json()
        top = tax.post(f"/contacts/{c['ref']}/escalations", json={"reason": "再请示"})
    assert top.status_code == 409 and top.get_json()["error"]["code"] == "chain_exhausted"
    ladder = [(e["details"]["to"], e["details"]["automatic"])
              for e in c["events"] if e["kind"] == "escalated"]
    assert ladder == [("section_chief", True), ("deputy_director", False),
                      ("director", False)]
    # A second late handover by the same clerk: the next rung of the ladder.
    with frozen("2026-11-05T10:00:00+08:00"):
        again = register(tax, matter_type="report", summary="举报窗口收受礼品")
    _sweep(runner, "2026-11-06T17:31:00+08:00")
    (second,) = _violations(inspector, again["ref"])
    assert (second["rule"], second["sanction"]["zh"]) == ("first_inquiry_duty", "批评教育")


def _clocks(c, kind):
    return [d for d in c["deadlines"] if d["kind"] == kind]


def test_a_difficult_matter_waits_for_the_decision_then_is_answered_within_2_working_days(
        login, frozen):
    """Seed 000 art. 11: a major or difficult tax question goes up level by level; once the
    superior has decided, the answer is due within 2 working days (here across National
    Day 2026), and the 15-working-day ceiling keeps running from the first contact."""
    tax, section_chief, other = (login("demo-government", u)
                                 for u in ("tax", "tax-lead", "market-lead"))
    with frozen("2026-09-24T10:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation",
                     summary="跨境劳务报酬个税如何处理（疑难）")
        assert c["state"] == "handling"
        final_due = deadline(c, "final")["due_at"]
        assert final_due == due_working_days("2026-09-24T10:00:00+08:00", 15)
        res = tax.post(f"/contacts/{c['ref']}/escalations",
                       json={"reason": "政策口径不明，请示股长", "decision_needed": True})
        assert res.status_code == 201, res.get_json()
        c = res.get_json()
    [reply] = _clocks(c, "reply")
    assert reply["status"] == "cancelled"             # the 3-day reply waits for the decision
    assert deadline(c, "final")["status"] == "open"
    with frozen("2026-09-25T10:00:00+08:00"):
        early = tax.post(f"/contacts/{c['ref']}/decision", json={"text": "我来决定"})
        assert early.status_code == 403                # only the level asked decides
        assert other.post(f"/contacts/{c['ref']}/decision",   # another section's chief
                          json={"text": "x"}).status_code == 403
    with frozen("2026-09-30T15:00:00+08:00"):
        res = section_chief.post(f"/contacts/{c['ref']}/decision",
                                 json={"text": "按劳务报酬所得预扣预缴，答复纳税人"})
        assert res.status_code == 200, res.get_json()
        c = res.get_json()
    running = [d for d in _clocks(c, "reply") if d["status"] == "open"]
    assert [d["due_at"] for d in running] == [
        due_working_days("2026-09-30T15:00:00+08:00", 2)]
    assert running[0]["due_at"] == "2026-10-09T09:30:00+00:00"     # Thu 8th, Fri 9th October
    assert [e["kind"] for e in c["events"]][-2:] == ["escalated", "decided"]
    with frozen("2026-10-08T10:00:00+08:00"):
        again = section_chief.post(f"/contacts/{c['ref']}/decision", json={"text": "再次"})
        assert again.status_code == 409
        assert again.get_json()["error"]["code"] == "no_decision_pending"
        res = tax.post(f"/contacts/{c['ref']}/replies",
                       json={"text": "您好，经请示，您的劳务报酬按规定预扣预缴个人所得税。"})
        assert res.status_code == 201
    assert deadline(res.get_json(), "reply")["status"] == "met"


def test_an_escalation_without_a_decision_asked_keeps_the_reply_clock(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-09-24T10:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation")
        c = tax.post(f"/contacts/{c['ref']}/escalations",
                     json={"reason": "客户要求见领导"}).get_json()
        assert deadline(c, "reply")["status"] == "open"
        res = tax.post(f"/contacts/{c['ref']}/decision", json={"text": "x"})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "no_decision_pending"
