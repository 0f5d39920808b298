"""SQLite writers of one process queue on a lock held from BEGIN IMMEDIATE to COMMIT/ROLLBACK
(core.db.sqlite_writers), and the lock can neither leak nor deadlock a thread."""
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from core.db.sqlite_writers import WriterConnection, engine_options


@pytest.fixture
def engine(tmp_path):
    uri = f"sqlite:///{tmp_path / 'w.db'}"
    engine = create_engine(uri, **engine_options(uri, {}))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    yield engine
    engine.dispose()


def _dbapi(conn):
    return conn.connection.dbapi_connection


def test_file_databases_get_the_locking_connection_and_memory_ones_do_not():
    assert engine_options("sqlite:////tmp/x.db", {})["connect_args"]["factory"] is WriterConnection
    assert "connect_args" not in engine_options("sqlite://", {})
    assert "connect_args" not in engine_options("postgresql+psycopg://h/db", {})


def test_lock_is_held_by_the_write_transaction_and_released_by_commit_or_rollback(engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (who) VALUES ('a')"))
        dbapi = _dbapi(conn)
        assert dbapi.holds_writer_lock and dbapi.writer_lock.lock.locked()
    assert not dbapi.writer_lock.lock.locked()
    with pytest.raises(ZeroDivisionError):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (who) VALUES ('b')"))
            1 / 0
    assert not dbapi.writer_lock.lock.locked()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    assert not dbapi.writer_lock.lock.locked()


def test_a_second_connection_of_the_same_thread_does_not_wait_for_itself(engine):
    """As before the lock: SQLite refuses the second writer after its busy timeout."""
    with engine.connect() as first:
        first.execute(text("INSERT INTO t (who) VALUES ('first')"))
        lock = _dbapi(first).writer_lock.lock
        with engine.connect() as second:
            _dbapi(second).execute("PRAGMA busy_timeout=50")
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                second.execute(text("INSERT INTO t (who) VALUES ('second')"))
            assert time.monotonic() - started < 5
        first.commit()
        assert not lock.locked()


def test_concurrent_writers_queue_and_all_succeed(engine):
    errors, inside, overlap = [], [0], []
    guard = threading.Lock()

    def writer(n):
        try:
            for i in range(15):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t (who) VALUES (:w)"), {"w": f"{n}-{i}"})
                    with guard:
                        inside[0] += 1
                        overlap.append(inside[0])
                    time.sleep(0.001)
                    with guard:
                        inside[0] -= 1
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert max(overlap) == 1          # one write transaction at a time
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 8 * 15
