"""Fault tests against a real Redis server and real worker processes (``shouwen worker``).

Workers are separate processes, so these tests use their own committed database (a SQLite
file, and PostgreSQL when its server is installed) instead of the rolled-back ``app``
fixture.  Every contact is registered through the API at ``T0``; workers run with
``SHOUWEN_NOW`` set past its deadlines.  Skipped (with a message) only when redis-server is
not installed; CI installs it (.ci/run).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

import pgserver
import pytest
import redisserver
from conftest import BACKENDS, ApiUser, register
from sqlalchemy import func, select

from core import clock, create_app, jobs
from core.contacts.models import Contact, Escalation, Violation
from core.extensions import db
from core.notify.outbox import OutboxMessage
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

pytestmark = pytest.mark.skipif(redisserver.binary() is None,
                                reason="redis-server is not installed (apt-get install redis-server)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = "2026-11-02T10:00:00+08:00"
LATE = "2026-11-02T11:30:00+08:00"      # hotel transfer clocks (1 hour) have run out


@pytest.fixture(scope="module")
def redis_server():
    server = redisserver.RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="module", params=BACKENDS)
def fault_db(request, tmp_path_factory):
    """A committed database of its own, migrated and seeded with the demo tenants."""
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        return server.create_database("shouwen_faults")
    return f"sqlite:///{tmp_path_factory.mktemp('faults') / 'shouwen.db'}"


@pytest.fixture(scope="module")
def fault_app(fault_db, redis_server):
    instance = tempfile.mkdtemp(prefix="shouwen-faults-")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fault_db,
                      "SECRET_KEY": "test-only-key", "SHOUWEN_JOBS": "redis",
                      "SHOUWEN_REDIS_URL": redis_server.url,
                      "SHOUWEN_OUTBOX_CONSUMERS": "jobprobe.consume",
                      "SHOUWEN_OUTBOX_GRACE_SECONDS": 0})
    with app.app_context():
        from flask_migrate import upgrade

        from tenants import demo
        upgrade()
        demo.seed()
        db.session.remove()
    app.instance = instance
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(fault_app, redis_server):
    """An app context on the fault database; Redis flushed, running, and the probe reset."""
    if redis_server.proc is None:
        redis_server.start()
    with fault_app.app_context():
        jobs.connection(fault_app).flushall()
        yield fault_app
        db.session.remove()


def worker_env(app, now=LATE):
    env = dict(os.environ, SHOUWEN_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SHOUWEN_REDIS_URL=app.config["SHOUWEN_REDIS_URL"],
               SHOUWEN_OUTBOX_CONSUMERS="jobprobe.consume", SHOUWEN_OUTBOX_GRACE_SECONDS="0",
               SHOUWEN_INSTANCE_PATH=app.instance, SHOUWEN_NOW=now,
               PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "platform"), ROOT,
                                           os.path.join(ROOT, "tests")]))
    env.pop("SHOUWEN_JOBS", None)
    return env


def start_worker(app, *args, now=LATE):
    db.session.remove()      # end this process's (SQLite: write-locking) transaction first
    return subprocess.Popen([sys.executable, "-m", "core.cli", "worker", *args],
                            env=worker_env(app, now), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_worker(app, *args, now=LATE, timeout=120):
    proc = start_worker(app, "--burst", *args, now=now)
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out
    return out


def hotel_user(app, username="security"):
    from core.tenancy import tokens
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "demo-hotel")).one()
    with tenant_scope(tenant.id):
        staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
        _, token = tokens.create(staff, "fault-test")
        db.session.commit()
    return ApiUser(app.test_client(), token, username, "demo-hotel"), tenant.id


def register_many(app, n):
    user, tenant_id = hotel_user(app)
    with clock.frozen(T0):
        ids = [register(user, matter_type="complaint")["ref"] for _ in range(n)]
    with tenant_scope(tenant_id):
        contact_ids = db.session.scalars(select(Contact.id).where(Contact.ref.in_(ids))).all()
    db.session.remove()
    return tenant_id, sorted(contact_ids)


def per_contact(tenant_id, model, contact_ids, **where):
    db.session.remove()
    with tenant_scope(tenant_id):
        query = select(model.contact_id, func.count()).where(model.contact_id.in_(contact_ids))
        for attr, value in where.items():
            query = query.where(getattr(model, attr) == value)
        counts = Counter(dict(db.session.execute(query.group_by(model.contact_id)).all()))
    db.session.remove()
    return counts


def assert_consequences_once(tenant_id, contact_ids):
    once = Counter({cid: 1 for cid in contact_ids})
    assert per_contact(tenant_id, Escalation, contact_ids) == once
    assert per_contact(tenant_id, Violation, contact_ids) == once
    for topic in ("contact.escalated", "contact.deadline_breached", "violation.proposed"):
        assert per_contact(tenant_id, OutboxMessage, contact_ids, topic=topic) == once, topic


def enqueue(app, name, tenant_id=None):
    with app.app_context():
        jobs.enqueue(name, tenant_id, now=True)


# --- the cases -------------------------------------------------------------------------------

def test_redis_stopped_during_registration_delays_but_never_loses(ctx, redis_server):
    redis_server.stop()
    tenant_id, [contact_id] = register_many(ctx, 1)         # 201 although Redis is down
    with tenant_scope(tenant_id):
        rows = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.contact_id == contact_id)).all()
    assert [r.topic for r in rows] == ["contact.registered"]
    assert rows[0].relayed_at is None
    redis_server.start()
    enqueue(ctx, "core.notify.outbox.relay_scan")                  # the periodic relay scan
    out = run_worker(ctx, "--no-periodic")
    assert "core.notify.outbox.drain" in out, out        # the drain ran the consumer for the row
    db.session.remove()
    with tenant_scope(tenant_id):
        row = db.session.get(OutboxMessage, rows[0].id)
        assert row.relayed_at is not None


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _wait_for_started_sweep(app, proc, timeout=30):
    from rq.registry import StartedJobRegistry
    registry = StartedJobRegistry("default", connection=jobs.connection(app))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job_id in registry.get_job_ids():
            job = registry.job_class.fetch(job_id, connection=registry.connection)
            if "core.deadlines.sweep.sweep_due" in (job.description or ""):
                return job
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.05)
    raise AssertionError("the worker never started the sweep")


def _block_writes(app, contact_id):
    """Hold a lock the sweep needs: the last due contact's row on PostgreSQL (the sweep has
    already breached the others in its open transaction), the write lock on SQLite."""
    engine = db.engine
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text
        conn.execute(text("SELECT id FROM contacts WHERE id = :id FOR UPDATE")
                     .execution_options(cross_tenant=True), {"id": contact_id})
    else:
        conn.exec_driver_sql("SELECT 1")      # BEGIN IMMEDIATE: the write lock (core/__init__)
    return conn


def test_worker_killed_mid_sweep_escalates_once_after_restart(ctx):
    tenant_id, contact_ids = register_many(ctx, 20)
    lock = _block_writes(ctx, contact_ids[-1])
    try:
        enqueue(ctx, "core.deadlines.sweep.sweep_due", tenant_id)
        proc = start_worker(ctx, "--no-periodic")
        _wait_for_started_sweep(ctx, proc)
        time.sleep(0.5)                                 # let it get to the lock
        for pid in [proc.pid, *_children(proc.pid)]:
            os.kill(pid, signal.SIGKILL)               # no clean-up of any kind
        proc.wait(10)
    finally:
        lock.rollback()
        lock.close()
    assert per_contact(tenant_id, Escalation, contact_ids) == Counter()   # all rolled back
    enqueue(ctx, "core.deadlines.sweep.sweep_all")                # the next periodic sweep
    run_worker(ctx, "--no-periodic")
    assert_consequences_once(tenant_id, contact_ids)
    run_worker(ctx)                                     # and the whole periodic list again
    assert_consequences_once(tenant_id, contact_ids)


def test_two_workers_sweeping_at_once_duplicate_nothing(ctx):
    tenant_id, contact_ids = register_many(ctx, 60)
    for _ in range(3):                                  # duplicate jobs too
        enqueue(ctx, "core.deadlines.sweep.sweep_due", tenant_id)
    workers = [start_worker(ctx, "--burst") for _ in range(2)]   # each also runs the list
    for proc in workers:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out
    assert_consequences_once(tenant_id, contact_ids)
    # the probe consumer saw (and marked) every message once the workers were done
    db.session.remove()
    with tenant_scope(tenant_id):
        left = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.contact_id.in_(contact_ids), OutboxMessage.relayed_at.is_(None)))
    assert left == 0


def test_embedded_mode_runs_jobs_in_process_without_redis(fault_app, fault_db):
    """``shouwen serve`` without Redis: the in-process runner thread.  The clock is
    fixed at T0 (as SHOUWEN_NOW does for a demo), so the earlier tests' contacts are not due
    and the periodic jobs find little to do."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fault_db,
                      "SECRET_KEY": "test-only-key", "SHOUWEN_REDIS_URL": None,
                      "SHOUWEN_JOBS": None, "SHOUWEN_OUTBOX_CONSUMERS": "jobprobe.consume",
                      "SHOUWEN_NOW": T0})
    assert jobs.mode(app) == "embedded"
    thread = jobs.start_embedded(app, tick=0.2)
    try:
        with app.app_context():
            tenant_id, [contact_id] = register_many(app, 1)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with tenant_scope(tenant_id):
                    left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                             .where(OutboxMessage.contact_id == contact_id,
                                                    OutboxMessage.relayed_at.is_(None)))
                db.session.remove()       # don't hold SQLite's lock while the worker waits
                if left == 0:
                    break
                time.sleep(0.2)
            assert left == 0
    finally:
        thread.stopped.set()
        thread.join(10)
        jobs._app = None
        clock.configure(None)
