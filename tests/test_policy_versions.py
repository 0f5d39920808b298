"""Tenant overrides: validated, versioned, and never rewriting a contact's past."""
from conftest import deadline, register

T0 = "2026-11-02T10:00:00+08:00"


def test_patch_creates_a_new_version_and_old_contacts_keep_theirs(login, frozen):
    admin, security = login("demo-hotel", "admin"), login("demo-hotel", "security")
    before = admin.get("/policy").get_json()
    assert before["version"] == 1 and before["pack"] == "hotel"
    with frozen(T0):
        old = register(security, matter_type="complaint")
        res = admin.patch("/policy", json={"deadlines": {"transfer": {
            "default": {"amount": 30, "unit": "minutes"}}}})
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        assert body["version"] == 2
        assert body["policy"]["deadlines"]["transfer"]["default"] == {"amount": 30,
                                                                      "unit": "minutes"}
        # the rest of the pack's table is kept: overrides merge, they do not replace
        assert body["policy"]["deadlines"]["transfer"]["lost_property"] == {
            "amount": 15, "unit": "minutes"}
        new = register(security, matter_type="complaint")
        old_again = security.get(f"/contacts/{old['ref']}").get_json()
    assert old_again["policy_version"] == 1 and new["policy_version"] == 2
    assert deadline(old_again, "transfer")["due_at"] == "2026-11-02T03:00:00+00:00"   # 1 hour
    assert deadline(new, "transfer")["due_at"] == "2026-11-02T02:30:00+00:00"         # 30 min


def test_old_contacts_follow_their_own_version_for_later_clocks(login, frozen):
    admin, security = login("demo-hotel", "admin"), login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        admin.patch("/policy", json={"deadlines": {"accept": {
            "default": {"amount": 2, "unit": "hours"}}}})
        res = security.post(f"/contacts/{c['ref']}/transfers",
                            json={"to_department": "front_office"})
        assert res.status_code == 201
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert deadline(c, "accept")["rule"] == {"amount": 15, "unit": "minutes"}


def test_invalid_override_is_refused_with_field_messages_and_no_version(login):
    admin = login("demo-hotel", "admin")
    res = admin.patch("/policy", json={"deadlines": {"reply": {
        "default": {"amount": -1, "unit": "fortnights"}}}})
    assert res.status_code == 422
    fields = res.get_json()["error"]["fields"]
    assert set(fields["deadlines"]["reply"]["default"]) == {"amount", "unit"}
    res = admin.patch("/policy", json={"escalation": {"chain": [
        {"key": "x", "name": {"zh": "某部", "en": "X"}, "department": "nowhere"}]}})
    assert res.status_code == 422
    assert "department" in str(res.get_json()["error"]["fields"])
    res = admin.patch("/policy", json={"colour": "red"})
    assert res.status_code == 422 and "colour" in res.get_json()["error"]["fields"]
    assert admin.get("/policy").get_json()["version"] == 1


def test_only_the_administrator_changes_the_policy(login):
    staff = login("demo-hotel", "front-office")
    res = staff.patch("/policy", json={"deadlines": {}})
    assert res.status_code == 403
    assert staff.get("/policy").get_json()["version"] == 1


def test_banned_phrases_follow_the_tenant_override(login, frozen):
    admin, front = login("demo-hotel", "admin"), login("demo-hotel", "front-office")
    with frozen(T0):
        c = register(front, matter_type="complaint")
        admin.patch("/policy", json={"wording": {"banned_phrases": ["自己看着办"]}})
        # the contact keeps version 1: the pack's list applies, the new phrase does not
        ok = front.post(f"/contacts/{c['ref']}/replies", json={"text": "您好，自己看着办吧"})
        assert ok.status_code == 201
        c2 = register(front, matter_type="complaint")
        refused = front.post(f"/contacts/{c2['ref']}/replies", json={"text": "您好，自己看着办吧"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["phrases"] == ["自己看着办"]


def test_packs_list_and_effective_policy(login):
    user = login("demo-property", "customer-service")
    packs = {p["key"]: p for p in user.get("/packs").get_json()["items"]}
    assert set(packs) >= {"hotel", "property", "government", "bank"}
    assert packs["property"]["selected"] and not packs["hotel"]["selected"]
    policy = user.get("/policy").get_json()["policy"]
    assert policy["deadlines"]["on_site"]["repair.simple"] == {"amount": 20, "unit": "minutes"}
