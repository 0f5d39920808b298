"""Bad input answers 400/422 with field messages, never 500, and never loses or half-creates data.

Every refused request is followed by a check that nothing changed: the row counts of every
tenant-owned table (all tenants together) and, for lifecycle actions, the contact as its tenant
sees it.  A refused registration must not even consume a reference number.
"""
import json

import pytest
from conftest import register
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.extensions import db
from core.tenancy.scoping import TenantScoped, unscoped

NOW = "2026-10-01T09:00:00+08:00"     # a holiday: the hotel runs a seven-day calendar
VALID = {"channel": "phone", "matter_type": "complaint", "summary": "空调不制冷",
         "customer": {"name": "赵先生", "phone": "13800000000", "room": "1208"}}


# -- helpers ------------------------------------------------------------------------------------

def _row_counts():
    counts = {}
    with unscoped():
        for mapper in db.Model.registry.mappers:
            cls = mapper.class_
            if issubclass(cls, TenantScoped):
                counts[cls.__tablename__] = db.session.scalar(
                    select(func.count()).select_from(cls))
    return counts


class Answer:
    """A response, or the exception that escaped the app (what a client would see as a 500)."""

    def __init__(self, status, body):
        self.status, self.body = status, body

    def __repr__(self):
        return f"<{self.status} {self.body!r:.600}>"


def send(user, method, path, **kw):
    """Call the API; an exception escaping the app becomes a 500 (the session is rolled back
    so the next call starts clean, as a new request would in production)."""
    try:
        res = user._call(method, path, **kw)
    except Exception as exc:       # noqa: BLE001  (this *is* the 500 being tested for)
        db.session.rollback()
        return Answer(500, {"exception": repr(exc)[:400]})
    return Answer(res.status_code, res.get_json(silent=True))


def post_json(user, path, body):
    return send(user, "POST", path, data=json.dumps(body), content_type="application/json")


def post_raw(user, path, data, content_type="application/json"):
    return send(user, "POST", path, data=data, content_type=content_type)


def _field(fields, path):
    node = fields
    for key in path.split("."):
        assert isinstance(node, dict) and key in node, (path, fields)
        node = node[key]
    return node


def assert_refused(answer, status, *field_paths, code=None):
    assert answer.status == status, answer
    err = answer.body and answer.body.get("error")
    assert err, answer
    assert err["code"] and isinstance(err["message"], str) and err["message"], answer
    if code:
        assert err["code"] == code, answer
    for path in field_paths:
        messages = _field(err["fields"], path)
        assert messages, (path, answer)
    return err


@pytest.fixture
def front(login):
    return login("demo-hotel", "front-office")


# -- POST /contacts ---------------------------------------------------------------------------

def _without(key):
    body = dict(VALID)
    body.pop(key)
    return body


def _with(**changes):
    body = json.loads(json.dumps(VALID))
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__")
            body[outer][inner] = value
        else:
            body[key] = value
    return body


