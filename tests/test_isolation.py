"""Tenant isolation (DESIGN.md "Tenancy").

A staff member of one tenant gets 404 (never 403, never 200) for every route that names an object
of another tenant, and nothing changes.  The table of cross-tenant calls below is checked against
the Flask URL map, so a new ``/api/v1`` route that takes an id or a reference fails the suite
until it is added here.  The scoping layer itself fails closed when no tenant is in scope.
"""
import re
from datetime import date

import pytest
from conftest import register
from sqlalchemy import delete, exists, func, select, update

from core.contacts.models import Contact, ContactEvent, Customer
from core.extensions import db
from core.tenancy.models import ApiToken, Department, Staff, Tenant
from core.tenancy.scoping import TenantScoped, TenantScopeError, tenant_scope, unscoped

T0 = "2026-10-01T09:00:00+08:00"

# (method, path template, a body that is valid for the route's schema)
# Bodies are valid so that the only possible refusal is the lookup: a 422 would hide a leak.
CROSS_TENANT_CALLS = [
    ("GET", "/contacts/{ref}", None),
    ("POST", "/contacts/{ref}/handle", {"note": "我来办"}),
    ("POST", "/contacts/{ref}/transfers", {"to_department": "office", "mode": "handover"}),
    ("POST", "/contacts/{ref}/transfers/{transfer_id}/accept", {"note": "签收"}),
    ("POST", "/contacts/{ref}/coordination",
     {"lead_department": "office", "departments": ["counter"], "reason": "协调"}),
    ("POST", "/contacts/{ref}/coordination/agree", {"note": "同意"}),
    ("POST", "/contacts/{ref}/referral", {"body": "市消防局", "phone": "119"}),
    ("POST", "/contacts/{ref}/escalations", {"reason": "请领导处理"}),
    ("POST", "/contacts/{ref}/decision", {"text": "同意按政策答复"}),
    ("POST", "/contacts/{ref}/feedback", {"text": "已处理完毕"}),
    ("POST", "/contacts/{ref}/replies", {"text": "您好，已为您处理。"}),
    ("POST", "/contacts/{ref}/on-site", {"note": "已到场"}),
    ("POST", "/contacts/{ref}/callbacks", {"satisfaction": 5, "reached": True}),
    ("POST", "/contacts/{ref}/close", {"note": "结案"}),
    ("POST", "/contacts/{ref}/confirmation", {"how": "paper"}),
    ("POST", "/violations/{violation_id}/decision", {"decision": "confirm", "reason": "属实"}),
    ("GET", "/policy/versions/{version}", None),
    ("POST", "/notifications/{notification_id}/read", {}),
    ("GET", "/spot-checks/{draw_id}", None),
    ("POST", "/spot-checks/{draw_id}/items/{item_id}/record", {"reached": False}),
    ("GET", "/assessments/{run_id}", None),
    ("POST", "/assessments/{run_id}/scores", {"entered": {}}),
    ("POST", "/assessments/{run_id}/adjustments",
     {"department": "front_office", "score": 90, "reason": "复核"}),
    ("POST", "/assessments/{run_id}/publish", None),
    ("GET", "/assessments/{run_id}/export.xlsx", None),
    ("GET", "/contacts/{ref}/ratings", None),
    ("POST", "/contacts/{ref}/rectification", {"text": "已整改"}),
    ("POST", "/contacts/{ref}/rating/appeal", {"reason": "误评"}),
    ("POST", "/contacts/{ref}/rating/appeal/decision", {"outcome": "upheld", "reason": "核实"}),
    ("GET", "/questionnaires/{questionnaire_id}", None),
    ("PUT", "/questionnaires/{questionnaire_id}", {
        "title": "住客问卷", "audience": "customers", "questions": ["服务态度"],
        "departments": ["security"], "groups": ["respondents"]}),
    ("POST", "/questionnaires/{questionnaire_id}/rounds", {"period": "month", "at": "2026-09"}),
    ("POST", "/questionnaires/{questionnaire_id}/links", {"ref": "HT-20261001-0001"}),
    ("GET", "/questionnaires/{questionnaire_id}/scores", None),
    ("GET", "/complaints/{complaint_id}", None),
    ("POST", "/complaints/{complaint_id}/handling",
     {"finding": "not_substantiated", "reply": "经核实不属实"}),
    ("POST", "/contacts/{ref}/complaints", {"person": "security", "text": "态度生硬"}),
]
# Public routes (no token; the tenant is in the URL) with their cross-tenant test elsewhere.
COVERED_ELSEWHERE = {
    ("GET", "/api/v1/public/<slug>/progress"):
        "tests/test_progress.py::test_another_tenants_reference_is_not_found",
    ("POST", "/api/v1/public/<slug>/progress/rating"):
        "tests/test_ratings.py::test_a_wrong_code_or_another_tenants_reference_is_the_same_404",
    ("POST", "/api/v1/public/<slug>/complaints"):
        "tests/test_complaints.py::test_wrong_code_is_the_look_ups_404_and_counts_towards_its_limit",
}


