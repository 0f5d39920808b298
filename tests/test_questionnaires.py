"""Questionnaires (issue 13 item 5): an administrator defines one, a round sends one-time
links, the answers score departments 40/40/20 by role group (property, seed 000 Vanke) and
feed the period's assessment.

The hand-computed story (March 2027, scale 0-10, so a point is 10 of 100): Engineering's
customer supervisors answer [8, 8] -> 80 and [9, 7] -> 80 (mean 80), its other managers
[7, 7] -> 70, its team leader [9, 9] -> 90: 0.4 × 80 + 0.4 × 70 + 0.2 × 90 = 78.00.
"""
import re

from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from core.voice.questionnaire_models import QuestionnaireAnswer, QuestionnaireLink
from tenants.provisioning import add_staff

MARCH = {"period": "month", "at": "2027-03"}
VANKE = {"title": "首问责任制实施调查问卷", "audience": "staff",
         "questions": ["是否了解首问责任制？", "是否按首问责任制处理？"],
         "scale_min": 0, "scale_max": 10, "low_label": "完全不", "high_label": "完全",
         "comment_question": "其他意见", "departments": ["engineering", "security"],
         "groups": ["customer_supervisors", "other_managers", "team_leaders"]}
ANSWERS = {"eng-cs1": [8, 8], "eng-cs2": [9, 7], "eng-sup": [7, 7], "engineering-lead": [9, 9]}


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _staff_of_engineering():
    tenant = _tenant("demo-property")
    add_staff(tenant, "eng-cs1", "客户主管甲", "pw-123456789", "engineering", title="cr_supervisor")
    add_staff(tenant, "eng-cs2", "品质联络员乙", "pw-123456789", "engineering", title="quality")
    add_staff(tenant, "eng-sup", "业务主管丙", "pw-123456789", "engineering", title="supervisor")


def _token(url):
    return url.rsplit("/q/", 1)[1]


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _answer(client, token, values, **extra):
    path = f"/t/demo-property/q/{token}"
    data = {f"q{i}": str(v) for i, v in enumerate(values)}
    return client.post(path, data={**data, "csrf_token": _csrf(client, path), **extra})


def _round(login, frozen):
    _staff_of_engineering()
    admin = login("demo-property", "admin")
    q = admin.post("/questionnaires", json=VANKE)
    assert q.status_code == 201, q.get_json()
    with frozen("2027-03-28T09:00:00+08:00"):
        res = admin.post(f"/questionnaires/{q.get_json()['id']}/rounds", json=MARCH)
    assert res.status_code == 201, res.get_json()
    links = {link["staff"]: link for link in res.get_json()["links"]}
    return admin, q.get_json()["id"], links


def test_a_round_scores_a_department_40_40_20_and_the_assessment_uses_it(
        app, login, frozen, client):
    admin, qid, links = _round(login, frozen)
    # who rates whom: each group of the department's own staff, about its own department
    assert {k: v["group"] for k, v in links.items() if k.startswith(("eng", "engineering"))} == {
        "eng-cs1": "customer_supervisors", "eng-cs2": "customer_supervisors",
        "eng-sup": "other_managers", "engineering-lead": "team_leaders"}
    assert "engineering" not in links          # an operator is in no group
    with frozen("2027-03-30T10:00:00+08:00"):
        for username, values in ANSWERS.items():
            res = _answer(client, _token(links[username]["url"]), values)
            assert res.status_code == 200 and "Thank" in res.get_data(as_text=True) or \
                "谢谢" in res.get_data(as_text=True)
    scores = admin.get(f"/questionnaires/{qid}/scores?period=month&at=2027-03").get_json()
    engineering = next(d for d in scores["departments"] if d["department"] == "engineering")
    assert {k: g["mean"] for k, g in engineering["groups"].items()} == {
        "customer_supervisors": 80.0, "other_managers": 70.0, "team_leaders": 90.0}
    assert engineering["score"] == 78.0
    # the property pack's assessment computes its questionnaire components from the answers
    qi = login("demo-property", "inspector")
    with frozen("2027-04-02T09:00:00+08:00"):
        run = qi.post("/assessments", json=MARCH)
    assert run.status_code == 201, run.get_json()
    row = next(r for r in run.get_json()["rows"] if r["department"] == "engineering")
    assert row["score"] == 78.0
    assert [(c["key"], c["value"]) for c in row["components"]] == [
        ("customer_supervisors", 80.0), ("other_managers", 70.0), ("team_leaders", 90.0)]
    # a later answer (another round) does not move the frozen run
    with frozen("2027-03-28T09:00:00+08:00"):
        again = admin.post(f"/questionnaires/{qid}/rounds", json=MARCH).get_json()
    late = next(link for link in again["links"] if link["staff"] == "eng-sup")
    assert _answer(client, _token(late["url"]), [0, 0]).status_code == 200
    shown = qi.get(f"/assessments/{run.get_json()['id']}").get_json()
    assert next(r for r in shown["rows"] if r["department"] == "engineering")["score"] == 78.0