# (id, body, fields expected in the 422 answer)
CONTACT_422 = [
    ("empty_object", {}, ["channel", "matter_type", "summary", "customer"]),
    ("missing_channel", _without("channel"), ["channel"]),
    ("missing_matter_type", _without("matter_type"), ["matter_type"]),
    ("missing_summary", _without("summary"), ["summary"]),
    ("missing_customer", _without("customer"), ["customer"]),
    ("unknown_channel", _with(channel="telepathy"), ["channel"]),
    ("unknown_matter_type", _with(matter_type="lawsuit"), ["matter_type"]),
    ("unknown_both", _with(channel="fax", matter_type="lawsuit"), ["channel", "matter_type"]),
    ("category_of_no_category_type", _with(category="gold"), ["category"]),
    ("blank_summary", _with(summary="   "), ["summary"]),
    ("empty_summary", _with(summary=""), ["summary"]),
    ("whitespace_summary", _with(summary="\n\t \u3000"), ["summary"]),
    ("null_summary", _with(summary=None), ["summary"]),
    ("huge_summary", _with(summary="长" * 4001), ["summary"]),
    ("future_received_at", _with(received_at="2026-10-01T10:00:00+08:00"), ["received_at"]),
    ("far_future_received_at", _with(received_at="9999-12-31T23:59:59+14:00"), ["received_at"]),
    ("naive_received_at", _with(received_at="2026-10-01T08:00:00"), ["received_at"]),
    ("date_only_received_at", _with(received_at="2026-10-01"), ["received_at"]),
    ("garbage_received_at", _with(received_at="yesterday"), ["received_at"]),
    ("empty_received_at", _with(received_at=""), ["received_at"]),
    ("number_received_at", _with(received_at=1759280400), ["received_at"]),
    ("year_one_received_at", _with(received_at="0001-01-01T00:00:00+14:00"), ["received_at"]),
    ("unknown_field", _with(priority="high"), ["priority"]),
    ("tenant_id_smuggled", _with(tenant_id=4), ["tenant_id"]),
    ("owner_smuggled", _with(owner="admin"), ["owner"]),
    ("ref_smuggled", _with(ref="HT-20261001-0001"), ["ref"]),
    ("state_smuggled", _with(state="closed"), ["state"]),
    ("unknown_customer_field", _with(customer__vip=True), ["customer.vip"]),
    ("unknown_co_receiver", _with(co_receivers=["nobody"]), ["co_receivers"]),
    ("co_receiver_of_another_tenant", _with(co_receivers=["counter"]), ["co_receivers"]),
    ("co_receivers_not_a_list", _with(co_receivers="security"), ["co_receivers"]),
    ("co_receiver_null", _with(co_receivers=[None]), ["co_receivers"]),
    ("co_receiver_number", _with(co_receivers=[7]), ["co_receivers"]),
    ("too_many_co_receivers", _with(co_receivers=["security"] * 11), ["co_receivers"]),
    ("summary_number", _with(summary=123), ["summary"]),
    ("summary_list", _with(summary=["空调"]), ["summary"]),
    ("summary_object", _with(summary={"zh": "空调"}), ["summary"]),
    ("summary_bool", _with(summary=True), ["summary"]),
    ("channel_number", _with(channel=5), ["channel"]),
    ("matter_type_list", _with(matter_type=["complaint"]), ["matter_type"]),
    ("category_number", _with(category=5), ["category"]),
    ("customer_string", _with(customer="赵先生"), ["customer"]),
    ("customer_list", _with(customer=[]), ["customer"]),
    ("customer_phone_number", _with(customer__phone=13800000000), ["customer.phone"]),
    ("customer_phone_text", _with(customer__phone="call me"), ["customer.phone"]),
    ("customer_email", _with(customer__email="not-an-email"), ["customer.email"]),
    ("customer_name_too_long", _with(customer__name="赵" * 101), ["customer.name"]),
    ("customer_room_too_long", _with(customer__room="1" * 41), ["customer.room"]),
    ("own_duty_text", _with(own_duty="maybe"), ["own_duty"]),
    ("summary_with_nul", _with(summary="空调\x00不制冷"), ["summary"]),
    ("customer_name_with_nul", _with(customer__name="赵\x00"), ["customer.name"]),
]


@pytest.mark.parametrize("body, fields", [c[1:] for c in CONTACT_422],
                         ids=[c[0] for c in CONTACT_422])
def test_register_refuses_bad_fields(front, frozen, body, fields):
    with frozen(NOW):
        before = _row_counts()
        answer = post_json(front, "/contacts", body)
        assert_refused(answer, 422, *fields, code="invalid")
        assert _row_counts() == before
        assert front.get("/contacts").get_json()["items"] == []
        # Nothing half-created: not even a reference number was used up.
        assert register(front)["ref"] == "HT-20261001-0001"


def test_register_refuses_a_category_the_matter_type_does_not_have(login, frozen):
    cs = login("demo-property", "customer-service")
    with frozen(NOW):
        before = _row_counts()
        for body in (_with(matter_type="repair", category="gold"),
                     _with(matter_type="complaint", category="urgent")):
            assert_refused(post_json(cs, "/contacts", body), 422, "category")
            assert _row_counts() == before
        c = register(cs, matter_type="repair", category="urgent")
        assert c["category"] == "urgent" and c["ref"].endswith("-0001")
        assert register(cs, matter_type="repair")["category"] == "ordinary"    # the default


def test_register_refuses_a_channel_of_another_pack(login, frozen):
    tax = login("demo-government", "tax")
    with frozen(NOW):
        before = _row_counts()
        assert_refused(post_json(tax, "/contacts", _with(channel="chat")), 422, "channel")
        assert _row_counts() == before


