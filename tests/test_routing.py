"""Ownership and routing under each pack: rank rule, transfers, returns, wrong transfers,
coordination and referral."""
from conftest import deadline, register

T0 = "2026-11-02T10:00:00+08:00"   # a Monday, an ordinary working day


def _transfer(user, ref, **body):
    return user.post(f"/contacts/{ref}/transfers", json=body)


def test_highest_ranked_co_receiver_owns(login, frozen):
    clerk = login("demo-government", "tax")
    with frozen(T0):
        c = register(clerk, matter_type="consultation", co_receivers=["tax-lead"])
    assert c["owner"]["username"] == "tax-lead"          # section chief outranks a clerk
    assert c["co_receivers"] == ["tax"]
    registered = c["events"][0]
    assert registered["actor"] == "tax" and registered["details"]["owner"] == "tax-lead"


def test_equal_rank_keeps_the_registering_staff_member(login, frozen):
    clerk = login("demo-government", "tax")
    with frozen(T0):
        c = register(clerk, matter_type="consultation", co_receivers=["market"])
    assert c["owner"]["username"] == "tax"


def test_own_duty_starts_reply_clock_otherwise_transfer_clock(login, frozen):
    clerk = login("demo-government", "tax")
    with frozen(T0):
        mine = register(clerk, matter_type="consultation")
        other = register(clerk, matter_type="complaint")
    assert [d["kind"] for d in mine["deadlines"] if d["kind"] != "final"] == ["reply"]
    assert deadline(mine, "reply")["due_at"] == "2026-11-05T09:30:00+00:00"   # 3 working days
    assert [d["kind"] for d in other["deadlines"] if d["kind"] != "final"] == ["transfer"]
    assert deadline(other, "transfer")["due_at"] == "2026-11-03T09:30:00+00:00"
    assert deadline(mine, "final")["due_at"] == "2026-11-23T09:30:00+00:00"   # 15 working days


def test_receiving_department_clock_counts_from_handover_not_acceptance(login, frozen):
    clerk, office = login("demo-government", "tax"), login("demo-government", "supervision")
    with frozen(T0):
        c = register(clerk, matter_type="complaint")
        tid = _transfer(clerk, c["ref"], to_department="supervision").get_json()["id"]
    with frozen("2026-11-04T16:00:00+08:00"):
        c = office.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    reply = deadline(c, "reply", "open")
    assert reply["stage"] == "handover"
    assert reply["due_at"] == "2026-11-05T09:30:00+00:00"   # 3 working days from Monday's handover
    accepted = [e for e in c["events"] if e["kind"] == "accepted"][0]
    assert accepted["details"]["signed_by"] and accepted["details"]["signed_at"]


def test_government_receiver_may_not_pass_on(login, frozen):
    clerk, chief = login("demo-government", "tax"), login("demo-government", "supervision")
    with frozen(T0):
        c = register(clerk, matter_type="complaint")
        tid = _transfer(clerk, c["ref"], to_department="supervision").get_json()["id"]
        chief.post(f"/contacts/{c['ref']}/transfers/{tid}/accept")
        res = _transfer(chief, c["ref"], to_department="housing")
    assert res.status_code == 409
    err = res.get_json()["error"]
    assert err["code"] == "transfer_forbidden" and err["suggest"] == "coordination"
    detail = clerk.get(f"/contacts/{c['ref']}").get_json()
    assert detail["handler_department"]["code"] == "supervision"
    assert any(e["kind"] == "transfer_refused" for e in detail["events"])
    violations = clerk.get("/violations").get_json()["items"]
    assert [(v["trigger"], v["user"], v["contact"]) for v in violations] == [
        ("forbidden_transfer", "supervision", c["ref"])]


def test_property_wrong_transfer_is_taken_on_and_raises_coordination(login, frozen):
    desk, security = login("demo-property", "customer-service"), login("demo-property", "security")
    with frozen(T0):
        c = register(desk, matter_type="repair", summary="楼道灯坏了")
        tid = _transfer(desk, c["ref"], to_department="security").get_json()["id"]
        res = security.post(f"/contacts/{c['ref']}/transfers/{tid}/accept",
                            json={"wrong_transfer": True, "note": "应由工程部维修"})
        assert res.status_code == 200
        c = res.get_json()
        assert c["handler_department"]["code"] == "security"    # taken on anyway
        requested = [e for e in c["events"] if e["kind"] == "coordination_requested"]
        assert requested and requested[0]["details"]["to_department"] == "customer_service"
        assert _transfer(security, c["ref"], to_department="engineering").status_code == 409


