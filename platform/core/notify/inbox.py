"""In-app notifications (the inbox) and the fan-out of one outbox message.

``fan_out(tenant_id, outbox_id)`` is the outbox consumer the tenant's drain job calls
for each new row (``core.notify.outbox``): it decides who is told
(``core.notify.recipients``), adds one inbox row per person, one e-mail row per person
with an address (``core.notify.mail``), one webhook delivery per endpoint subscribed
to the topic (``core.notify.webhooks``), enqueues their sending after its own commit
and marks the outbox row relayed.  Running it twice creates nothing twice: the
unique constraints below and a look-up of what the message already produced.
"""
from datetime import datetime
from urllib.parse import quote

from flask import current_app
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.contacts.models import Contact
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.jobs import job
from core.notify import mail as mailer
from core.notify import recipients, webhooks
from core.notify import texts as notification_text
from core.policy import versions as policies
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import TenantScoped, get_or_404

PAGE = 30


class Notification(TenantScoped, db.Model):
    """One inbox item of one staff member; the words are rendered when shown."""
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    topic: Mapped[str] = mapped_column(String(60))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    outbox_id: Mapped[int | None] = mapped_column()   # the outbox row it came from
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        # A repeated fan-out of the same message tells nobody twice.
        UniqueConstraint("tenant_id", "outbox_id", "staff_id"),
        # The unread badge on every page: one COUNT over this index.
        Index("ix_notifications_tenant_staff_read", "tenant_id", "staff_id", "read_at"),
        # The inbox, newest first.
        Index("ix_notifications_tenant_staff_id", "tenant_id", "staff_id", "id"),
    )

    def text(self, lang):
        return notification_text.render(self.params or {}, self.topic, lang)


# --- fan-out -------------------------------------------------------------------------------

def _params(topic, payload, contact, staff_names):
    details = payload.get("details") or {}
    params = {"ref": payload.get("ref") or (contact.ref if contact else ""),
              "summary": (contact.summary[:300] if contact else "")}
    if topic in ("contact.deadline_breached", "contact.reminder"):
        params.update(deadline=details.get("deadline_kind"), due=details.get("due_at"),
                      point=details.get("point"))
    elif topic == "contact.escalated":
        params["level"] = details.get("name") or details.get("to")
    elif topic == "violation.proposed":
        params.update(rule=payload.get("rule"), sanction=payload.get("sanction"),
                      staff=staff_names.get(payload.get("staff_id")))
    elif topic == "report.summary":
        params.update({k: payload.get(k) for k in ("period", "grain", "totals", "departments",
                                                   "path")})
    elif topic == "assessment.published":
        params.update({k: payload.get(k) for k in ("period", "grain", "revision", "rows",
                                                   "path")})
    elif topic == "complaint.received":     # links to the complaint, not the contact
        params["path"] = payload.get("path")
    if details.get("copied_to"):
        # A copy says which step, and who took it (reason "copy", core.notify.texts).
        params.update(step=payload.get("kind"), actor=staff_names.get(payload.get("actor_id")),
                      to=_department_name(details.get("to_department")))
    return {k: v for k, v in params.items() if v is not None}


def _department_name(code):
    """A department's {zh, en} name (a copied handover names where it went), or None."""
    if not code:
        return None
    row = db.session.execute(select(Department.name_zh, Department.name_en).where(
        Department.code == code)).first()
    return {"zh": row.name_zh, "en": row.name_en} if row else None


def contact_link(tenant, ref):
    base = (current_app.config.get("SHOUWEN_PUBLIC_URL") or "").rstrip("/")
    return f"{base}/t/{tenant.slug}/contacts/{quote(ref or '', safe='')}"