# (id, raw body, content type, expected status)
RAW_BODIES = [
    ("form_encoded", "channel=phone&matter_type=complaint", "application/x-www-form-urlencoded",
     400),
    ("plain_text", "空调不制冷", "text/plain", 400),
    ("json_text_without_json_type", json.dumps(VALID), "text/plain", 400),
    ("malformed_json", '{"channel": "phone", ', "application/json", 400),
    ("empty_body", "", "application/json", 400),
    ("json_null", "null", "application/json", 400),
    ("latin1_bytes", b"\xff\xfe\x00", "application/json", 400),
    ("json_array", json.dumps([VALID]), "application/json", 422),
    ("json_empty_array", "[]", "application/json", 422),
    ("json_string", '"complaint"', "application/json", 422),
    ("json_number", "5", "application/json", 422),
    ("json_true", "true", "application/json", 422),
    ("deeply_nested_array", "[" * 50000 + "]" * 50000, "application/json", 400),
    ("deeply_nested_object", '{"a":' * 50000 + "1" + "}" * 50000, "application/json", 400),
    ("lone_surrogate_in_summary",
     '{"channel": "phone", "matter_type": "complaint", "summary": "\\ud800", "customer": {}}',
     "application/json", 422),
]


@pytest.mark.parametrize("data, content_type, status", [r[1:] for r in RAW_BODIES],
                         ids=[r[0] for r in RAW_BODIES])
def test_register_refuses_bodies_that_are_not_a_json_object(front, frozen, data, content_type,
                                                            status):
    with frozen(NOW):
        before = _row_counts()
        answer = post_raw(front, "/contacts", data, content_type)
        err = assert_refused(answer, status)
        if status == 400:
            assert err["code"] == "bad_request"
        else:
            assert err["code"] == "invalid" and err["fields"]
        assert _row_counts() == before
        assert register(front)["ref"] == "HT-20261001-0001"


def test_body_too_large_is_413_not_500(front, frozen):
    with frozen(NOW):
        before = _row_counts()
        answer = post_json(front, "/contacts", _with(summary="长" * (1024 * 1024)))
        assert_refused(answer, 413)
        assert _row_counts() == before


def test_register_accepts_the_edges(front, frozen):
    """The limits are where they say: 4000 characters, 10 co-receivers, 2 minutes of skew."""
    with frozen(NOW):
        c = register(front, summary="长" * 4000)
        assert len(c["summary"]) == 4000
        c = register(front, received_at="2026-10-01T09:01:30+08:00")      # clock skew
        assert c["received_at"] == "2026-10-01T01:01:30+00:00"
        c = register(front, received_at="2026-10-01T01:00:00Z")
        assert c["received_at"] == "2026-10-01T01:00:00+00:00"
        c = register(front, customer={}, co_receivers=[])
        assert c["customer"]["name"] == ""
        c = register(front, summary="🙂 emoji 与中文 and ‘quotes’ \"double\" <b>html</b>")
        assert c["summary"] == "🙂 emoji 与中文 and ‘quotes’ \"double\" <b>html</b>"


def test_duplicate_co_receivers_are_recorded_once(front, frozen):
    with frozen(NOW):
        c = register(front, co_receivers=["security", "security", "front-office", "engineering",
                                          "engineering"])
    assert sorted(c["co_receivers"]) == ["engineering", "security"]
    assert c["owner"]["username"] == "front-office"


# -- GET /contacts filters ----------------------------------------------------------------------

@pytest.mark.parametrize("query, status, field", [
    ("limit=abc", 422, "limit"), ("limit=0", 422, "limit"), ("limit=201", 422, "limit"),
    ("limit=-5", 422, "limit"), ("overdue=maybe", 422, "overdue"), ("owner=you", 422, "owner"),
    ("department=nowhere", 422, "department"), ("department=counter", 422, "department"),
    ("before=HT-20991231-9999", 404, None), ("unknown=1", 422, "unknown"),
])
def test_list_filters_refuse_bad_values(front, frozen, query, status, field):
    with frozen(NOW):
        register(front)
        before = _row_counts()
        answer = send(front, "GET", "/contacts?" + query)
        assert_refused(answer, status, *([field] if field else []))
        assert _row_counts() == before


