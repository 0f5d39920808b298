"""Banned phrases are refused, but a courteous sentence that contains one is not."""
import pytest
from conftest import register

from core.contacts import wording
from core.policy.plugins import manager

PACKS = ("hotel", "property", "government", "bank")


def _errors(pack_key, text):
    pack = manager().get(pack_key)
    findings = wording.lint(manager().hooks_for(pack_key), pack.policy, text)
    return [f.phrase for f in findings if f.level == "error"]


@pytest.mark.parametrize("pack_key", PACKS)
@pytest.mark.parametrize("text", ["如有不清楚的地方，请随时联系我们，谢谢！",
                                  "您好，不知道您对处理结果是否满意？",
                                  "若有不清楚之处，请致电我们。"])
def test_courteous_sentences_pass(pack_key, text):
    assert _errors(pack_key, text) == []


@pytest.mark.parametrize("pack_key", PACKS)
def test_the_banned_phrase_itself_is_still_refused(pack_key):
    assert _errors(pack_key, "这个我不清楚。") == ["不清楚"]
    # An allowed phrase elsewhere in the text does not excuse a banned one.
    assert "不知道" in _errors(pack_key, "如有不清楚的地方请问别人，我不知道。")


def test_reply_with_a_courteous_phrase_is_sent(login):
    front = login("demo-hotel", "front-office")
    c = register(front, own_duty=True)
    res = front.post(f"/contacts/{c['ref']}/replies",
                     json={"text": "您好，空调已修好。如有不清楚的地方，请随时联系前台，谢谢！"})
    assert res.status_code == 201, res.get_json()
    res = front.post(f"/contacts/{c['ref']}/replies", json={"text": "这个我不清楚"})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["code"] == "banned_phrase" and "不清楚" in error["message"]


@pytest.mark.parametrize("pack_key", PACKS)
@pytest.mark.parametrize("text", ["這個我不清楚。",            # traditional characters
                                  "这个我不 清 楚。",           # spaced out
                                  "这个我不-清-楚",             # filler symbols
                                  "这个我不\u200b清楚"])        # a zero-width space
def test_a_banned_phrase_is_refused_in_any_script_or_spacing(pack_key, text):
    assert _errors(pack_key, text) == ["不清楚"]


def test_phrases_listed_in_both_scripts_are_reported_once_and_latin_words_keep_their_spaces():
    # the property pack lists 不归我管 and 不歸我管 (seed 004 is in traditional characters)
    assert _errors("property", "这事不歸我們管") == ["不归我们管"]
    from core.policy import phrases
    screened = phrases.screen("I know a way to fix it", [])
    assert not phrases.contains(screened, "no way")
    assert phrases.contains(phrases.screen("ＮＯ ＷＡＹ", []), "no way")   # full-width letters
    # courteous wording in traditional characters is screened like the simplified one
    assert _errors("hotel", "如有不清楚的地方，請隨時聯繫我們。") == []
