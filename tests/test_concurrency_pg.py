"""One winner under concurrency, on a real PostgreSQL (issue 12, items 1-2).

Each test sets a contact (or link, token, violation, policy) up with committed requests,
then sends N = 20 identical conflicting requests released together by a barrier
(``tests/pgconcurrency.py``), and checks who won and what was written: exactly one winner
and 409 with the current state for the rest, and the rows, open clocks and outbox messages
of exactly one step.  Steps that may rightly be taken again (a reply, a feedback, an
escalation one level further) are checked for what serialisation promises instead: each
success recorded once, no clock started twice.  SQLite serialises writers anyway, so these
run on PostgreSQL only.
"""
import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import N, ConcurrentApp, statuses
from sqlalchemy import select

from core.contacts.models import (
    Callback,
    Contact,
    ContactEvent,
    Coordination,
    Deadline,
    Referral,
    Reply,
    Transfer,
    Violation,
)
from core.notify.outbox import OutboxMessage
from core.tenancy.models import ApiToken, PolicyVersion, SpecialDay, Staff

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")

HOTEL = "demo-hotel"
TEXT = "您好，已为您处理完毕，谢谢您的耐心等待。"


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_concurrency"))
    yield found
    found.close()


@pytest.fixture(scope="module")
def hotel(conc):
    """The hotel's people, each with a token."""
    return {name: conc.api(HOTEL, name)
            for name in ("security", "front-office", "housekeeping", "admin", "inspector")}


def _ok(res, status=200):
    assert res.status_code == status, res.get_json()
    return res.get_json()


def _registered(hotel, **fields):
    body = {"channel": "phone", "matter_type": "complaint", "summary": "空调不制冷",
            "customer": {"name": "赵先生", "phone": "13800000000"}, **fields}
    return _ok(hotel["security"].post("/contacts", json=body), 201)


def _transferred(hotel):
    c = _registered(hotel)
    t = _ok(hotel["security"].post(f"/contacts/{c['ref']}/transfers",
                                   json={"to_department": "front_office", "mode": "handover"}),
            201)
    return c, t


def _accepted(hotel):
    c, t = _transferred(hotel)
    _ok(hotel["front-office"].post(f"/contacts/{c['ref']}/transfers/{t['id']}/accept"))
    return c


class Scene:
    """Counts of what one contact has, before and after the race."""

    def __init__(self, conc, ref):
        self.conc, self.ref = conc, ref
        self.id = conc.rows(HOTEL, select(Contact.id).where(Contact.ref == ref))[0][0]
        self.before = self.counts()

    def counts(self):
        def n(model, *where):
            return self.conc.count(HOTEL, model, model.contact_id == self.id, *where)
        return {"transfers": n(Transfer), "pending": n(Transfer, Transfer.status == "pending"),
                "open_clocks": n(Deadline, Deadline.status == "open"),
                "clocks": n(Deadline), "events": n(ContactEvent),
                "outbox": n(OutboxMessage), "replies": n(Reply), "callbacks": n(Callback),
                "coordinations": n(Coordination), "referrals": n(Referral)}

    def delta(self):
        after = self.counts()
        return {k: after[k] - self.before[k] for k in after if after[k] != self.before[k]}

    def open_kinds(self):
        return sorted(k for (k,) in self.conc.rows(HOTEL, select(Deadline.kind).where(
            Deadline.contact_id == self.id, Deadline.status == "open")))


def _race(conc, user, path, body=None):
    return conc.together([lambda: user.post(path, json=body) for _ in range(N)])


def _one_winner(responses, status=200):
    assert statuses(responses) == {status: 1, 409: N - 1}, \
        [(r.status_code, r.get_json()) for r in responses if r.status_code not in (status, 409)]
    winner = next(r for r in responses if r.status_code == status)
    for r in responses:
        if r.status_code == 409:
            assert "state" in r.get_json()["error"], r.get_json()
    return winner.get_json()


# -- the lifecycle steps ----------------------------------------------------------------------

