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
* ``embedded`` (default without Redis): one in-process runner thread started by
  ``shouwen serve`` (``core.jobs.embedded``): the same ``perform`` path, the same retries
  and back-off, the periodic list; not durable across restarts (docs/jobs.md).
* ``eager``    (tests): each enqueued job runs synchronously right after the commit.

Enqueueing waits for the commit through the session's after-commit queue
(``core.db.after_commit``), which the outbox shares.
"""
import functools
import importlib
import importlib.util
import logging
import threading
from importlib.machinery import PathFinder

from flask import current_app, has_app_context

from core.db import after_commit

log = logging.getLogger("shouwen.jobs")

QUEUES = ("default", "notify")
REGISTRY = {}            # "module.name" -> the plain function
_app = None              # the app a worker (or the embedded thread) runs jobs for
_local = threading.local()


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


def current():
    """The app jobs enqueued here belong to (the request's, else the bound one)."""
    return _app_obj()


def mode(app=None):
    app = app or _app_obj()
    configured = app.config.get("SHOUWEN_JOBS")
    if configured:
        return configured
    return "redis" if app.config.get("SHOUWEN_REDIS_URL") else "embedded"


def connection(app=None):
    """The Redis connection jobs go through (``redis`` mode only: the other modes have none)."""
    app = app or _app_obj()
    if mode(app) != "redis":
        raise RuntimeError(f"jobs run {mode(app)!r} here: there is no Redis connection")
    from redis import Redis
    conn = app.extensions.get("shouwen_redis")
    if conn is None:
        conn = Redis.from_url(app.config["SHOUWEN_REDIS_URL"], socket_connect_timeout=2,
                              socket_timeout=10, health_check_interval=30)
        app.extensions["shouwen_redis"] = conn
    return conn


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
    periodic scans (outbox relay, sweep, reminders) redo what was not enqueued.  A job
    enqueued in a savepoint that rolls back is dropped with it (``core.db.after_commit``).
    """
    args = (name, tenant_id, *ids)
    if now or not has_app_context():
        return _dispatch([args])
    from core.extensions import db
    return after_commit.on_commit(db.session(), _dispatch, args)


def _dispatch(batch):
    app = _app_obj()
    if mode(app) == "eager":
        return _run_eagerly(batch)
    if mode(app) == "embedded":
        from core.jobs import embedded
        return embedded.submit(batch)
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

def start_embedded(app, tick=1.0):
    """Start the in-process runner thread (``shouwen serve`` without Redis)."""
    from core.jobs import embedded
    return embedded.start(bind(app), tick)
