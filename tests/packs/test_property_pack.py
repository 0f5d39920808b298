"""The property-management pack, loaded the way the engine loads it (a pluggy plugin)."""
import copy

import pluggy
import pytest
from marshmallow import ValidationError

from core import hookspecs
from core.policy.schema import PolicySchema, effective_policy, validate_policy
from core.rules import DEADLINE_KINDS, MATTER_TYPES

PLACEHOLDERS = dict(customer="张女士", summary="厨房水管漏水", handler="赵工",
                    department="工程维修部", phone="8002")


def _pack():
    import policy_packs.property as module

    pm = pluggy.PluginManager("shouwen")
    pm.add_hookspecs(hookspecs)
    pm.register(module)
    packs = pm.hook.shouwen_pack()
    assert len(packs) == 1
    return packs[0]


def _doc():
    return validate_policy(_pack().policy)


def _min(n):
    return {"amount": n, "unit": "minutes"}


def test_identity_and_docstring():
    import policy_packs.property as module

    pack = _pack()
    assert (pack.key, pack.sector) == ("property", "property")
    assert pack.name["zh"] and pack.name["en"] and pack.summary["zh"] and pack.summary["en"]
    assert pack.sources and all(s.startswith("seed ") for s in pack.sources)
    assert "客户关系主管" in module.__doc__ and "60 min" in module.__doc__


def test_document_validates_and_covers_every_section():
    pack = _pack()
    doc = validate_policy(pack.policy)
    assert set(pack.policy) == set(PolicySchema().fields)
    assert set(doc["matter_types"]) >= set(MATTER_TYPES)
    assert set(pack.policy["deadlines"]) == set(DEADLINE_KINDS)
    assert doc["calendar"]["kind"] == "statutory"


def test_repair_categories_with_ordinary_as_default():
    repair = _doc()["matter_types"]["repair"]
    assert set(repair["categories"]) == {"ordinary", "simple", "urgent"}
    assert repair["default_category"] == "ordinary"
    assert "燃气" in repair["categories"]["urgent"]["name"]["zh"]


def test_repair_on_site_60_20_and_at_once():
    on_site = _doc()["deadlines"]["on_site"]
    assert on_site["repair.ordinary"] == _min(60)
    assert on_site["repair.simple"] == _min(20)
    assert on_site["repair.urgent"] == _min(0)
    assert on_site["repair"] == _min(60)       # a repair registered without a category


def test_repair_slip_back_within_24_hours():
    d = _doc()["deadlines"]
    assert d["feedback"]["repair"] == {"amount": 24, "unit": "hours"}


def test_utilities_contacted_within_30_minutes():
    doc = _doc()
    assert doc["deadlines"]["transfer"]["utility"] == _min(30)
    # No department handles it in-house, so the transfer clock always runs until the referral.
    assert all("utility" not in d["matter_types"] for d in doc["departments"])
    assert "utility" in doc["callback"]["required_for"]
    assert "30" in doc["wording"]["templates"]["referral"]["zh"]


def test_other_deadlines_exist():
    d = _doc()["deadlines"]
    assert d["transfer"]["default"] is not None
    assert d["reply"]["default"] == {"amount": 1, "unit": "working_days"}
    assert d["accept"]["default"] is not None
    assert d["callback"]["default"] is not None
    # Repairs run on the wall clock.
    for kind in ("transfer", "accept", "reply", "feedback"):
        assert d[kind]["repair"]["unit"] in ("minutes", "hours"), kind


def test_receiver_may_neither_pass_on_nor_return():
    t = _doc()["transfer"]
    assert t["receiver_may_pass_on"] is False
    assert t["receiver_may_return"] is False
    assert t["wrong_transfer_coordinator"] == "customer_service"
    assert "handover" in t["modes"] and "accompany" in t["modes"]