# -- lifecycle ----------------------------------------------------------------------------------

def _snapshot(user, ref):
    res = user.get(f"/contacts/{ref}")
    assert res.status_code == 200
    return res.get_json(), user.get("/violations").get_json(), _row_counts()


@pytest.fixture
def registered(login, frozen):
    """A hotel complaint registered by Security (not its duty): it must be transferred."""
    security = login("demo-hotel", "security")
    with frozen(NOW):
        c = register(security)
    return security, c["ref"]


@pytest.mark.parametrize("body, field", [
    ({"to_department": "spa"}, "to_department"),
    ({"to_department": "counter"}, "to_department"),          # a department of the bank
    ({"to_department": ""}, "to_department"),
    ({"to_department": 5}, "to_department"),
    ({}, "to_department"),
    ({"to_department": "front_office", "mode": "teleport"}, "mode"),
    ({"to_department": "front_office", "to_user": "nobody"}, "to_user"),
    ({"to_department": "front_office", "to_user": "counter"}, "to_user"),
    ({"to_department": "front_office", "to_user": "engineering"}, "to_user"),  # other dept
    ({"to_department": "front_office", "approved_by": "nobody"}, "approved_by"),
    ({"to_department": "front_office", "note": "长" * 4001}, "note"),
    ({"to_department": "front_office", "urgent": True}, "urgent"),
])
def test_transfer_refuses_bad_input(registered, frozen, body, field):
    security, ref = registered
    with frozen("2026-10-01T09:20:00+08:00"):
        before = _snapshot(security, ref)
        answer = post_json(security, f"/contacts/{ref}/transfers", body)
        assert_refused(answer, 422, field)
        assert _snapshot(security, ref) == before
        res = security.post(f"/contacts/{ref}/transfers", json={"to_department": "front_office"})
        assert res.status_code == 201, res.get_json()


@pytest.fixture
def awaiting_callback(login, frozen):
    """A hotel complaint the front office handled and answered: the owner must call back."""
    front = login("demo-hotel", "front-office")
    with frozen(NOW):
        c = register(front)
        assert c["state"] == "handling"
        res = front.post(f"/contacts/{c['ref']}/replies",
                         json={"text": "您好，空调已修好，给您添麻烦了，对不起。"})
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["state"] == "awaiting_callback"
    return front, c["ref"]


@pytest.mark.parametrize("body, field", [
    ({"satisfaction": 0}, "satisfaction"),
    ({"satisfaction": 6}, "satisfaction"),
    ({"satisfaction": -1}, "satisfaction"),
    ({"satisfaction": "5"}, "satisfaction"),
    ({"satisfaction": 4.5}, "satisfaction"),
    ({"satisfaction": 5.0}, "satisfaction"),
    ({"satisfaction": True}, "satisfaction"),
    ({"satisfaction": 10 ** 30}, "satisfaction"),
    ({"satisfaction": [5]}, "satisfaction"),
    ({"satisfaction": None}, "satisfaction"),                 # reached, so required
    ({}, "satisfaction"),
    ({"satisfaction": 5, "reached": "perhaps"}, "reached"),
    ({"satisfaction": 5, "note": "长" * 4001}, "note"),
    ({"satisfaction": 5, "mood": "happy"}, "mood"),
])
def test_callback_refuses_bad_satisfaction(awaiting_callback, frozen, body, field):
    front, ref = awaiting_callback
    with frozen("2026-10-01T11:00:00+08:00"):
        before = _snapshot(front, ref)
        answer = post_json(front, f"/contacts/{ref}/callbacks", body)
        assert_refused(answer, 422, field)
        assert _snapshot(front, ref) == before
        assert before[0]["state"] == "awaiting_callback"
        res = front.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 5})
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["satisfaction"] == 5 and res.get_json()["state"] == "called_back"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None},
                                  {"reason": 5}, {"reason": "长" * 4001}],
                         ids=["missing", "empty", "blank", "null", "number", "huge"])
def test_escalation_requires_a_reason(registered, frozen, body):
    security, ref = registered
    with frozen("2026-10-01T09:20:00+08:00"):
        before = _snapshot(security, ref)
        assert_refused(post_json(security, f"/contacts/{ref}/escalations", body), 422, "reason")
        assert _snapshot(security, ref) == before
        assert before[0]["escalation_level"] == 0
        res = security.post(f"/contacts/{ref}/escalations", json={"reason": "客人情绪激动"})
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["escalation_level"] == 1


