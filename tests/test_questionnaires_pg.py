"""One answer per one-time link on a real PostgreSQL: the same link submitted by 10
browsers at once leaves exactly one answer; the rest are told 409 (already answered)."""
import re

import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import ConcurrentApp, Web, statuses

from core.voice.questionnaire_models import QuestionnaireAnswer, QuestionnaireLink

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")

PROPERTY = "demo-property"
THREADS = 10


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_concurrency_questionnaires"))
    yield found
    found.close()


def _public(conc, path):
    client = conc.app.test_client()
    page = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return Web(conc.app, PROPERTY, {c.key: c.value for c in client._cookies.values()}, csrf)


def test_ten_submits_of_one_link_record_one_answer(conc):
    admin = conc.api(PROPERTY, "admin")
    q = admin.post("/questionnaires", json={
        "title": "首问责任制实施调查问卷", "audience": "staff", "questions": ["是否了解？"],
        "scale_min": 0, "scale_max": 10, "departments": ["engineering"],
        "groups": ["team_leaders"]})
    assert q.status_code == 201, q.get_json()
    res = admin.post(f"/questionnaires/{q.get_json()['id']}/rounds", json={"period": "month"})
    assert res.status_code == 201, res.get_json()
    (link,) = res.get_json()["links"]
    token = link["url"].rsplit("/q/", 1)[1]
    browser = _public(conc, f"/t/{PROPERTY}/q/{token}")
    responses = conc.together([lambda v=v: browser.post(f"/q/{token}", data={"q0": str(v)})
                               for v in range(THREADS)])
    assert statuses(responses) == {200: 1, 409: THREADS - 1}
    assert conc.count(PROPERTY, QuestionnaireAnswer) == 1
    assert conc.count(PROPERTY, QuestionnaireLink, QuestionnaireLink.used_at.is_not(None)) == 1