def fan_out_message(tenant_id, topic, payload, contact_id, outbox_id):
    """Tell everyone concerned of one message, in the current transaction.

    Returns ``(notifications, emails, deliveries)`` created by this call (nothing if the
    message was already fanned out); their sending is enqueued for after the commit.
    """
    tenant = db.session.get(Tenant, tenant_id)
    contact = db.session.get(Contact, contact_id) if contact_id else None
    version_id = contact.policy_version_id if contact else policies.latest_version_id()
    policy = policies.load(version_id)[1] if version_id else {}
    wanted = recipients.resolve(topic, payload, contact, policy)
    if not wanted:          # e.g. a registration: nobody to tell, only webhooks may want it
        deliveries = webhooks.queue_deliveries(tenant, topic, payload, outbox_id)
        db.session.flush()
        for delivery in deliveries:
            webhooks.deliver.enqueue(tenant_id, delivery.id)
        return [], [], deliveries
    done = set()
    if outbox_id is not None:
        done = set(db.session.scalars(select(Notification.staff_id).where(
            Notification.outbox_id == outbox_id)))
    people = {p.id: p for p in db.session.execute(
        select(Staff.id, Staff.email, Staff.name, Staff.active).where(
            Staff.id.in_(sorted(set(wanted) | {payload.get("staff_id") or 0,
                                               payload.get("actor_id") or 0}))))}
    names = {sid: p.name for sid, p in people.items()}
    base = _params(topic, payload, contact, names)
    lang = (tenant.languages or ["zh"])[0]
    link = contact_link(tenant, base.get("ref")) if base.get("ref") else ""
    if payload.get("path"):       # a report links to its dashboard page
        link = (current_app.config.get("SHOUWEN_PUBLIC_URL") or "").rstrip("/") + payload["path"]
    created, emails = [], []
    for staff_id, reason in wanted.items():
        person = people.get(staff_id)
        if person is None or not person.active or staff_id in done:
            continue
        params = {**base, "reason": reason}
        row = Notification(tenant_id=tenant_id, staff_id=staff_id, topic=topic,
                           contact_id=contact_id, outbox_id=outbox_id, params=params,
                           created_at=clock.now())
        created.append(row)
        if person.email:
            subject, body = notification_text.email(params, topic, lang, link, tenant.name,
                                                    tenant.timezone)
            emails.append(mailer.new(tenant_id, person.email, subject, body,
                                     staff_id=staff_id, outbox_id=outbox_id))
    db.session.add_all(created + emails)
    deliveries = webhooks.queue_deliveries(tenant, topic, payload, outbox_id)
    db.session.flush()
    for email in emails:
        if email.status == "pending":
            mailer.send_email.enqueue(tenant_id, email.id)
    for delivery in deliveries:
        webhooks.deliver.enqueue(tenant_id, delivery.id)
    return created, emails, deliveries


@job(queue="notify", retry=(5, [10, 30, 120, 600, 1800]))
def fan_out(tenant_id, outbox_id):
    """The outbox consumer (``core.notify.outbox.drain`` calls it per row): fan one row out, then
    mark it relayed.  Also a job of its own, to re-run one row by hand."""
    from core.notify.outbox import OutboxMessage  # the jobs branch's model (core/notify/outbox.py)
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None or row.relayed_at is not None:
        return
    fan_out_message(tenant_id, row.topic, row.payload or {}, row.contact_id, row.id)
    row.relayed_at = clock.now()


# --- the inbox -----------------------------------------------------------------------------

def unread_count(staff_id):
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.staff_id == staff_id, Notification.read_at.is_(None))) or 0


def inbox(staff_id, before=None, unread_only=False, limit=PAGE):
    """A page of the person's notifications, newest first (keyset on id)."""
    stmt = select(Notification).where(Notification.staff_id == staff_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before:
        stmt = stmt.where(Notification.id < before)
    return db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)).all()


def mark_read(staff, notification_id):
    """Mark one of the person's own notifications read (another's is not found: 404)."""
    row = get_or_404(Notification, id=notification_id, staff_id=staff.id)
    if row.read_at is None:
        row.read_at = clock.now()
    return row


def mark_all_read(staff):
    result = db.session.execute(update(Notification).where(
        Notification.staff_id == staff.id, Notification.read_at.is_(None))
        .values(read_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount
