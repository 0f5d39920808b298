"""Background jobs on RQ: the one project-wide way to declare, enqueue and run a job.

```python
@job(queue="notify", retry=(5, [10, 30, 120, 600, 1800]))
def deliver_webhook(tenant_id, delivery_id): ...

deliver_webhook.enqueue(tenant_id, delivery_id)   # after the current transaction commits
deliver_webhook(tenant_id, delivery_id)            # still a plain function
```

Jobs take ids only: the tenant id first (``None`` for platform-wide work), then ints.
RQ is handed ``core.jobs.perform("<module>.<name>", tenant_id, *ids)``, which gives the
function an app context and the tenant's scope, commits on success and rolls back on an
exception (RQ's retry then applies).  Jobs are at-least-once, so every job is idempotent;
the database, not Redis, is the source of truth (docs/jobs.md).

Where jobs run (``SHOUWEN_JOBS``):

* ``redis``    (``SHOUWEN_REDIS_URL`` set): RQ on that server; run ``shouwen worker``.
* ``embedded`` (default without Redis): an in-process Redis stand-in (fakeredis) and one
  RQ ``SimpleWorker`` thread started by ``shouwen serve``, plus the periodic list.
* ``eager``    (tests): each enqueued job runs synchronously right after the commit.
"""
import functools
import importlib
import importlib.util
import logging
import threading
from importlib.machinery import PathFinder

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("shouwen.jobs")

QUEUES = ("default", "notify")
REGISTRY = {}            # "module.name" -> the plain function
_app = None              # the app a worker (or the embedded thread) runs jobs for
_fake_server = None      # the embedded mode's in-process Redis stand-in
_fake_client = None      # (server, client) for that stand-in
_local = threading.local()
_fake_lock = threading.Lock()


class Job:
    """What ``@job`` attaches to a function (``fn.job``): its queue, retry and dotted name."""

    def __init__(self, fn, queue, retry, timeout):
        if queue not in QUEUES:
            raise ValueError(f"unknown queue {queue!r}; use one of {QUEUES}")
        self.fn, self.queue, self.retry, self.timeout = fn, queue, retry, timeout
        self.name = f"{fn.__module__}.{fn.__name__}"


def job(queue="default", retry=(3, [10, 60, 300]), timeout=600):
    """Declare a job.  ``retry`` is ``(max retries, [intervals in seconds])`` or ``None``."""
    def decorate(fn):
        spec = Job(fn, queue, retry, timeout)
        REGISTRY[spec.name] = fn
        fn.job = spec
        fn.job_name, fn.queue, fn.retry = spec.name, queue, retry
        fn.enqueue = functools.partial(enqueue, spec.name)
        return fn
    return decorate


# --- enqueueing ------------------------------------------------------------------------------

def _app_obj():
    return current_app._get_current_object() if has_app_context() else _app


def mode(app=None):
    app = app or _app_obj()
    configured = app.config.get("SHOUWEN_JOBS")
    if configured:
        return configured
    return "redis" if app.config.get("SHOUWEN_REDIS_URL") else "embedded"


def connection(app=None):
    """The Redis connection jobs go through (a real server, or the embedded stand-in)."""
    app = app or _app_obj()
    if mode(app) == "redis":
        from redis import Redis
        conn = app.extensions.get("shouwen_redis")
        if conn is None:
            conn = Redis.from_url(app.config["SHOUWEN_REDIS_URL"], socket_connect_timeout=2,
                                  socket_timeout=10, health_check_interval=30)
            app.extensions["shouwen_redis"] = conn
        return conn
    global _fake_server, _fake_client
    import fakeredis
    with _fake_lock:                 # one stand-in server per process, whichever thread asks
        if _fake_server is None:
            _fake_server = fakeredis.FakeServer()
        # One client per stand-in server, as redis mode keeps one per app: a client's pool
        # is thread-safe, and building one costs more than the command it sends.
        if _fake_client is None or _fake_client[0] is not _fake_server:
            _fake_client = (_fake_server, fakeredis.FakeRedis(server=_fake_server))
        return _fake_client[1]


def queue(name, app=None):
    from rq import Queue
    return Queue(name, connection=connection(app))


def available(dotted):
    """Is the module of job ``dotted`` part of this installation?  (Looked up in its parent
    package's own folders only: an editable install of another checkout must not count.)"""
    module = dotted.rpartition(".")[0]
    parent, _, leaf = module.rpartition(".")
    try:
        if not parent:
            return importlib.util.find_spec(module) is not None
        package = importlib.import_module(parent)
        return PathFinder.find_spec(leaf, list(package.__path__)[:1]) is not None
    except ImportError:
        return False


def resolve(name):
    """The job function for a dotted name (importing its module on first use)."""
    if name not in REGISTRY:
        module, _, attr = name.rpartition(".")
        getattr(importlib.import_module(module), attr)
    return REGISTRY[name]


def enqueue(name, tenant_id=None, *ids, now=False):
    """Enqueue job ``name`` after the current transaction commits (at once if none is open).

    A Redis outage is logged, never raised: the caller's work is already committed and the
    periodic scans (outbox relay, sweep, reminders) redo what was not enqueued.
    """
    from core.extensions import db
    args = (name, tenant_id, *ids)
    session = db.session() if has_app_context() else None
    # A transaction that is committed but not yet closed (inside an after_commit hook) no
    # longer counts: what is enqueued there goes out at once.
    transaction = session.get_transaction() if session is not None else None
    if not now and transaction is not None and transaction.is_active:
        current = session.get_nested_transaction() or transaction
        session.info.setdefault("shouwen_jobs", []).append((current, args))
        return None
    return _dispatch([args])


