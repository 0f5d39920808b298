"""What the customer was told: one row per contact, event and channel (core.voice.telling)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.db.types import UTCDateTime
from core.extensions import db
from core.tenancy.scoping import TenantScoped


class CustomerMessage(TenantScoped, db.Model):
    """One message to the customer about one event, by one channel.

    ``status``: for SMS ``pending`` -> ``sent`` | ``failed`` (attempts and back-off as
    webhooks, ``core.notify.retries``), or ``no_gateway`` (nothing sent: the tenant has no SMS
    gateway).  For e-mail ``email``: the e-mail row (``email_id``, ``core.notify.mail``)
    carries the delivery.  The unique key (contact, event, channel) makes a retried job
    harmless: a message is created once and sent once."""
    __tablename__ = "customer_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    event_id: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(8))          # email | sms
    to_addr: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="zh")
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text, default="{}")   # the SMS template's (JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_emails.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("tenant_id", "contact_id", "event_id", "channel",
                         name="uq_customer_messages_event_channel"),
        Index("ix_customer_messages_tenant_status_next", "tenant_id", "status",
              "next_attempt_at"),
        Index("ix_customer_messages_tenant_contact", "tenant_id", "contact_id", "id"),
    )