def _id(call):
    return call[0] + " " + call[1]


def _tenant_id(slug):
    with unscoped():
        return db.session.scalars(select(Tenant.id).where(Tenant.slug == slug)).one()


def _row_counts():
    """Rows of every tenant-owned table, all tenants together."""
    counts = {}
    with unscoped():
        for mapper in db.Model.registry.mappers:
            cls = mapper.class_
            if issubclass(cls, TenantScoped):
                counts[cls.__tablename__] = db.session.scalar(
                    select(func.count()).select_from(cls))
    return counts


@pytest.fixture
def hotel_world(login, frozen):
    """A hotel contact with a pending transfer and a proposed violation (banned phrase)."""
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, channel="phone", matter_type="complaint",
                     customer={"name": "赵先生", "phone": "13800000000", "room": "1208"})
        res = security.post(f"/contacts/{c['ref']}/transfers",
                            json={"to_department": "front_office", "mode": "handover"})
        assert res.status_code == 201, res.get_json()
        transfer_id = res.get_json()["id"]
        res = security.post(f"/contacts/{c['ref']}/replies", json={"text": "这不是我的事"})
        assert res.status_code == 422 and res.get_json()["error"]["code"] == "banned_phrase"
    violations = security.get("/violations").get_json()["items"]
    assert len(violations) == 1 and violations[0]["status"] == "proposed"
    res = login("demo-hotel", "admin").patch("/policy", json={"wording": {
        "courtesy_phrases": ["您好"]}})        # a policy version the bank does not have
    assert res.status_code == 200
    from notify_support import staff

    from core.notify import inbox as notifications
    admin = staff("demo-hotel", "admin")     # front office: told of the handover by the relay
    with tenant_scope(admin.tenant_id):
        notification_id = notifications.inbox(admin.id)[0].id
    draw_id, item_id = _spot_check(admin, c["ref"])
    with frozen(T0):
        run = login("demo-hotel", "admin").post("/assessments",
                                                json={"period": "month", "at": "2026-09"})
        assert run.status_code == 201, run.get_json()
    questionnaire = login("demo-hotel", "admin").post("/questionnaires", json={
        "title": "住客问卷", "audience": "customers", "questions": ["服务态度"],
        "departments": ["security"], "groups": ["respondents"]})
    assert questionnaire.status_code == 201, questionnaire.get_json()
    complaint = login("demo-hotel", "admin").post(f"/contacts/{c['ref']}/complaints", json={
        "person": "security", "text": "态度生硬"})       # routed to Quality Inspection
    assert complaint.status_code == 201, complaint.get_json()
    return {"run_id": run.get_json()["id"], "user": security,
            "complaint_id": complaint.get_json()["id"],
            "questionnaire_id": questionnaire.get_json()["id"],
            "ref": c["ref"], "transfer_id": transfer_id,
            "violation_id": violations[0]["id"], "version": res.get_json()["version"],
            "notification_id": notification_id, "draw_id": draw_id, "item_id": item_id}


def _spot_check(admin, ref):
    """A spot-check draw sampling the hotel's contact (written directly: it is not closed)."""
    from core import clock
    from core.contacts.models import Contact
    from core.policy import versions as policies
    from core.supervision.spot_check_models import SpotCheckDraw, SpotCheckItem
    with tenant_scope(admin.tenant_id):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        draw = SpotCheckDraw(tenant_id=admin.tenant_id, first=date(2026, 10, 1), last=date(2026, 10, 1),
                             department_ids=[], number=1, seed="1",
                             policy_version_id=policies.latest_version_id(),
                             drawn_by_id=admin.id, drawn_at=clock.now())
        db.session.add(draw)
        db.session.flush()
        item = SpotCheckItem(tenant_id=admin.tenant_id, draw_id=draw.id, contact_id=contact.id,
                             department_id=contact.owner_department_id, status="pending")
        db.session.add(item)
        db.session.flush()
        return draw.id, item.id


def _snapshot(world):
    """What the hotel sees of its own data, plus the row counts of all tenants."""
    user = world["user"]
    contact = user.get(f"/contacts/{world['ref']}")
    assert contact.status_code == 200
    return {"contact": contact.get_json(), "violations": user.get("/violations").get_json(),
            "list": user.get("/contacts").get_json(), "rows": _row_counts()}


def _call(user, method, template, body, **ids):
    path = template.format(**ids)
    if method == "GET":
        return user.get(path)
    if method == "PUT":
        return user._call("PUT", path, json=body)
    return user.post(path, json=body)


def _assert_not_found(res):
    assert res.status_code == 404, (res.status_code, res.get_json())
    body = res.get_json()
    assert body["error"]["code"] == "not_found", body
    assert "message" in body["error"]


# -- the route table is complete ----------------------------------------------------------------

def _object_routes(app):
    """(method, rule) of every /api/v1 route that takes an object id or reference."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.arguments:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((method, rule.rule))
    return routes


def test_every_object_route_has_a_cross_tenant_test(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, template, _ in CROSS_TENANT_CALLS:
        path = "/api/v1" + template.format(ref="XX-20260101-0001", transfer_id=1,
                                           violation_id=1, version=1,
                                           notification_id=1, draw_id=1, item_id=1,
                                           run_id=1, questionnaire_id=1, complaint_id=1)
        rule, _args = adapter.match(path, method=method, return_rule=True)
        assert rule.arguments, f"{method} {template} takes no id"
        covered.add((method, rule.rule))
    routes = _object_routes(app)
    assert routes, "no object routes found in the URL map"
    missing = routes - covered - set(COVERED_ELSEWHERE)
    assert not missing, f"routes without a cross-tenant isolation test: {sorted(missing)}"


# -- another tenant's objects answer 404 and nothing changes ----------------------------------

@pytest.mark.parametrize("username", ["admin", "counter"])
@pytest.mark.parametrize("call", CROSS_TENANT_CALLS, ids=_id)
def test_other_tenants_object_is_not_found(login, frozen, hotel_world, call, username):
    method, template, body = call
    bank = login("demo-bank", username)
    with frozen("2026-10-01T10:00:00+08:00"):
        before = _snapshot(hotel_world)
        res = _call(bank, method, template, body, ref=hotel_world["ref"],
                    transfer_id=hotel_world["transfer_id"],
                    violation_id=hotel_world["violation_id"],
                    version=hotel_world["version"],
                    notification_id=hotel_world["notification_id"],
                    draw_id=hotel_world["draw_id"], item_id=hotel_world["item_id"],
                    run_id=hotel_world["run_id"],
                    questionnaire_id=hotel_world["questionnaire_id"],
                    complaint_id=hotel_world["complaint_id"])
        _assert_not_found(res)
        after = _snapshot(hotel_world)
    assert after == before


@pytest.mark.parametrize("call", CROSS_TENANT_CALLS, ids=_id)
def test_control_the_owning_tenant_reaches_the_same_objects(login, frozen, hotel_world, call):
    """The same call by the hotel's own administrator finds the object (whatever it then says),
    so the bank's 404 comes from tenant scoping, not from a wrong id or an invalid body."""
    method, template, body = call
    admin = login("demo-hotel", "admin")
    with frozen("2026-10-01T10:00:00+08:00"):
        res = _call(admin, method, template, body, ref=hotel_world["ref"],
                    transfer_id=hotel_world["transfer_id"],
                    violation_id=hotel_world["violation_id"],
                    version=hotel_world["version"],
                    notification_id=hotel_world["notification_id"],
                    draw_id=hotel_world["draw_id"], item_id=hotel_world["item_id"],
                    run_id=hotel_world["run_id"],
                    questionnaire_id=hotel_world["questionnaire_id"],
                    complaint_id=hotel_world["complaint_id"])
    assert res.status_code != 404, res.get_json()
    assert res.status_code < 500, res.get_json()


def test_foreign_transfer_on_own_contact_is_not_found(login, frozen, hotel_world):
    """A bank contact's ref with the hotel's transfer id: still 404, nothing accepted."""
    bank = login("demo-bank", "admin")
    with frozen("2026-10-01T10:00:00+08:00"):
        own = register(bank, channel="visit", matter_type="consultation")
        before = _snapshot(hotel_world)
        res = bank.post(f"/contacts/{own['ref']}/transfers/{hotel_world['transfer_id']}/accept",
                        json={})
        _assert_not_found(res)
        assert _snapshot(hotel_world) == before
        assert bank.get(f"/contacts/{own['ref']}").get_json()["events"] == own["events"]


def test_not_found_does_not_reveal_existence(login, frozen, hotel_world):
    bank = login("demo-bank", "counter")
    with frozen("2026-10-01T10:00:00+08:00"):
        foreign = bank.get(f"/contacts/{hotel_world['ref']}")
        unknown = bank.get("/contacts/HT-20261001-9999")
        foreign_v = bank.post(f"/violations/{hotel_world['violation_id']}/decision",
                              json={"decision": "waive", "reason": "x"})
        unknown_v = bank.post("/violations/987654321/decision",
                              json={"decision": "waive", "reason": "x"})
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json() == unknown.get_json()
    assert foreign_v.status_code == unknown_v.status_code == 404
    assert foreign_v.get_json() == unknown_v.get_json()


