"""Complaints about staff (投诉): the row, and what it counts for in the supervision figures.

A complaint names the contact, the person complained about and that person's department
*at the time* (``person_department_id``: a later move of the person leaves the count where
it was), and the body that receives it (``department_id``, chosen by the pack:
``shouwen_complaint_route``; never the person's own department).  The receiving body
records the handling once (``status`` open -> handled, one winner: the conditional update in
``core.voice.complaints.record_handling``).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.contacts.models import Contact
from core.db.types import UTCDateTime
from core.extensions import db
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import TenantScoped

SOURCES = ("customer", "staff")          # from the progress page, or registered by staff
RELATIONS = ("owner", "handler", "involved")
FINDINGS = ("substantiated", "not_substantiated")


class Complaint(TenantScoped, db.Model):
    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    person_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    relation: Mapped[str] = mapped_column(String(12))       # owner | handler | involved
    source: Mapped[str] = mapped_column(String(12))         # customer | staff
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))   # receiving body
    status: Mapped[str] = mapped_column(String(12), default="open")    # open | handled
    finding: Mapped[str | None] = mapped_column(String(20))
    reply: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"))
    contact = relationship(Contact, lazy="joined")
    person = relationship(Staff, foreign_keys=[person_id], lazy="joined")
    department = relationship(Department, foreign_keys=[department_id], lazy="joined")
    person_department = relationship(Department, foreign_keys=[person_department_id],
                                     lazy="joined")
    handled_by = relationship(Staff, foreign_keys=[handled_by_id], lazy="select")
    registered_by = relationship(Staff, foreign_keys=[registered_by_id], lazy="select")
    __table_args__ = (
        Index("ix_complaints_tenant_department_status", "tenant_id", "department_id",
              "status", "id"),
        Index("ix_complaints_tenant_contact", "tenant_id", "contact_id"),
    )


def of_complaint(row):
    """``complaints.received`` keyed by ``open`` or the finding, and ``complaints.source``,
    charged to the person complained about and their department at the time."""
    from core.supervision.contributions import Count    # contributions imports this module
    where = (row.received_at, row.person_department_id, row.person_id)
    yield Count(*where, "complaints.received",
                row.finding if row.status == "handled" and row.finding else "open", 0)
    yield Count(*where, "complaints.source", row.source, 0)


COLUMNS = ("received_at", "person_department_id", "person_id", "status", "finding", "source")
