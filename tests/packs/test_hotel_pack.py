"""The hotel pack, loaded the way the engine loads it (a pluggy plugin)."""
import copy

import pluggy
import pytest
from marshmallow import ValidationError

from core import hookspecs
from core.policy.schema import effective_policy, validate_policy
from core.rules import DEADLINE_KINDS, MATTER_TYPES

PLACEHOLDERS = dict(customer="王先生", summary="空调不制冷", handler="李明",
                    department="工程部", phone="8001")


def _pack():
    import policy_packs.hotel as module

    pm = pluggy.PluginManager("shouwen")
    pm.add_hookspecs(hookspecs)
    pm.register(module)
    packs = pm.hook.shouwen_pack()
    assert len(packs) == 1
    return packs[0]


def _doc():
    return validate_policy(_pack().policy)


def test_identity_and_docstring():
    import policy_packs.hotel as module

    pack = _pack()
    assert (pack.key, pack.sector) == ("hotel", "hotel")
    assert pack.name == {"zh": "酒店", "en": "Hotel"}
    assert pack.summary["zh"] and pack.summary["en"]
    assert pack.sources and all(s.startswith("seed ") for s in pack.sources)
    assert "矛盾升级" in module.__doc__ and "1 hour" in module.__doc__


def test_document_validates_and_covers_every_section():
    pack = _pack()
    doc = validate_policy(pack.policy)
    from core.policy.schema import PolicySchema

    assert set(pack.policy) == set(PolicySchema().fields)
    assert set(doc["matter_types"]) >= set(MATTER_TYPES)
    assert set(pack.policy["deadlines"]) == set(DEADLINE_KINDS)
    assert doc["calendar"] == {"kind": "seven_day", "closing_time": "17:30",
                               "working_periods": [["09:00", "12:00"], ["13:30", "17:30"]]}


def test_validation_does_not_touch_the_pack_default():
    pack = _pack()
    before = copy.deepcopy(pack.policy)
    validate_policy(pack.policy)
    assert pack.policy == before


def test_transfer_within_one_hour_on_the_wall_clock():
    d = _doc()["deadlines"]
    assert d["transfer"]["default"] == {"amount": 1, "unit": "hours"}


def test_receiving_department_names_handler_then_replies_within_one_working_day():
    d = _doc()["deadlines"]
    assert d["accept"]["default"]["unit"] == "minutes"
    assert 0 < d["accept"]["default"]["amount"] <= 30
    assert d["reply"]["default"] == {"amount": 1, "unit": "working_days"}
    assert d["feedback"]["default"] == {"amount": 1, "unit": "working_days"}
    assert d["callback"]["default"] is not None
    assert d["final"]["default"] is None


def test_chain_is_qi_then_deputy_gm_then_gm_all_conflict_escalations():
    esc = _doc()["escalation"]
    chain = esc["chain"]
    assert [lvl["department"] or lvl["role"] for lvl in chain] == ["quality", "deputy_gm", "gm"]
    assert chain[0]["department"] == "quality" and chain[0]["role"] is None
    assert all(lvl["conflict"] is True for lvl in chain)
    assert esc["on_breach"] is True


def test_roles_and_ranks():
    roles = {r["key"]: r for r in _doc()["roles"]}
    perms = {k: r["permission"] for k, r in roles.items()}
    assert perms["staff"] == "staff"
    assert perms["supervisor"] == perms["dept_manager"] == "dept_supervisor"
    assert perms["quality_inspector"] == "inspector"
    assert perms["deputy_gm"] == perms["gm"] == "leader"
    assert perms["admin"] == "admin"
    assert (roles["staff"]["rank"] < roles["supervisor"]["rank"] < roles["dept_manager"]["rank"]
            < roles["deputy_gm"]["rank"] < roles["gm"]["rank"])
    assert roles["admin"]["rank"] <= roles["staff"]["rank"]


def test_transfer_policy_allows_return_with_opinion_and_copies_qi():
    t = _doc()["transfer"]
    assert t["receiver_may_return"] is True
    assert t["receiver_may_pass_on"] is True
    assert t["return_requires_opinion"] is True
    assert t["copy_to"] == ["quality"]
    assert t["wrong_transfer_coordinator"] == "quality"
    assert set(t["modes"]) == {"handover", "accompany", "guide"}