def test_list_cursor_of_another_tenant_is_not_found(login, frozen, hotel_world):
    bank = login("demo-bank", "counter")
    with frozen("2026-10-01T10:00:00+08:00"):
        res = bank.get(f"/contacts?before={hotel_world['ref']}")
    _assert_not_found(res)


def test_same_reference_in_two_tenants_stays_apart(app, login, frozen, hotel_world):
    """Reference numbers are unique per tenant: equal refs still reach each tenant's own row."""
    bank_tenant = db.session.get(Tenant, _tenant_id("demo-bank"))
    bank_tenant.ref_prefix = "HT"
    db.session.commit()
    bank = login("demo-bank", "counter")
    hotel = hotel_world["user"]
    with frozen("2026-10-01T10:00:00+08:00"):
        mine = register(bank, channel="visit", matter_type="consultation", summary="开户咨询")
        assert mine["ref"] == hotel_world["ref"]
        before = _snapshot(hotel_world)
        got = bank.get(f"/contacts/{mine['ref']}").get_json()
        assert got["summary"] == "开户咨询" and got["owner"]["username"] == "counter"
        res = bank.post(f"/contacts/{mine['ref']}/replies", json={"text": "您好，已为您解答。"})
        assert res.status_code == 201, res.get_json()
        # the hotel's transfer id under the shared ref is still not the bank's
        _assert_not_found(bank.post(
            f"/contacts/{mine['ref']}/transfers/{hotel_world['transfer_id']}/accept", json={}))
        after = _snapshot(hotel_world)
    assert after["contact"] == before["contact"]
    assert after["violations"] == before["violations"]
    assert hotel.get(f"/contacts/{mine['ref']}").get_json()["summary"] == "空调不制冷"


# -- lists only ever show the caller's tenant ---------------------------------------------------

def test_lists_show_only_the_callers_tenant(login, frozen, hotel_world):
    bank = login("demo-bank", "counter")
    bank_id = _tenant_id("demo-bank")
    with frozen("2026-10-01T10:00:00+08:00"):
        own = register(bank, channel="visit", matter_type="consultation")
        contacts = bank.get("/contacts?limit=200").get_json()["items"]
        for query in ("", "?state=registered", "?state=transferred", "?overdue=false",
                      "?overdue=true", "?owner=me", "?department=counter"):
            refs = [c["ref"] for c in bank.get("/contacts" + query).get_json()["items"]]
            assert hotel_world["ref"] not in refs, query
        staff = bank.get("/staff").get_json()["items"]
        departments = bank.get("/departments").get_json()["items"]
        violations = bank.get("/violations").get_json()["items"]
        policy = bank.get("/policy").get_json()
    assert [c["ref"] for c in contacts] == [own["ref"]]
    assert not any(c["ref"].startswith("HT-") for c in contacts)
    assert violations == []
    assert policy["pack"] == "bank"
    with tenant_scope(bank_id):
        bank_users = set(db.session.scalars(select(Staff.username)))
        bank_codes = set(db.session.scalars(select(Department.code)))
    assert {u["username"] for u in staff} == bank_users
    assert len(staff) == len(bank_users)
    assert {d["code"] for d in departments} == bank_codes
    assert len(departments) == len(bank_codes)
    assert "front-office" not in bank_users and "front_office" not in bank_codes
    assert "counter" in bank_users and "counter" in bank_codes


# -- tokens -------------------------------------------------------------------------------------

def _token_ids(token):
    """(token id, tenant id, staff id) of a plaintext token."""
    from core.tenancy.tokens import _digest
    with unscoped():
        row = db.session.scalars(select(ApiToken).where(ApiToken.digest == _digest(token))).one()
        return row.id, row.tenant_id, row.staff_id


def _assert_unauthorized(res):
    assert res.status_code == 401, (res.status_code, res.get_json())
    assert res.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Bearer not-a-token", "Bearer sw_" + "x" * 43,
    "Basic YWRtaW46c2hvdXdlbg==", "Bearer sw_" + "y" * 300, "sw_abc",
])
def test_missing_or_invalid_token_is_401(client, hotel_world, header):
    headers = {} if header is None else {"Authorization": header}
    _assert_unauthorized(client.get("/api/v1/contacts", headers=headers))
    _assert_unauthorized(client.get(f"/api/v1/contacts/{hotel_world['ref']}", headers=headers))
    _assert_unauthorized(client.post(f"/api/v1/contacts/{hotel_world['ref']}/close", json={},
                                     headers=headers))


