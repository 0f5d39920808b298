"""One winner for the supervision steps, on a real PostgreSQL (issue 11, with issue 12's
harness): publishing one assessment run, running one period's assessment, adjusting a run
while it is published, recording one spot-check call, all N = 20 at once."""
import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import N, ConcurrentApp, statuses
from sqlalchemy import select

from core.notify.outbox import OutboxMessage
from core.supervision.assessment_models import AssessmentAdjustment, AssessmentRun
from core.supervision.spot_check_models import SpotCheckRecord

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")

HOTEL = "demo-hotel"
MARCH = {"period": "month", "at": "2027-03"}


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_concurrency_supervision"))
    yield found
    found.close()


@pytest.fixture(scope="module")
def people(conc):
    return {name: conc.api(HOTEL, name) for name in ("inspector", "admin", "security")}


def test_twenty_publications_of_one_run_send_one_notice(conc, people):
    run = people["inspector"].post("/assessments", json=MARCH).get_json()
    publishers = [people["inspector"], people["admin"]] * (N // 2)
    responses = conc.together([lambda u=u: u.post(f"/assessments/{run['id']}/publish")
                               for u in publishers])
    assert statuses(responses) == {200: 1, 409: N - 1}
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "run_published"}
    assert conc.count(HOTEL, OutboxMessage, OutboxMessage.topic == "assessment.published",
                      OutboxMessage.key == f"assessment:{run['id']}") == 1
    assert conc.count(HOTEL, AssessmentRun, AssessmentRun.status == "published") == 1


def test_twenty_runs_of_one_period_number_their_revisions_apart(conc, people):
    """Runs of one period are revisions: at once they either take the next number or lose
    cleanly (409), never a duplicate number or two live drafts."""
    period = {"period": "month", "at": "2027-04"}
    responses = conc.together([lambda: people["inspector"].post("/assessments", json=period)
                               for _ in range(N)])
    counts = statuses(responses)
    assert set(counts) <= {201, 409} and counts[201] >= 1
    rows = conc.rows(HOTEL, select(AssessmentRun.revision, AssessmentRun.status).where(
        AssessmentRun.period_key == "2027-04"))
    revisions = [r for r, _ in rows]
    assert len(revisions) == len(set(revisions)) == counts[201]
    assert [s for _, s in rows].count("draft") == 1


def test_adjusting_while_it_is_published_loses_cleanly(conc, people):
    run = people["inspector"].post("/assessments", json={"period": "month",
                                                         "at": "2027-05"}).get_json()
    adjust = {"department": "security", "score": 90, "reason": "复核"}
    calls = [lambda: people["admin"].post(f"/assessments/{run['id']}/publish")] + [
        lambda: people["inspector"].post(f"/assessments/{run['id']}/adjustments", json=adjust)
        for _ in range(N - 1)]
    responses = conc.together(calls)
    assert responses[0].status_code == 200
    won = [r for r in responses[1:] if r.status_code == 201]
    assert all(r.status_code in (201, 409) for r in responses[1:])
    # Every adjustment that answered 201 is on record and was made before publishing.
    assert conc.count(HOTEL, AssessmentAdjustment,
                      AssessmentAdjustment.run_id == run["id"]) == len(won)


def _closed_consultation(people):
    desk = people["security"]
    res = desk.post("/contacts", json={"channel": "phone", "matter_type": "consultation",
                                       "summary": "早餐几点开始",
                                       "customer": {"name": "赵先生", "phone": "13800000000"}})
    ref = res.get_json()["ref"]
    assert desk.post(f"/contacts/{ref}/handle").status_code == 200
    assert desk.post(f"/contacts/{ref}/replies", json={
        "text": "您好，早餐七点开始，谢谢您的耐心等待。"}).status_code == 201
    assert desk.post(f"/contacts/{ref}/close").status_code == 200
    return ref


def test_one_spot_check_call_recorded_twenty_times_at_once(conc, people):
    ref = _closed_consultation(people)
    draw = people["inspector"].post("/spot-checks", json={
        "departments": ["security"], "share": 1}).get_json()    # this month, all of them
    (item,) = [i for i in draw["items"] if i["ref"] == ref]
    body = {"reached": True, "satisfaction": 5, "handling_confirmed": True,
            "callback_confirmed": True}
    responses = conc.together([
        lambda: people["inspector"].post(
            f"/spot-checks/{draw['id']}/items/{item['id']}/record", json=body)
        for _ in range(N)])
    assert statuses(responses) == {201: 1, 409: N - 1}
    assert conc.count(HOTEL, SpotCheckRecord, SpotCheckRecord.item_id == item["id"]) == 1
