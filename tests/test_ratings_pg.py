"""Ratings, rectifications and appeals raced on a real PostgreSQL (tests/pgconcurrency.py).

Decisions tested here (docs/progress.md): ratings of one contact submitted at once run one
after the other under the contact's lock; the first records the rating (201), each later one
is a clean change of it (200), so one row remains with every grade in the events.  A bad
rating raced: one records it and opens the one rectification; the rest find the
rectification open (409).  Appeals and their decisions: one winner, the rest 409.
"""
import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import N, ConcurrentApp, statuses
from sqlalchemy import select

from core.contacts.models import Contact, ContactEvent, Deadline
from core.voice.rating_models import CustomerRating, RatingAppeal, Rectification

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")

HOTEL = "demo-hotel"


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_ratings_concurrency"))
    yield found
    found.close()


@pytest.fixture(scope="module")
def hotel(conc):
    return {name: conc.api(HOTEL, name)
            for name in ("security", "front-office", "front-office-lead", "inspector")}


def _ok(res, status=200):
    assert res.status_code == status, res.get_json()
    return res.get_json()


def _closed(hotel):
    """A hotel complaint handed to the front office, answered, called back and closed."""
    security, front = hotel["security"], hotel["front-office"]
    c = _ok(security.post("/contacts", json={
        "channel": "phone", "matter_type": "complaint", "summary": "空调不制冷",
        "customer": {"name": "赵先生", "phone": "13800000000"}}), 201)
    ref = c["ref"]
    t = _ok(security.post(f"/contacts/{ref}/transfers", json={
        "to_department": "front_office", "mode": "handover", "opinion": "请处理"}), 201)
    _ok(front.post(f"/contacts/{ref}/transfers/{t['id']}/accept"))
    _ok(front.post(f"/contacts/{ref}/replies", json={"text": "您好，已为您处理，谢谢。"}), 201)
    _ok(front.post(f"/contacts/{ref}/feedback", json={"text": "已处理"}), 201)
    _ok(security.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 4}), 201)
    _ok(security.post(f"/contacts/{ref}/close", json={}))
    return ref, c["query_code"]


def _rate(conc, ref, code, grade):
    def call():
        return conc.app.test_client().post(f"/api/v1/public/{HOTEL}/progress/rating",
                                           json={"ref": ref, "code": code, "grade": grade})
    return call


def _contact_id(conc, ref):
    return conc.rows(HOTEL, select(Contact.id).where(Contact.ref == ref))[0][0]


def test_ratings_at_once_record_one_rating_and_change_it(conc, hotel):
    ref, code = _closed(hotel)
    grades = [3 + i % 3 for i in range(N)]                       # 3, 4, 5: none is bad
    responses = conc.together([_rate(conc, ref, code, g) for g in grades])
    assert statuses(responses) == {201: 1, 200: N - 1}, [r.get_json() for r in responses]
    cid = _contact_id(conc, ref)
    rows = conc.rows(HOTEL, select(CustomerRating.round, CustomerRating.changes,
                                   CustomerRating.grade).where(CustomerRating.contact_id == cid))
    assert len(rows) == 1 and rows[0][0] == 1 and rows[0][1] == N - 1
    events = conc.rows(HOTEL, select(ContactEvent.details).where(
        ContactEvent.contact_id == cid, ContactEvent.kind == "customer_rated")
        .order_by(ContactEvent.id))
    assert len(events) == N and events[-1][0]["grade"] == rows[0][2]
    # each change names the grade it replaced: the chain is unbroken
    chain = [e[0] for e in events]
    assert all(b["changed_from"] == a["grade"] for a, b in zip(chain, chain[1:]))


def test_bad_ratings_at_once_open_one_rectification(conc, hotel):
    ref, code = _closed(hotel)
    responses = conc.together([_rate(conc, ref, code, 1) for _ in range(N)])
    assert statuses(responses) == {201: 1, 409: N - 1}
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "rectification_open"}
    cid = _contact_id(conc, ref)
    assert conc.count(HOTEL, Rectification, Rectification.contact_id == cid) == 1
    assert conc.count(HOTEL, Deadline, Deadline.contact_id == cid,
                      Deadline.kind == "rectification") == 1


def test_appeals_and_decisions_at_once_have_one_winner(conc, hotel):
    ref, code = _closed(hotel)
    assert _rate(conc, ref, code, 2)().status_code == 201
    lead, inspector = hotel["front-office-lead"], hotel["inspector"]
    appeals = conc.together([lambda: lead.post(f"/contacts/{ref}/rating/appeal",
                                               json={"reason": "误评"}) for _ in range(N)])
    assert statuses(appeals) == {201: 1, 409: N - 1}
    outcomes = ["upheld" if i % 2 else "overturned" for i in range(N)]
    decisions = conc.together([
        (lambda o: lambda: inspector.post(f"/contacts/{ref}/rating/appeal/decision",
                                          json={"outcome": o, "reason": "复核"}))(o)
        for o in outcomes])
    assert statuses(decisions) == {200: 1, 409: N - 1}
    won = next(r for r in decisions if r.status_code == 200).get_json()
    cid = _contact_id(conc, ref)
    (status, rating_status), = conc.rows(HOTEL, select(RatingAppeal.status, CustomerRating.status)
                                         .join(CustomerRating,
                                               CustomerRating.id == RatingAppeal.rating_id)
                                         .where(RatingAppeal.contact_id == cid))
    assert status == won["ratings"][0]["appeal"]["status"]
    assert rating_status == ("overturned" if status == "overturned" else "counted")
    assert conc.count(HOTEL, ContactEvent, ContactEvent.contact_id == cid,
                      ContactEvent.kind == "rating_appeal_decided") == 1