def test_twenty_handovers_make_one_transfer(conc, hotel):
    c = _registered(hotel)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["security"], f"/contacts/{c['ref']}/transfers",
                            {"to_department": "front_office", "mode": "handover"}), 201)
    assert won["status"] == "pending"
    losers = [r.get_json()["error"] for r in _race(conc, hotel["security"],
                                                   f"/contacts/{c['ref']}/transfers",
                                                   {"to_department": "housekeeping",
                                                    "mode": "handover"})]
    assert {e["state"] for e in losers} == {"transferred"}   # afterwards too: 409, not 403
    # one transfer; its accept, reply and feedback clocks started once; one event, one message
    assert scene.delta() == {"transfers": 1, "pending": 1, "clocks": 3, "open_clocks": 2,
                             "events": 1, "outbox": 1}
    assert scene.open_kinds().count("accept") == 1


def test_twenty_accepts_sign_once(conc, hotel):
    c, t = _transferred(hotel)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["front-office"],
                            f"/contacts/{c['ref']}/transfers/{t['id']}/accept"))
    assert won["state"] == "handling"
    assert scene.delta() == {"pending": -1, "open_clocks": -1, "events": 1, "outbox": 1}


def test_twenty_handle_it_myself_once(conc, hotel):
    c = _registered(hotel)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["security"], f"/contacts/{c['ref']}/handle"))
    assert won["state"] == "handling"
    # the transfer clock cancelled, one reply clock started
    assert scene.delta() == {"clocks": 1, "events": 1, "outbox": 1}
    assert scene.open_kinds().count("reply") == 1


def test_twenty_coordinations_open_one(conc, hotel):
    c = _accepted(hotel)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["front-office"], f"/contacts/{c['ref']}/coordination",
                            {"lead_department": "front_office",
                             "departments": ["housekeeping"], "reason": "涉及两个部门"}), 201)
    assert won["state"] == "coordinating"
    assert scene.delta()["coordinations"] == 1
    assert scene.delta()["events"] == scene.delta()["outbox"] == 1
    kinds = scene.open_kinds()
    assert all(kinds.count(k) == 1 for k in ("reply", "feedback"))


def test_twenty_agreements_recorded_once(conc, hotel):
    c = _accepted(hotel)
    _ok(hotel["front-office"].post(f"/contacts/{c['ref']}/coordination", json={
        "lead_department": "front_office", "departments": ["housekeeping"], "reason": "两部门"}),
        201)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["front-office"],
                            f"/contacts/{c['ref']}/coordination/agree"))
    assert won["state"] == "handling"
    assert scene.delta() == {"events": 1, "outbox": 1}


def test_twenty_referrals_refer_once(conc, hotel):
    c = _registered(hotel)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["security"], f"/contacts/{c['ref']}/referral",
                            {"body": "市市场监督管理局", "phone": "12315"}), 201)
    assert won["state"] == "referred"
    delta = scene.delta()
    assert delta["referrals"] == delta["events"] == delta["outbox"] == 1


def test_twenty_closings_close_once(conc, hotel):
    c = _registered(hotel, matter_type="consultation")
    _ok(hotel["security"].post(f"/contacts/{c['ref']}/handle"))
    _ok(hotel["security"].post(f"/contacts/{c['ref']}/replies", json={"text": TEXT}), 201)
    scene = Scene(conc, c["ref"])
    won = _one_winner(_race(conc, hotel["security"], f"/contacts/{c['ref']}/close"))
    assert won["state"] == "closed"
    assert scene.delta()["events"] == scene.delta()["outbox"] == 1
    assert scene.open_kinds() == []


