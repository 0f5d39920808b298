"""Jobs, the outbox, the sweep and escalation chain, reminders and the daily digest.

Jobs run "eager" here (conftest): synchronously right after the commit that enqueued them.
``rq_jobs`` switches a test to real RQ queues on fakeredis drained by a burst SimpleWorker.
"""
import jobprobe
import pytest
from conftest import deadline, register
from sqlalchemy import select

from core import clock, jobs
from core.contacts.models import ContactEvent, Escalation, Violation
from core.extensions import db
from core.notify.outbox import OutboxMessage
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

T0 = "2026-11-02T10:00:00+08:00"       # a Monday


def tenant_id(slug):
    with unscoped():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def outbox_rows(slug, topic=None):
    with tenant_scope(tenant_id(slug)):
        query = (select(OutboxMessage).order_by(OutboxMessage.id)
                 .execution_options(populate_existing=True))   # jobs ran in other sessions
        if topic:
            query = query.where(OutboxMessage.topic == topic)
        return db.session.scalars(query).all()


def staff_id(slug, username):
    with tenant_scope(tenant_id(slug)):
        return db.session.scalar(select(Staff.id).where(Staff.username == username))


def run(name, frozen, at):
    """Run a periodic job (and everything it enqueues) at ``at``."""
    with frozen(at):
        jobs.enqueue(name, None, now=True)


@pytest.fixture
def probe(app):
    app.config["SHOUWEN_OUTBOX_CONSUMERS"] = "jobprobe.consume"
    jobprobe.SEEN.clear()
    yield jobprobe.SEEN
    app.config["SHOUWEN_OUTBOX_CONSUMERS"] = None


@pytest.fixture
def rq_jobs(app):
    """The redis path (real RQ queues) on fakeredis; ``drain()`` runs them with a burst
    SimpleWorker.  fakeredis is a test dependency only: production without Redis uses the
    embedded runner (core.jobs.embedded, tests/test_jobs_embedded.py)."""
    import fakeredis
    from rq import SimpleWorker
    app.config.update(SHOUWEN_JOBS="redis", SHOUWEN_REDIS_URL="redis://fakeredis/0")
    app.extensions["shouwen_redis"] = fakeredis.FakeRedis(server=fakeredis.FakeServer())

    def drain():
        conn = jobs.connection(app)
        worker = SimpleWorker([jobs.queue(q, app) for q in jobs.QUEUES], connection=conn)
        worker.work(burst=True)
    try:
        yield drain
    finally:
        app.config.update(SHOUWEN_JOBS="eager", SHOUWEN_REDIS_URL=None)
        app.extensions.pop("shouwen_redis", None)


# --- the outbox ------------------------------------------------------------------------------

def test_registration_writes_its_outbox_message_with_the_final_ref(login, frozen, probe):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    [row] = outbox_rows("demo-hotel", "contact.registered")
    assert row.payload["ref"] == c["ref"] and not row.payload["ref"].startswith("~")
    assert row.payload["kind"] == "registered" and row.payload["event_id"]
    assert row.payload["actor_id"] == staff_id("demo-hotel", "security")
    # relayed right after the commit: the consumer saw it and marked it
    assert ("contact.registered" in [topic for _, _, topic in probe])
    assert row.relayed_at is not None


def test_refused_registration_leaves_no_message(login, frozen, probe):
    security = login("demo-hotel", "security")
    with frozen(T0):
        res = security.post("/contacts", json={"channel": "fax", "matter_type": "complaint",
                                               "summary": "x", "customer": {"name": "a"}})
    assert res.status_code in (400, 422)
    assert outbox_rows("demo-hotel") == [] and probe == []


def test_every_lifecycle_event_is_a_message(login, frozen, probe):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        security.post(f"/contacts/{c['ref']}/transfers", json={"to_department": "front_office"})
    topics = [r.topic for r in outbox_rows("demo-hotel")]
    assert topics[:2] == ["contact.registered", "contact.transferred"]
    transferred = outbox_rows("demo-hotel", "contact.transferred")[0].payload
    assert "quality" in transferred["details"]["copied_to"]


