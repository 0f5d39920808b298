"""Policy administration in the web interface: the generated editor, versions and diffs, the
pack switch; and the versions over the API.  Forms are submitted as a browser would (every
field the page renders, see ``formdata``)."""
import re

from conftest import deadline, register
from formdata import Form

T0 = "2026-11-02T10:00:00+08:00"


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def field(html, name):
    """The words of one generated field row (label, input, pack default, markers)."""
    found = re.search(rf'<div class="pfield[^"]*" id="field-{re.escape(name)}">(.*?)'
                      r'<div class="pdefault[^"]*">(.*?)</div>\s*</div>', html, re.S)
    assert found, f"no field {name}"
    return found.group(0)


def editor(session, lang="en"):
    html = session.get(f"/admin/policy?lang={lang}").get_data(as_text=True)
    return html, Form(html, "policy-form")


def submit(session, path, form):
    return session.client.post(f"/t/{session.slug}{path}", data=form.data())


def test_editor_shows_each_value_beside_the_default_and_saves_a_version(
        web_login, login, frozen):
    admin, security = web_login("demo-hotel", "admin"), login("demo-hotel", "security")
    html, form = editor(admin)
    assert "Deadlines" in html and "Escalation" in html and "Penalties" in html
    row = text(field(html, "deadlines.transfer.default"))
    assert "All other cases" in row and "Pack default: 1 hour" in row
    assert "Changed from the pack default" not in row
    assert form.get("deadlines.transfer.default.amount") == "1"
    assert "Pack default: 100 yuan" not in html     # sanctions are rows, shown as a sequence
    assert "Pack default: Verbal warning → Written warning and 50 yuan (50 yuan)" in text(html)
    with frozen(T0):
        old = register(security, matter_type="complaint")
        form["deadlines.transfer.default.amount"] = "30"
        form["deadlines.transfer.default.unit"] = "minutes"
        form["wording.banned_phrases"] += "\n自己看着办"
        form["assessment.components.0.weight"] = "50"
        form["assessment.components.1.weight"] = "20"
        form["note"] = "晨会决定缩短转交时限"
        res = submit(admin, "/admin/policy", form)
        assert res.status_code == 302
        new = register(security, matter_type="complaint")
    api = login("demo-hotel", "admin").get("/policy").get_json()
    assert api["version"] == 2
    assert api["overrides"]["deadlines"] == {"transfer": {"default": {"amount": 30,
                                                                     "unit": "minutes"}}}
    assert api["overrides"]["wording"]["banned_phrases"][-1] == "自己看着办"
    # a list replaces the default whole: the components with the new weights
    assert [c["weight"] for c in api["overrides"]["assessment"]["components"]] == [50, 20, 30]
    assert set(api["overrides"]) == {"deadlines", "wording", "assessment"}   # nothing else
    assert deadline(new, "transfer")["due_at"] == "2026-11-02T02:30:00+00:00"
    old = security.get(f"/contacts/{old['ref']}").get_json()
    assert old["policy_version"] == 1
    assert deadline(old, "transfer")["due_at"] == "2026-11-02T03:00:00+00:00"
    html, _ = editor(admin)
    assert "Saved as policy version 2" in html
    row = text(field(html, "deadlines.transfer.default"))
    assert "Changed from the pack default" in row and "Reset to default" in row
    assert "Pack default: 1 hour" in row


def test_a_refused_save_keeps_the_input_and_says_why_at_each_field(web_login, login):
    admin = web_login("demo-hotel", "admin")
    _, form = editor(admin)
    form["deadlines.reply.default.amount"] = "abc"
    form["escalation.chain.0.key"] = "Quality Inspection!"
    form["assessment.components.1.weight"] = "thirty"
    form["calendar.closing_time"] = "ignored"            # not a field of this page
    form["note"] = "keep me"
    res = submit(admin, "/admin/policy", form)
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "Not a valid integer." in text(field(html, "deadlines.reply.default"))
    assert "Not a valid integer." in text(field(html, "assessment.components"))
    assert "Use lower-case letters" in html
    again = Form(html, "policy-form")
    assert again.get("deadlines.reply.default.amount") == "abc"
    assert again.get("escalation.chain.0.key") == "Quality Inspection!"
    assert again.get("note") == "keep me"
    assert login("demo-hotel", "admin").get("/policy").get_json()["version"] == 1
    # in Chinese, the messages are translated
    res = submit(admin, "/admin/policy", again)
    zh = admin.client.get("/t/demo-hotel/admin/policy?lang=zh")
    assert zh.status_code == 200
    res = submit(admin, "/admin/policy", again)
    assert res.status_code == 422 and "不是有效的整数" in res.get_data(as_text=True)


