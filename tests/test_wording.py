"""Banned phrases are refused, but a courteous sentence that contains one is not."""
import pytest

from core import wording
from core.plugins import manager
from conftest import register

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