def test_a_burst_of_commits_wakes_one_drain_that_relays_every_row(login, frozen, probe, rq_jobs):
    security = login("demo-hotel", "security")
    with frozen(T0):
        refs = [register(security, matter_type="complaint")["ref"] for _ in range(3)]
        notify = jobs.queue("notify")
        assert [j.description.split("(")[0] for j in notify.get_jobs()] == ["core.notify.outbox.drain"]
        rq_jobs()
    rows = outbox_rows("demo-hotel", "contact.registered")
    assert sorted(r.payload["ref"] for r in rows) == sorted(refs)
    assert all(r.relayed_at is not None for r in rows)
    assert sorted(outbox_id for _, outbox_id, _ in probe) == sorted(r.id for r in rows)
    with frozen(T0):                        # the next commit after the drain wakes a new one
        register(security, matter_type="complaint")
        assert len(jobs.queue("notify").get_jobs()) == 1


def test_a_failing_row_does_not_hold_up_the_others_and_the_scan_tries_it_again(
        app, frozen, probe, caplog):
    from core.notify import outbox
    tid = tenant_id("demo-hotel")
    with frozen(T0), tenant_scope(tid):
        outbox.emit("test.poison", {}, tenant_id=tid)
        outbox.emit("test.fine", {}, tenant_id=tid)
        db.session.commit()                 # eager: the drain runs right after the commit
    poison, fine = outbox_rows("demo-hotel")[-2:]
    assert (poison.topic, fine.topic) == ("test.poison", "test.fine")
    assert poison.relayed_at is None and fine.relayed_at is not None
    assert "will be retried" in caplog.text
    probe.clear()
    run("core.notify.outbox.relay_scan", frozen, "2026-11-02T10:01:30+08:00")   # after the grace
    assert [t for _, _, t in probe][:1] == ["test.poison"]      # the scan woke a drain
    assert outbox_rows("demo-hotel")[-1].relayed_at is not None


def test_with_redis_a_failing_row_waits_longer_each_time_while_new_rows_go_out(
        app, frozen, probe, rq_jobs):
    from core.notify import outbox
    tid = tenant_id("demo-hotel")
    with frozen(T0), tenant_scope(tid):
        outbox.emit("test.poison", {}, tenant_id=tid)
        db.session.commit()
    rq_jobs()
    assert [t for _, _, t in probe] == ["test.poison"]          # tried once, failed
    conn = jobs.connection(app)
    poison = outbox_rows("demo-hotel")[-1]
    assert 0 < conn.ttl(f"shouwen:outbox:retry-after:{tid}:{poison.id}") <= 30
    with frozen(T0), tenant_scope(tid):
        outbox.emit("test.fine", {}, tenant_id=tid)
        db.session.commit()
    rq_jobs()
    assert [t for _, _, t in probe] == ["test.poison", "test.fine"]   # poison is waiting
    conn.delete(f"shouwen:outbox:retry-after:{tid}:{poison.id}")     # its 30 s are over
    jobs.enqueue("core.notify.outbox.drain", tid, now=True)
    rq_jobs()
    assert [t for _, _, t in probe][-1] == "test.poison"
    assert 30 < conn.ttl(f"shouwen:outbox:retry-after:{tid}:{poison.id}") <= 60   # doubled


def test_jobs_wait_for_the_commit_and_a_rollback_drops_them(app, rq_jobs, probe):
    tid = tenant_id("demo-hotel")
    with tenant_scope(tid):
        row = OutboxMessage(tenant_id=tid, topic="test.rolled_back", payload={},
                            created_at=clock.now())
        db.session.add(row)
        db.session.flush()
        jobprobe.consume.enqueue(tid, row.id)
        db.session.rollback()
    rq_jobs()
    assert probe == []                              # never enqueued: the change was undone
    with tenant_scope(tid):
        row = OutboxMessage(tenant_id=tid, topic="test.committed", payload={},
                            created_at=clock.now())
        db.session.add(row)
        db.session.flush()
        jobprobe.consume.enqueue(tid, row.id)
        db.session.commit()
        assert probe == []                          # queued in Redis, not run yet
    rq_jobs()
    assert [topic for _, _, topic in probe] == ["test.committed"]