def test_departments_are_consistent():
    doc = _doc()
    depts = {d["code"]: d for d in doc["departments"]}
    assert {"front_office", "housekeeping", "food_beverage", "engineering", "security", "sales",
            "finance", "hr", "quality", "management"} <= set(depts)
    assert depts["quality"]["name"]["zh"] == "质检部"
    assert "complaint" in depts["quality"]["matter_types"]
    assert "repair" in depts["engineering"]["matter_types"]
    # The schema does not check these two; the pack must keep them right itself.
    for d in depts.values():
        assert d["duties"]["zh"] and d["duties"]["en"]
        assert set(d["matter_types"]) <= set(doc["matter_types"]), d["code"]
    assert doc["transfer"]["wrong_transfer_coordinator"] in depts


def test_callback_required_for_matters_with_a_result():
    required = set(_doc()["callback"]["required_for"])
    assert {"complaint", "help", "repair", "report"} <= required


def test_wording():
    w = _doc()["wording"]
    for phrase in ("不归我管", "不知道", "不清楚", "这不是我的事", "找别人去", "下班了", "明天再来"):
        assert phrase in w["banned_phrases"]
    assert all(len(p) <= 8 for p in w["banned_phrases"])
    for phrase in ("您好", "请", "谢谢", "对不起", "请稍候", "再见"):
        assert phrase in w["courtesy_phrases"]
    assert {"reply", "one_time_notice", "complaint_slip"} <= set(w["templates"])
    assert "投诉/查询处理单" in w["templates"]["complaint_slip"]["zh"]
    notice = w["templates"]["one_time_notice"]["zh"]
    for part in ("条件", "时限", "程序", "收费", "材料", "原因"):
        assert part in notice


def test_templates_fill_and_never_use_a_banned_phrase():
    w = _doc()["wording"]
    for key, tpl in w["templates"].items():
        for lang in ("zh", "en"):
            filled = tpl[lang].format(**PLACEHOLDERS)
            assert "{" not in filled, (key, lang)
            assert not [p for p in w["banned_phrases"] if p in filled], (key, lang)
    assert "{customer}" in w["templates"]["reply"]["zh"]
    for phrase in w["courtesy_phrases"]:
        assert not [p for p in w["banned_phrases"] if p in phrase]


def test_penalties_are_graded_and_cover_the_violations():
    doc = _doc()
    pens = doc["penalties"]
    seen = {}
    for key, pen in pens.items():
        assert len(pen["sanctions"]) >= 3, key
        for trig in pen["triggers"]:
            assert trig not in seen, f"{trig} in {key} and {seen.get(trig)}"
            seen[trig] = key
    for trig in ("deadline.transfer", "deadline.reply", "forbidden_transfer", "banned_phrase"):
        assert trig in seen
    fines = [s["amount"] for s in pens["late_transfer"]["sanctions"]]
    assert fines[0] is None and fines == sorted(fines, key=lambda a: a or 0)


def test_assessment_weights_sum_to_100():
    a = _doc()["assessment"]
    weights = {c["key"]: c["weight"] for c in a["components"]}
    assert weights == {"conflict_escalations": 40, "deadlines_met": 30,
                       "callback_satisfaction": 30}
    assert a["supervisor"] == "quality" and a["period"] == "month"


def test_tenant_override_merges_and_validates():
    pack = _pack()
    doc = effective_policy(pack.policy, {"deadlines": {"transfer": {"default": {
        "amount": 30, "unit": "minutes"}}}})
    assert doc["deadlines"]["transfer"]["default"] == {"amount": 30, "unit": "minutes"}
    assert doc["deadlines"]["reply"]["default"] == {"amount": 1, "unit": "working_days"}


def test_unknown_unit_is_refused_with_a_field_message():
    bad = copy.deepcopy(_pack().policy)
    bad["deadlines"]["transfer"]["default"] = {"amount": 1, "unit": "days"}
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert "deadlines" in exc.value.messages
    assert "unit" in str(exc.value.messages["deadlines"]["transfer"])


def test_chain_level_naming_an_unknown_department_is_refused():
    bad = copy.deepcopy(_pack().policy)
    bad["escalation"]["chain"][0]["department"] = "spa"
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert exc.value.messages["escalation"]["chain"][0]["department"] == [
        "Unknown department code."]


def test_copy_to_an_unknown_department_is_refused():
    bad = copy.deepcopy(_pack().policy)
    bad["transfer"]["copy_to"] = ["qa"]
    with pytest.raises(ValidationError) as exc:
        validate_policy(bad)
    assert "copy_to" in exc.value.messages["transfer"]
