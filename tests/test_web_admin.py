"""Tenant administration in the web interface: departments, staff, set-password links,
API tokens and settings, as the administrator and as ordinary staff."""
import re

import pytest
from conftest import register
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import ApiToken, Department, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

STRONG = "lantern-orchard-7-quietly"


def _tenant(slug):
    db.session.expire_all()              # requests ran in their own sessions: read afresh
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _staff(slug, username):
    with tenant_scope(_tenant(slug).id):
        return db.session.scalars(select(Staff).where(Staff.username == username)).one()


def _department(slug, code):
    with tenant_scope(_tenant(slug).id):
        return db.session.scalars(select(Department).where(Department.code == code)).first()


def _text(res):
    return res.get_data(as_text=True)


def _link(res):
    found = re.search(r'id="password-link">([^<]+)<', _text(res))
    assert found, _text(res)[:2000]
    return found.group(1).split("://", 1)[1].split("/", 1)[1]      # path without host


def _sign_in(app, slug, username, password):
    client = app.test_client()
    page = _text(client.get(f"/t/{slug}/login"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(f"/t/{slug}/login", data={"username": username, "password": password,
                                                  "csrf_token": token})


# -- who may administer -------------------------------------------------------------------

def test_only_administrators_see_and_open_administration(web_login):
    admin, staff = web_login("demo-hotel", "admin"), web_login("demo-hotel", "security")
    assert 'id="nav-admin"' in _text(admin.get("/"))
    assert 'id="nav-admin"' not in _text(staff.get("/"))
    home = _text(admin.get("/admin/"))
    for path in ("admin/settings", "admin/departments", "admin/staff", "admin/tokens",
                 "admin/policy", "admin/calendar"):
        assert f"/t/demo-hotel/{path}" in home, path
    for path in ("/admin/", "/admin/settings", "/admin/departments", "/admin/departments/new",
                 "/admin/staff", "/admin/staff/new", "/admin/tokens"):
        assert staff.get(path).status_code == 403, path
    dept = _department("demo-hotel", "security")
    res = staff.post(f"/admin/departments/{dept.id}", {"name_zh": "改名"})
    assert res.status_code == 403
    assert _department("demo-hotel", "security").name_zh != "改名"


# -- departments --------------------------------------------------------------------------

def test_create_rename_deactivate_reactivate_a_department(web_login):
    admin = web_login("demo-hotel", "admin")
    res = admin.post("/admin/departments/new", {
        "code": "spa", "name_zh": "水疗中心", "name_en": "Spa", "duties_zh": "水疗预约与服务",
        "matter_types": ["consultation", "complaint"], "location": "3F", "phone": "8688"})
    assert res.status_code == 302, _text(res)[:2000]
    dept = _department("demo-hotel", "spa")
    assert dept.matter_types == ["consultation", "complaint"] and dept.active
    directory = _text(admin.get("/directory"))
    assert "水疗中心" in directory and "8688" in directory
    # the code is kept whatever the form says; names and matter types change
    res = admin.post(f"/admin/departments/{dept.id}", {
        "code": "hacked", "name_zh": "康体水疗部", "name_en": "Spa & Fitness",
        "matter_types": ["consultation"], "location": "3F", "phone": "8688"})
    assert res.status_code == 302
    dept = _department("demo-hotel", "spa")
    assert (dept.code, dept.name_zh, dept.name_en, dept.matter_types) == \
        ("spa", "康体水疗部", "Spa & Fitness", ["consultation"])
    assert admin.post(f"/admin/departments/{dept.id}/active", {"active": "0"}).status_code == 302
    assert not _department("demo-hotel", "spa").active
    admin.get("/")                                            # (shows the flash message)
    assert "康体水疗部" not in _text(admin.get("/directory"))
    assert "康体水疗部" not in _text(admin.get("/contacts/new"))
    assert "康体水疗部" in _text(admin.get("/admin/departments"))        # never deleted
    admin.post(f"/admin/departments/{dept.id}/active", {"active": "1"})
    assert _department("demo-hotel", "spa").active


@pytest.mark.parametrize("form,field", [
    ({"code": "front_office", "name_zh": "重复"}, "code"),
    ({"code": "Bad Code", "name_zh": "x"}, "code"),
    ({"code": "", "name_zh": "x"}, "code"),
    ({"code": "ok_code", "name_zh": "  "}, "name_zh"),
    ({"code": "ok_code", "name_zh": "x", "matter_types": ["casino"]}, "matter_types"),
    ({"code": "ok_code", "name_zh": "x", "phone": "call me"}, "phone"),
    ({"code": "ok_code", "name_zh": "x" * 101}, "name_zh"),
])
def test_bad_department_forms_are_refused_with_field_messages(web_login, form, field):
    admin = web_login("demo-hotel", "admin")
    res = admin.post("/admin/departments/new", form)
    assert res.status_code == 422
    assert f'id="err-{field}"' in _text(res) or field in ("matter_types",) \
        and 'class="err"' in _text(res)
    assert _department("demo-hotel", "ok_code") is None


def test_matter_types_of_a_department_decide_what_is_in_its_duty(login, web_login, frozen):
    """Routing reads the department's matter types: taking 'repair' off Engineering puts a
    repair registered there outside its duty (a transfer clock starts)."""
    admin = web_login("demo-property", "admin")
    engineer = login("demo-property", "engineering")
    with frozen("2026-11-02T10:00:00+08:00"):
        before = register(engineer, matter_type="repair", summary="水管漏水")
    dept = _department("demo-property", "engineering")
    form = {"name_zh": dept.name_zh, "name_en": dept.name_en, "matter_types": ["inquiry"]}
    assert admin.post(f"/admin/departments/{dept.id}", form).status_code == 302
    with frozen("2026-11-02T10:05:00+08:00"):
        after = register(engineer, matter_type="repair", summary="灯不亮")
    kinds = lambda c: {d["kind"] for d in c["deadlines"]}     # noqa: E731
    assert "transfer" not in kinds(before) and "transfer" in kinds(after)


# -- staff and set-password links ---------------------------------------------------------

def test_new_staff_member_gets_a_one_time_link_and_signs_in(app, web_login, frozen):
    admin = web_login("demo-hotel", "admin")
    res = admin.post("/admin/staff/new", {
        "username": "li.na", "name": "李娜", "department": "front_office",
        "title": "", "role": "staff", "rank": "10", "email": "li.na@example.com"})
    assert res.status_code == 200, _text(res)[:2000]
    path = _link(res)
    member = _staff("demo-hotel", "li.na")
    assert member.department.code == "front_office" and member.password_hash == ""
    assert _sign_in(app, "demo-hotel", "li.na", "").status_code == 401
    visitor = app.test_client()                    # not signed in: the link is the credential
    page = visitor.get("/" + path)
    assert page.status_code == 200 and "李娜" in _text(page)
    token = re.search(r'name="csrf-token" content="([^"]+)"', _text(page)).group(1)
    weak = visitor.post("/" + path, data={"password": "password123",
                                          "password_confirm": "password123",
                                          "csrf_token": token})
    assert weak.status_code == 422 and 'id="err-password"' in _text(weak)
    ok = visitor.post("/" + path, data={"password": STRONG, "password_confirm": STRONG,
                                        "csrf_token": token})
    assert ok.status_code == 302 and ok.location.endswith("/t/demo-hotel/login")
    assert _sign_in(app, "demo-hotel", "li.na", STRONG).status_code == 302
    # spent: the same link does nothing any more
    assert visitor.get("/" + path).status_code == 404
    again = visitor.post("/" + path, data={"password": STRONG + "9", "password_confirm":
                                           STRONG + "9", "csrf_token": token})
    assert again.status_code == 404
    assert _sign_in(app, "demo-hotel", "li.na", STRONG).status_code == 302


def test_reset_links_expire_and_a_new_link_replaces_the_old(app, web_login, frozen):
    admin = web_login("demo-hotel", "admin")
    member = _staff("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        first = _link(admin.post(f"/admin/staff/{member.id}/password-link", {}))
        second = _link(admin.post(f"/admin/staff/{member.id}/password-link", {}))
        assert app.test_client().get("/" + first).status_code == 404     # replaced
        assert app.test_client().get("/" + second).status_code == 200
    with frozen("2026-11-05T09:59:00+08:00"):
        assert app.test_client().get("/" + second).status_code == 200
    with frozen("2026-11-05T10:00:01+08:00"):                           # 72 hours later
        assert app.test_client().get("/" + second).status_code == 404
    assert app.test_client().get("/t/demo-hotel/password/not-a-token").status_code == 404


def test_edit_staff_role_rank_department(web_login):
    admin = web_login("demo-hotel", "admin")
    member = _staff("demo-hotel", "security")
    res = admin.post(f"/admin/staff/{member.id}", {
        "username": "renamed", "name": "保安甲", "department": "front_office", "title": "",
        "role": "dept_supervisor", "rank": "35", "email": "", "phone": "13800000000"})
    assert res.status_code == 302, _text(res)[:2000]
    member = _staff("demo-hotel", "security")                 # the user name never changes
    assert (member.name, member.department.code, member.role, member.rank, member.phone) == \
        ("保安甲", "front_office", "dept_supervisor", 35, "13800000000")
    for bad, field in (({"rank": "high"}, "rank"), ({"role": "owner"}, "role"),
                       ({"department": "nowhere"}, "department"), ({"title": "king"}, "title"),
                       ({"email": "nope"}, "email"), ({"name": ""}, "name")):
        form = {"name": "保安甲", "department": "front_office", "role": "staff", "rank": "5",
                **bad}
        res = admin.post(f"/admin/staff/{member.id}", form)
        assert res.status_code == 422, bad
        assert f'id="err-{field}"' in _text(res) or 'class="err"' in _text(res), bad
    assert _staff("demo-hotel", "security").rank == 35


def test_title_fills_role_and_rank_when_left_empty(web_login):
    from core.policy import versions as policies
    admin = web_login("demo-property", "admin")
    with tenant_scope(_tenant("demo-property").id):
        roles = policies.load(policies.latest_version_id())[1]["roles"]
    title = next(r for r in roles if r["permission"] == "dept_supervisor")
    res = admin.post("/admin/staff/new", {"username": "lead2", "name": "组长", "title":
                                          title["key"], "role": "", "rank": ""})
    assert res.status_code == 200, _text(res)[:1500]
    member = _staff("demo-property", "lead2")
    assert (member.role, member.rank, member.title) == \
        ("dept_supervisor", title["rank"], title["key"])


def test_duplicate_or_malformed_user_names_are_refused(web_login):
    admin = web_login("demo-hotel", "admin")
    for username in ("security", "Has Space", "", "x"):
        res = admin.post("/admin/staff/new", {"username": username, "name": "某人",
                                              "role": "staff", "rank": "1"})
        assert res.status_code == 422 and 'id="err-username"' in _text(res), username


def test_deactivated_staff_cannot_sign_in_tokens_stop_history_stays(app, web_login, login,
                                                                    frozen):
    admin = web_login("demo-hotel", "admin")
    security = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        contact = register(security, summary="房间太冷")
    member = _staff("demo-hotel", "security")
    session = web_login("demo-hotel", "security")
    assert admin.post(f"/admin/staff/{member.id}/active", {"active": "0"}).status_code == 302
    assert not _staff("demo-hotel", "security").active
    from tenants.demo import DEMO_PASSWORD
    assert _sign_in(app, "demo-hotel", "security", DEMO_PASSWORD).status_code == 401
    assert session.get("/").status_code == 302                # the open session ends too
    assert security.get("/contacts").status_code == 401       # the token stops working
    page = _text(admin.get(f"/contacts/{contact['ref']}"))
    assert member.name in page                                # still the owner on record
    assert member.username in _text(admin.get("/admin/staff"))
    assert admin.post(f"/admin/staff/{member.id}/active", {"active": "1"}).status_code == 302
    assert _sign_in(app, "demo-hotel", "security", DEMO_PASSWORD).status_code == 302
    # the old token was revoked on deactivation: reactivating brings none back
    assert security.get("/contacts").status_code == 401


def test_the_last_administrator_stays(web_login):
    admin = web_login("demo-hotel", "admin")
    me = _staff("demo-hotel", "admin")
    res = admin.post(f"/admin/staff/{me.id}/active", {"active": "0"}, follow_redirects=True)
    assert _staff("demo-hotel", "admin").active
    assert 'class="flash error"' in _text(res)
    res = admin.post(f"/admin/staff/{me.id}", {"name": me.name, "role": "staff", "rank": "1"})
    assert res.status_code == 422 and _staff("demo-hotel", "admin").role == "admin"


# -- API tokens ---------------------------------------------------------------------------

def test_staff_create_list_and_revoke_their_own_tokens(app, web_login):
    me = web_login("demo-hotel", "security")
    res = me.post("/tokens", {"label": "客服对接"})
    assert res.status_code == 200
    plaintext = re.search(r'id="token-plaintext">([^<]+)<', _text(res)).group(1)
    api = app.test_client()
    auth = {"Authorization": f"Bearer {plaintext}"}
    assert api.get("/api/v1/contacts", headers=auth).status_code == 200
    listing = _text(me.get("/tokens"))
    assert "客服对接" in listing and plaintext not in listing        # shown once only
    assert plaintext[:11] in listing                                 # sw_ + prefix
    with tenant_scope(_tenant("demo-hotel").id):
        row = db.session.scalars(select(ApiToken).where(ApiToken.label == "客服对接")).one()
    # another staff member may not revoke it; the administrator may
    other = web_login("demo-hotel", "front-office")
    assert other.post(f"/tokens/{row.id}/revoke", {}).status_code == 403
    assert api.get("/api/v1/contacts", headers=auth).status_code == 200
    assert "客服对接" not in _text(other.get("/tokens"))
    assert me.post(f"/tokens/{row.id}/revoke", {}).status_code == 302
    assert api.get("/api/v1/contacts", headers=auth).status_code == 401


def test_administrator_sees_and_revokes_everyones_tokens(app, web_login, login):
    front = login("demo-hotel", "front-office")
    admin = web_login("demo-hotel", "admin")
    page = _text(admin.get("/admin/tokens"))
    assert "front-office" in page
    with tenant_scope(_tenant("demo-hotel").id):
        row = db.session.scalars(select(ApiToken).join(Staff, Staff.id == ApiToken.staff_id)
                                 .where(Staff.username == "front-office")).one()
    assert admin.post(f"/tokens/{row.id}/revoke", {"back": "all"}).status_code == 302
    assert front.get("/contacts").status_code == 401
    res = admin.post("/admin/tokens", {"username": "security", "label": "集成"})
    assert res.status_code == 200 and 'id="token-plaintext"' in _text(res)
    assert admin.post("/admin/tokens", {"username": "nobody"}).status_code == 404


# -- settings -----------------------------------------------------------------------------

def _settings(**over):
    form = {"name": "示范酒店", "timezone": "Asia/Shanghai", "languages": ["zh", "en"],
            "default_language": "zh", "ref_prefix": "HT"}
    form.update(over)
    return form


@pytest.mark.parametrize("over,field", [
    ({"timezone": "Mars/Olympus"}, "timezone"), ({"timezone": ""}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"), ({"timezone": "EST5EDT x"}, "timezone"),
    ({"languages": []}, "languages"), ({"languages": ["fr"]}, "languages"),
    ({"languages": ["en"], "default_language": "zh"}, "default_language"),
    ({"ref_prefix": "H"}, "ref_prefix"), ({"ref_prefix": "HT-1"}, "ref_prefix"),
    ({"ref_prefix": "TOOLONG"}, "ref_prefix"), ({"name": " "}, "name"),
])
def test_bad_settings_are_refused_with_field_messages(web_login, over, field):
    admin = web_login("demo-hotel", "admin")
    res = admin.post("/admin/settings", _settings(**over))
    assert res.status_code == 422
    assert f'id="err-{field}"' in _text(res) or 'class="err"' in _text(res)
    tenant = _tenant("demo-hotel")
    assert tenant.timezone == "Asia/Shanghai" and tenant.ref_prefix == "HT"


def test_reference_prefix_applies_to_new_contacts_only(web_login, login, frozen):
    security = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        old = register(security)
    admin = web_login("demo-hotel", "admin")
    page = _text(admin.get("/admin/settings?lang=en"))
    assert "new contacts only" in page
    res = admin.post("/admin/settings", _settings(name="春江酒店", ref_prefix="cj"))
    assert res.status_code == 302
    with frozen("2026-11-02T11:00:00+08:00"):
        new = register(security)
    assert old["ref"].startswith("HT-") and new["ref"].startswith("CJ-20261102-")
    assert security.get(f"/contacts/{old['ref']}").status_code == 200
    assert "春江酒店" in _text(admin.get("/"))


def test_time_zone_setting_changes_the_times_shown(web_login, login, frozen):
    security = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        contact = register(security, received_at="2026-11-02T09:50:00+08:00")
    admin = web_login("demo-hotel", "admin")
    assert "09:50" in _text(admin.get(f"/contacts/{contact['ref']}"))
    admin.post("/admin/settings", _settings(timezone="Europe/London"))
    assert "01:50" in _text(admin.get(f"/contacts/{contact['ref']}"))


def test_the_web_offers_only_the_tenants_languages(web_login):
    admin = web_login("demo-hotel", "admin")
    assert admin.post("/admin/settings", _settings(languages=["en"], default_language="en")) \
        .status_code == 302
    staff = web_login("demo-hotel", "security")
    page = _text(staff.get("/"))
    assert '<html lang="en"' in page and "My queues" in page
    assert "?lang=zh" not in page                                 # no switch to a language
    assert '<html lang="en"' in _text(staff.get("/?lang=zh"))    # ... that is not offered
    admin.post("/admin/settings", _settings(languages=["zh", "en"], default_language="en"))
    page = _text(web_login("demo-hotel", "security").get("/"))
    assert '<html lang="en"' in page and "?lang=zh" in page      # default first, switch shown
    assert _tenant("demo-hotel").languages == ["en", "zh"]
