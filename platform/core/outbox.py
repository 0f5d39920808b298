"""The transactional outbox: side effects are rows written with the change that causes them.

``emit(topic, payload, contact=None)`` adds a row in the current transaction, so a
notification is never lost when the contact is saved and never sent when it is rolled
back.  After the commit the relay enqueues each consumer job (by dotted path, default
``core.notifications.fan_out``) for each new row; a consumer marks the row relayed.  If
Redis was down at that moment, the periodic ``relay_scan`` re-enqueues rows still
unrelayed after ``SHOUWEN_OUTBOX_GRACE_SECONDS`` (60).  Consumers are idempotent.

``key`` makes a message unique per tenant (a reminder point, a daily digest): a second
emit with the same key in a later transaction is refused by the unique index, so callers
claim the work first (see ``core.reminders``) and the index is only the backstop.
"""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, event, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.models import Tenant
from tenants.scoping import TenantScoped, tenant_scope, unscoped

from . import clock, jobs
from .dbtypes import JSONType, UTCDateTime
from .extensions import db

log = logging.getLogger("shouwen.outbox")
DEFAULT_CONSUMERS = ("core.notifications.fan_out",)
SCAN_BATCH = 500


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

    The row joins the session just before the commit (``_final_ids``), when the contact and
    the event it names have their ids and the contact its final reference number, so a
    registration still writes everything in one flush."""
    row = OutboxMessage(tenant_id=contact.tenant_id if contact is not None else tenant_id,
                        topic=topic, key=key, payload=payload, created_at=clock.now())
    row._contact, row._event = contact, event
    session = db.session()
    row._transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault("shouwen_outbox", []).append(row)
    return row


@event.listens_for(Session, "before_commit")
def _final_ids(session):
    """Fill in the ids and the final ``ref`` (taken last at registration, core.lifecycle) and
    write the rows; then note their ids (after the commit SQL is off limits)."""
    rows = session.info.pop("shouwen_outbox", None)
    if not rows:
        return
    session.flush()
    for row in rows:
        contact, ev = getattr(row, "_contact", None), getattr(row, "_event", None)
        extra = {}
        if contact is not None:
            row.contact_id = contact.id
            extra.update(contact_id=contact.id, ref=contact.ref)
        if ev is not None:
            extra["event_id"] = ev.id
        if extra:
            row.payload = {**row.payload, **extra}
    # Each row in its own tenant's scope: the commit may come after the code that emitted
    # it has left that scope (``shouwen demo`` commits once for its sample contacts).
    for tenant_id in sorted({row.tenant_id for row in rows}, key=str):
        with tenant_scope(tenant_id):
            session.add_all([row for row in rows if row.tenant_id == tenant_id])
            session.flush()
    session.info.setdefault("shouwen_outbox_ids", []).extend(
        (row.tenant_id, row.id) for row in rows if row.id is not None)


@event.listens_for(Session, "after_commit")
def _relay_after_commit(session):
    for tenant_id, outbox_id in session.info.pop("shouwen_outbox_ids", None) or ():
        relay(tenant_id, outbox_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, previous_transaction):
    rows = session.info.get("shouwen_outbox")
    if rows:
        session.info["shouwen_outbox"] = [
            r for r in rows if not jobs.within(getattr(r, "_transaction", None),
                                               previous_transaction)]
    if previous_transaction.parent is None:
        session.info.pop("shouwen_outbox_ids", None)


def consumers():
    """The consumer jobs of every outbox row (``SHOUWEN_OUTBOX_CONSUMERS``, comma-separated)."""
    configured = current_app.config.get("SHOUWEN_OUTBOX_CONSUMERS")
    if configured is not None:
        names = [n.strip() for n in configured.split(",")] if isinstance(configured, str) \
            else list(configured)
        return [n for n in names if n]
    return [n for n in DEFAULT_CONSUMERS if jobs.available(n)]


def relay(tenant_id, outbox_id):
    """Enqueue the consumers of one row (outside a transaction: at once)."""
    names = consumers()
    if not names:
        jobs.enqueue("core.outbox.mark_relayed", tenant_id, outbox_id)
    for name in names:
        jobs.enqueue(name, tenant_id, outbox_id)


def mark_relayed_row(row, at=None):
    """For consumers: the row is done (first consumer to finish wins; idempotent)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id,
                                                   OutboxMessage.relayed_at.is_(None))
                       .values(relayed_at=at or clock.now())
                       .execution_options(synchronize_session=False))


@jobs.job(queue="notify")
def mark_relayed(tenant_id, outbox_id):
    """The relay's own consumer when no consumer is configured: nothing to deliver."""
    row = db.session.get(OutboxMessage, outbox_id)
    if row is not None:
        mark_relayed_row(row)


@jobs.job(queue="notify", retry=None)
def relay_scan(tenant_id):
    """Re-enqueue rows still unrelayed after the grace period (Redis was down, a worker died)."""
    with unscoped():
        tenant_ids = db.session.scalars(select(Tenant.id).where(Tenant.status == "active")
                                        .order_by(Tenant.id)).all()
    for tid in tenant_ids:
        relay_tenant.enqueue(tid)


@jobs.job(queue="notify", retry=None)
def relay_tenant(tenant_id):
    grace = timedelta(seconds=int(current_app.config.get("SHOUWEN_OUTBOX_GRACE_SECONDS", 60)))
    # Under SHOUWEN_NOW the clock stands still and rows would never age: take them all
    # (consumers are idempotent, so a row relayed twice is harmless).
    cutoff = clock.now() if clock.standing_still() else clock.now() - grace
    rows = db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.relayed_at.is_(None),
                                       OutboxMessage.created_at <= cutoff)
        .order_by(OutboxMessage.id).limit(SCAN_BATCH)).scalars().all()
    for outbox_id in rows:
        relay(tenant_id, outbox_id)    # enqueued after this job's commit
    return len(rows)
