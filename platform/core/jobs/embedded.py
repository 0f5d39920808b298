"""The embedded job runner: ``shouwen serve`` without Redis (``SHOUWEN_JOBS=embedded``).

One daemon thread with an in-memory queue runs the same job functions through the same
``core.jobs.perform(name, tenant_id, *ids)`` path as an RQ worker (app context, tenant
scope, commit or roll back), retries a failed job as RQ does with the job's declared
``retry=(max, [intervals])`` (the same intervals, picked the way RQ's ``Job.retry`` picks
them), and enqueues the periodic list (``core.jobs.periodic``) on its intervals.  No Redis,
no Redis stand-in, no RQ internals: the production path (``shouwen worker``) is untouched.

What it guarantees, and what it does not, compared with RQ on Redis (docs/jobs.md):

* **Not durable.** Pending jobs and waiting retries live in this process and are lost when
  it stops.  Nothing depends on them: the database is the source of truth, and the
  periodic scans find the work again (the outbox ``relay_scan`` re-finds unrelayed rows,
  the sweep and the reminder scan re-read the due clocks).
* **One process, one thread.** Jobs run one at a time, in the order enqueued; a second
  process (another ``shouwen serve``) has its own runner and its own periodic timers (the
  jobs are idempotent, so a repeat costs only time).  Periodic jobs run at start-up and
  then every interval counted from there (RQ workers share wall-clock slots in Redis).
* **One pending copy of an identical job.** A job enqueued again with the same arguments
  while the first is still waiting to start is not queued twice (what the outbox's
  ``SET NX`` wake key does on Redis); once it has started, a new copy is queued.
* **No job timeout.** A thread cannot be killed safely, so ``timeout=`` is not enforced.
* Jobs enqueued in a process whose runner is not running (``shouwen demo``, ``shouwen
  sweep``, a WSGI server without Redis) are dropped with a log line; the periodic scans of
  the next ``shouwen serve`` redo them.
"""
import collections
import heapq
import itertools
import logging
import threading
import time

from core import jobs

log = logging.getLogger("shouwen.jobs.embedded")
_runner = None
_runner_lock = threading.Lock()
_warned = False


def retry_interval(failures, retry):
    """Seconds before retry number ``failures`` (1-based), as RQ's ``Job.retry`` computes it
    (``index = max(len(intervals) - retries_left, 0)``), or None when no retry is left."""
    if not retry or failures > retry[0]:
        return None
    intervals = list(retry[1] or [0])
    retries_left = retry[0] - (failures - 1)
    return intervals[max(len(intervals) - retries_left, 0)]


class Runner(threading.Thread):
    """The runner thread; ``submit`` may be called from any thread."""

    def __init__(self, app, tick=1.0):
        super().__init__(name="shouwen-jobs", daemon=True)
        self.app, self.tick = app, tick
        self.stopped = threading.Event()
        self._cond = threading.Condition()
        self._ready = collections.deque()     # (args, failures so far)
        self._queued = set()                  # the args in _ready: one pending copy each
        self._waiting = []                    # heap of (monotonic due, seq, args, failures)
        self._seq = itertools.count()
        self._periodic_due = {}               # periodic job name -> monotonic time due

    def submit(self, batch, failures=0):
        with self._cond:
            for args in batch:
                args = tuple(args)
                if args not in self._queued:
                    self._queued.add(args)
                    self._ready.append((args, failures))
            self._cond.notify()

    def stop(self, timeout=10):
        self.stopped.set()
        with self._cond:
            self._cond.notify()
        self.join(timeout)

    def run(self):
        from core.jobs import periodic
        schedule = periodic.entries()
        while not self.stopped.is_set():
            try:
                now = time.monotonic()
                self._enqueue_periodic(schedule, now)
                self._release_retries(now)
                item = self._next()
                if item is not None:
                    self._perform(*item)
            except Exception:   # noqa: BLE001  (keep the runner alive)
                log.exception("embedded job loop failed; going on")
                self.stopped.wait(self.tick)

    def _enqueue_periodic(self, schedule, now):
        """Each periodic job at start-up, then every ``every`` seconds from its last run."""
        for name, every in schedule:
            if now >= self._periodic_due.get(name, now):
                self.submit([(name, None)])
                self._periodic_due[name] = now + every

    def _release_retries(self, now):
        due = []
        with self._cond:
            while self._waiting and self._waiting[0][0] <= now:
                _, _, args, failures = heapq.heappop(self._waiting)
                due.append((args, failures))
        for args, failures in due:
            self.submit([args], failures)

    def _next(self):
        with self._cond:
            if not self._ready and not self.stopped.is_set():
                self._cond.wait(self.tick)
            if not self._ready:
                return None
            args, failures = self._ready.popleft()
            self._queued.discard(args)
            return args, failures

    def _perform(self, args, failures):
        """Run one job; on failure schedule its retry (RQ's intervals) or log it as failed."""
        name, tenant_id, *ids = args
        try:
            with self.app.app_context():     # this runner's app, whatever else is bound
                jobs.perform(name, tenant_id, *ids)
        except Exception:   # noqa: BLE001  (as in a worker: the job failed, the runner goes on)
            wait = retry_interval(failures + 1, getattr(jobs.resolve(name).job, "retry", None))
            if wait is None:
                log.exception("job %s(%s, %s) failed", name, tenant_id, ids)
                return
            log.warning("job %s(%s, %s) failed; retry %d in %s s", name, tenant_id, ids,
                        failures + 1, wait, exc_info=True)
            with self._cond:
                heapq.heappush(self._waiting,
                               (time.monotonic() + wait, next(self._seq), args, failures + 1))


def start(app, tick=1.0):
    """Start this process's runner for ``app`` (a runner already running is stopped)."""
    global _runner
    runner = Runner(app, tick)
    with _runner_lock:
        previous, _runner = _runner, runner
    if previous is not None and previous.is_alive():
        previous.stop()
    runner.start()
    return runner


def running():
    runner = _runner
    return runner if runner is not None and runner.is_alive() \
        and not runner.stopped.is_set() else None


def submit(batch):
    """``core.jobs`` hands embedded-mode jobs here (after the commit that enqueued them)."""
    global _warned
    runner = running()
    if runner is not None and runner.app is not jobs.current():
        runner = None        # another app in this process (tests): not this runner's database
    if runner is None:
        if not _warned:
            _warned = True
            log.info("no embedded job runner in this process (it runs in `shouwen serve`); "
                     "jobs are left to the periodic scans")
        return None
    runner.submit(batch)
    return None