def test_reset_to_default_removes_the_override(web_login, login):
    admin = web_login("demo-property", "admin")
    _, form = editor(admin)
    form["deadlines.on_site.repair.simple.amount"] = "10"
    form["transfer.receiver_may_pass_on"] = "1"
    assert submit(admin, "/admin/policy", form).status_code == 302
    api = login("demo-property", "admin")
    overrides = api.get("/policy").get_json()["overrides"]
    assert overrides["deadlines"]["on_site"]["repair.simple"]["amount"] == 10
    assert overrides["transfer"] == {"receiver_may_pass_on": True}
    html, form = editor(admin)
    form.check("_reset", "deadlines.on_site.repair.simple")
    assert submit(admin, "/admin/policy", form).status_code == 302
    body = api.get("/policy").get_json()
    assert body["version"] == 3
    assert "deadlines" not in body["overrides"] and body["overrides"]["transfer"]
    assert body["policy"]["deadlines"]["on_site"]["repair.simple"] == {"amount": 20,
                                                                       "unit": "minutes"}


def test_saving_as_a_browser_does_changes_only_what_was_edited(web_login, login):
    """Browsers submit a textarea's line breaks as CRLF; the multi-line templates must not
    come back as changed (and as overrides of the pack default) on every save."""
    admin = web_login("demo-property", "admin")
    _, form = editor(admin)
    templates = [n for n in form.names() if n.startswith("wording.templates.")]
    assert any("\n" in form.get(n) for n in templates)
    form.fields = [(n, v.replace("\n", "\r\n")) for n, v in form.fields]
    assert submit(admin, "/admin/policy", form).status_code == 302
    assert "Nothing was changed" in admin.get("/admin/policy?lang=en").get_data(as_text=True)
    form["deadlines.callback.default.amount"] = "1"
    assert submit(admin, "/admin/policy", form).status_code == 302
    overrides = login("demo-property", "admin").get("/policy").get_json()["overrides"]
    assert overrides == {"deadlines": {"callback": {"default": {"amount": 1,
                                                                "unit": "working_days"}}}}


def test_rules_added_cleared_and_the_chain_reordered(web_login, login):
    admin = web_login("demo-government", "admin")
    _, form = editor(admin)
    form["deadlines.reply._new.selector"] = "complaint"
    form["deadlines.reply._new.amount"] = "5"
    form["deadlines.reply._new.unit"] = "working_days"
    form["deadlines.final.default.amount"] = ""              # no overall limit any more
    chain = [form.get(f"escalation.chain.{i}.key") for i in range(3)]
    form["escalation.chain.0._order"] = "9"                  # first level goes last
    form.check("escalation.chain.1._remove", "1")            # second level removed
    form["escalation.chain.3.key"] = "director"              # blank row: a new level
    form["escalation.chain.3.name.zh"] = "主任"
    form["escalation.chain.3.name.en"] = "Director"
    form["escalation.chain.3.role"] = ""
    res = submit(admin, "/admin/policy", form)
    assert res.status_code == 302, text(res.get_data(as_text=True))[:2000]
    policy = login("demo-government", "admin").get("/policy").get_json()["policy"]
    assert policy["deadlines"]["reply"]["complaint"] == {"amount": 5, "unit": "working_days"}
    assert policy["deadlines"]["final"]["default"] is None
    assert [lv["key"] for lv in policy["escalation"]["chain"]] == [chain[2], "director",
                                                                    chain[0]]


def test_only_the_administrator_edits_supervisors_read_the_history(web_login):
    staff = web_login("demo-hotel", "front-office")
    assert staff.get("/admin/policy").status_code == 403
    assert staff.post("/admin/policy", {"note": "x"}).status_code == 403
    assert staff.get("/admin/policy/versions").status_code == 403
    assert staff.get("/admin/policy/pack?pack=bank").status_code == 403
    lead = web_login("demo-hotel", "front-office-lead")
    assert lead.get("/admin/policy").status_code == 403
    assert lead.get("/admin/policy/versions").status_code == 200


def test_version_history_and_diff_in_plain_words(web_login, login, frozen):
    admin = web_login("demo-hotel", "admin")
    security = login("demo-hotel", "security")
    with frozen(T0):
        _, form = editor(admin)
        form["deadlines.transfer.default.amount"] = "30"
        form["deadlines.transfer.default.unit"] = "minutes"
        form["wording.banned_phrases"] = form.get("wording.banned_phrases").replace(
            "不知道\n", "") + "\n自己看着办"
        form["note"] = "缩短转交时限"
        assert submit(admin, "/admin/policy", form).status_code == 302
        c = register(security, matter_type="complaint")
    page = text(admin.get("/admin/policy/versions?lang=en").get_data(as_text=True))
    assert re.search(r"2 current Hotel 系统管理员 2026-11-02 10:00 缩短转交时限", page), page
    diff = text(admin.get("/admin/policy/versions/2?lang=en").get_data(as_text=True))
    assert "Changes from version 1" in diff
    assert "Deadlines › Hand over › All other cases 1 hour 30 minutes" in diff
    assert "− 不知道" in diff and "+ 自己看着办" in diff
    zh = text(admin.get("/admin/policy/versions/2?lang=zh").get_data(as_text=True))
    assert "转办" in zh and "30 分钟" in zh
    contacts = admin.get("/admin/policy/versions/2/contacts").get_data(as_text=True)
    assert c["ref"] in contacts
    assert c["ref"] not in admin.get("/admin/policy/versions/1/contacts").get_data(as_text=True)
    assert admin.get("/admin/policy/versions/9").status_code == 404
    # another tenant has no version 2
    assert web_login("demo-bank", "admin").get("/admin/policy/versions/2").status_code == 404


