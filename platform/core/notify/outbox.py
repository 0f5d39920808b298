"""The transactional outbox: side effects are rows written with the change that causes them.

``emit(topic, payload, contact=None)`` adds a row in the current transaction, so a
notification is never lost when the contact is saved and never sent when it is rolled
back.  After the commit the relay **wakes** the tenant's ``drain`` job: one Redis
``SET NX`` per commit, and one drain job per burst of commits, not one job per row.  The
drain hands each fresh row to the consumers (by dotted path, default
``core.notify.inbox.fan_out``) in the worker, one row per transaction; a consumer marks
the row relayed.  Rows older than ``SHOUWEN_OUTBOX_GRACE_SECONDS`` (60) that are still
unrelayed (Redis was down, a worker died, a consumer failed) are left to the periodic
``relay_scan``, which enqueues one consumer job per row with RQ's retries and back-off.
Consumers are idempotent.

``key`` makes a message unique per tenant (a reminder point, a daily digest): a second
emit with the same key in a later transaction is refused by the unique index, so callers
claim the work first (see ``core.deadlines.reminders``) and the index is only the backstop.
"""
import logging
import threading
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import clock, jobs
from core.db import after_commit
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.models import active_tenant_ids
from core.tenancy.scoping import TenantScoped, TenantScopeError, tenant_scope

log = logging.getLogger("shouwen.outbox")
# The staff fan-out first, then telling the customer (core.voice.telling: its own rows).
DEFAULT_CONSUMERS = ("core.notify.inbox.fan_out", "core.voice.telling.tell")
SCAN_BATCH = 500
WAKE_TTL = 30          # seconds: a lost drain job is re-requested by a later commit
RETRY_BASE, RETRY_CAP = 30, 3600   # seconds a failed row waits, doubling, at most
# Embedded mode (no Redis): (tenant id, row id) -> (failures, monotonic time it may retry).
_local_failures = {}
_local_lock = threading.Lock()
HELD = "outbox"     # the rows held in the session until its commit (core.db.after_commit)


class OutboxMessage(TenantScoped, db.Model):
    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    key: Mapped[str | None] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        # The relay scan: unrelayed rows per tenant, oldest first (partial: stays tiny).
        Index("ix_outbox_tenant_unrelayed", "tenant_id", "id",
              postgresql_where=text("relayed_at IS NULL"), sqlite_where=text("relayed_at IS NULL")),
        UniqueConstraint("tenant_id", "key", name="uq_outbox_tenant_key"),
    )


def emit(topic, payload, contact=None, key=None, tenant_id=None, event=None):
    """Add an outbox row to the current transaction; returns it.

    The row joins the session just before the commit (:func:`write_held_rows`), when the
    contact and the event it names have their ids and the contact its final reference
    number, so a registration still writes everything in one flush.  Held rows of a
    savepoint that rolls back are dropped with it (``core.db.after_commit``)."""
    row = OutboxMessage(tenant_id=contact.tenant_id if contact is not None else tenant_id,
                        topic=topic, key=key, payload=payload, created_at=clock.now())
    row._contact, row._event = contact, event
    session = db.session()
    if key is not None and contact is None:
        # A keyed message of its own (the daily digest) claims its key at once, so a caller
        # racing another worker catches the duplicate in its savepoint, not at the commit.
        session.add(row)
        session.flush()
        after_commit.on_commit(session, wake_all, row.tenant_id)
        return row
    after_commit.hold(session, HELD, row)
    return row


