"""Self-service sign-up (/signup): a new organisation from its pack, signed in, all or nothing."""
import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.policy.plugins import manager
from core.tenancy.models import Department, PolicyVersion, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from tenants import provisioning, signup

STRONG = "lantern-orchard-7-quietly"


def _csrf(client, path="/signup"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _form(**over):
    data = {"organisation": "春江物业 Spring River Property", "slug": "spring-river",
            "pack": "property", "username": "boss", "name": "王经理",
            "email": "boss@spring-river.example", "password": STRONG,
            "password_confirm": STRONG}
    data.update(over)
    return data


def _post(client, **over):
    data = _form(**over)
    data.setdefault("csrf_token", _csrf(client))
    return client.post("/signup", data=data)


def _counts():
    with unscoped():
        return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Tenant, Department, Staff, PolicyVersion)}


def test_the_page_offers_every_installed_pack_with_its_summary(client):
    html = client.get("/signup?lang=en").get_data(as_text=True)
    packs = manager().packs.values()
    assert len(packs) >= 4
    for pack in packs:
        assert f'value="{pack.key}"' in html
        assert pack.name["en"] in html
        assert pack.summary["en"][:40] in html
    assert 'name="csrf_token"' in html
    # linked from the front page and from every sign-in page
    assert "/signup" in client.get("/").get_data(as_text=True)
    assert "/signup" in client.get("/t/demo-hotel/login").get_data(as_text=True)


def test_sign_up_creates_the_organisation_and_signs_the_administrator_in(client):
    res = _post(client)
    assert res.status_code == 302, res.get_data(as_text=True)[:3000]
    assert res.location.endswith("/t/spring-river/")
    home = client.get("/t/spring-river/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "王经理" in html and "(boss)" in html
    assert 'id="nav-admin"' in html                       # the administrator sees Administration
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "spring-river")).one()
    assert tenant.pack_key == "property" and tenant.name == "春江物业 Spring River Property"
    pack = manager().get("property")
    with tenant_scope(tenant.id):
        codes = set(db.session.scalars(select(Department.code)))
        versions = db.session.scalars(select(PolicyVersion)).all()
        admin = db.session.scalars(select(Staff)).one()
    assert codes == {d["code"] for d in pack.policy["departments"]}
    assert [v.number for v in versions] == [1] and versions[0].pack_key == "property"
    assert admin.username == "boss" and admin.role == "admin"
    assert admin.email == "boss@spring-river.example"
    assert admin.password_hash.startswith("$argon2id$")
    assert admin.title in {r["key"] for r in pack.policy["roles"]}
    # and the new administrator can sign in again later with that password
    other = client.application.test_client()
    token = _csrf(other, "/t/spring-river/login")
    res = other.post("/t/spring-river/login", data={"username": "boss", "password": STRONG,
                                                     "csrf_token": token})
    assert res.status_code == 302


