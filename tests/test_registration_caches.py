"""The per-process caches behind fast registration never serve a stale answer.

The current policy version and the working calendar are cached per process under the
tenant's configuration stamp (``core.policy.config_stamp``); tokens are checked on every
request.  Each test warms the caches with a registration first, then changes what they
hold, and the very next request must see the change.
"""
from datetime import date

from conftest import deadline, register
from sqlalchemy import delete, select

from core.extensions import db
from core.policy import versions as policies
from core.tenancy.models import ApiToken, ConfirmedYear, SpecialDay, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

MONDAY = "2026-11-02T10:00:00+08:00"
THURSDAY_CLOSE = "2026-11-05T09:30:00+00:00"    # 3 working days later, 17:30 Beijing time
FRIDAY_CLOSE = "2026-11-06T09:30:00+00:00"


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _reply_due(user, frozen):
    with frozen(MONDAY):
        contact = register(user, channel="visit", matter_type="consultation")
    return deadline(contact, "reply")["due_at"]


def test_special_day_added_or_removed_applies_to_the_next_deadline(login, frozen):
    tax = login("demo-government", "tax")
    assert _reply_due(tax, frozen) == THURSDAY_CLOSE          # cache warm
    gov = _tenant("demo-government")
    with tenant_scope(gov.id):
        db.session.add(SpecialDay(day=date(2026, 11, 3), working=False, note="停电"))
        db.session.commit()
    assert _reply_due(tax, frozen) == FRIDAY_CLOSE
    # A bulk DELETE (no ORM objects flushed) renews the stamp as well.
    with tenant_scope(gov.id):
        db.session.execute(delete(SpecialDay).where(SpecialDay.day == date(2026, 11, 3)))
        db.session.commit()
    assert _reply_due(tax, frozen) == THURSDAY_CLOSE


def test_a_rolled_back_change_leaves_no_cache_entry_behind(login, frozen):
    """The stamp is random: an entry cached under a change that is rolled back is never
    matched again, even when a later, different change is made."""
    tax = login("demo-government", "tax")
    gov = _tenant("demo-government")
    assert _reply_due(tax, frozen) == THURSDAY_CLOSE
    with tenant_scope(gov.id):
        savepoint = db.session.begin_nested()
        db.session.add(SpecialDay(day=date(2026, 11, 3), working=False))
        db.session.flush()
    assert _reply_due(tax, frozen) == FRIDAY_CLOSE            # seen (same transaction) ...
    savepoint.rollback()
    assert _reply_due(tax, frozen) == THURSDAY_CLOSE          # ... and gone with it
    with tenant_scope(gov.id):
        db.session.add(SpecialDay(day=date(2026, 11, 4), working=False))
        db.session.commit()
    assert _reply_due(tax, frozen) == FRIDAY_CLOSE


def test_confirmed_year_applies_at_once(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-12-30T10:00:00+08:00"):
        before = register(tax, channel="visit", matter_type="consultation")
    assert deadline(before, "reply")["calendar_confirmed"] is False
    with tenant_scope(_tenant("demo-government").id):
        db.session.add(ConfirmedYear(year=2027))
        db.session.commit()
    with frozen("2026-12-30T10:00:00+08:00"):
        after = register(tax, channel="visit", matter_type="consultation")
    assert deadline(after, "reply")["calendar_confirmed"] is True


def test_new_policy_version_is_used_by_the_next_contact(login, frozen):
    admin, security = login("demo-hotel", "admin"), login("demo-hotel", "security")
    with frozen(MONDAY):
        first = register(security)
        assert first["policy_version"] == 1
        assert admin.patch("/policy", json={"deadlines": {"transfer": {
            "default": {"amount": 30, "unit": "minutes"}}}}).status_code == 200
        second = register(security)
        # A version created by code rather than the API is seen as well.
        hotel = _tenant("demo-hotel")
        with tenant_scope(hotel.id):
            policies.create_version(hotel, {"deadlines": {"transfer": {
                "default": {"amount": 20, "unit": "minutes"}}}}, note="by code")
            db.session.commit()
        third = register(security)
    assert (second["policy_version"], third["policy_version"]) == (2, 3)
    assert deadline(second, "transfer")["rule"] == {"amount": 30, "unit": "minutes"}
    assert deadline(third, "transfer")["rule"] == {"amount": 20, "unit": "minutes"}


def test_one_tenants_change_does_not_touch_anothers_cache(login, frozen):
    tax, counter = login("demo-government", "tax"), login("demo-bank", "counter")
    bank_before = _reply_due(counter, frozen)
    stamp = _tenant("demo-bank").config_stamp
    with tenant_scope(_tenant("demo-government").id):
        db.session.add(SpecialDay(day=date(2026, 11, 3), working=False))
        db.session.commit()
    assert _reply_due(tax, frozen) == FRIDAY_CLOSE
    assert _reply_due(counter, frozen) == bank_before
    db.session.expire_all()
    assert _tenant("demo-bank").config_stamp == stamp


def test_revoked_token_or_deactivated_staff_is_refused_on_the_next_request(login, frozen):
    user = login("demo-hotel", "front-office")
    colleague = login("demo-hotel", "security")
    register(user)
    register(colleague)
    hotel = _tenant("demo-hotel")
    with tenant_scope(hotel.id):
        row = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        assert row.staff.username == "security"
        row.revoked_at = row.created_at
        db.session.commit()
    res = colleague.post("/contacts", json={"channel": "phone", "matter_type": "complaint",
                                             "summary": "x", "customer": {}})
    assert res.status_code == 401
    register(user)
    with tenant_scope(hotel.id):
        staff = db.session.scalars(select(Staff).where(Staff.username == "front-office")).one()
        staff.active = False
        db.session.commit()
    res = user.post("/contacts", json={"channel": "phone", "matter_type": "complaint",
                                       "summary": "x", "customer": {}})
    assert res.status_code == 401


def test_calendar_settings_of_a_new_policy_version_apply_at_once(login, frozen):
    """The cached calendar is keyed by the policy's whole calendar section."""
    admin, tax = login("demo-government", "admin"), login("demo-government", "tax")
    assert _reply_due(tax, frozen) == THURSDAY_CLOSE
    with frozen(MONDAY):
        old = register(tax, channel="visit", matter_type="consultation", own_duty=False)
    res = admin.patch("/policy", json={"calendar": {"kind": "statutory", "closing_time": "17:00"}})
    assert res.status_code == 200, res.get_json()
    assert _reply_due(tax, frozen) == "2026-11-05T09:00:00+00:00"
    # Under the same stamp, the old contact's later clocks still use its own version's calendar.
    with frozen(MONDAY):
        res = tax.post(f"/contacts/{old['ref']}/transfers", json={"to_department": "market"})
        assert res.status_code == 201, res.get_json()
        old = tax.get(f"/contacts/{old['ref']}").get_json()
    assert old["policy_version"] == 1
    assert deadline(old, "reply", "open")["due_at"] == THURSDAY_CLOSE