def test_redis_down_keeps_the_contact_and_the_relay_scan_delivers_later(
        app, login, frozen, probe, caplog):
    security = login("demo-hotel", "security")
    app.config.update(SHOUWEN_JOBS="redis", SHOUWEN_REDIS_URL="redis://127.0.0.1:9/0")
    app.extensions.pop("shouwen_redis", None)
    try:
        with frozen(T0):
            c = register(security, matter_type="complaint")       # Redis unreachable
    finally:
        app.config.update(SHOUWEN_JOBS="eager", SHOUWEN_REDIS_URL=None)
        app.extensions.pop("shouwen_redis", None)
    assert "could not enqueue" in caplog.text
    assert security.get(f"/contacts/{c['ref']}").status_code == 200
    [row] = outbox_rows("demo-hotel", "contact.registered")
    assert row.relayed_at is None and probe == []
    run("core.notify.outbox.relay_scan", frozen, "2026-11-02T10:00:30+08:00")   # inside the grace
    assert probe == []
    run("core.notify.outbox.relay_scan", frozen, "2026-11-02T10:01:30+08:00")
    assert [t for _, _, t in probe] == ["contact.registered"]
    assert outbox_rows("demo-hotel", "contact.registered")[0].relayed_at is not None


def test_under_shouwen_now_the_relay_scan_does_not_wait_for_rows_to_age(
        app, login, frozen, probe, caplog):
    """A demo run with SHOUWEN_NOW: the clock stands still, so the grace period never passes;
    rows another process left unrelayed (``shouwen demo``, ``shouwen sweep``) go out anyway."""
    from core import clock
    security = login("demo-hotel", "security")
    app.config.update(SHOUWEN_JOBS="redis", SHOUWEN_REDIS_URL="redis://127.0.0.1:9/0")
    app.extensions.pop("shouwen_redis", None)
    try:
        with frozen(T0):
            register(security, matter_type="complaint")       # Redis unreachable
    finally:
        app.config.update(SHOUWEN_JOBS="eager", SHOUWEN_REDIS_URL=None)
        app.extensions.pop("shouwen_redis", None)
    clock.configure(T0)
    try:
        jobs.enqueue("core.notify.outbox.relay_scan", None, now=True)   # same instant as the row
    finally:
        clock.configure(None)
    assert [t for _, _, t in probe] == ["contact.registered"]


# --- sweep and escalation --------------------------------------------------------------------