@pytest.mark.parametrize("slug,message", [
    ("demo-hotel", "This address is already taken."),
    ("admin", "This address is reserved."),
    ("signup", "This address is reserved."),
    ("platform", "This address is reserved."),
    ("www", "This address is reserved."),
    ("login", "This address is reserved."),
    ("api", "This address is reserved."),
    ("static", "This address is reserved."),
    ("Hotel Spring", "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
    ("9lives", "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
    ("ab", "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
    ("end-", "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
    ("", "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."),
])
def test_bad_addresses_are_refused_with_a_message(client, slug, message):
    before = _counts()
    res = _post(client, slug=slug)
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert 'id="err-slug"' in html
    client.get("/signup?lang=en")
    html = _post(client, slug=slug).get_data(as_text=True)
    assert message.replace("'", "&#39;") in html
    assert _counts() == before


def test_messages_are_in_chinese_by_default(client):
    html = _post(client, slug="demo-hotel").get_data(as_text=True)
    assert "已被使用" in html or "已被占用" in html


@pytest.mark.parametrize("password,confirm,field,message", [
    ("short1!", "short1!", "password", "Use at least 10 characters."),
    ("password123", "password123", "password", "Too easy to guess."),
    ("1234567890", "1234567890", "password", "Too easy to guess."),
    ("qwertyuiop", "qwertyuiop", "password", "Too easy to guess."),
    ("spring-river-2026!", "spring-river-2026!", "password",
     "Must not contain your user name"),
    ("boss-lantern-orchard", "boss-lantern-orchard", "password",
     "Must not contain your user name"),
    (STRONG, STRONG + "x", "password_confirm", "The two passwords differ."),
])
def test_weak_or_mismatched_passwords_are_refused(client, password, confirm, field, message):
    before = _counts()
    client.get("/signup?lang=en")
    res = _post(client, password=password, password_confirm=confirm)
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert f'id="err-{field}"' in html and message.replace("'", "&#39;") in html
    assert password not in html                          # never echoed back
    assert _counts() == before


@pytest.mark.parametrize("field,value", [
    ("organisation", "  "), ("pack", "casino"), ("pack", ""), ("username", "Boss Man"),
    ("name", ""), ("email", "not-an-address"), ("email", ""), ("organisation", "x" * 201),
])
def test_other_bad_fields_get_their_own_message(client, field, value):
    before = _counts()
    res = _post(client, **{field: value})
    assert res.status_code == 422
    assert f'id="err-{field}"' in res.get_data(as_text=True)
    assert _counts() == before


def test_missing_fields_and_junk_never_500(client):
    token = _csrf(client)
    for data in ({}, {"slug": ["a", "b"]}, {"organisation": "\x00"}, {"pack": "../../etc"}):
        res = client.post("/signup", data={**data, "csrf_token": token})
        # a NUL is refused before any view by the request guard (core.validation)
        assert res.status_code == (400 if "\x00" in "".join(map(str, data.values())) else 422), data


def test_without_csrf_token_nothing_happens(client):
    before = _counts()
    res = client.post("/signup", data=_form())
    assert res.status_code == 400
    assert _counts() == before


def test_a_failure_half_way_leaves_nothing_behind(client, monkeypatch):
    """The tenant, its departments and policy version are created before the administrator:
    if that step fails, none of them stays."""
    before = _counts()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(signup, "add_staff", broken)
    with pytest.raises(RuntimeError):
        _post(client)
    assert _counts() == before
    with unscoped():
        assert db.session.scalar(select(Tenant.id).where(Tenant.slug == "spring-river")) is None


def test_a_slug_taken_meanwhile_is_reported_not_500(client, monkeypatch):
    """Two sign-ups racing for one address: the loser gets the field message, nothing else."""
    before = _counts()
    monkeypatch.setattr(provisioning, "check_slug", lambda slug: None)
    client.get("/signup?lang=en")
    res = _post(client, slug="demo-bank")
    assert res.status_code == 422
    assert "This address is already taken." in res.get_data(as_text=True)
    assert _counts() == before


def test_successful_sign_ups_are_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(provisioning, "hash_password", lambda p: "$argon2id$test")
    codes = [_post(client, slug=f"firm-{i}", username=f"admin{i}").status_code
             for i in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429


def test_a_third_party_pack_without_summary_still_shows(client, app):
    from core.hookspecs import hookimpl
    from core.rules import Pack

    class Clinic:
        @hookimpl
        def shouwen_pack(self):
            policy = manager().get("bank").policy
            return Pack(key="clinic", sector="health", name={"zh": "诊所", "en": "Clinic"},
                        summary={}, policy=policy)
    plugin = Clinic()
    manager().add(plugin)
    try:
        html = client.get("/signup?lang=en").get_data(as_text=True)
        assert 'value="clinic"' in html and "Clinic" in html
    finally:
        manager().pm.unregister(plugin)
        manager().packs.pop("clinic", None)
        manager().pack_plugins.pop("clinic", None)
