"""What e-mails and webhook deliveries share: claim an attempt, back off, scan for due rows.

Each row carries ``status`` ("pending" until it is sent, "failed" after the last
attempt), ``attempts`` and ``next_attempt_at``.  An attempt is claimed by one
conditional UPDATE (pending and due): under two workers, or a retry scan
racing the first send, only one sends; a row already sent is never sent again.
The claim holds the row until the job commits, so a worker that dies in the
middle leaves the row pending and due, and the retry scan sends it again.
"""
from datetime import timedelta

from sqlalchemy import select, update

from core.extensions import db
from core.tenancy.models import active_tenant_ids
from core.tenancy.scoping import tenant_scope

BATCH = 500


def backoff(attempts, base, cap):
    """Delay before the next attempt after ``attempts`` failed ones: base * 2^n, capped."""
    return timedelta(seconds=min(cap, base * 2 ** attempts))


def claim(model, row_id, now):
    """Take the next attempt of a pending, due row; returns the row or None."""
    result = db.session.execute(
        update(model).where(model.id == row_id, model.status == "pending",
                            model.next_attempt_at <= now)
        .values(attempts=model.attempts + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return db.session.scalars(select(model).where(model.id == row_id)
                              .execution_options(populate_existing=True)).one()


def failed_attempt(row, now, error, base, cap, max_attempts, permanent=False):
    """Record a failed attempt: retry later with back-off, or give up."""
    # What an exception says may quote the URL, control characters included: stored safely.
    row.last_error = str(error).replace("\x00", "\\x00").encode(
        "utf-8", "backslashreplace").decode("utf-8")[:1000]
    if permanent or row.attempts >= max_attempts:
        row.status, row.next_attempt_at = "failed", None
    else:
        row.next_attempt_at = now + backoff(row.attempts, base, cap)


def retry_due(model, job, at):
    """Enqueue ``job(tenant_id, row_id)`` for every pending row due by ``at``, per tenant
    (one indexed range query each: ``(tenant_id, status, next_attempt_at)``)."""
    count = 0
    for tenant_id in active_tenant_ids():
        with tenant_scope(tenant_id):
            due = db.session.scalars(select(model.id).where(
                model.status == "pending", model.next_attempt_at <= at)
                .order_by(model.next_attempt_at, model.id).limit(BATCH)).all()
            for row_id in due:
                job.enqueue(tenant_id, row_id)
            count += len(due)
    return count