def test_sweep_job_escalates_the_hotel_chain_level_by_level_exactly_once(login, frozen, probe):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
    ref = c["ref"]
    for at in ("2026-11-02T11:30:00+08:00", "2026-11-02T11:31:00+08:00"):   # twice: once
        run("core.deadlines.sweep.sweep_all", frozen, at)
    with frozen("2026-11-02T11:40:00+08:00"):
        c = security.get(f"/contacts/{ref}").get_json()
    assert c["escalation_level"] == 1
    qi = deadline(c, "escalation")
    assert qi["status"] == "open" and qi["responsible_department"]
    assert qi["due_at"] == "2026-11-02T09:00:00+00:00"     # 4 working hours: 17:00 local
    # The quality level's own clock runs out: deputy GM, then (next day) the GM; then the top.
    for at in ("2026-11-02T17:30:00+08:00", "2026-11-02T18:00:00+08:00",
               "2026-11-03T15:00:00+08:00", "2026-11-05T10:00:00+08:00",
               "2026-11-06T10:00:00+08:00"):
        run("core.deadlines.sweep.sweep_all", frozen, at)
    with frozen("2026-11-06T10:00:00+08:00"):
        c = security.get(f"/contacts/{ref}").get_json()
    escalated = [e["details"] for e in c["events"] if e["kind"] == "escalated"]
    assert [(e["level"], e["to"], e["conflict"], e["automatic"]) for e in escalated] == [
        (1, "quality", True, True), (2, "deputy_gm", True, True), (3, "gm", True, True)]
    assert escalated[1]["staff_ids"] == [staff_id("demo-hotel", "leader")]
    assert escalated[2]["staff_ids"] == [staff_id("demo-hotel", "chief")]
    # QI's supervisors: its lead and the quality inspector, who sits in QI
    assert escalated[0]["staff_ids"] == [staff_id("demo-hotel", "quality-lead"),
                                         staff_id("demo-hotel", "inspector")]
    with tenant_scope(tenant_id("demo-hotel")):
        assert db.session.query(Escalation).count() == 3
        # one violation: the late transfer; an escalated level's clock escalates, no penalty
        assert [v.trigger for v in db.session.scalars(select(Violation))] == ["deadline.transfer"]
    topics = [r.topic for r in outbox_rows("demo-hotel")]
    assert topics.count("contact.escalated") == 3
    assert topics.count("contact.deadline_breached") == 4
    assert topics.count("violation.proposed") == 1
    breached = outbox_rows("demo-hotel", "contact.deadline_breached")[0].payload["details"]
    assert breached["staff_id"] == staff_id("demo-hotel", "security")
    assert breached["owner_id"] == staff_id("demo-hotel", "security")
    proposed = outbox_rows("demo-hotel", "violation.proposed")[0].payload
    assert proposed["ref"] == ref and proposed["rule"] == "late_transfer"


