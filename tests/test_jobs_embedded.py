"""The embedded job runner (core.jobs.embedded): ``shouwen serve`` without Redis.

The runner runs for an app of its own on an empty SQLite file (the rolled-back ``app``
fixture's connection must not be shared with another thread), and the jobs declared here
touch no table; tests/test_jobs_faults.py runs the real jobs through the runner on a
seeded database.
"""
import threading
import time

import pytest

from core import jobs
from core.jobs import embedded, periodic

CALLS = []
GATE = threading.Event()


@jobs.job(retry=(2, [0.05, 0.2]))
def flaky(tenant_id, fail_times):
    """Fails ``fail_times`` times, then succeeds."""
    CALLS.append(("flaky", tenant_id, time.monotonic()))
    if sum(1 for c in CALLS if c[0] == "flaky") <= fail_times:
        raise RuntimeError("not yet")


@jobs.job(retry=None)
def broken(tenant_id):
    CALLS.append(("broken", tenant_id, time.monotonic()))
    raise RuntimeError("always")


@jobs.job(retry=None)
def wait_for_gate(tenant_id):
    GATE.wait(5)


@jobs.job(retry=None)
def record(tenant_id, n):
    CALLS.append(("record", n, time.monotonic()))


@jobs.job(retry=None)
def tick(tenant_id):
    CALLS.append(("tick", tenant_id, time.monotonic()))


@jobs.job(retry=None)
def which_app(tenant_id):
    from flask import current_app
    CALLS.append(("which_app", current_app.config["SQLALCHEMY_DATABASE_URI"], time.monotonic()))


@pytest.fixture
def own_app(tmp_path):
    from core import create_app
    CALLS.clear()
    GATE.clear()
    yield create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}",
                      "SECRET_KEY": "test-only-key", "SHOUWEN_JOBS": "embedded"})
    GATE.set()
    jobs._app = None


@pytest.fixture
def runner(own_app):
    thread = jobs.start_embedded(own_app, tick=0.05)
    yield thread
    GATE.set()
    thread.stop()


def wait_until(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def kinds(kind):
    return [c for c in CALLS if c[0] == kind]


@pytest.mark.parametrize("retry", [(3, [10, 60, 300]), (5, [10, 30, 120, 600, 1800]),
                                   (5, [10, 60]), (2, [10, 60, 300]), (2, [0])])
def test_retry_intervals_are_the_ones_rq_uses(retry):
    from rq import Retry
    from rq.job import Job
    import fakeredis
    expected, job = [], Job(connection=fakeredis.FakeRedis())
    job.retries_left = retry[0]
    job.retry_intervals = Retry(max=retry[0], interval=retry[1]).intervals
    while job.should_retry:
        expected.append(job.get_retry_interval())
        job.retries_left -= 1
    ours = [embedded.retry_interval(n, retry) for n in range(1, retry[0] + 2)]
    assert ours == expected + [None]


def test_jobs_run_through_perform_and_a_failure_is_retried_with_its_intervals(runner):
    jobs.enqueue(flaky.job_name, 7, 2)          # no transaction open: handed over at once
    assert wait_until(lambda: len(kinds("flaky")) == 3)
    times = [t for _, _, t in kinds("flaky")]
    assert [tenant for _, tenant, _ in kinds("flaky")] == [7, 7, 7]
    assert times[1] - times[0] >= 0.05 and times[2] - times[1] >= 0.2
    time.sleep(0.3)
    assert len(kinds("flaky")) == 3              # succeeded: no more tries


def test_a_job_out_of_retries_is_logged_as_failed_and_the_runner_goes_on(
        runner, caplog):
    jobs.enqueue(broken.job_name, None)
    jobs.enqueue(record.job_name, None, 1)
    assert wait_until(lambda: kinds("record"))
    assert len(kinds("broken")) == 1 and "failed" in caplog.text
    assert runner.is_alive()


def test_jobs_run_in_the_order_enqueued_and_an_identical_pending_job_runs_once(runner):
    jobs.enqueue(wait_for_gate.job_name, None)   # holds the runner until the gate opens
    for n in (1, 2, 1, 3, 2):
        jobs.enqueue(record.job_name, None, n)
    GATE.set()
    assert wait_until(lambda: len(kinds("record")) >= 3)
    time.sleep(0.2)
    assert [n for _, n, _ in kinds("record")] == [1, 2, 3]
    jobs.enqueue(record.job_name, None, 1)       # after it ran, the same job runs again
    assert wait_until(lambda: len(kinds("record")) == 4)


def test_jobs_wait_for_the_commit(own_app, runner):
    from sqlalchemy import text

    from core.extensions import db
    with own_app.app_context():
        db.session.execute(text("SELECT 1"))
        jobs.enqueue(record.job_name, None, 5)
        time.sleep(0.2)
        assert kinds("record") == []
        db.session.commit()
        assert wait_until(lambda: kinds("record"))


def test_a_runner_runs_only_its_own_apps_jobs_whatever_app_is_bound_later(
        own_app, runner, tmp_path):
    """One process, two apps (the test suite's case: the browser tests' live server beside the
    rolled-back test app): the runner runs its jobs in its own app, and a job enqueued by the
    other app is not run on the runner's database."""
    from core import create_app
    other = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                        "SECRET_KEY": "test-only-key", "SHOUWEN_JOBS": "embedded"})
    jobs.bind(other)
    with other.app_context():
        jobs.enqueue(which_app.job_name, None)
    time.sleep(0.2)
    assert kinds("which_app") == []
    with own_app.app_context():
        jobs.enqueue(which_app.job_name, None)
    assert wait_until(lambda: kinds("which_app"))
    assert [uri for _, uri, _ in kinds("which_app")] == [own_app.config["SQLALCHEMY_DATABASE_URI"]]


def test_the_periodic_list_runs_on_its_intervals(own_app, monkeypatch):
    monkeypatch.setattr(periodic, "PERIODIC", [(tick.job_name, 0.2)])
    thread = jobs.start_embedded(own_app, tick=0.02)
    try:
        assert wait_until(lambda: len(kinds("tick")) >= 3, seconds=3)
    finally:
        thread.stop()
    times = [t for _, _, t in kinds("tick")]
    assert all(b - a >= 0.19 for a, b in zip(times, times[1:]))
    assert [tenant for _, tenant, _ in kinds("tick")][:1] == [None]


def test_without_a_running_runner_jobs_are_left_to_the_periodic_scans(own_app):
    assert embedded.running() is None
    with own_app.app_context():
        jobs.enqueue(record.job_name, None, 9)
    time.sleep(0.1)
    assert CALLS == []


def test_embedded_mode_has_no_redis_connection(own_app):
    with pytest.raises(RuntimeError, match="no Redis"):
        jobs.connection(own_app)


def test_perform_refuses_to_run_without_an_application():
    assert jobs._app is None
    with pytest.raises(RuntimeError, match="no application is bound"):
        jobs.perform(record.job_name, None, 1)