def test_chain_is_cr_supervisor_office_manager_director():
    doc = _doc()
    chain = doc["escalation"]["chain"]
    assert [lvl["role"] for lvl in chain] == ["cr_supervisor", "office_manager", "director"]
    assert doc["escalation"]["on_breach"] is True
    roles = {r["key"]: r for r in doc["roles"]}
    assert roles["cr_supervisor"]["permission"] == "cr_supervisor"
    assert roles["office_manager"]["permission"] == roles["director"]["permission"] == "leader"
    assert roles["quality"]["permission"] == "inspector"
    assert roles["operator"]["permission"] == "staff"
    assert roles["supervisor"]["permission"] == "dept_supervisor"
    ranks = [roles[k]["rank"] for k in
             ("operator", "team_leader", "supervisor", "cr_supervisor", "office_manager",
              "director")]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_departments_are_consistent():
    doc = _doc()
    depts = {d["code"]: d for d in doc["departments"]}
    assert {"customer_service", "engineering", "security", "cleaning", "landscaping", "finance",
            "director"} <= set(depts)
    assert "repair" in depts["engineering"]["matter_types"]
    assert "complaint" in depts["director"]["matter_types"]
    for d in depts.values():
        assert d["duties"]["zh"] and d["duties"]["en"]
        assert set(d["matter_types"]) <= set(doc["matter_types"]), d["code"]


def test_assessment_weights_40_40_20():
    a = _doc()["assessment"]
    assert {c["key"]: c["weight"] for c in a["components"]} == {
        "customer_supervisors": 40, "other_managers": 40, "team_leaders": 20}
    assert {c["source"] for c in a["components"]} == {"questionnaire"}
    groups = {g["key"]: g for g in _doc()["questionnaire"]["groups"]}
    assert {k: g["weight"] for k, g in groups.items()} == {
        "customer_supervisors": 40, "other_managers": 40, "team_leaders": 20}
    assert {c["group"] for c in a["components"]} == set(groups)
    assert groups["team_leaders"]["roles"] == ["team_leader"]


def test_wording_and_forms():
    w = _doc()["wording"]
    for phrase in ("不知道", "不清楚", "办不了", "不归我们管", "没办法"):
        assert phrase in w["banned_phrases"]
    assert {"reply", "one_time_notice", "coordination_form", "countersign_form"} <= set(
        w["templates"])
    assert "协调单" in w["templates"]["coordination_form"]["zh"]
    assert "会签单" in w["templates"]["countersign_form"]["zh"]
    for key, tpl in w["templates"].items():
        for lang in ("zh", "en"):
            filled = tpl[lang].format(**PLACEHOLDERS)
            assert "{" not in filled, (key, lang)
            assert not [p for p in w["banned_phrases"] if p in filled], (key, lang)


def test_penalties_are_graded_and_cover_the_violations():
    pens = _doc()["penalties"]
    seen = {}
    for key, pen in pens.items():
        assert len(pen["sanctions"]) >= 3, key
        for trig in pen["triggers"]:
            assert trig not in seen, f"{trig} in {key} and {seen.get(trig)}"
            seen[trig] = key
    for trig in ("deadline.on_site", "deadline.feedback", "deadline.transfer",
                 "forbidden_transfer", "banned_phrase"):
        assert trig in seen


def test_tenant_can_switch_off_a_clock():
    doc = effective_policy(_pack().policy, {"deadlines": {"on_site": {"repair.simple": None}}})
    assert doc["deadlines"]["on_site"]["repair.simple"] is None
    assert doc["deadlines"]["on_site"]["repair.ordinary"] == _min(60)


def test_unknown_unit_is_refused_with_a_field_message():
    bad = copy.deepcopy(_pack().policy)
    bad["deadlines"]["on_site"]["repair.urgent"] = {"amount": 0, "unit": "seconds"}
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert "unit" in str(exc.value.messages["deadlines"]["on_site"])


def test_unknown_category_and_unknown_role_are_refused():
    bad = copy.deepcopy(_pack().policy)
    bad["deadlines"]["on_site"]["repair.emergency"] = _min(0)
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert exc.value.messages["deadlines"]["on_site"]["repair.emergency"] == ["Unknown category."]

    bad = copy.deepcopy(_pack().policy)
    bad["escalation"]["chain"][2]["role"] = "ceo"
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert exc.value.messages["escalation"]["chain"][2]["role"] == ["Unknown role."]