def test_versions_over_the_api(login):
    admin = login("demo-hotel", "admin")
    admin.patch("/policy", json={"deadlines": {"reply": {"default": {"amount": 2,
                                                                     "unit": "working_days"}}}},
                headers={"X-Change-Note": "两天答复"})
    items = admin.get("/policy/versions").get_json()["items"]
    assert [(v["version"], v["created_by"], v["note"]) for v in items] == [
        (2, "admin", "两天答复"), (1, None, "pack defaults")]
    body = admin.get("/policy/versions/2").get_json()
    assert body["previous"] == 1
    assert body["changes"] == [{"path": "deadlines.reply.default",
                                "old": {"amount": 1, "unit": "working_days"},
                                "new": {"amount": 2, "unit": "working_days"}}]
    assert admin.get("/policy/versions/7").status_code == 404
    assert login("demo-hotel", "security").get("/policy/versions").status_code == 403


def test_pack_switch_preview_then_confirm(web_login, login, frozen):
    admin = web_login("demo-hotel", "admin")
    api, security = login("demo-hotel", "admin"), login("demo-hotel", "security")
    api.patch("/policy", json={
        "deadlines": {"transfer": {"lost_property": {"amount": 10, "unit": "minutes"}}},
        "wording": {"banned_phrases": ["自己看着办"]}})
    with frozen(T0):
        old = register(security, matter_type="complaint")
    page = admin.get("/admin/policy/pack?pack=property&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    words = text(html)
    assert "What changes when you switch to Property management" in words or \
        "What changes when you switch to" in words
    offered = Form(html, "confirm-switch")
    created = [v for n, v in offered.fields if n == "create_department"]
    assert "customer_service" in created and "engineering" not in created   # hotel has it
    dropped = text(re.search(r'<ul id="dropped">(.*?)</ul>', html, re.S).group(1))
    assert "Deadlines › Hand over › Lost property: 10 minutes" in dropped
    assert "自己看着办" not in dropped                       # it carries over
    assert "Deadlines" in words and "Transfer policy" in words
    assert api.get("/policy").get_json()["version"] == 2     # a preview changes nothing
    offered.uncheck("create_department", "landscaping")
    offered.check("confirm", "1")
    res = submit(admin, "/admin/policy/pack", offered)
    assert res.status_code == 302 and res.location.endswith("/admin/policy/versions/3")
    body = api.get("/policy").get_json()
    assert body["version"] == 3 and body["pack"] == "property"
    assert body["overrides"] == {"wording": {"banned_phrases": ["自己看着办"]}}
    codes = {d["code"] for d in api.get("/departments").get_json()["items"]}
    assert "customer_service" in codes and "landscaping" not in codes
    assert "front_office" in codes                          # nothing is deleted
    diff = text(admin.get("/admin/policy/versions/3?lang=en").get_data(as_text=True))
    assert "Pack switched from Hotel to" in diff
    old = security.get(f"/contacts/{old['ref']}").get_json()
    assert old["policy_version"] == 2                       # registered before the switch
    with frozen(T0):
        new = register(security, matter_type="repair", category="simple")
    assert new["policy_version"] == 3
    assert deadline(new, "on_site")["rule"] == {"amount": 20, "unit": "minutes"}


def test_pack_switch_refuses_the_current_or_an_unknown_pack(web_login):
    admin = web_login("demo-bank", "admin")
    assert admin.get("/admin/policy/pack?pack=nonsense").status_code == 404
    res = admin.post("/admin/policy/pack?lang=en", {"pack": "bank", "confirm": "1"},
                     follow_redirects=True)
    assert res.status_code == 200 and "already the current pack" in res.get_data(as_text=True)


def test_assessment_weights_that_do_not_add_up_are_refused_at_the_components(web_login):
    admin = web_login("demo-hotel", "admin")
    _, form = editor(admin)
    form["assessment.components.0.weight"] = "50"        # 50 + 30 + 30 = 110
    res = submit(admin, "/admin/policy", form)
    assert res.status_code == 422
    assert "add up to 100 (they add up to 110)" in text(field(res.get_data(as_text=True),
                                                               "assessment.components"))
    admin.client.get("/t/demo-hotel/admin/policy?lang=zh")
    res = submit(admin, "/admin/policy", form)
    assert "权重合计须为100（现为110）" in res.get_data(as_text=True)
