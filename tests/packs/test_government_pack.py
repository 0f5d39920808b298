"""The government service hall pack, loaded as the engine loads it."""
import copy

import pluggy
import pytest
from marshmallow import ValidationError

from core import hookspecs
from core.policy.schema import validate_policy


def _pack():
    import policy_packs.government as module

    pm = pluggy.PluginManager("shouwen")
    pm.add_hookspecs(hookspecs)
    pm.register(module)
    packs = pm.hook.shouwen_pack()
    assert len(packs) == 1
    return packs[0]


def _wd(n):
    return {"amount": n, "unit": "working_days"}


def test_identity_and_docstring():
    import policy_packs.government as module

    pack = _pack()
    assert (pack.key, pack.sector) == ("government", "government")
    assert pack.name["zh"] and pack.name["en"] and pack.summary["zh"] and pack.summary["en"]
    assert pack.sources and all("seed" in s for s in pack.sources)
    assert "首问" in module.__doc__ and "15 working days" in module.__doc__


def test_document_validates():
    doc = validate_policy(_pack().policy)
    assert doc["calendar"] == {"kind": "statutory", "closing_time": "17:30",
                               "working_periods": [["09:00", "12:00"], ["13:30", "17:30"]]}
    assert set(doc["matter_types"]) >= {"consultation", "inquiry", "complaint", "help",
                                        "business", "report", "repair", "suggestion"}


def test_deadlines():
    d = validate_policy(_pack().policy)["deadlines"]
    assert d["transfer"]["default"] == _wd(1)          # pass on within 1 working day
    assert d["reply"]["default"] == _wd(3)             # own duty: reply within 3
    assert d["reply"]["@handover"] == _wd(3)           # receiving department: 3 from handover
    assert d["consult"]["@coordination"] == _wd(2)     # several departments consult within 2
    assert d["reply"]["@agreement"] == _wd(2)          # reply within 2 after agreement
    assert d["final"]["default"] == _wd(15)            # 15 working days at most
    for kind in ("accept", "feedback", "callback"):
        assert d[kind]["default"] is not None


def test_transfer_and_chain():
    doc = validate_policy(_pack().policy)
    t = doc["transfer"]
    assert t["receiver_may_pass_on"] is False
    assert t["receiver_may_return"] is False
    assert t["handover_requires_approval"] is True
    assert t["handover_approvers"] == ["director"]      # 中心主要领导, not a deputy
    assert t["wrong_transfer_coordinator"] == "office"
    assert set(t["modes"]) == {"handover", "accompany", "guide"}
    chain = doc["escalation"]["chain"]
    assert [lvl["role"] for lvl in chain] == ["section_chief", "deputy_director", "director"]
    assert not any(lvl["conflict"] for lvl in chain)
    assert doc["escalation"]["on_breach"] is True
    assert set(doc["callback"]["required_for"]) == {"complaint", "report", "help", "business"}


def test_departments_and_roles():
    doc = validate_policy(_pack().policy)
    codes = {d["code"] for d in doc["departments"]}
    assert {"reception", "office", "supervision", "leadership"} <= codes
    assert all(d["duties"] for d in doc["departments"])
    perms = {r["key"]: r["permission"] for r in doc["roles"]}
    assert perms["supervision_officer"] == "inspector"
    assert perms["director"] == "leader" and perms["section_chief"] == "dept_supervisor"
    ranks = {r["key"]: r["rank"] for r in doc["roles"]}
    assert ranks["director"] > ranks["deputy_director"] > ranks["section_chief"] > ranks["clerk"]
    mts = set(doc["matter_types"])
    for dep in doc["departments"]:
        assert set(dep["matter_types"]) <= mts


def test_sanctions_in_order():
    pen = validate_policy(_pack().policy)["penalties"]
    (rule,) = pen.values()
    assert set(rule["triggers"]) == {"deadline.*", "banned_phrase", "forbidden_transfer",
                                     "wrong_transfer", "complaint_substantiated"}
    assert [s["name"]["zh"] for s in rule["sanctions"]] == [
        "谈话告诫", "批评教育", "通报批评", "当年不能评优", "年度考核不称职", "纪律处分"]
    assert all(s["amount"] is None for s in rule["sanctions"])


def test_wording():
    w = validate_policy(_pack().policy)["wording"]
    for phrase in ("不知道", "人不在", "不归我管", "下回再来"):
        assert phrase in w["banned_phrases"]
    assert {"您好", "请坐", "谢谢", "再见"} <= set(w["courtesy_phrases"])
    for key in ("reply", "one_time_notice", "refusal_record", "record_sheet", "three_part_form"):
        assert key in w["templates"]
    notice = w["templates"]["one_time_notice"]["zh"]
    for field in ("{conditions}", "{time_limit}", "{procedure}", "{fees}", "{materials}",
                  "{refusal_reasons}"):
        assert field in notice
    form = w["templates"]["three_part_form"]["zh"]
    assert "{proposed_unit}" in form and "{reason}" in form and "第三联" in form
    # Our own texts must pass our own wording check.
    for tpl in w["templates"].values():
        for lang in ("zh", "en"):
            assert not [p for p in w["banned_phrases"] if p in tpl[lang]]
    for phrase in w["courtesy_phrases"]:
        assert not [p for p in w["banned_phrases"] if p in phrase]


def test_social_security_limits_are_business_categories():
    doc = validate_policy(_pack().policy)
    cats = doc["matter_types"]["business"]["categories"]
    assert {"retirement_approval", "unemployment_benefit", "contribution_base",
            "injury_assessment", "designated_provider"} <= set(cats)
    final = doc["deadlines"]["final"]
    assert final["business.retirement_approval"] == _wd(10)
    assert final["business.unemployment_benefit"] == _wd(7)
    assert final["business.injury_assessment"] == _wd(2)
    assert final["business.designated_provider"] == _wd(60)
    assert final["default"] == _wd(15)
    assert doc["matter_types"]["business"].get("default_category") is None


def test_pack_document_is_not_mutated_by_validation():
    pack = _pack()
    before = copy.deepcopy(pack.policy)
    validate_policy(pack.policy)
    assert pack.policy == before


def _at(messages, path):
    """Follow ``path`` in marshmallow's error messages (Dict fields wrap values in "value")."""
    node = messages
    for key in path:
        if key not in node and "value" in node:
            node = node["value"]
        assert key in node, messages
        node = node[key]
    if isinstance(node, dict) and "value" in node:
        node = node["value"]
    return node


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d["deadlines"]["transfer"].update(default={"amount": 1, "unit": "fortnights"}),
     ("deadlines", "transfer", "default", "unit"), "working_days"),
    (lambda d: d["deadlines"]["reply"].update({"lawsuit": {"amount": 1, "unit": "working_days"}}),
     ("deadlines", "reply", "lawsuit"), "Unknown matter type 'lawsuit'"),
])
def test_mutated_document_fails_with_field_message(mutate, path, words):
    doc = copy.deepcopy(_pack().policy)
    mutate(doc)
    with pytest.raises(ValidationError) as exc:
        validate_policy(doc)
    messages = _at(exc.value.messages, path)
    assert any(words in m for m in messages), messages
