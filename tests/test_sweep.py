"""Breaches found by the sweep: each once, with its violation and escalation; and the CLI."""
from conftest import deadline, register

T0 = "2026-11-02T10:00:00+08:00"


def _sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output
    return result.output


def test_status_is_derived_from_the_clock_before_any_sweep(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    with frozen("2026-11-02T11:30:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
        assert deadline(c, "transfer")["status"] == "breached"
        overdue = security.get("/contacts?overdue=true").get_json()["items"]
        assert c["ref"] in [x["ref"] for x in overdue]
    with frozen("2026-11-02T10:30:00+08:00"):
        assert security.get("/contacts?overdue=true").get_json()["items"] == []


def test_sweep_breaches_once_proposes_violation_and_escalates_hotel_chain(login, frozen, runner):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    out = _sweep(runner, "2026-11-02T11:30:00+08:00")
    assert "1 deadline(s) newly breached" in out
    again = _sweep(runner, "2026-11-02T12:00:00+08:00")
    assert "0 deadline(s) newly breached" in again
    with frozen("2026-11-02T12:00:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "transfer")["status"] == "breached"
    assert c["escalation_level"] == 1
    escalated = [e for e in c["events"] if e["kind"] == "escalated"]
    assert len(escalated) == 1
    assert escalated[0]["details"]["to"] == "quality" and escalated[0]["details"]["conflict"]
    violations = security.get("/violations").get_json()["items"]
    assert [(v["trigger"], v["user"], v["rule"]) for v in violations] == [
        ("deadline.transfer", "security", "late_transfer")]


def test_meeting_a_clock_late_is_still_a_breach(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    with frozen("2026-11-02T12:00:00+08:00"):    # transfer two hours after the call
        security.post(f"/contacts/{c['ref']}/transfers", json={"to_department": "front_office"})
        c = security.get(f"/contacts/{c['ref']}").get_json()
    t = deadline(c, "transfer")
    assert t["status"] == "breached" and t["closed_at"] is not None
    assert [v["trigger"] for v in security.get("/violations").get_json()["items"]] == [
        "deadline.transfer"]


def test_supervisor_confirms_or_waives_with_a_reason(login, frozen, runner):
    security, inspector = login("demo-hotel", "security"), login("demo-hotel", "inspector")
    with frozen(T0):
        register(security, matter_type="complaint")
    _sweep(runner, "2026-11-03T10:00:00+08:00")
    vid = inspector.get("/violations").get_json()["items"][0]["id"]
    assert security.post(f"/violations/{vid}/decision",
                         json={"decision": "waive", "reason": "我自己"}).status_code == 403
    res = inspector.post(f"/violations/{vid}/decision",
                         json={"decision": "confirm", "reason": "电话记录证实"})
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "confirmed" and body["decided_by"] == "inspector"
    again = inspector.post(f"/violations/{vid}/decision",
                           json={"decision": "waive", "reason": "改判"})
    assert again.status_code == 409


def test_graded_sanction_rises_with_confirmed_violations(login, frozen, runner):
    security, inspector = login("demo-hotel", "security"), login("demo-hotel", "inspector")
    with frozen(T0):
        register(security, matter_type="complaint")
    _sweep(runner, "2026-11-02T12:00:00+08:00")
    first = inspector.get("/violations").get_json()["items"][0]
    inspector.post(f"/violations/{first['id']}/decision",
                   json={"decision": "confirm", "reason": "属实"})
    with frozen("2026-11-03T10:00:00+08:00"):
        register(security, matter_type="complaint")
    _sweep(runner, "2026-11-03T12:00:00+08:00")
    second = [v for v in inspector.get("/violations").get_json()["items"]
              if v["status"] == "proposed"][0]
    assert second["rule"] == first["rule"]
    assert second["sanction"] != first["sanction"]


def test_escalation_by_a_person_walks_the_chain_then_stops(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        levels = []
        for _ in range(3):
            res = security.post(f"/contacts/{c['ref']}/escalations", json={"reason": "客人要求"})
            assert res.status_code == 201
            levels.append([e for e in res.get_json()["events"]
                           if e["kind"] == "escalated"][-1]["details"]["to"])
        top = security.post(f"/contacts/{c['ref']}/escalations", json={"reason": "再升级"})
    assert levels == ["quality", "deputy_gm", "gm"]
    assert top.status_code == 409 and top.get_json()["error"]["code"] == "chain_exhausted"


def test_property_repair_on_site_by_category(login, frozen):
    desk = login("demo-property", "customer-service")
    with frozen(T0):
        ordinary = register(desk, matter_type="repair", summary="门锁坏了")
        simple = register(desk, matter_type="repair", category="simple", summary="换灯泡")
        urgent = register(desk, matter_type="repair", category="urgent", summary="水管爆裂")
    assert ordinary["category"] == "ordinary"
    assert deadline(ordinary, "on_site")["due_at"] == "2026-11-02T03:00:00+00:00"
    assert deadline(simple, "on_site")["due_at"] == "2026-11-02T02:20:00+00:00"
    assert deadline(urgent, "on_site")["due_at"] == "2026-11-02T02:00:00+00:00"   # at once


def test_paper_contact_entered_later_counts_from_when_the_customer_asked(login, frozen):
    desk = login("demo-property", "customer-service")
    with frozen("2026-11-02T15:00:00+08:00"):
        c = register(desk, matter_type="repair", received_at="2026-11-02T10:00:00+08:00")
    assert c["received_at"] == "2026-11-02T02:00:00+00:00"
    assert c["registered_at"] == "2026-11-02T07:00:00+00:00"
    assert deadline(c, "on_site")["due_at"] == "2026-11-02T03:00:00+00:00"
    assert deadline(c, "on_site")["status"] == "breached"


def test_token_cli_prints_a_working_token_on_its_last_line(runner, client):
    result = runner.invoke(args=["token", "create", "--tenant", "demo-bank", "--user", "counter"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    res = client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    assert "counter" in [u["username"] for u in res.get_json()["items"]]
    bad = runner.invoke(args=["token", "create", "--tenant", "demo-bank", "--user", "nobody"])
    assert bad.exit_code != 0


def test_demo_is_idempotent(app):
    from tenants import demo
    again = demo.seed()
    assert [(slug, created) for slug, created, _ in again] == [
        ("demo-hotel", False), ("demo-property", False), ("demo-government", False),
        ("demo-bank", False)]
    assert all("admin" in users for _, _, users in again)


def test_acting_on_a_contact_re_evaluates_its_clocks(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    with frozen("2026-11-02T12:00:00+08:00"):
        # an unrelated action (escalation) on a contact whose transfer clock has run out
        res = security.post(f"/contacts/{c['ref']}/escalations", json={"reason": "客人催促"})
        assert res.status_code == 201
        kinds = [e["kind"] for e in res.get_json()["events"]]
    assert "deadline_breached" in kinds
    assert [v["trigger"] for v in security.get("/violations").get_json()["items"]] == [
        "deadline.transfer"]