def test_hotel_receiver_may_return_with_written_opinion(login, frozen):
    security, eng = login("demo-hotel", "security"), login("demo-hotel", "engineering")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        first = _transfer(security, c["ref"], to_department="front_office").get_json()["id"]
        front = login("demo-hotel", "front-office")
        front.post(f"/contacts/{c['ref']}/transfers/{first}/accept")
        # passing it on is allowed in a hotel, with the department's written opinion
        res = _transfer(front, c["ref"], to_department="engineering", opinion="系设备问题")
        assert res.status_code == 201
        second = res.get_json()["id"]
        eng.post(f"/contacts/{c['ref']}/transfers/{second}/accept")
        no_opinion = _transfer(eng, c["ref"], to_department="front_office")
        assert no_opinion.status_code == 422
        assert no_opinion.get_json()["error"]["code"] == "opinion_required"
        res = _transfer(eng, c["ref"], to_department="front_office", opinion="非工程问题")
        assert res.status_code == 201 and res.get_json()["is_return"] is True
        c = security.get(f"/contacts/{c['ref']}").get_json()
    transferred = [e for e in c["events"] if e["kind"] == "transferred"]
    assert [e["details"]["to_department"] for e in transferred] == [
        "front_office", "engineering", "front_office"]
    assert all(e["details"]["copied_to"] == ["quality"] for e in transferred)
    # the superseded department's clocks were cancelled, the new one's run from the return
    assert [d["status"] for d in c["deadlines"] if d["kind"] == "accept"] == [
        "met", "met", "open"]


def test_government_midway_handover_needs_a_leaders_approval(login, frozen):
    clerk = login("demo-government", "tax")
    with frozen(T0):
        c = register(clerk, matter_type="consultation")       # own duty: handling
        res = _transfer(clerk, c["ref"], to_department="housing")
        assert res.status_code == 422 and "approved_by" in res.get_json()["error"]["fields"]
        # 中心主要领导: the director ("chief"), not the deputy director ("leader")
        res = _transfer(clerk, c["ref"], to_department="housing", approved_by="leader")
        assert res.status_code == 422 and "approved_by" in res.get_json()["error"]["fields"]
        res = _transfer(clerk, c["ref"], to_department="housing", approved_by="chief")
        assert res.status_code == 201


def test_government_coordination_consult_then_reply(login, frozen):
    clerk, office = login("demo-government", "reception"), login("demo-government", "office")
    with frozen(T0):
        c = register(clerk, matter_type="business")
        res = clerk.post(f"/contacts/{c['ref']}/coordination",
                         json={"lead_department": "office",
                               "departments": ["tax", "housing"], "reason": "跨部门"})
        assert res.status_code == 201, res.get_json()
        c = res.get_json()
    assert c["state"] == "coordinating"
    assert deadline(c, "transfer")["status"] == "met"
    assert deadline(c, "consult")["due_at"] == "2026-11-04T09:30:00+00:00"   # 2 working days
    with frozen("2026-11-04T11:00:00+08:00"):
        c = office.post(f"/contacts/{c['ref']}/coordination/agree").get_json()
    assert deadline(c, "consult")["status"] == "met"
    reply = deadline(c, "reply")
    assert reply["stage"] == "agreement" and reply["due_at"] == "2026-11-06T09:30:00+00:00"


def test_referral_names_the_competent_body_and_awaits_callback(login, frozen):
    desk = login("demo-bank", "counter")
    with frozen(T0):
        c = register(desk, matter_type="complaint", summary="社保卡补办")
        res = desk.post(f"/contacts/{c['ref']}/referral",
                        json={"body": "区人社局", "address": "人民路1号", "phone": "12333"})
        assert res.status_code == 201
        c = res.get_json()
    assert c["state"] == "referred"
    assert deadline(c, "callback")["status"] == "open"
    assert deadline(c, "transfer")["status"] == "met"
    close = desk.post(f"/contacts/{c['ref']}/close")
    assert close.status_code == 409 and close.get_json()["error"]["code"] == "callback_required"


def test_only_the_owner_calls_back(login, frozen):
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        tid = _transfer(security, c["ref"], to_department="front_office").get_json()["id"]
        front.post(f"/contacts/{c['ref']}/transfers/{tid}/accept")
        front.post(f"/contacts/{c['ref']}/feedback", json={"text": "已处理"})
        res = front.post(f"/contacts/{c['ref']}/callbacks", json={"satisfaction": 5})
        assert res.status_code == 403
        assert security.post(f"/contacts/{c['ref']}/callbacks",
                             json={"satisfaction": 4}).status_code == 201
        closed = security.post(f"/contacts/{c['ref']}/close").get_json()
    assert closed["state"] == "closed" and closed["satisfaction"] == 4
    assert {d["status"] for d in closed["deadlines"]} <= {"met", "cancelled"}