def test_revoked_token_is_401(login, hotel_world):
    from core.tenancy import tokens
    bank = login("demo-bank", "counter")
    assert bank.get("/contacts").status_code == 200
    token_id, tenant_id, _ = _token_ids(bank.token)
    with tenant_scope(tenant_id):
        tokens.revoke(db.session.get(ApiToken, token_id))
        db.session.commit()
    _assert_unauthorized(bank.get("/contacts"))
    _assert_unauthorized(bank.get("/staff"))
    # The hotel's own, live token is unaffected.
    assert hotel_world["user"].get(f"/contacts/{hotel_world['ref']}").status_code == 200


def test_token_of_deactivated_staff_is_401_of_a_suspended_tenant_403(login):
    bank = login("demo-bank", "counter")
    other = login("demo-bank", "office")
    _, tenant_id, staff_id = _token_ids(bank.token)
    with tenant_scope(tenant_id):
        db.session.get(Staff, staff_id).active = False
        db.session.commit()
    _assert_unauthorized(bank.get("/contacts"))
    assert other.get("/contacts").status_code == 200
    tenant = db.session.get(Tenant, tenant_id)
    tenant.status = "suspended"
    db.session.commit()
    res = other.get("/contacts")
    assert res.status_code == 403, res.get_json()
    assert res.get_json()["error"]["code"] == "tenant_suspended"
    _assert_unauthorized(bank.get("/contacts"))          # still a dead token, not a 403


def test_a_token_of_one_tenant_cannot_be_pointed_at_another(login, hotel_world):
    """No header, parameter or path picks the tenant: only the token does."""
    bank = login("demo-bank", "counter")
    for headers in ({"X-Tenant": "demo-hotel"}, {"X-Tenant-Id": str(_tenant_id("demo-hotel"))}):
        res = bank.get(f"/contacts/{hotel_world['ref']}", headers=headers)
        _assert_not_found(res)
    res = bank.get(f"/contacts/{hotel_world['ref']}?tenant=demo-hotel")
    _assert_not_found(res)


# -- the scoping layer --------------------------------------------------------------------------

@pytest.fixture
def ids(hotel_world):
    with unscoped():
        contact = db.session.scalars(select(Contact).where(
            Contact.ref == hotel_world["ref"])).one()
        out = {"contact": contact.id, "hotel": contact.tenant_id, "ref": contact.ref,
               "bank": _tenant_id("demo-bank")}
    db.session.expunge_all()
    return out


NO_SCOPE_STATEMENTS = {
    "entity": lambda: select(Contact),
    "column": lambda: select(Contact.id),
    "aggregate": lambda: select(func.count(Contact.id)),
    "select_from": lambda: select(func.count()).select_from(Contact),
    "join": lambda: select(Tenant.slug).join(Contact, Contact.tenant_id == Tenant.id),
    "exists": lambda: select(Tenant.slug).where(
        exists().where(Contact.tenant_id == Tenant.id)),
    "update": lambda: update(Contact).values(summary="x"),
    "delete": lambda: delete(Customer),
}


@pytest.mark.parametrize("name", list(NO_SCOPE_STATEMENTS))
def test_tenant_data_with_no_tenant_in_scope_fails_closed(ids, name):
    statement = NO_SCOPE_STATEMENTS[name]()
    with pytest.raises(TenantScopeError):
        db.session.execute(statement)


def test_session_get_and_lazy_loads_with_no_tenant_fail_closed(ids):
    with pytest.raises(TenantScopeError):
        db.session.get(Contact, ids["contact"])
    with unscoped():
        contact = db.session.get(Contact, ids["contact"])
    with pytest.raises(TenantScopeError):
        contact.deadlines        # a lazy relationship load is a query too


