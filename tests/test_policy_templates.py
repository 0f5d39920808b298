"""Policy templates are written by any tenant administrator: only declared ``{name}``
placeholders, refused at save with a message naming the unknown one; a version that still
holds such a template (saved before the check) shows the pack's default with a note."""
import copy

import pytest
from conftest import register
from sqlalchemy.orm.attributes import flag_modified

from core.contacts import wording
from core.contacts.models import Contact
from core.extensions import db
from core.policy import templating
from core.policy import versions as policies
from core.policy.plugins import manager
from core.tenancy.models import PolicyVersion
from core.tenancy.scoping import unscoped

HOSTILE = ["{customer.nope}", "{ref:>20000000}", "{ref.__class__.__mro__}", "{0}",
           "{ref!r}", "{ref[0]}", "{}"]


@pytest.mark.parametrize("placeholder", HOSTILE)
def test_an_undeclared_placeholder_is_refused_at_save_naming_it(login, placeholder):
    admin = login("demo-hotel", "admin")
    res = admin.patch("/policy", json={"wording": {"templates": {"one_time_notice": {
        "zh": "您好 {customer}，" + placeholder, "en": "Dear {customer}"}}}})
    assert res.status_code == 422, res.get_json()
    message = res.get_json()["error"]["fields"]["wording"]["templates"][
        "one_time_notice"]["zh"][0]
    assert message.startswith("Unknown placeholder {" + placeholder[1:-1][:40] + "}")
    assert "{customer}" in message                    # says what may be used instead
    assert [v["version"] for v in admin.get("/policy/versions").get_json()["items"]] == [1]


def test_declared_placeholders_and_literal_braces_are_saved(login):
    admin = login("demo-hotel", "admin")
    res = admin.patch("/policy", json={"wording": {"templates": {"one_time_notice": {
        "zh": "{customer}您好，{{编号}} {ref}，材料：{materials}", "en": "Dear {customer}"}}}})
    assert res.status_code == 200, res.get_json()


def test_every_pack_template_uses_only_declared_placeholders(app):
    for key in ("hotel", "property", "government", "bank"):
        for name, texts in manager().get(key).policy["wording"]["templates"].items():
            for lang, text in texts.items():
                assert templating.problems(name, text) == [], (key, name, lang)


def test_fill_never_reads_attributes_pads_or_grows_without_bound():
    values = {"ref": "HT-0001", "customer": "赵先生"}
    assert wording.fill("{ref.__class__.__mro__}|{ref:>20000000}|{ref}", **values) == \
        "______|______|HT-0001"
    assert wording.fill("{{ref}} {customer} {date}", **values) == "{ref} 赵先生 ______"
    assert wording.fill("a { b } c {", **values) == "a ______ c {"
    long = wording.fill("{customer}" * 5000, customer="长" * 100)
    assert len(long) <= templating.MAX_OUTPUT + 1


def _break_template(contact, key, text):
    """The contact's version holding ``text`` as template ``key``, as a version saved before
    the check would."""
    with unscoped():
        version = db.session.get(PolicyVersion, contact.policy_version_id)
        document = copy.deepcopy(version.document)
        document["wording"]["templates"][key] = {"zh": text, "en": text}
        version.document = document
        flag_modified(version, "document")
        db.session.commit()
    policies.clear_cache()


@pytest.mark.parametrize("bad", ["{customer.nope}", "{ref:>20000000}",
                                 "{ref.__class__.__mro__}"])
def test_a_saved_template_that_no_longer_renders_shows_the_default_with_a_note(
        login, web_login, frozen, bad):
    hotel = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(hotel)["ref"]
    with unscoped():
        contact = db.session.scalars(db.select(Contact).filter_by(ref=ref)).one()
    _break_template(contact, "one_time_notice", "告知 " + bad)
    _break_template(contact, "complaint_slip", "投诉处理单 " + bad + "\n编号:{ref}")
    me = web_login("demo-hotel", "security")
    for path, default_words in ((f"/contacts/{ref}/notice", "一次性告知单"),
                                (f"/contacts/{ref}/print/complaint_slip", "处理单")):
        res = me.get(path + "?lang=zh")
        html = res.get_data(as_text=True)
        assert res.status_code == 200
        assert 'id="template-replaced"' in html and default_words in html
        assert "__class__" not in html and "nope" not in html
        assert len(html) < 200_000