def _dispatch(batch):
    app = _app_obj()
    if mode(app) == "eager":
        return _run_eagerly(batch)
    from rq import Retry
    try:
        for name, tenant_id, *ids in batch:
            spec = resolve(name).job
            retry = Retry(max=spec.retry[0], interval=list(spec.retry[1])) if spec.retry else None
            queue(spec.queue, app).enqueue(perform, name, tenant_id, *ids, retry=retry,
                                           job_timeout=spec.timeout,
                                           description=f"{name}({tenant_id}, {', '.join(map(str, ids))})")
    except Exception:   # noqa: BLE001  (a Redis outage must never fail the committed request)
        log.exception("could not enqueue %d job(s); the periodic scans will redo them",
                      len(batch))
    return None


def _run_eagerly(batch):
    """Tests: run jobs now, one after another (a job enqueuing more appends to the queue)."""
    pending = getattr(_local, "pending", None)
    if pending is not None:          # already draining: let the outer loop run them
        pending.extend(batch)
        return None
    _local.pending = list(batch)
    try:
        while _local.pending:
            name, tenant_id, *ids = _local.pending.pop(0)
            try:
                perform(name, tenant_id, *ids)
            except Exception:   # noqa: BLE001  (as in a worker: the caller already committed)
                log.exception("job %s(%s, %s) failed", name, tenant_id, ids)
    finally:
        _local.pending = None
    return None


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    batch = session.info.pop("shouwen_jobs", None)
    if batch:
        _dispatch([args for _, args in batch])


def within(transaction, rolled_back):
    """Was ``transaction`` (a session transaction) ``rolled_back`` or nested inside it?"""
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    """Jobs enqueued in a rolled-back transaction or savepoint are dropped with it."""
    pending = session.info.get("shouwen_jobs")
    if pending:
        session.info["shouwen_jobs"] = [(t, a) for t, a in pending
                                        if not within(t, previous_transaction)]


# --- running ---------------------------------------------------------------------------------

def perform(name, tenant_id, *ids):
    """Run one job as RQ does: app context, tenant scope, commit or roll back."""
    from core.tenancy.scoping import tenant_scope
    fn = resolve(name)
    app = _app_obj()
    if app is None:      # the engine never builds the application itself (docs/architecture.md)
        raise RuntimeError("no application is bound to run jobs: start workers with "
                           "`shouwen worker` (or call core.jobs.bind(app))")
    with app.app_context():
        from core.extensions import db
        try:
            with tenant_scope(tenant_id):
                result = fn(tenant_id, *ids)
                db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def bind(app):
    """Make ``app`` the application jobs run for in this process (worker, embedded thread)."""
    global _app
    _app = app
    return app


def worker_class(app=None):
    """The forking RQ worker whose work horse never reuses the parent's DB connections."""
    from rq import Worker

    class ShouwenWorker(Worker):
        def main_work_horse(self, job, queue):
            from core.extensions import db
            with (app or _app).app_context():
                db.engine.dispose(close=False)    # the parent's pooled sockets are not ours
            return super().main_work_horse(job, queue)
    return ShouwenWorker


# --- embedded mode ---------------------------------------------------------------------------

class _Embedded(threading.Thread):
    """One thread: enqueue the due periodic jobs, then drain the queues (RQ SimpleWorker)."""

    def __init__(self, app, tick):
        super().__init__(name="shouwen-jobs", daemon=True)
        self.app, self.tick, self.stopped = app, tick, threading.Event()

    def run(self):
        from rq import SimpleWorker
        from rq.timeouts import TimerDeathPenalty

        from core.jobs import periodic

        class ThreadWorker(SimpleWorker):
            death_penalty_class = TimerDeathPenalty   # SIGALRM works only in the main thread

            def _install_signal_handlers(self):       # signals belong to the main thread
                pass

        from rq.scheduler import RQScheduler
        conn = connection(self.app)
        schedule = periodic.Schedule(conn)
        queues = [queue(q, self.app) for q in QUEUES]
        # RQ's scheduler moves retries that wait (ScheduledJobRegistry) back to their queue.
        # Its lock is a Lua script, which fakeredis lacks; one process needs no lock.
        retries = RQScheduler(queues, connection=conn)
        retries._acquired_locks = set(QUEUES)
        retries.prepare_registries()
        while not self.stopped.is_set():
            try:
                schedule.enqueue_due(self.app)
                retries.enqueue_scheduled_jobs()
                ThreadWorker(queues, connection=conn).work(burst=True, logging_level="WARNING")
            except Exception:   # noqa: BLE001  (keep the embedded worker alive)
                log.exception("embedded job loop failed; retrying")
            self.stopped.wait(self.tick)


def start_embedded(app, tick=1.0):
    """Start the in-process worker thread (``shouwen serve`` without Redis)."""
    bind(app)
    thread = _Embedded(app, tick)
    thread.start()
    return thread
