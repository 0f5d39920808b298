"""The roll-up tables behind the supervision figures.

Each row is a sum over the raw rows (contacts, clocks, escalations, violations, callbacks
...) of what they contribute (``core.supervision.contributions``) to one local day of the
tenant, one department and one person.  ``core.supervision.rollup`` keeps them equal to
that sum in the same transaction as each change, so a dashboard reads a few thousand
roll-up rows instead of scanning a million contacts.

``department_id`` / ``staff_id`` use 0 for "none" (a key column cannot be NULL and still
conflict on upsert) and ``staff_id`` -1 for the department's total (``ALL_STAFF``): each
contribution is written to its person's row and to its department's total row, so the
department and organisation figures never sum per-person rows.
"""
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.tenancy.scoping import TenantScoped

NONE = 0          # no department / no person
ALL_STAFF = -1    # a department's total row


class FigureCount(TenantScoped, db.Model):
    """How many rows count for ``metric``/``key`` that day (``n``) and the sum of their
    value (``total``: e.g. satisfaction grades, for a mean)."""
    __tablename__ = "figure_counts"
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        # The department and organisation figures and the trend: total rows by day.
        Index("ix_figure_counts_tenant_staff_day", "tenant_id", "staff_id", "day"),
    )


class FigureDuration(TenantScoped, db.Model):
    """How many clocks of ``kind`` closed that day having taken ``bucket`` (thousandths of
    the rule's ``unit``, to two significant figures): the histogram the median and the
    90th percentile are read from."""
    __tablename__ = "figure_durations"
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        Index("ix_figure_durations_tenant_staff_day", "tenant_id", "staff_id", "day"),
    )


class FigureCountMonth(TenantScoped, db.Model):
    """``FigureCount`` summed over a calendar month of the tenant (``month``: its first day).
    A month, quarter or year reads these, a thirtieth of the daily rows; days outside whole
    months are read from the daily table (``core.supervision.figures.spans``).  Kept by the
    same upsert as the daily rows, so the two never disagree."""
    __tablename__ = "figure_counts_monthly"
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        # covering on PostgreSQL: a read per person is an index-only scan (migration 0019)
        Index("ix_figure_counts_monthly_tenant_staff_month", "tenant_id", "staff_id", "month",
              postgresql_include=["department_id", "metric", "key", "n", "total"]),
    )


class FigureDurationMonth(TenantScoped, db.Model):
    """``FigureDuration`` summed over a calendar month (``month``: its first day)."""
    __tablename__ = "figure_durations_monthly"
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        Index("ix_figure_durations_monthly_tenant_staff_month", "tenant_id", "staff_id",
              "month", postgresql_include=["department_id", "kind", "unit", "bucket", "n"]),
    )


# (daily table, monthly table): the same sums at two grains
GRAINS = ((FigureCount, FigureCountMonth), (FigureDuration, FigureDurationMonth))
