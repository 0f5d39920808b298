"""Conflicts answered 409 with the current state (issue 12, item 1), on SQLite and PostgreSQL.

The races themselves are in tests/test_concurrency_pg.py (PostgreSQL only); these are the
rules the losers of those races meet, shown one request after the other: what the second
of two steps sees, and what a step does when the contact changed while it waited.
"""
from conftest import register
from sqlalchemy import select, update

from core import clock
from core.contacts import actions, context
from core.contacts.models import Contact
from core.errors import DomainError
from core.extensions import db
from core.tenancy import password_links, tokens
from core.tenancy.models import ApiToken, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def test_the_owner_handing_over_twice_is_a_conflict_not_a_refusal(login):
    security = login("demo-hotel", "security")
    c = register(security)
    path = f"/contacts/{c['ref']}/transfers"
    assert security.post(path, json={"to_department": "front_office",
                                     "mode": "handover"}).status_code == 201
    res = security.post(path, json={"to_department": "housekeeping", "mode": "handover"})
    assert res.status_code == 409            # was 403: the owner may, just not now
    assert res.get_json()["error"]["state"] == "transferred"


def test_a_second_coordination_while_one_is_open_is_refused(login):
    security = login("demo-hotel", "security")
    c = register(security)
    body = {"lead_department": "front_office", "departments": ["housekeeping"],
            "reason": "两部门"}
    assert security.post(f"/contacts/{c['ref']}/coordination", json=body).status_code == 201
    res = security.post(f"/contacts/{c['ref']}/coordination", json=body)
    assert res.status_code == 409
    assert res.get_json()["error"]["code"] == "coordination_open"
    assert res.get_json()["error"]["state"] == "coordinating"


def test_a_step_refused_after_the_contact_changed_under_it_is_a_conflict(login):
    """Someone else handed the matter over while this request waited for the contact's lock:
    the handling department's refusal of "not you" becomes 409 "look again"."""
    security = login("demo-hotel", "security")
    c = register(security)
    tenant = _tenant("demo-hotel")
    with tenant_scope(tenant.id):
        contact = db.session.scalars(select(Contact).where(Contact.ref == c["ref"])).one()
        owner = contact.owner
        # what another request committed meanwhile: the matter went to housekeeping
        other = db.session.scalars(select(Staff).where(Staff.username == "housekeeping")).one()
        db.session.execute(update(Contact).where(Contact.id == contact.id).values(
            state="transferred", handler_department_id=other.department_id)
            .execution_options(synchronize_session=False))
        ctx = context.for_contact(tenant, contact, at=clock.now(), evaluate=True)
        assert ctx.changed_under_us and ctx.contact.state == "transferred"
        try:
            actions.perform(actions.BY_NAME["handle"], ctx, owner, {"note": ""}, {})
        except DomainError as err:
            assert err.status == 409 and err.details["state"] == "transferred"
        else:
            raise AssertionError("handled a transferred matter")
        stranger = db.session.scalars(select(Staff).where(Staff.username == "finance")).one()
        try:
            actions.perform(actions.BY_NAME["close"], ctx, stranger, {"note": ""}, {})
        except DomainError as err:
            assert (err.status, err.code) == (409, "changed")     # not 403
        db.session.rollback()


def test_a_link_spent_between_finding_and_redeeming_is_refused(app):
    tenant = _tenant("demo-hotel")
    with tenant_scope(tenant.id):
        staff = db.session.scalars(select(Staff).where(Staff.username == "sales")).one()
        _row, url = password_links.issue(staff, None, "reset", lambda t: t)
        row = password_links.find(url)
        # another submission of the same link committed first
        db.session.execute(update(password_links.PasswordLink)
                           .where(password_links.PasswordLink.id == row.id)
                           .values(used_at=clock.now())
                           .execution_options(synchronize_session=False))
        try:
            password_links.redeem(row, "x")
        except password_links.LinkSpent as err:
            assert err.status == 409
        else:
            raise AssertionError("a spent link set the password")
        db.session.rollback()


def test_revoking_a_revoked_token_is_409_and_keeps_the_first_time(app, web_login, login):
    login("demo-hotel", "security")
    me = web_login("demo-hotel", "security")
    with tenant_scope(_tenant("demo-hotel").id):
        row = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        token_id = row.id
    assert me.post(f"/tokens/{token_id}/revoke", {}).status_code == 302
    with tenant_scope(_tenant("demo-hotel").id):
        db.session.expire_all()
        first = db.session.get(ApiToken, token_id).revoked_at
        assert first is not None
    assert me.post(f"/tokens/{token_id}/revoke", {}).status_code == 409
    with tenant_scope(_tenant("demo-hotel").id):
        db.session.expire_all()
        assert db.session.get(ApiToken, token_id).revoked_at == first


def test_no_token_for_someone_deactivated_meanwhile(app):
    tenant = _tenant("demo-hotel")
    with tenant_scope(tenant.id):
        staff = db.session.scalars(select(Staff).where(Staff.username == "sales")).one()
        db.session.execute(update(Staff).where(Staff.id == staff.id).values(active=False)
                           .execution_options(synchronize_session=False))
        try:
            tokens.create(staff, "late")
        except DomainError as err:
            assert err.status == 409
        else:
            raise AssertionError("a token for a deactivated person")
        db.session.rollback()


def test_removing_a_special_day_removed_meanwhile_is_404(app, web_login):
    admin = web_login("demo-government", "admin")
    assert admin.post("/admin/calendar/days", {"day": "2026-12-24", "working": "false",
                                               "note": "闭馆"}).status_code == 302
    from core.tenancy.models import SpecialDay
    with tenant_scope(_tenant("demo-government").id):
        day_id = db.session.scalars(select(SpecialDay.id)).first()
    assert admin.post(f"/admin/calendar/days/{day_id}/delete", {}).status_code == 302
    assert admin.post(f"/admin/calendar/days/{day_id}/delete", {}).status_code == 404
