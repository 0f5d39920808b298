"""The periodic list: the only place that says what runs on a schedule, and how often.

Why not ``rq.cron.CronScheduler`` (rq 3.0.0)?  Each CronScheduler enqueues every
registered job on its own, with no coordination between schedulers, and runs as a
separate blocking process (``rq cron``).  With one scheduler per worker that would enqueue
each periodic job once per worker.  Instead every worker runs this small loop, and an
interval "slot" is claimed in Redis with ``SET key NX EX`` before enqueueing, so however
many workers run, each periodic job is enqueued once per interval (docs/jobs.md).  The
jobs are idempotent anyway, so a lost slot (Redis flushed) costs only a repeat.
"""
import importlib
import logging
import time

from core import jobs

log = logging.getLogger("shouwen.periodic")

# (job, every N seconds).  Jobs take no ids: they are platform-wide (tenant id None) and
# fan out per tenant themselves.  Entries whose module is not installed are skipped.
PERIODIC = [
    ("core.deadlines.sweep.sweep_all", 60),              # breaches, violations, escalations
    ("core.deadlines.reminders.scan_all", 60),           # reminder points that fell due
    ("core.notify.outbox.relay_scan", 60),            # outbox rows Redis never saw
    ("core.jobs.periodic.retry_deliveries", 60),    # e-mail / webhook deliveries due a retry
    ("core.deadlines.reminders.digest_all", 900),        # the daily digest, once per staff per day
    ("core.supervision.report.report_all", 900),         # the scheduled report, once per period
    ("core.voice.questionnaires.after_close_all", 300),  # residents' questionnaire links
]


def entries():
    return [(name, every) for name, every in PERIODIC if jobs.available(name)]


class Schedule:
    """Enqueue each periodic job at most once per interval across all workers."""

    def __init__(self, conn):
        self.conn = conn

    def enqueue_due(self, app, now=None):
        now = time.time() if now is None else now
        started = []
        for name, every in entries():
            slot = int(now // every)
            if self.conn.set(f"shouwen:periodic:{name}:{slot}", 1, nx=True, ex=every * 2):
                with app.app_context():
                    jobs.enqueue(name, None, now=True)
                started.append(name)
        return started

    @staticmethod
    def enqueue_all(app):
        """Enqueue the whole list now (``shouwen worker --burst``, tests)."""
        with app.app_context():
            for name, _ in entries():
                jobs.enqueue(name, None, now=True)


def loop(app, tick=5.0):
    """The scheduler loop of ``shouwen worker`` (its own process, beside the RQ worker)."""
    jobs.bind(app)
    schedule = Schedule(jobs.connection(app))
    while True:
        try:
            for name in schedule.enqueue_due(app):
                log.info("enqueued periodic job %s", name)
        except Exception:   # noqa: BLE001  (Redis away: try again next tick)
            log.exception("periodic scheduler: could not reach Redis")
        time.sleep(tick)


@jobs.job(queue="notify", retry=None)
def retry_deliveries(tenant_id):
    """E-mail and webhook deliveries due a retry (``retry_due(at)`` of the notify modules)."""
    from core import clock
    from core.tenancy.scoping import unscoped
    at = clock.now()
    for module in ("core.notify.mail", "core.notify.webhooks", "core.voice.telling"):
        if not jobs.available(f"{module}.retry_due"):
            continue
        with unscoped():
            importlib.import_module(module).retry_due(at)