@pytest.fixture
def proposed_violation(registered, login, frozen):
    security, ref = registered
    with frozen("2026-10-01T09:10:00+08:00"):
        res = security.post(f"/contacts/{ref}/replies", json={"text": "不归我管"})
        assert res.status_code == 422 and res.get_json()["error"]["code"] == "banned_phrase"
    inspector = login("demo-hotel", "inspector")
    items = inspector.get("/violations").get_json()["items"]
    assert [v["status"] for v in items] == ["proposed"]
    return inspector, ref, items[0]["id"]


@pytest.mark.parametrize("body, fields", [
    ({"decision": "maybe", "reason": "核实"}, ["decision"]),
    ({"decision": "CONFIRM", "reason": "核实"}, ["decision"]),
    ({"decision": "", "reason": "核实"}, ["decision"]),
    ({"decision": None, "reason": "核实"}, ["decision"]),
    ({"decision": True, "reason": "核实"}, ["decision"]),
    ({"reason": "核实"}, ["decision"]),
    ({"decision": "confirm", "reason": ""}, ["reason"]),
    ({"decision": "confirm", "reason": "   "}, ["reason"]),
    ({"decision": "waive", "reason": None}, ["reason"]),
    ({"decision": "waive"}, ["reason"]),
    ({"decision": "waive", "reason": ["核实"]}, ["reason"]),
    ({}, ["decision", "reason"]),
    ({"decision": "confirm", "reason": "核实", "sanction": "none"}, ["sanction"]),
])
def test_violation_decision_refuses_bad_input(proposed_violation, frozen, body, fields):
    inspector, ref, vid = proposed_violation
    with frozen("2026-10-01T10:00:00+08:00"):
        before = _snapshot(inspector, ref)
        answer = post_json(inspector, f"/violations/{vid}/decision", body)
        assert_refused(answer, 422, *fields)
        assert _snapshot(inspector, ref) == before
        res = inspector.post(f"/violations/{vid}/decision",
                             json={"decision": "confirm", "reason": "录音属实"})
        assert res.status_code == 200, res.get_json()
        assert res.get_json()["status"] == "confirmed"
        assert res.get_json()["reason"] == "录音属实"


# (route suffix, body, field) for the other lifecycle schemas
OTHER_LIFECYCLE_422 = [
    ("/replies", {}, "text"), ("/replies", {"text": ""}, "text"),
    ("/replies", {"text": "  "}, "text"), ("/replies", {"text": "长" * 8001}, "text"),
    ("/replies", {"text": 42}, "text"),
    ("/feedback", {}, "text"), ("/feedback", {"text": None}, "text"),
    ("/referral", {}, "body"), ("/referral", {"body": " "}, "body"),
    ("/referral", {"body": "局" * 201}, "body"),
    ("/referral", {"body": "市消防局", "phone": 119}, "phone"),
    ("/coordination", {}, "lead_department"),
    ("/coordination", {"lead_department": "front_office", "departments": []}, "departments"),
    ("/coordination", {"lead_department": "front_office", "departments": "security"},
     "departments"),
    ("/coordination", {"lead_department": "spa", "departments": ["security"]}, "lead_department"),
    ("/coordination", {"lead_department": "front_office", "departments": ["counter"]},
     "departments"),
    ("/handle", {"note": 5}, "note"), ("/handle", {"note": "长" * 4001}, "note"),
    ("/handle", {"extra": 1}, "extra"),
    ("/close", {"note": ["x"]}, "note"),
    ("/on-site", {"note": {}}, "note"),
    ("/coordination/agree", {"note": 1}, "note"),
]


@pytest.mark.parametrize("suffix, body, field", OTHER_LIFECYCLE_422,
                         ids=[f"{s}-{f}-{i}" for i, (s, _, f) in enumerate(OTHER_LIFECYCLE_422)])
def test_other_lifecycle_actions_refuse_bad_input(registered, frozen, suffix, body, field):
    security, ref = registered
    with frozen("2026-10-01T09:20:00+08:00"):
        before = _snapshot(security, ref)
        answer = post_json(security, f"/contacts/{ref}{suffix}", body)
        assert_refused(answer, 422, field)
        assert _snapshot(security, ref) == before


