"""The bank branch pack, loaded as the engine loads it."""
import copy

import pluggy
import pytest
from marshmallow import ValidationError

from core import hookspecs
from core.policy.schema import effective_policy, validate_policy


def _pack():
    import policy_packs.bank as module

    pm = pluggy.PluginManager("shouwen")
    pm.add_hookspecs(hookspecs)
    pm.register(module)
    packs = pm.hook.shouwen_pack()
    assert len(packs) == 1
    return packs[0]


def test_identity_and_docstring():
    import policy_packs.bank as module

    pack = _pack()
    assert (pack.key, pack.sector) == ("bank", "bank")
    assert pack.name["zh"] and pack.name["en"] and pack.summary["zh"] and pack.summary["en"]
    assert pack.sources and all("seed 003" in s for s in pack.sources)
    assert "union" in module.__doc__ and "product default" in module.__doc__


def test_document_validates():
    doc = validate_policy(_pack().policy)
    assert doc["calendar"]["kind"] == "statutory"
    assert doc["calendar"]["closing_time"] == "17:00"
    assert {"business", "consultation", "complaint", "suggestion", "inquiry", "help", "report",
            "repair"} <= set(doc["matter_types"])
    assert {"visit", "letter", "phone", "email"} <= set(doc["channels"])


def test_sanctions_include_graded_bonus_deductions():
    pen = validate_policy(_pack().policy)["penalties"]
    (rule,) = pen.values()
    assert set(rule["triggers"]) == {"deadline.*", "banned_phrase", "forbidden_transfer",
                                     "spot_check_failed",   # the union's inspection
                                     "complaint_substantiated"}   # a complaint found true
    sanctions = rule["sanctions"]
    assert sanctions[0]["name"]["zh"] == "批评教育" and sanctions[0]["amount"] is None
    assert [s["amount"] for s in sanctions[1:]] == [500, 1000, 2000]
    assert all("不得评优" in s["name"]["zh"] for s in sanctions[1:])


def test_union_is_the_inspecting_department():
    doc = validate_policy(_pack().policy)
    union = next(d for d in doc["departments"] if d["code"] == "union")
    assert "登记簿" in union["duties"]["zh"]
    assert {r["key"]: r["permission"] for r in doc["roles"]}["union_inspector"] == "inspector"
    assert doc["assessment"]["supervisor"] == "union"
    assert doc["assessment"]["period"] == "year"
    assert sum(c["weight"] for c in doc["assessment"]["components"]) == 100


def test_chain_and_transfer():
    doc = validate_policy(_pack().policy)
    chain = doc["escalation"]["chain"]
    assert [lvl["role"] for lvl in chain] == ["dept_head", "deputy_president", "president"]
    perms = {r["key"]: r["permission"] for r in doc["roles"]}
    assert perms["dept_head"] == "dept_supervisor" and perms["president"] == "leader"
    t = doc["transfer"]
    assert t["receiver_may_pass_on"] is False and t["receiver_may_return"] is False
    assert t["wrong_transfer_coordinator"] == "office"
    codes = {d["code"] for d in doc["departments"]}
    assert {"counter", "personal_finance", "corporate", "credit", "operations",
            "risk_compliance", "office", "union"} <= codes


def test_deadlines_are_set_for_every_clock_the_bank_uses():
    d = validate_policy(_pack().policy)["deadlines"]
    assert d["transfer"]["default"] == {"amount": 1, "unit": "working_hours"}
    for kind in ("accept", "reply", "feedback", "callback", "final"):
        assert d[kind]["default"] is not None
    assert d["reply"]["@handover"]["unit"] == "working_days"


def test_wording_and_secrets_guidance():
    w = validate_policy(_pack().policy)["wording"]
    assert {"不知道", "不清楚", "不归我管"} <= set(w["banned_phrases"])
    assert {"请", "您好", "对不起", "谢谢", "再见"} <= set(w["courtesy_phrases"])
    for key in ("reply", "one_time_notice", "register_entry", "reply_guidance"):
        assert key in w["templates"]
    assert "首问登记簿" in w["templates"]["register_entry"]["zh"]
    guidance = w["templates"]["reply_guidance"]
    assert "商业秘密" in guidance["zh"] and "电话" in guidance["zh"]
    assert "secret" in guidance["en"] and "consent" in guidance["en"]
    for tpl in w["templates"].values():
        for lang in ("zh", "en"):
            assert not [p for p in w["banned_phrases"] if p in tpl[lang]]


def test_tenant_override_merges():
    doc = effective_policy(_pack().policy, {"deadlines": {"transfer": {
        "default": {"amount": 30, "unit": "minutes"}}}})
    assert doc["deadlines"]["transfer"]["default"] == {"amount": 30, "unit": "minutes"}
    assert doc["deadlines"]["reply"]["complaint"] == {"amount": 3, "unit": "working_days"}


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
    (lambda d: d["deadlines"]["final"].update(default={"amount": 10, "unit": "banking_days"}),
     ("deadlines", "final", "default", "unit"), "working_days"),
    (lambda d: d["deadlines"]["feedback"].update({"mortgage.urgent": None}),
     ("deadlines", "feedback", "mortgage.urgent"), "Unknown matter type 'mortgage'"),
    (lambda d: d["callback"].update(required_for=["loan"]),
     ("callback", "required_for"), "Unknown matter type 'loan'"),
])
def test_mutated_document_fails_with_field_message(mutate, path, words):
    doc = copy.deepcopy(_pack().policy)
    mutate(doc)
    with pytest.raises(ValidationError) as exc:
        validate_policy(doc)
    messages = _at(exc.value.messages, path)
    assert any(words in m for m in messages), messages
