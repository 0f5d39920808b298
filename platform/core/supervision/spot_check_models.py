"""Spot checks (抽查): a reproducible sample of closed contacts and the verification calls.

The hotel's Quality Inspection spot-checks complaint handling and the owners' callbacks
(seed 000 hotel items 6, 8, 10), companies spot-check the duty (seed 000), the bank's union
inspects the registers (seed 003).  A draw records its seed so that the same seed over the
same closed contacts gives the same sample (``core.supervision.spot_checks.draw``).

A sampled contact belongs to the department that handled it (``handler_department_id``),
else to its owner's department at registration (``owner_department_id``): the department
whose work the call verifies.  The record copies the item's department and the contact's
owner so that its contribution to the figures reads only its own columns.
"""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.contacts.models import Contact
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.models import Staff
from core.tenancy.scoping import TenantScoped

# The closed contacts of one period: what a draw reads (migration 0013).
Index("ix_contacts_tenant_state_closed", Contact.tenant_id, Contact.state, Contact.closed_at)


class SpotCheckDraw(TenantScoped, db.Model):
    """One draw: the period, the departments, how many per department, and the seed."""
    __tablename__ = "spot_check_draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)              # inclusive
    department_ids: Mapped[list] = mapped_column(JSONType, default=list)
    number: Mapped[int | None] = mapped_column(Integer)   # per department, or
    share: Mapped[float | None] = mapped_column(Float)    # a share (0-1] of each department's
    seed: Mapped[str] = mapped_column(String(40))         # decimal, recorded to redraw
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    drawn_by = relationship(Staff, lazy="joined")
    __table_args__ = (Index("ix_spot_check_draws_tenant_drawn", "tenant_id", "drawn_at"),)


class SpotCheckItem(TenantScoped, db.Model):
    """A sampled contact, pending until its verification call is recorded."""
    __tablename__ = "spot_check_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draws.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")   # pending | recorded
    contact = relationship(Contact, lazy="joined")
    __table_args__ = (
        UniqueConstraint("tenant_id", "draw_id", "contact_id"),
        Index("ix_spot_check_items_tenant_draw", "tenant_id", "draw_id", "id"),
    )


class SpotCheckRecord(TenantScoped, db.Model):
    """The inspector's verification call; one per item (the unique key: one winner)."""
    __tablename__ = "spot_check_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("spot_check_items.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reached: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    handling_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    callback_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(12))      # confirmed | failed | unreached
    findings: Mapped[str] = mapped_column(Text, default="")
    inspector_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    inspector = relationship(Staff, foreign_keys=[inspector_id], lazy="joined")
    __table_args__ = (UniqueConstraint("tenant_id", "item_id"),)


def of_record(row):
    """``spot_checks`` by outcome, and the grade the customer gave the inspector."""
    # Imported here: contributions imports this module to register it.
    from core.supervision.contributions import Count
    where = (row.at, row.department_id, row.owner_id)
    yield Count(*where, "spot_checks", row.outcome, 0)
    if row.reached and row.satisfaction is not None:
        yield Count(*where, "spot_checks.satisfaction", str(row.satisfaction), row.satisfaction)


COLUMNS = ("at", "department_id", "owner_id", "outcome", "reached", "satisfaction")
