"""The audit trail of a tenant's working calendar: who changed which day or year, and when.

Working periods, closing time and the calendar kind live in the policy document and are
audited by its versions; special days and entered official years are rows that change in
place, so every change is also appended here (never updated or deleted).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.scoping import TenantScoped


class CalendarChange(TenantScoped, db.Model):
    __tablename__ = "calendar_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # day_set, day_removed, year_entered, year_withdrawn
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    by = relationship("Staff", lazy="joined")
    __table_args__ = (Index("ix_calendar_changes_tenant_at", "tenant_id", "at"),)
