"""The staff web interface through the test client: sign-in, CSRF, tenancy, a whole contact."""
import re

from conftest import register


def _ref(res):
    return re.search(r"/contacts/([A-Z]+-\d{8}-\d+)", res.location).group(1)


def test_sign_in_is_per_tenant_and_needs_the_right_password(app, web_login):
    client = app.test_client()
    assert client.get("/t/demo-hotel/").status_code == 302          # to the sign-in page
    page = client.get("/t/demo-hotel/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    bad = client.post("/t/demo-hotel/login", data={"username": "security", "password": "nope",
                                                    "csrf_token": token})
    assert bad.status_code == 401
    me = web_login("demo-hotel", "security")
    assert me.get("/").status_code == 200
    # the same browser session means nothing under another tenant's URL
    assert me.client.get("/t/demo-bank/").status_code == 302
    assert me.client.get("/t/no-such-tenant/").status_code == 404


def test_forms_without_csrf_token_are_refused(web_login):
    me = web_login("demo-hotel", "security")
    res = me.client.post("/t/demo-hotel/contacts/new", data={"channel": "phone"})
    assert res.status_code == 400


def test_failed_sign_ins_are_rate_limited(app):
    client = app.test_client()
    page = client.get("/t/demo-bank/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    codes = [client.post("/t/demo-bank/login", data={"username": "counter", "password": "x",
                                                      "csrf_token": token}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_register_hand_over_accept_reply_callback_close_in_the_browser_forms(web_login, frozen):
    owner, front = web_login("demo-hotel", "security"), web_login("demo-hotel", "front-office")
    with frozen("2026-11-02T10:00:00+08:00"):
        res = owner.post("/contacts/new", {"channel": "phone", "matter_type": "complaint",
                                           "summary": "空调不制冷", "customer_name": "赵先生",
                                           "customer_phone": "13800000000",
                                           "received_at": "2026-11-02T09:50"})
        assert res.status_code == 302, res.get_data(as_text=True)[:2000]
        ref = _ref(res)
        page = owner.get(f"/contacts/{ref}?decide=1").get_data(as_text=True)
        for step in ("handle", "transfer", "coordinate", "refer", "escalate"):
            assert f'id="action-{step}"' in page
        assert owner.post(f"/contacts/{ref}/transfer",
                          {"to_department": "front_office", "mode": "handover"}).status_code == 302
        page = front.get(f"/contacts/{ref}").get_data(as_text=True)
        assert 'id="action-accept"' in page and 'id="action-transfer"' not in page
        front.post(f"/contacts/{ref}/accept", {})
        res = front.post(f"/contacts/{ref}/reply", {"text": "不知道"}, follow_redirects=True)
        assert "不知道" in res.get_data(as_text=True)            # flashed as refused
        front.post(f"/contacts/{ref}/reply", {"text": "您好，已为您更换空调，对不起。"})
        front.post(f"/contacts/{ref}/feedback", {"text": "已处理"})
        # The callback form presumes nothing: no grade and no "reached" chosen for the owner.
        form = re.search(r'action="[^"]*/callback".*?</form>',
                         owner.get(f"/contacts/{ref}").get_data(as_text=True), re.S).group(0)
        assert "checked" not in form and "5 · 非常满意" in form and "1 · 非常不满意" in form
        owner.post(f"/contacts/{ref}/callback", {"satisfaction": "5", "reached": "1"})
        owner.post(f"/contacts/{ref}/close", {})
        page = owner.get(f"/contacts/{ref}").get_data(as_text=True)
    assert "state-closed" in page
    assert "2026-11-02 09:50" in page                          # received at, tenant's time zone


def test_new_contact_form_shows_field_errors(web_login):
    me = web_login("demo-hotel", "security")
    res = me.post("/contacts/new", {"channel": "phone", "matter_type": "complaint",
                                    "summary": "  ", "received_at": "2099-01-01T10:00"})
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert html.count('class="err"') >= 2


def test_another_tenants_contact_is_not_found_on_the_web(login, web_login, frozen):
    hotel = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(hotel)
    bank = web_login("demo-bank", "counter")
    assert bank.get(f"/contacts/{c['ref']}").status_code == 404
    assert bank.post(f"/contacts/{c['ref']}/close", {}).status_code == 404
    assert bank.get(f"/contacts/{c['ref']}/notice").status_code == 404


def test_text_typed_in_a_browser_textarea_is_kept_with_plain_line_ends(web_login, login, frozen):
    """Browsers send textarea lines joined by CRLF; the summary keeps the lines, not the CRs."""
    owner = web_login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        res = owner.post("/contacts/new", {"channel": "visit", "matter_type": "complaint",
                                           "summary": "空调不制冷\r\n房间 1208\r\n客人很着急",
                                           "customer_name": "赵先生"})
        assert res.status_code == 302, res.get_data(as_text=True)[:2000]
        c = login("demo-hotel", "security").get(f"/contacts/{_ref(res)}").get_json()
    assert c["summary"] == "空调不制冷\n房间 1208\n客人很着急"


def test_supervisors_reach_the_policy_version_history_from_the_violations_page(web_login):
    inspector = web_login("demo-hotel", "inspector")
    page = inspector.get("/violations").get_data(as_text=True)
    assert 'id="link-policy-versions"' in page
    history = inspector.get("/admin/policy/versions")
    assert history.status_code == 200 and "/admin/policy/versions/1" in history.get_data(as_text=True)
    clerk = web_login("demo-hotel", "security")
    assert clerk.get("/admin/policy/versions").status_code == 403


def test_a_difficult_matter_is_put_to_the_section_chief_who_records_the_decision_on_the_web(
        web_login, login, frozen):
    clerk, chief = web_login("demo-government", "tax"), web_login("demo-government", "tax-lead")
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(login("demo-government", "tax"), channel="visit",
                     matter_type="consultation")
        page = clerk.get(f"/contacts/{c['ref']}").get_data(as_text=True)
        assert 'name="decision_needed"' in page
        assert clerk.post(f"/contacts/{c['ref']}/escalate",
                          {"reason": "疑难，请示股长", "decision_needed": "1"}).status_code == 302
        assert 'id="action-decide"' not in clerk.get(f"/contacts/{c['ref']}").get_data(as_text=True)
        page = chief.get(f"/contacts/{c['ref']}").get_data(as_text=True)
        assert 'id="action-decide"' in page
        assert chief.post(f"/contacts/{c['ref']}/decide",
                          {"text": "按政策口径答复"}).status_code == 302
        detail = login("demo-government", "tax").get(f"/contacts/{c['ref']}").get_json()
    assert [e["kind"] for e in detail["events"]][-1] == "decided"
    running = [d for d in detail["deadlines"] if d["kind"] == "reply" and d["status"] == "open"]
    assert [d["due_at"] for d in running] == ["2026-11-04T09:30:00+00:00"]   # Wed 17:30