def test_new_row_with_no_tenant_or_of_another_tenant_is_refused(ids):
    db.session.add(Customer(name="无主"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()
    with tenant_scope(ids["bank"]):
        db.session.add(Customer(tenant_id=ids["hotel"], name="串户"))
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()
    with tenant_scope(ids["bank"]):
        customer = Customer(name="本行客户")
        db.session.add(customer)
        db.session.flush()
        assert customer.tenant_id == ids["bank"]
    db.session.rollback()


def test_scope_of_another_tenant_sees_no_hotel_rows(ids):
    with tenant_scope(ids["bank"]):
        assert db.session.scalars(select(Contact)).all() == []
        assert db.session.scalars(select(Contact).where(Contact.ref == ids["ref"])).first() \
            is None
        assert db.session.scalars(select(Contact.id)).all() == []
        assert db.session.scalar(select(func.count(Contact.id))) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
        assert db.session.scalars(select(ContactEvent)).all() == []
        assert db.session.get(Contact, ids["contact"]) is None
        assert db.session.scalars(
            select(Tenant.slug).join(Contact, Contact.tenant_id == Tenant.id)).all() == []
        assert db.session.scalars(select(Tenant.slug).where(
            exists().where(Contact.tenant_id == Tenant.id))).all() == []
        result = db.session.execute(update(Contact).values(summary="改掉")
                                    .execution_options(synchronize_session=False))
        assert result.rowcount == 0
    with tenant_scope(ids["hotel"]):
        contact = db.session.scalars(select(Contact)).one()
        assert contact.ref == ids["ref"] and contact.summary == "空调不制冷"
        assert db.session.scalars(select(ContactEvent)).all()


def test_core_table_select_in_another_tenants_scope_does_not_leak(ids):
    """A Core select of a tenant table cannot be scoped by loader criteria: it must not leak."""
    with tenant_scope(ids["bank"]):
        try:
            rows = db.session.execute(select(Contact.__table__)).all()
        except TenantScopeError:
            return
    assert [r for r in rows if r.tenant_id == ids["hotel"]] == []


# -- every route that takes an object id, web and API, walked from the URL map --------------
#
# The routes come from ``app.url_map``: a new route is covered without editing this file, and a
# route with an argument this table cannot fill fails ``test_every_route_argument_can_be_filled``.
# Each route is called, for every method it accepts, by a signed-in user of another tenant
# (the bank) with the hotel's object ids: under /t/ and /api/v1/ it must answer 404 and change
# no row of any tenant table.  /platform/ routes need an operator: a tenant user is sent to
# the operator sign-in, also without side effect.

# the tenant in the URL, export format, files, a queue's name (each tenant has the same four)
NOT_OBJECT_ARGS = {"slug", "fmt", "filename", "key"}


def _web_actions():
    from core.web.labels import ACTIONS
    return sorted(ACTIONS)


def _print_forms():
    from core.web.printing import FORMS
    return sorted(FORMS)


# argument -> how to fill it from the hotel's world (a list of values to try)
FILL = {
    "ref": lambda w: [w["ref"]],
    "transfer_id": lambda w: [w["transfer_id"]],
    "violation_id": lambda w: [w["violation_id"]],
    "draw_id": lambda w: [w["draw_id"]],
    "item_id": lambda w: [w["item_id"]],
    "run_id": lambda w: [w["run_id"]],
    "questionnaire_id": lambda w: [w["questionnaire_id"]],
    "answer_token": lambda w: [w["answer_token"]],
    "complaint_id": lambda w: [w["complaint_id"]],
    "department_id": lambda w: [w["department_id"]],
    "staff_id": lambda w: [w["staff_id"]],
    "token_id": lambda w: [w["token_id"]],
    "token": lambda w: [w["link_token"]],
    "tenant_id": lambda w: [w["hotel"]],
    "number": lambda w: [w["policy_number"]],
    "notification_id": lambda w: [w["notification_id"]],
    "endpoint_id": lambda w: [w["endpoint_id"]],
    "message_id": lambda w: [w["message_id"]],
    "day_id": lambda w: [w["day_id"]],
    "year": lambda w: [w["year"]],
    "action": lambda w: _web_actions(),
    "form": lambda w: _print_forms(),
}
STRONG = "lantern-orchard-7-quietly"
# A form that passes the validation of any of the web forms, so only the lookup can refuse.
WEB_FORM = {"text": "您好，已为您处理。", "note": "已处理", "reason": "请处理", "decision": "waive",
            "to_department": "office", "mode": "handover", "lead_department": "office",
            "departments": "counter", "body": "市消防局", "phone": "119", "satisfaction": "5",
            "reached": "1", "active": "0", "name": "改名", "name_zh": "改名", "name_en": "Renamed",
            "role": "staff", "rank": "1", "department": "", "title": "", "email": "",
            "password": STRONG, "password_confirm": STRONG, "label": "x", "status": "suspended",
            "matter_types": "consultation"}


def _object_rules(app):
    for rule in app.url_map.iter_rules():
        if set(rule.arguments) - NOT_OBJECT_ARGS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule


def test_every_route_argument_can_be_filled(app):
    rules = list(_object_rules(app))
    assert any(r.rule.startswith("/t/") for _, r in rules)
    assert any(r.rule.startswith("/api/v1/") for _, r in rules)
    for method, rule in rules:
        unknown = set(rule.arguments) - NOT_OBJECT_ARGS - set(FILL)
        assert not unknown, f"{method} {rule.rule}: no isolation filler for {sorted(unknown)}"
        assert rule.rule.startswith(("/t/", "/api/v1/", "/platform/")), \
            f"{method} {rule.rule}: an object route outside /t/, /api/v1/ and /platform/"


def _fingerprint():
    """Every column of every row of every tenant table (all tenants), and the tenants."""
    out = {}
    with unscoped():
        for mapper in db.Model.registry.mappers:
            cls = mapper.class_
            if issubclass(cls, TenantScoped) or cls is Tenant:
                columns = [getattr(cls, c.key) for c in mapper.column_attrs]
                out[cls.__tablename__] = [tuple(r) for r in db.session.execute(
                    select(*columns).order_by(*mapper.primary_key)).all()]
    return out


@pytest.fixture
def world(app, hotel_world):
    """The hotel's objects of every kind a route can name, with their ids."""
    from datetime import date

    from core.notify import webhooks
    from core.policy import versions as policies
    from core.tenancy import password_links, tokens
    from tenants import calendar_admin
    hotel = _tenant_id("demo-hotel")
    with tenant_scope(hotel):
        staff = db.session.scalars(select(Staff).where(Staff.username == "security")).one()
        admin = db.session.scalars(select(Staff).where(Staff.username == "admin")).one()
        dept = db.session.scalars(select(Department).where(Department.code == "security")).one()
        token, _plain = tokens.create(staff, "isolation")
        _row, url = password_links.issue(staff, admin, "reset", lambda t: t)
        # Policy version 2, a special day and an entered year that only the hotel has.
        tenant = db.session.get(Tenant, hotel)
        version = policies.create_version(tenant, {"wording": {"courtesy_phrases": ["您好"]}},
                                          by=admin, note="isolation")
        day = calendar_admin.set_special_day(tenant, admin, {"day": date(2026, 12, 31),
                                                             "working": False, "note": "盘点"})
        calendar_admin.enter_official_year(tenant, admin, {
            "year": 2027, "holidays": [(date(2027, 1, 1), date(2027, 1, 1), "元旦")],
            "makeup_days": []})
        endpoint = webhooks.create_endpoint(admin, "https://hooks.example.com/shouwen",
                                            ["contact.registered"])
        message = _customer_message(hotel, hotel_world["ref"])
        answer_token = _questionnaire_link(tenant, hotel_world["questionnaire_id"], dept)
        db.session.commit()
        ids = dict(hotel_world, hotel=hotel, staff_id=staff.id, department_id=dept.id,
                   endpoint_id=endpoint.id, message_id=message.id,
                   answer_token=answer_token,
                   token_id=token.id, link_token=url, policy_number=version.number,
                   day_id=day.id, year=2027)
    db.session.expunge_all()
    return ids


def _customer_message(hotel, ref):
    """An SMS to the hotel's customer kept as not sent (core.voice.telling)."""
    from core.contacts.models import Contact
    from core.voice.telling_models import CustomerMessage
    contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
    row = CustomerMessage(tenant_id=hotel, contact_id=contact.id, event_id=0,
                          topic="contact.transferred", channel="sms", to_addr="13800000000",
                          body="x", params="{}", status="no_gateway", attempts=0, last_error="")
    db.session.add(row)
    db.session.flush()
    return row


def _questionnaire_link(tenant, questionnaire_id, dept):
    """A live one-time link of the hotel's questionnaire (written directly: no closed contact)."""
    from datetime import datetime, timezone

    from core.voice import questionnaires as quest
    from core.voice.questionnaire_models import Questionnaire
    q = db.session.get(Questionnaire, questionnaire_id)
    _link, token = quest._new_link(quest.Context(tenant=tenant), q, dept.id, "respondents",
                                   datetime(2030, 1, 1, tzinfo=timezone.utc))
    db.session.flush()
    return token


def _concrete(rule, world):
    """Every URL of ``rule`` for the bank's side, with the hotel's ids."""
    import itertools
    names = [a for a in rule.arguments if a not in NOT_OBJECT_ARGS]
    choices = [FILL[a](world) for a in names]
    for values in itertools.product(*choices):
        args = dict(zip(names, values))
        if "slug" in rule.arguments:
            args["slug"] = "demo-bank"
        yield rule.rule if not args else _build(rule, args)


def _build(rule, args):
    path = rule.rule
    for name, value in args.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + name + r">", str(value), path)
    return path


def _expect(method, path, res):
    if path.startswith("/platform/"):
        assert res.status_code == 302 and "/platform/login" in res.location, \
            (method, path, res.status_code)
        return
    assert res.status_code == 404, (method, path, res.status_code,
                                    res.get_data(as_text=True)[:300])
    if path.startswith("/api/"):
        assert res.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("username", ["admin", "counter"])
def test_every_object_route_answers_404_to_another_tenant(app, login, web_login, frozen, world,
                                                          username):
    api = login("demo-bank", username)
    web = web_login("demo-bank", username)
    token = web.csrf("/t/demo-bank/")
    bodies = {(m, "/api/v1" + t): b for m, t, b in CROSS_TENANT_CALLS}
    walked = 0
    with frozen("2026-10-01T10:00:00+08:00"):
        before = _fingerprint()
        for method, rule in _object_rules(app):
            for path in _concrete(rule, world):
                if path.startswith("/api/"):
                    template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
                    body = bodies.get((method, template), {})
                    res = api._call(method, path[len("/api/v1"):], json=body)
                elif method == "GET":
                    res = web.client.get(path)
                else:
                    res = web.client.open(path, method=method,
                                          data={**WEB_FORM, "csrf_token": token})
                _expect(method, path, res)
                walked += 1
        after = _fingerprint()
    assert walked >= 40
    for table in before:
        assert after[table] == before[table], f"{table} changed"


def test_the_walk_reaches_real_objects_for_their_own_tenant(app, web_login, frozen, world):
    """Control: the hotel's administrator gets something other than 404 for the same ids on
    the GET pages, so the bank's 404s come from tenant scoping, not from wrong ids."""
    hotel = web_login("demo-hotel", "admin")
    seen = 0
    with frozen("2026-10-01T10:00:00+08:00"):
        for method, rule in _object_rules(app):
            if method != "GET" or not rule.rule.startswith("/t/"):
                continue
            for path in _concrete(rule, world):
                path = path.replace("/t/demo-bank/", "/t/demo-hotel/")
                if rule.endpoint == "web.print_form":
                    continue                        # the hotel pack has only some forms
                res = hotel.client.get(path)
                assert res.status_code in (200, 302), (path, res.status_code)
                seen += 1
    assert seen >= 4


def test_an_operator_session_opens_no_tenant_page_or_api(app, frozen, world):
    """The operator manages tenants, never their contacts: with an operator session every
    tenant page sends to the tenant's sign-in form and every API call is 401."""
    from tenants import operators
    operators.create("ops", STRONG)
    db.session.commit()
    client = app.test_client()
    page = client.get("/platform/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/platform/login", data={"username": "ops", "password": STRONG,
                                                "csrf_token": csrf}).status_code == 302
    assert client.get("/platform/").status_code == 200
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/t/", "/api/v1/")) or rule.endpoint in (
                "api.openapi", "web.login", "admin.set_password",
                "web.progress_page", "api.public_progress",   # public: the customer's look-up
                "web.rate_service", "api.public_rating",       # and rating
                "web.short_link", "web.progress_confirm",    # public: QR link, confirmation
                "web.questionnaire_answer",                    # public: a one-time link
                "web.complaint_from_progress", "api.public_complaint"):   # and complaint
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD",
                                                                           "OPTIONS"})[0]
        names = [a for a in rule.arguments if a not in NOT_OBJECT_ARGS]
        args = {a: FILL[a](world)[0] for a in names}
        args.update({"slug": "demo-hotel"} if "slug" in rule.arguments else {})
        if "fmt" in rule.arguments:
            args["fmt"] = "csv"
        path = _build(rule, args)
        res = client.open(path, method=method, data={"csrf_token": csrf})
        if path.startswith("/api/"):
            assert res.status_code == 401, (path, res.status_code)
        else:
            assert res.status_code in (302, 400), (path, res.status_code)
            if res.status_code == 302:
                assert "/t/demo-hotel/login" in res.location, (path, res.location)
        checked += 1
    assert checked >= 30