def test_twenty_callbacks_after_feedback(conc, hotel):
    """Feedback, then callback: each raced; whatever wins, one clock each, no duplicate."""
    c = _accepted(hotel)
    ref = c["ref"]
    _ok(hotel["front-office"].post(f"/contacts/{ref}/replies", json={"text": TEXT}), 201)
    scene = Scene(conc, ref)
    feedback = _race(conc, hotel["front-office"], f"/contacts/{ref}/feedback", {"text": TEXT})
    assert set(statuses(feedback)) <= {201, 409} and statuses(feedback)[201] >= 1
    assert scene.open_kinds().count("callback") == 1
    scene = Scene(conc, ref)
    callbacks = _race(conc, hotel["security"], f"/contacts/{ref}/callbacks",
                      {"satisfaction": 5})
    won = statuses(callbacks)[201]
    assert set(statuses(callbacks)) <= {201, 409} and won >= 1
    delta = scene.delta()
    assert delta["callbacks"] == won and delta["events"] == delta["outbox"] == won
    assert "callback" not in scene.open_kinds()


def test_twenty_replies_are_each_recorded_once(conc, hotel):
    """Replies do not conflict (a department may answer twice): all are taken, one after
    the other, and the reply clock is met once."""
    c = _accepted(hotel)
    scene = Scene(conc, c["ref"])
    responses = _race(conc, hotel["front-office"], f"/contacts/{c['ref']}/replies",
                      {"text": TEXT})
    assert statuses(responses) == {201: N}
    delta = scene.delta()
    assert delta["replies"] == delta["events"] == delta["outbox"] == N
    assert delta["open_clocks"] == -1           # the reply clock, met once
    assert scene.open_kinds().count("reply") == 0


def test_twenty_escalations_climb_each_level_once(conc, hotel):
    c = _accepted(hotel)
    scene = Scene(conc, c["ref"])
    responses = _race(conc, hotel["front-office"], f"/contacts/{c['ref']}/escalations",
                      {"reason": "客人要求见经理", "decision_needed": False})
    won = statuses(responses)[201]
    assert set(statuses(responses)) <= {201, 409} and 1 <= won <= 3   # the hotel's chain: 3
    levels = [r.get_json()["escalation_level"] for r in responses if r.status_code == 201]
    assert sorted(levels) == list(range(1, won + 1))
    assert scene.open_kinds().count("escalation") == 1


def test_twenty_decisions_recorded_once(conc, hotel):
    c = _accepted(hotel)
    _ok(hotel["front-office"].post(f"/contacts/{c['ref']}/escalations",
                                   json={"reason": "请示", "decision_needed": True}), 201)
    scene = Scene(conc, c["ref"])
    _one_winner(_race(conc, hotel["admin"], f"/contacts/{c['ref']}/decision", {"text": TEXT}))
    assert scene.delta()["events"] == scene.delta()["outbox"] == 1
    assert scene.open_kinds().count("reply") == 1


# -- violation decisions, policy versions ---------------------------------------------------

