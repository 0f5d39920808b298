"""Recording a complaint's handling on a real PostgreSQL: N = 20 recorders at once, one
winner, the rest 409, one finding kept (tests/pgconcurrency.py)."""
import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import N, ConcurrentApp, statuses

from core.contacts.models import Violation
from core.voice.complaint_models import Complaint

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")

HOTEL = "demo-hotel"


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_concurrency_complaints"))
    yield found
    found.close()


def test_twenty_recorders_of_one_complaint_one_wins(conc):
    desk, admin = conc.api(HOTEL, "security"), conc.api(HOTEL, "admin")
    recorders = [conc.api(HOTEL, "quality-lead"), conc.api(HOTEL, "inspector")]
    res = desk.post("/contacts", json={"channel": "phone", "matter_type": "complaint",
                                       "summary": "空调不制冷",
                                       "customer": {"name": "赵先生", "phone": "13800000000"}})
    ref = res.get_json()["ref"]
    complaint = admin.post(f"/contacts/{ref}/complaints",
                           json={"person": "security", "text": "态度生硬"}).get_json()
    assert complaint["department"] == "quality"
    path = f"/complaints/{complaint['id']}/handling"
    bodies = [{"finding": "substantiated", "reply": f"属实 {i}", "propose_violation": True}
              if i % 2 else {"finding": "not_substantiated", "reply": f"不属实 {i}"}
              for i in range(N)]
    responses = conc.together([
        (lambda i=i: recorders[i % 2].post(path, json=bodies[i])) for i in range(N)])
    assert statuses(responses) == {200: 1, 409: N - 1}
    (winner,) = [r.get_json() for r in responses if r.status_code == 200]
    proposed = conc.count(HOTEL, Violation, Violation.trigger == "complaint_substantiated")
    assert proposed == (1 if winner["finding"] == "substantiated" else 0)
    assert conc.count(HOTEL, Complaint, Complaint.id == complaint["id"],
                      Complaint.status == "handled", Complaint.finding == winner["finding"],
                      Complaint.reply == winner["reply"]) == 1