def _tenant_models():
    return sorted((m.class_ for m in db.Model.registry.mappers
                   if issubclass(m.class_, TenantScoped)), key=lambda c: c.__name__)


def test_every_tenant_table_fails_closed_and_is_scoped(app):
    """Each tenant-owned model (the new ones too: set-password links ...) refuses a query with
    no tenant in scope, and under the bank's scope sees only bank rows."""
    models = _tenant_models()
    assert {"PasswordLink", "ApiToken", "Contact", "Staff"} <= {c.__name__ for c in models}
    bank = _tenant_id("demo-bank")
    for cls in models:
        with pytest.raises(TenantScopeError):
            db.session.execute(select(cls).limit(1))
        with tenant_scope(bank):
            tenants_seen = set(db.session.scalars(select(cls.tenant_id)))
        assert tenants_seen <= {bank}, cls.__name__


def test_operator_and_tenant_tables_are_apart():
    """Platform operators are not tenant data (no tenant_id): a tenant scope never hides or
    exposes them, and no tenant table is left out of scoping."""
    from tenants.operators import PlatformOperator
    assert not issubclass(PlatformOperator, TenantScoped)
    assert "tenant_id" not in PlatformOperator.__table__.columns
    for table in db.metadata.sorted_tables:
        if "tenant_id" in table.columns:
            assert table.name in {c.__tablename__ for c in _tenant_models()}, table.name
