"""Issue #12 item 5: sessions that end.

A signed-in cookie copied to another browser works there until the person's session
generation moves: sign-out, "sign out everywhere", a password set through a link,
deactivation, reactivation, a change of role.  API tokens end on deactivation and reset."""
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from tenants import operators

STRONG = "lantern-orchard-7-quietly"


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _staff(slug, username):
    db.session.expire_all()
    with tenant_scope(_tenant(slug).id):
        return db.session.scalars(select(Staff).where(Staff.username == username)).one()


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client, slug="demo-hotel"):
    res = client.get(f"/t/{slug}/")
    assert res.status_code in (200, 302)
    return res.status_code == 200


@pytest.fixture
def security(web_login):
    return web_login("demo-hotel", "security")


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app, security):
    copy = _copy(app, security.client)
    assert _signed_in(copy)                                  # the copy works while signed in
    assert security.post("/logout").status_code == 302
    assert not _signed_in(security.client)
    assert not _signed_in(copy)
    assert copy.get("/t/demo-hotel/register").status_code == 302


def test_sign_out_ends_the_same_persons_other_sessions_only(web_login, security):
    other_device = web_login("demo-hotel", "security")
    colleague = web_login("demo-hotel", "front-office")
    security.post("/logout")
    assert not _signed_in(other_device.client)               # documented: all of theirs
    assert _signed_in(colleague.client)


def test_sign_out_everywhere_keeps_this_session_and_ends_the_others(app, web_login, security):
    page = security.get("/account")
    assert page.status_code == 200 and 'id="sign-out-everywhere"' in page.get_data(as_text=True)
    other_device = web_login("demo-hotel", "security")
    copy = _copy(app, security.client)
    res = security.post("/account/sign-out-everywhere", follow_redirects=True)
    assert res.status_code == 200
    assert _signed_in(security.client)
    assert not _signed_in(other_device.client) and not _signed_in(copy)


def _reset_link(admin, member):
    page = admin.post(f"/admin/staff/{member.id}/password-link", {}).get_data(as_text=True)
    url = re.search(r'id="password-link">([^<]+)<', page).group(1)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_password_reset_ends_sessions_and_revokes_tokens(app, web_login, login, security):
    token_user = login("demo-hotel", "security")
    assert token_user.get("/contacts").status_code == 200
    copy = _copy(app, security.client)
    admin = web_login("demo-hotel", "admin")
    path = _reset_link(admin, _staff("demo-hotel", "security"))
    visitor = app.test_client()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     visitor.get(path).get_data(as_text=True)).group(1)
    res = visitor.post(path, data={"password": STRONG, "password_confirm": STRONG,
                                   "csrf_token": csrf})
    assert res.status_code == 302
    assert not _signed_in(security.client) and not _signed_in(copy)
    assert token_user.get("/contacts").status_code == 401
    assert _signed_in(web_login("demo-hotel", "security", STRONG).client)
    assert _signed_in(admin.client)                          # nobody else's session ends


def test_reactivation_revives_no_old_session_and_no_old_token(app, web_login, login, security):
    token_user = login("demo-hotel", "security")
    copy = _copy(app, security.client)
    admin = web_login("demo-hotel", "admin")
    member = _staff("demo-hotel", "security")
    assert admin.post(f"/admin/staff/{member.id}/active", {"active": "0"}).status_code == 302
    assert token_user.get("/contacts").status_code == 401
    assert admin.post(f"/admin/staff/{member.id}/active", {"active": "1"}).status_code == 302
    assert not _signed_in(security.client) and not _signed_in(copy)
    assert token_user.get("/contacts").status_code == 401
    assert _signed_in(web_login("demo-hotel", "security").client)     # a new sign-in works


def test_a_role_change_ends_that_persons_sessions(app, web_login, security):
    admin = web_login("demo-hotel", "admin")
    member = _staff("demo-hotel", "security")
    form = {"name": member.name, "department": member.department.code, "title": member.title,
            "role": "dept_supervisor", "rank": str(member.rank), "email": "", "phone": ""}
    assert admin.post(f"/admin/staff/{member.id}", form).status_code == 302
    assert not _signed_in(security.client)
    assert _signed_in(admin.client)
    again = web_login("demo-hotel", "security")
    assert admin.post(f"/admin/staff/{member.id}", {**form, "rank": "7"}).status_code == 302
    assert _signed_in(again.client)                          # same role: the session goes on


def test_an_operator_cookie_copied_before_sign_out_is_dead_after_it(app):
    operators.create("ops", STRONG)
    db.session.commit()
    client = app.test_client()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     client.get("/platform/login").get_data(as_text=True)).group(1)
    assert client.post("/platform/login", data={"username": "ops", "password": STRONG,
                                                "csrf_token": csrf}).status_code == 302
    copy = _copy(app, client)
    assert copy.get("/platform/").status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     client.get("/platform/").get_data(as_text=True)).group(1)
    assert client.post("/platform/logout", data={"csrf_token": csrf}).status_code == 302
    assert copy.get("/platform/").status_code == 302
    assert client.get("/platform/").status_code == 302