def test_a_reply_stops_the_escalated_levels_clock(login, frozen):
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        security.post(f"/contacts/{c['ref']}/handling", json={})
    run("core.deadlines.sweep.sweep_all", frozen, "2026-11-02T11:30:00+08:00")
    with frozen("2026-11-02T12:00:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
    if c["escalation_level"] == 0:
        pytest.skip("handling in own duty started no transfer clock in this pack")
    with frozen("2026-11-02T14:00:00+08:00"):
        res = security.post(f"/contacts/{c['ref']}/replies", json={"text": "您好，已为您处理，谢谢。"})
        assert res.status_code in (200, 201), res.get_json()
    run("core.deadlines.sweep.sweep_all", frozen, "2026-11-03T12:00:00+08:00")
    with frozen("2026-11-03T12:00:00+08:00"):
        c = security.get(f"/contacts/{c['ref']}").get_json()
    assert c["escalation_level"] == 1
    assert deadline(c, "escalation")["status"] == "met"


# --- reminders and the digest ----------------------------------------------------------------

def reminders(slug, ref=None):
    with tenant_scope(tenant_id(slug)):
        events = db.session.scalars(select(ContactEvent).where(ContactEvent.kind == "reminder")
                                    .order_by(ContactEvent.id)).all()
        return [e.details for e in events]


def test_reminders_at_half_and_eighty_percent_once_each(login, frozen, probe):
    desk = login("demo-property", "customer-service")
    with frozen(T0):
        register(desk, matter_type="repair", summary="门锁坏了")     # on site within 60 min
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-02T10:20:00+08:00")
    assert reminders("demo-property") == []
    for at in ("2026-11-02T10:31:00+08:00", "2026-11-02T10:32:00+08:00"):
        run("core.deadlines.reminders.scan_all", frozen, at)
    [half] = reminders("demo-property")
    assert half["point"] == "50%" and half["deadline_kind"] == "on_site"
    assert half["staff_ids"] == [staff_id("demo-property", "customer-service")]
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-02T10:49:00+08:00")
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-02T10:59:00+08:00")
    assert [r["point"] for r in reminders("demo-property")] == ["50%", "80%"]
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-02T11:30:00+08:00")   # breached: no more
    assert len(reminders("demo-property")) == 2
    keys = [r.key for r in outbox_rows("demo-property", "contact.reminder")]
    assert len(keys) == 2 and all(k.startswith("reminder:") for k in keys)


def test_a_late_scan_sends_only_the_latest_point(login, frozen):
    desk = login("demo-property", "customer-service")
    with frozen(T0):
        register(desk, matter_type="repair", summary="门锁坏了")
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-02T10:55:00+08:00")
    assert [r["point"] for r in reminders("demo-property")] == ["80%"]


def test_working_day_clock_reminds_on_the_morning_of_its_last_day(login, frozen):
    clerk = login("demo-government", "admin")
    with frozen(T0):
        c = register(clerk, matter_type="consultation", own_duty=True)
    due = deadline(c, "reply")["due_at"]
    assert due == "2026-11-05T09:30:00+00:00"          # 3 working days: Thu 17:30 local
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-05T09:05:00+08:00")
    points = [r["point"] for r in reminders("demo-government")]
    assert points[-1] == "morning" and "morning" not in points[:-1]
    run("core.deadlines.reminders.scan_all", frozen, "2026-11-05T12:00:00+08:00")
    assert [r["point"] for r in reminders("demo-government")].count("morning") == 1


def test_feedback_starts_the_owners_callback_clock_and_its_message(login, frozen):
    security, fo = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen(T0):
        c = register(security, matter_type="complaint")
        tid = security.post(f"/contacts/{c['ref']}/transfers",
                            json={"to_department": "front_office"}).get_json()["id"]
        assert fo.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").status_code == 200
        res = fo.post(f"/contacts/{c['ref']}/feedback", json={"text": "您好，已更换空调，谢谢。"})
        assert res.status_code in (200, 201), res.get_json()
        c = res.get_json()
    assert deadline(c, "callback")["status"] == "open"
    assert deadline(c, "callback")["responsible_user"] == "security"
    [msg] = outbox_rows("demo-hotel", "contact.feedback")
    assert msg.payload["ref"] == c["ref"]


def test_daily_digest_once_per_staff_per_day(login, frozen):
    security = login("demo-hotel", "security")
    with frozen("2026-11-02T08:00:00+08:00"):
        register(security, matter_type="complaint")
    run("core.deadlines.reminders.digest_all", frozen, "2026-11-02T08:30:00+08:00")   # before work
    assert outbox_rows("demo-hotel", "digest.daily") == []
    for at in ("2026-11-02T09:10:00+08:00", "2026-11-02T11:00:00+08:00"):
        run("core.deadlines.reminders.digest_all", frozen, at)
    [digest] = outbox_rows("demo-hotel", "digest.daily")
    assert digest.payload["staff_id"] == staff_id("demo-hotel", "security")
    assert digest.payload["overdue_count"] == 1 and digest.payload["date"] == "2026-11-02"
    run("core.deadlines.reminders.digest_all", frozen, "2026-11-03T09:10:00+08:00")
    assert len(outbox_rows("demo-hotel", "digest.daily")) == 2


def test_a_keyed_message_claims_its_key_at_once_so_a_duplicate_is_caught_in_place(app, probe):
    """The daily digest: a second worker emitting the same key fails in its savepoint and
    the rest of its transaction still commits."""
    from sqlalchemy.exc import IntegrityError

    from core.notify import outbox
    tid = tenant_id("demo-hotel")
    with tenant_scope(tid):
        outbox.emit("digest.daily", {"n": 1}, key="digest:1:2026-11-02", tenant_id=tid)
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                outbox.emit("digest.daily", {"n": 2}, key="digest:1:2026-11-02", tenant_id=tid)
        outbox.emit("test.after", {}, tenant_id=tid)
        db.session.commit()
    rows = [r for r in outbox_rows("demo-hotel") if r.topic in ("digest.daily", "test.after")]
    assert [(r.topic, r.payload.get("n")) for r in rows] == [("digest.daily", 1),
                                                            ("test.after", None)]
