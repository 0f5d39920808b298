"""The one after-commit queue (core.db.after_commit) and the one listener registration
(core.db.listeners): savepoints, rollbacks, order, and nothing registered at import.

These tests use a plain SQLAlchemy session on an in-memory SQLite database: the queue
belongs to the session, not to the app.
"""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from core.db import after_commit, listeners

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def session():
    listeners.install()
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        session.execute(text("SELECT 1"))        # a transaction is open
        yield session
    engine.dispose()


@pytest.fixture
def ran():
    seen = []

    def run(items):
        seen.append(list(items))
    run.seen = seen
    return run


def test_work_runs_after_the_commit_not_before(session, ran):
    after_commit.on_commit(session, ran, 1)
    assert ran.seen == []
    session.commit()
    assert ran.seen == [[1]]
    session.execute(text("SELECT 1"))
    session.commit()
    assert ran.seen == [[1]]                      # run once, not carried to the next commit


def test_work_queued_in_a_rolled_back_savepoint_is_dropped(session, ran):
    after_commit.on_commit(session, ran, "outer")
    savepoint = session.begin_nested()
    after_commit.on_commit(session, ran, "inner")
    inner = session.begin_nested()
    after_commit.on_commit(session, ran, "innermost")
    inner.commit()
    savepoint.rollback()                          # takes the committed inner savepoint along
    after_commit.on_commit(session, ran, "after")
    session.commit()
    assert ran.seen == [["outer", "after"]]


def test_work_in_a_committed_savepoint_waits_for_the_outer_commit(session, ran):
    with session.begin_nested():
        after_commit.on_commit(session, ran, "saved")
    assert ran.seen == []                         # SQLAlchemy's after_commit fired: not yet
    session.commit()
    assert ran.seen == [["saved"]]


def test_nothing_runs_if_the_outer_transaction_rolls_back(session, ran):
    after_commit.on_commit(session, ran, 1)
    with session.begin_nested():
        after_commit.on_commit(session, ran, 2)
    session.rollback()
    session.execute(text("SELECT 1"))
    session.commit()
    assert ran.seen == []


def test_closing_without_a_commit_drops_the_work(session, ran):
    after_commit.on_commit(session, ran, 1)
    session.close()
    session.execute(text("SELECT 1"))
    session.commit()
    assert ran.seen == []


def test_order_is_preserved_and_each_function_gets_its_items_in_one_call(session, ran):
    other = []

    def run_other(items):
        other.append((list(items), ran.seen[:]))
    for item in (1, 2, 3):
        after_commit.on_commit(session, ran, item)
        after_commit.on_commit(session, run_other, item)
    after_commit.on_commit(session, ran, 4)
    session.commit()
    assert ran.seen == [[1, 2, 3, 4]]
    assert other == [([1, 2, 3], [[1, 2, 3, 4]])]   # functions in the order of their first item


def test_without_a_transaction_the_work_runs_at_once(ran):
    listeners.install()
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        after_commit.on_commit(session, ran, "now")
        assert ran.seen == [["now"]]


def test_work_queued_during_the_after_commit_runs_at_once(session, ran):
    def chain(items):
        after_commit.on_commit(session, ran, "chained")
    after_commit.on_commit(session, chain, None)
    session.commit()
    assert ran.seen == [["chained"]]


def test_a_failing_function_is_logged_and_the_others_still_run(session, ran, caplog):
    def broken(items):
        raise RuntimeError("boom")
    after_commit.on_commit(session, broken, 1)
    after_commit.on_commit(session, ran, 2)
    session.commit()
    assert ran.seen == [[2]] and "after-commit work" in caplog.text


def test_held_items_are_dropped_with_their_savepoint(session):
    after_commit.hold(session, "rows", "kept")
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            after_commit.hold(session, "rows", "dropped")
            raise RuntimeError("undo the savepoint")
    with session.begin_nested():
        after_commit.hold(session, "rows", "saved")
    assert after_commit.take(session, "rows") == ["kept", "saved"]
    assert after_commit.take(session, "rows") == []


def test_holding_with_no_transaction_open_begins_one_that_takes_it(ran):
    listeners.install()
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        after_commit.hold(session, "rows", "first")
        assert session.get_transaction() is not None
        session.rollback()
        assert after_commit.take(session, "rows") == []
        after_commit.hold(session, "rows", "second")
        assert after_commit.take(session, "rows") == ["second"]


def test_importing_the_modules_registers_no_listener():
    code = ("import core, core.tenancy.scoping, core.policy.config_stamp, core.contacts.models,"
            " core.jobs, core.jobs.periodic, core.notify.outbox, core.db.sqlite_writers\n"
            "from sqlalchemy import event\n"
            "from core.db import listeners\n"
            "found = [n for t, n, f in listeners._listeners() if event.contains(t, n, f)]\n"
            "assert found == [], found\n"
            "listeners.install()\n"
            "assert all(event.contains(t, n, f) for t, n, f in listeners._listeners())\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "platform"), ROOT]))
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_building_apps_again_registers_each_listener_once(app):
    from core import create_app
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    listeners.install()
    registered = [fn for fn in Session().dispatch.after_commit
                  if fn is after_commit.after_commit]
    assert len(registered) == 1