def write_held_rows(session):
    """Session ``before_commit`` (registered by ``core.db.listeners``): fill in the ids and
    the final ``ref`` (taken last at registration, core.contacts.lifecycle) and insert the
    held rows (one executemany per tenant; nothing reads them back in this transaction);
    then queue the wake-up of their tenants' drains for after the commit."""
    rows = after_commit.take(session, HELD)
    if not rows:
        return
    session.flush()
    values = {}
    for row in rows:
        contact, ev = getattr(row, "_contact", None), getattr(row, "_event", None)
        payload = dict(row.payload or {})
        if contact is not None:
            row.contact_id = contact.id
            payload.update(contact_id=contact.id, ref=contact.ref)
        if ev is not None:
            payload["event_id"] = ev.id
        values.setdefault(row.tenant_id, []).append(
            {"tenant_id": row.tenant_id, "topic": row.topic, "key": row.key,
             "contact_id": row.contact_id, "payload": payload, "created_at": row.created_at})
    # Each row in its own tenant's scope: the commit may come after the code that emitted
    # it has left that scope (``shouwen demo`` commits once for its sample contacts).
    for tenant_id in sorted(values, key=str):
        if tenant_id is None:
            raise TenantScopeError("outbox row with no tenant")
        with tenant_scope(tenant_id):
            session.execute(insert(OutboxMessage), values[tenant_id])
        after_commit.on_commit(session, wake_all, tenant_id)


def wake_all(tenant_ids):
    """After the commit (``core.db.after_commit``): wake each tenant's drain once."""
    for tenant_id in sorted(set(tenant_ids), key=str):
        wake(tenant_id)


def _wake_key(tenant_id):
    return f"shouwen:outbox:drain-pending:{tenant_id}"


def wake(tenant_id):
    """After a commit with new rows: make sure a drain of ``tenant_id`` is pending.

    ``SET NX`` lets one drain job serve every commit until it starts; the drain deletes the
    key *before* it reads, so a row committed before a failed ``SET NX`` is always seen by
    the pending drain.  The key expires in case that job is lost; a Redis outage is
    logged and left to the periodic scan (the rows are committed).  Without Redis the drain
    is enqueued as is: the embedded runner keeps one pending copy of an identical job
    (``core.jobs.embedded``), eager mode (tests) runs it at once."""
    if jobs.mode() == "redis":
        try:
            if not jobs.connection().set(_wake_key(tenant_id), 1, nx=True, ex=WAKE_TTL):
                return
        except Exception:   # noqa: BLE001  (never fail the committed request)
            log.exception("could not enqueue the outbox drain; the periodic scan will relay")
            return
    drain.enqueue(tenant_id)


def consumers():
    """The consumer jobs of every outbox row (``SHOUWEN_OUTBOX_CONSUMERS``, comma-separated)."""
    configured = current_app.config.get("SHOUWEN_OUTBOX_CONSUMERS")
    if configured is not None:
        names = [n.strip() for n in configured.split(",")] if isinstance(configured, str) \
            else list(configured)
        return [n for n in names if n]
    return [n for n in DEFAULT_CONSUMERS if jobs.available(n)]


def _grace():
    return timedelta(seconds=int(current_app.config.get("SHOUWEN_OUTBOX_GRACE_SECONDS", 60)))


def _backoff_key(tenant_id, outbox_id):
    return f"shouwen:outbox:retry-after:{tenant_id}:{outbox_id}"


def _wait(count):
    return min(RETRY_BASE * 2 ** (count - 1), RETRY_CAP)


def _backing_off(conn, tenant_id, ids):
    """The rows whose last failure asked to wait (a Redis key with a growing expiry; in
    embedded mode the same waits kept in this process, lost with it)."""
    if not ids:
        return set()
    if conn is None:
        if jobs.mode() != "embedded":
            return set()
        now = time.monotonic()
        with _local_lock:
            return {i for i in ids if _local_failures.get((tenant_id, i), (0, 0))[1] > now}
    try:
        found = conn.mget([_backoff_key(tenant_id, i) for i in ids])
    except Exception:   # noqa: BLE001  (no Redis: try them all)
        return set()
    return {i for i, hit in zip(ids, found) if hit is not None}


