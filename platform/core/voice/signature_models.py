"""The customer's drawn signature: the image bytes, kept apart from the event log.

The event (``customer_confirmed``, in ``contact_events``) says which form was confirmed, how
and when; a signature drawn on the desk tablet adds one row here with the PNG, linked to
that event, so the log stays small and the image is read only where it is shown (the
contact page, the printed form).  Checked before it is stored (:mod:`core.voice.signatures`):
a real PNG, at most :data:`MAX_BYTES`, of sane dimensions.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.contacts.models import ContactEvent
from core.db.types import UTCDateTime
from core.extensions import db
from core.tenancy.scoping import TenantScoped


class ContactSignature(TenantScoped, db.Model):
    __tablename__ = "contact_signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("contact_events.id"))
    form: Mapped[str] = mapped_column(String(40))            # the pack's template key
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Set when recording, so the image goes out in the event's own flush.
    event = relationship(ContactEvent, lazy="select")
    __table_args__ = (Index("ix_contact_signatures_tenant_contact", "tenant_id", "contact_id"),)