def test_a_link_answers_once_and_opening_it_records_nothing(app, login, frozen, client):
    _admin, qid, links = _round(login, frozen)
    token = _token(links["eng-sup"]["url"])
    for _ in range(3):
        page = client.get(f"/t/demo-property/q/{token}")
        assert page.status_code == 200 and 'name="q0"' in page.get_data(as_text=True)
    with tenant_scope(_tenant("demo-property").id):
        assert db.session.scalar(select(db.func.count()).select_from(QuestionnaireAnswer)) == 0
    with frozen("2027-03-29T10:00:00+08:00"):
        assert _answer(client, token, [7, 7]).status_code == 200
        second = _answer(client, token, [10, 10])
    assert second.status_code == 409
    assert "already been answered" in client.get(
        f"/t/demo-property/q/{token}?lang=en").get_data(as_text=True)
    with tenant_scope(_tenant("demo-property").id):
        assert db.session.scalars(select(QuestionnaireAnswer.values)).all() == [[7, 7]]
        digests = db.session.scalars(select(QuestionnaireLink.digest)).all()
    assert token not in digests and len(digests[0]) == 64      # only the hash is kept


def test_an_expired_or_unknown_link_is_refused_with_a_page(app, login, frozen, client):
    _admin, _qid, links = _round(login, frozen)
    token = _token(links["eng-sup"]["url"])
    with frozen("2027-04-20T10:00:00+08:00"):            # the round's links last 14 days
        page = client.get(f"/t/demo-property/q/{token}?lang=en")
        assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
        assert _answer(client, token, [5, 5]).status_code == 410
    zh = client.get("/t/demo-property/q/nonsense?lang=zh")
    assert zh.status_code == 404 and "此问卷链接无效" in zh.get_data(as_text=True)
    # the same token means nothing in another tenant
    assert client.get(f"/t/demo-hotel/q/{token}").status_code == 404


def test_the_public_page_in_both_languages_shows_no_staff_name(app, login, frozen, client):
    _admin, _qid, links = _round(login, frozen)
    token = _token(links["eng-cs1"]["url"])
    en = client.get(f"/t/demo-property/q/{token}?lang=en").get_data(as_text=True)
    assert "Send my answer" in en and "Engineering &amp; Repairs" in en
    zh = client.get(f"/t/demo-property/q/{token}?lang=zh").get_data(as_text=True)
    assert "提交我的回答" in zh and "工程维修部" in zh
    assert "客户主管甲" not in en + zh
    missing = _answer(client, token, [8])                   # one question left out
    assert missing.status_code == 422 and 'id="err-q1"' in missing.get_data(as_text=True)
    odd = _answer(client, token, [8, 11])                    # off the scale
    assert odd.status_code == 422 and 'id="err-q1"' in odd.get_data(as_text=True)
    no_csrf = client.post(f"/t/demo-property/q/{token}", data={"q0": "8", "q1": "8"})
    assert no_csrf.status_code == 400


