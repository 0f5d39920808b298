"""Violations for supervisors: the evidence, confirm or waive with a reason, 403 for staff."""
import re

from conftest import register


def _banned_reply(login, frozen, slug="demo-hotel"):
    """A contact whose handler tried to reply "不知道": one proposed violation."""
    security, front = login(slug, "security"), login(slug, "front-office")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(security)["ref"]
        transfer = security.post(f"/contacts/{ref}/transfers",
                                 json={"to_department": "front_office", "mode": "handover"})
        front.post(f"/contacts/{ref}/transfers/{transfer.get_json()['id']}/accept")
    with frozen("2026-11-02T10:30:00+08:00"):
        res = front.post(f"/contacts/{ref}/replies", json={"text": "不知道，问别人去"})
        assert res.status_code == 422
    violation = security.get("/violations").get_json()["items"][0]
    assert violation["contact"] == ref and violation["status"] == "proposed"
    return ref, violation


def _row(html, violation_id):
    match = re.search(rf'<tr id="violation-{violation_id}".*?</tr>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split()) if match else None


def test_supervisor_sees_the_evidence_and_confirms_with_a_reason(login, web_login, frozen):
    ref, violation = _banned_reply(login, frozen)
    inspector = web_login("demo-hotel", "inspector")
    res = inspector.get("/violations?lang=zh")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert 'href="/t/demo-hotel/violations"' in html                       # in the nav
    row = _row(html, violation["id"])
    assert row is not None
    assert "front-office" in row                                              # the staff member
    assert violation["rule_text"]["zh"] in row                               # localized rule
    assert violation["sanction"]["zh"] in row                                # suggested sanction
    assert ref in row and f'/contacts/{ref}#timeline' in html
    assert "不知道" in row and "2026-11-02 10:30" in row                     # the refused reply
    with frozen("2026-11-03T09:00:00+08:00"):
        res = inspector.post(f"/violations/{violation['id']}/decision",
                             {"decision": "confirm", "reason": "已核实录音"})
    assert res.status_code == 302 and "status=confirmed" in res.location
    assert _row(inspector.get("/violations").get_data(as_text=True), violation["id"]) is None
    row = _row(inspector.get("/violations?status=confirmed").get_data(as_text=True),
               violation["id"])
    assert "已核实录音" in row and "2026-11-03 09:00" in row
    api = login("demo-hotel", "inspector").get("/violations?status=confirmed").get_json()
    assert [v["reason"] for v in api["items"]] == ["已核实录音"]


def test_waive_and_an_empty_reason_is_refused(login, web_login, frozen):
    _, violation = _banned_reply(login, frozen)
    lead = web_login("demo-hotel", "front-office-lead")                    # dept_supervisor
    res = lead.post(f"/violations/{violation['id']}/decision",
                    {"decision": "waive", "reason": "   "}, follow_redirects=True)
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert 'class="flash error"' in html
    assert _row(html, violation["id"]) is not None                          # still proposed
    res = lead.post(f"/violations/{violation['id']}/decision",
                    {"decision": "maybe", "reason": "x"}, follow_redirects=True)
    assert 'class="flash error"' in res.get_data(as_text=True)
    res = lead.post(f"/violations/{violation['id']}/decision",
                    {"decision": "waive", "reason": "客人误解，已说明"}, follow_redirects=True)
    assert "客人误解，已说明" in _row(res.get_data(as_text=True), violation["id"])
    # decided once: a second decision is refused
    res = lead.post(f"/violations/{violation['id']}/decision",
                    {"decision": "confirm", "reason": "again"}, follow_redirects=True)
    assert 'class="flash error"' in res.get_data(as_text=True)
    assert login("demo-hotel", "inspector").get("/violations?status=waived") \
        .get_json()["items"][0]["id"] == violation["id"]


def test_staff_get_403_and_other_tenants_violations_are_not_found(login, web_login, frozen):
    _, violation = _banned_reply(login, frozen)
    staff = web_login("demo-hotel", "front-office")
    assert staff.get("/violations").status_code == 403
    assert 'href="/t/demo-hotel/violations"' not in staff.get("/").get_data(as_text=True)
    res = staff.post(f"/violations/{violation['id']}/decision",
                     {"decision": "waive", "reason": "我自己豁免"})
    assert res.status_code == 403
    assert login("demo-hotel", "inspector").get("/violations?status=proposed") \
        .get_json()["items"][0]["status"] == "proposed"
    bank = web_login("demo-bank", "admin")
    assert violation["id"] not in [int(i) for i in re.findall(
        r'id="violation-(\d+)"', bank.get("/violations").get_data(as_text=True))]
    assert bank.post(f"/violations/{violation['id']}/decision",
                     {"decision": "waive", "reason": "x"}).status_code == 404
    assert staff.get("/violations?status=bogus").status_code == 403
    assert web_login("demo-hotel", "admin").get("/violations?status=bogus").status_code == 404


def test_deadline_breach_evidence_shows_the_clock(login, web_login, frozen):
    from core.deadlines import sweep  # noqa: F401  (the breach comes from evaluating the clock)
    security = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(security)["ref"]
    with frozen("2026-11-02T12:00:00+08:00"):                # the 1-hour transfer clock ran out
        res = security.post(f"/contacts/{ref}/transfers",
                            json={"to_department": "front_office", "mode": "handover"})
        assert res.status_code == 201, res.get_json()
    items = login("demo-hotel", "inspector").get("/violations").get_json()["items"]
    breach = [v for v in items if v["trigger"].startswith("deadline.")]
    assert breach, items
    html = web_login("demo-hotel", "inspector").get("/violations?lang=en").get_data(as_text=True)
    row = _row(html, breach[0]["id"])
    assert "due 2026-11-02 11:00" in row and ref in row


def test_refused_transfer_evidence_and_sanction_amount(login, web_login, frozen):
    counter, credit = login("demo-bank", "counter"), login("demo-bank", "credit")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(counter, matter_type="business", summary="贷款咨询")["ref"]
        transfer = counter.post(f"/contacts/{ref}/transfers",
                                json={"to_department": "credit", "mode": "handover"})
        credit.post(f"/contacts/{ref}/transfers/{transfer.get_json()['id']}/accept")
        res = credit.post(f"/contacts/{ref}/transfers",
                          json={"to_department": "operations", "mode": "handover"})
        assert res.status_code >= 400                     # may not pass it on to a third
    items = login("demo-bank", "inspector").get("/violations").get_json()["items"]
    refused = [v for v in items if v["trigger"] == "forbidden_transfer"]
    assert refused, items
    inspector = web_login("demo-bank", "inspector")
    row = _row(inspector.get("/violations?lang=zh").get_data(as_text=True), refused[0]["id"])
    assert "运营管理部" in row                                              # the refused transfer
    assert refused[0]["rule_text"]["zh"] in row and refused[0]["sanction"]["zh"] in row
    # a confirmed one raises the next proposal's sanction to an amount in yuan
    inspector.post(f"/violations/{refused[0]['id']}/decision",
                   {"decision": "confirm", "reason": "违规转办"})
    with frozen("2026-11-02T11:00:00+08:00"):
        credit.post(f"/contacts/{ref}/transfers",
                    json={"to_department": "operations", "mode": "handover"})
    second = [v for v in login("demo-bank", "inspector").get("/violations").get_json()["items"]
              if v["trigger"] == "forbidden_transfer"][0]
    assert second["sanction"]["amount"] == 500
    row = _row(inspector.get("/violations?lang=en").get_data(as_text=True), second["id"])
    assert "500 yuan" in row