def _failed(conn, tenant_id, outbox_id):
    """Remember a failure: the row waits 30 s, 1, 2, 4 ... minutes, at most an hour."""
    if conn is None:
        if jobs.mode() == "embedded":
            with _local_lock:
                count = _local_failures.get((tenant_id, outbox_id), (0, 0))[0] + 1
                _local_failures[(tenant_id, outbox_id)] = (count, time.monotonic() + _wait(count))
        return
    try:
        count = conn.incr(f"shouwen:outbox:failures:{tenant_id}:{outbox_id}")
        conn.expire(f"shouwen:outbox:failures:{tenant_id}:{outbox_id}", 86400)
        conn.set(_backoff_key(tenant_id, outbox_id), count, ex=_wait(count))
    except Exception:   # noqa: BLE001
        log.warning("could not record the failure of outbox row %s", outbox_id)


@jobs.job(queue="notify", retry=None)
def drain(tenant_id, after=0):
    """Hand the tenant's unrelayed rows to the consumers, oldest first, in this job.

    Each row is claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two drains never work
    on one row) and run in its own transaction: a row whose consumer fails is rolled back
    alone, logged, and waits before it is tried again (30 s doubling up to an hour,
    remembered in Redis, or in the process in embedded mode).  ``after``: the last row id a
    previous page of this drain read."""
    conn = None
    if jobs.mode() == "redis":
        try:
            conn = jobs.connection()
            conn.delete(_wake_key(tenant_id))
        except Exception:   # noqa: BLE001  (we were dequeued from this Redis; go on)
            log.warning("could not clear the drain key of tenant %s", tenant_id)
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.relayed_at.is_(None),
                                       OutboxMessage.id > after)
        .order_by(OutboxMessage.id).limit(SCAN_BATCH)).all()
    db.session.commit()
    names = consumers()
    waiting = _backing_off(conn, tenant_id, ids)
    for outbox_id in ids:
        if outbox_id in waiting:
            continue
        try:
            claimed = db.session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.id == outbox_id,
                                               OutboxMessage.relayed_at.is_(None))
                .with_for_update(skip_locked=True))
            if claimed is not None:
                for name in names:
                    jobs.resolve(name)(tenant_id, outbox_id)
                if not names:
                    mark_relayed_row(db.session.get(OutboxMessage, outbox_id))
            db.session.commit()
            if _local_failures:
                with _local_lock:
                    _local_failures.pop((tenant_id, outbox_id), None)
        except Exception:   # noqa: BLE001  (one bad row must not hold up the others)
            db.session.rollback()
            _failed(conn, tenant_id, outbox_id)
            log.exception("outbox row %s of tenant %s failed; it will be retried",
                          outbox_id, tenant_id)
    if len(ids) == SCAN_BATCH:
        drain.enqueue(tenant_id, ids[-1])
    return len(ids)


def mark_relayed_row(row, at=None):
    """For consumers: the row is done (first consumer to finish wins; idempotent)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id,
                                                   OutboxMessage.relayed_at.is_(None))
                       .values(relayed_at=at or clock.now())
                       .execution_options(synchronize_session=False))


@jobs.job(queue="notify", retry=None)
def relay_scan(tenant_id):
    """For each active tenant, look for rows still unrelayed after the grace period."""
    for tid in active_tenant_ids():
        relay_tenant.enqueue(tid)


@jobs.job(queue="notify", retry=None)
def relay_tenant(tenant_id):
    """Rows older than the grace period are still unrelayed (Redis was down at the commit,
    a drain job was lost, a consumer failed): enqueue a drain for them.  Returns how many."""
    # Under SHOUWEN_NOW the clock stands still and rows would never age: take them all
    # (consumers are idempotent, so a row relayed twice is harmless).
    cutoff = clock.now() if clock.standing_still() else clock.now() - _grace()
    stale = db.session.scalar(
        select(func.count()).select_from(
            select(OutboxMessage.id).where(OutboxMessage.relayed_at.is_(None),
                                           OutboxMessage.created_at <= cutoff)
            .limit(SCAN_BATCH).subquery()))
    if stale:
        drain.enqueue(tenant_id)
    return stale