def test_bad_input_is_refused_by_field_and_a_frozen_questionnaire_cannot_change(
        app, login, frozen, client):
    admin = login("demo-property", "admin")
    bad = admin.post("/questionnaires", json={**VANKE, "questions": [], "scale_min": "x",
                                              "audience": "everyone"})
    assert bad.status_code == 422
    assert {"questions", "scale_min", "audience"} <= set(bad.get_json()["error"]["fields"])
    upside = admin.post("/questionnaires", json={**VANKE, "scale_min": 5, "scale_max": 3})
    assert upside.status_code == 422 and "scale_max" in upside.get_json()["error"]["fields"]
    unknown = admin.post("/questionnaires", json={**VANKE, "departments": ["nowhere"],
                                                  "groups": ["cooks"]})
    assert unknown.status_code == 422
    assert admin._call("POST", "/questionnaires", data="{",
                       content_type="application/json").status_code == 400
    assert login("demo-property", "engineering").post("/questionnaires",
                                                       json=VANKE).status_code == 403
    _admin, qid, links = _round(login, frozen)
    assert admin._call("PUT", f"/questionnaires/{qid}",
                       json={**VANKE, "title": "改过"}).status_code == 200
    with frozen("2027-03-29T10:00:00+08:00"):
        _answer(client, _token(links["eng-sup"]["url"]), [7, 7])
    frozen_change = admin._call("PUT", f"/questionnaires/{qid}",
                                json={**VANKE, "title": "改过", "questions": ["新问题"]})
    assert frozen_change.status_code == 409
    assert admin.get(f"/questionnaires/{qid}").get_json()["frozen"] is True
    off = admin._call("PUT", f"/questionnaires/{qid}",
                      json={**VANKE, "title": "改过", "active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False


def test_another_tenants_questionnaire_is_404(app, login):
    admin = login("demo-property", "admin")
    qid = admin.post("/questionnaires", json=VANKE).get_json()["id"]
    other = login("demo-hotel", "admin")
    assert other.get(f"/questionnaires/{qid}").status_code == 404
    assert other.post(f"/questionnaires/{qid}/rounds", json=MARCH).status_code == 404
    assert other.get(f"/questionnaires/{qid}/scores").status_code == 404


def test_other_packs_score_with_the_product_default_one_group(app, login, frozen, client):
    """A hotel residents' questionnaire (scale 1-5): one group, 100 %; answered [5, 4] ->
    (100 + 75) / 2 = 87.50 for the department that handled the closed matter."""
    from test_questionnaires_support import closed_hotel_contact
    ref = closed_hotel_contact(login, frozen)
    admin = login("demo-hotel", "admin")
    q = admin.post("/questionnaires", json={
        "title": "住客满意度", "audience": "customers", "questions": ["处理速度", "服务态度"],
        "departments": ["front_office", "housekeeping", "security", "engineering"],
        "groups": ["respondents"]}).get_json()
    assert q.get("id"), q
    with frozen("2027-03-30T10:00:00+08:00"):
        sent = admin.post(f"/questionnaires/{q['id']}/links", json={"ref": ref})
        assert sent.status_code == 201, sent.get_json()
        res = client.post(f"/t/demo-hotel/q/{_token(sent.get_json()['url'])}", data={
            "q0": "5", "q1": "4", "csrf_token": _csrf(client, "/t/demo-hotel/login")})
        assert res.status_code == 200
    scores = admin.get(f"/questionnaires/{q['id']}/scores?period=month&at=2027-03").get_json()
    assert [(d["score"], d["groups"]["respondents"]["answers"])
            for d in scores["departments"]] == [(87.5, 1)]


def test_the_periodic_job_mails_a_link_once_after_closure(app, login, frozen):
    """A hotel matter closed with the customer's e-mail: the after-closure job makes one
    link (and e-mail) for the residents' questionnaire of Security; running again adds none."""
    from test_questionnaires_support import closed_hotel_contact

    from core import jobs
    from core.contacts.models import Contact
    from core.notify.mail import OutgoingEmail
    ref = closed_hotel_contact(login, frozen)
    admin = login("demo-hotel", "admin")
    assert admin.post("/questionnaires", json={
        "title": "住客满意度", "audience": "customers", "questions": ["服务态度"],
        "departments": ["security"], "groups": ["respondents"]}).status_code == 201
    hotel = _tenant("demo-hotel")
    with frozen("2027-03-29T12:00:00+08:00"):
        jobs.perform("core.voice.questionnaires.after_close_tenant", hotel.id)
        jobs.perform("core.voice.questionnaires.after_close_tenant", hotel.id)
    with tenant_scope(hotel.id):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        links = db.session.scalars(select(QuestionnaireLink).where(
            QuestionnaireLink.contact_id == contact.id)).all()
        mails = db.session.scalars(select(OutgoingEmail).where(
            OutgoingEmail.to_addr == "zhao@example.com")).all()
    assert len(links) == 1 and links[0].group_key == "respondents"
    assert len(mails) == 1 and "/t/demo-hotel/q/" in mails[0].body


def test_the_menu_offers_questionnaires_to_those_who_may_see_them(web_login):
    admin = web_login("demo-property", "admin").client.get("/t/demo-property/")
    assert 'id="nav-questionnaires"' in admin.get_data(as_text=True)
    staff = web_login("demo-property", "security").client.get("/t/demo-property/")
    assert staff.status_code == 200
    assert 'id="nav-questionnaires"' not in staff.get_data(as_text=True)