@pytest.fixture
def pending_transfer(registered, login, frozen):
    security, ref = registered
    with frozen("2026-10-01T09:20:00+08:00"):
        res = security.post(f"/contacts/{ref}/transfers", json={"to_department": "front_office"})
        assert res.status_code == 201, res.get_json()
    return login("demo-hotel", "front-office"), ref, res.get_json()["id"]


@pytest.mark.parametrize("body, field", [
    ({"wrong_transfer": "perhaps"}, "wrong_transfer"), ({"wrong_transfer": None}, "wrong_transfer"),
    ({"note": 5}, "note"), ({"signed_by": "张三"}, "signed_by"),
])
def test_accept_refuses_bad_input(pending_transfer, frozen, body, field):
    front, ref, tid = pending_transfer
    with frozen("2026-10-01T09:25:00+08:00"):
        before = _snapshot(front, ref)
        assert_refused(post_json(front, f"/contacts/{ref}/transfers/{tid}/accept", body), 422,
                       field)
        assert _snapshot(front, ref) == before


@pytest.mark.parametrize("suffix", ["/transfers/{tid}/accept", "/coordination/agree", "/on-site",
                                    "/close"])
def test_optional_body_routes_refuse_malformed_json(pending_transfer, frozen, suffix):
    """The body of these routes is optional, but a body that is there and is not JSON must not
    be taken for an empty one: '{"wrong_transfer": true' would sign as a correct transfer."""
    front, ref, tid = pending_transfer
    with frozen("2026-10-01T09:25:00+08:00"):
        before = _snapshot(front, ref)
        answer = post_raw(front, f"/contacts/{ref}" + suffix.format(tid=tid),
                          '{"wrong_transfer": true, "note": "转错了"')
        assert_refused(answer, 400, code="bad_request")
        assert _snapshot(front, ref) == before


def test_optional_body_routes_accept_no_body(pending_transfer, frozen):
    front, ref, tid = pending_transfer
    with frozen("2026-10-01T09:25:00+08:00"):
        res = front.client.post(f"/api/v1/contacts/{ref}/transfers/{tid}/accept",
                                headers={"Authorization": f"Bearer {front.token}"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["state"] == "handling"


# -- random bodies --------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)

FIELD_NAMES = ["channel", "matter_type", "category", "summary", "customer", "received_at",
               "co_receivers", "own_duty"]
PLAUSIBLE = {
    "channel": st.sampled_from(["phone", "visit", "chat", "fax", ""]) | JSON_VALUES,
    "matter_type": st.sampled_from(["complaint", "help", "repair", "lawsuit"]) | JSON_VALUES,
    "category": st.none() | st.sampled_from(["urgent", ""]) | JSON_VALUES,
    "summary": st.text(max_size=50) | JSON_VALUES,
    "customer": st.fixed_dictionaries({}, optional={
        "name": st.text(max_size=20), "phone": st.text(alphabet="0123456789+- ()x", max_size=45),
        "email": st.emails() | st.text(max_size=10), "room": st.text(max_size=45),
    }) | JSON_VALUES,
    "received_at": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    | st.datetimes().map(lambda d: d.isoformat()) | JSON_VALUES,
    "co_receivers": st.lists(st.sampled_from(["security", "front-office", "counter", "nobody"]),
                             max_size=12) | JSON_VALUES,
    "own_duty": st.none() | st.booleans() | JSON_VALUES,
}
RANDOM_SETTINGS = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


def _check_random(front, body):
    before = _row_counts()
    answer = post_json(front, "/contacts", body)
    assert answer.status < 500, (body, answer)
    if answer.status != 201:
        err = answer.body["error"]
        assert answer.status in (400, 422) and err["code"], (body, answer)
        if answer.status == 422:
            assert err["fields"], (body, answer)
        assert _row_counts() == before, body


@RANDOM_SETTINGS
@given(body=JSON_VALUES)
def test_random_json_never_500(front, frozen, body):
    with frozen(NOW):
        _check_random(front, body)


@RANDOM_SETTINGS
@given(body=st.fixed_dictionaries({}, optional=PLAUSIBLE))
def test_random_contact_fields_never_500(front, frozen, body):
    with frozen(NOW):
        _check_random(front, body)