def test_two_supervisors_deciding_one_violation(conc, hotel):
    c = _accepted(hotel)
    res = hotel["front-office"].post(f"/contacts/{c['ref']}/replies", json={"text": "这不是我的事"})
    assert res.status_code == 422
    (vid,) = [v for (v,) in conc.rows(HOTEL, select(Violation.id).where(
        Violation.contact_id == Scene(conc, c["ref"]).id))]
    body = {"decision": "confirm", "reason": "录音为证"}
    responses = conc.together(
        [lambda u=u: u.post(f"/violations/{vid}/decision", json=body)
         for u in [hotel["admin"], hotel["inspector"]] * (N // 2)])
    assert statuses(responses) == {200: 1, 409: N - 1}
    assert {r.get_json()["error"]["current_status"] for r in responses if r.status_code == 409} \
        == {"confirmed"}
    ((decided_by,),) = conc.rows(HOTEL, select(Violation.decided_by_id).where(
        Violation.id == vid))
    assert decided_by is not None


def test_twenty_policy_saves_make_twenty_versions_and_lose_nothing(conc):
    """Saves are serialised per tenant: each merges onto its predecessor's result, so no
    duplicate number (it was 500) and no change lost."""
    admin = conc.api("demo-property", "admin")
    before = conc.count("demo-property", PolicyVersion)
    kinds = ("transfer", "accept", "reply", "feedback")
    amounts = {(k, i): 30 + i for i in range(5) for k in kinds}
    responses = conc.together([
        lambda k=k, i=i: admin.call("PATCH", "/policy", json={
            "deadlines": {k: {"default": {"amount": 30 + i, "unit": "minutes"}}}})
        for (k, i) in amounts])
    assert statuses(responses) == {200: N}
    numbers = sorted(r.get_json()["version"] for r in responses)
    assert numbers == list(range(before + 1, before + N + 1))
    last = max(responses, key=lambda r: r.get_json()["version"]).get_json()
    for k in kinds:                       # each kind's last writer wins; none is dropped
        assert last["overrides"]["deadlines"][k]["default"]["unit"] == "minutes"


# -- the web: one-time links, tokens, calendar -------------------------------------------------

def _link(conc, admin_web, username):
    with conc.app.app_context():
        from core.extensions import db
        from core.tenancy.scoping import tenant_scope
        with tenant_scope(conc.tenant_id(HOTEL)):
            staff_id = db.session.scalar(select(Staff.id).where(Staff.username == username))
    res = admin_web.post(f"/admin/staff/{staff_id}/password-link")
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    import re
    return re.search(r"/t/demo-hotel/password/[A-Za-z0-9_\-]+",
                     res.get_data(as_text=True)).group(0), staff_id


def test_a_set_password_link_redeemed_at_once_works_once(conc):
    admin = conc.web(HOTEL, "admin")
    url, staff_id = _link(conc, admin, "sales")
    import re
    clients = [conc.app.test_client() for _ in range(N)]
    tokens_ = [re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                         c.get(url).get_data(as_text=True)).group(1) for c in clients]
    responses = conc.together([
        lambda c=c, t=t, i=i: c.post(url, data={"csrf_token": t,
                                                "password": f"Quiet-harbour-{i:02d}-lamp",
                                                "password_confirm": f"Quiet-harbour-{i:02d}-lamp"})
        for i, (c, t) in enumerate(zip(clients, tokens_))])
    found = statuses(responses)
    # the losers: 409 when they found the link live and lost the claim, 404 when it was
    # spent before they looked
    assert found[302] == 1 and found[409] + found[404] == N - 1, found
    from core.tenancy.password_links import PasswordLink
    assert conc.count(HOTEL, PasswordLink, PasswordLink.staff_id == staff_id,
                      PasswordLink.used_at.is_(None)) == 0


def test_twenty_link_issues_leave_one_live_link(conc):
    from core.tenancy.password_links import PasswordLink
    admin = conc.web(HOTEL, "admin")
    _url, staff_id = _link(conc, admin, "finance")
    responses = conc.together([lambda: admin.post(f"/admin/staff/{staff_id}/password-link")
                               for _ in range(N)])
    assert statuses(responses) == {200: N}
    assert conc.count(HOTEL, PasswordLink, PasswordLink.staff_id == staff_id,
                      PasswordLink.used_at.is_(None)) == 1


def test_a_token_revoked_twenty_times_at_once(conc, hotel):
    admin = conc.web(HOTEL, "admin")
    ((token_id,),) = conc.rows(HOTEL, select(ApiToken.id).where(
        ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc()).limit(1))
    responses = conc.together([lambda: admin.post(f"/tokens/{token_id}/revoke")
                               for _ in range(N)])
    assert statuses(responses) == {302: 1, 409: N - 1}


def test_twenty_calendar_saves_of_one_day(conc):
    admin = conc.web("demo-government", "admin")
    responses = conc.together([
        lambda i=i: admin.post("/admin/calendar/days", data={
            "day": "2026-12-24", "working": "false", "note": f"闭馆{i}"}) for i in range(N)])
    assert statuses(responses) == {302: N}          # serialised: each replaces the last
    assert conc.count("demo-government", SpecialDay,
                      SpecialDay.day == __import__("datetime").date(2026, 12, 24)) == 1
    ((day_id,),) = conc.rows("demo-government", select(SpecialDay.id).where(
        SpecialDay.day == __import__("datetime").date(2026, 12, 24)))
    removed = conc.together([lambda: admin.post(f"/admin/calendar/days/{day_id}/delete")
                             for _ in range(N)])
    assert statuses(removed) == {302: 1, 404: N - 1}
