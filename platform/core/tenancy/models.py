"""Who a tenant is and what it chose: tenants, departments, staff, tokens, policy versions.

Every tenant-owned table inherits :class:`core.tenancy.scoping.TenantScoped`; every
index and unique constraint on tenant data leads with ``tenant_id``.
"""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.scoping import TenantScoped


class Tenant(db.Model):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    pack_key: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    languages: Mapped[list] = mapped_column(JSONType, default=lambda: ["zh", "en"])
    ref_prefix: Mapped[str] = mapped_column(String(12), default="SW")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Changes with every policy version, special day or confirmed year (core.policy.config_stamp):
    # the key of the per-process caches of the current policy and the calendar.
    config_stamp: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # The scheduled supervision report (core.supervision.report): how often ("off", "weekly",
    # "monthly", "quarterly"), on which day of the new period (1 = its first day) and at
    # what local time it goes out, covering the period just ended.
    report_frequency: Mapped[str] = mapped_column(String(12), default="monthly",
                                                  server_default="monthly")
    report_day: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    report_time: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")


class TenantCounter(TenantScoped, db.Model):
    """Per-tenant sequences (reference numbers), kept off the hot ``tenants`` row."""
    __tablename__ = "tenant_counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)


class Department(TenantScoped, db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    duties_zh: Mapped[str] = mapped_column(Text, default="")
    duties_en: Mapped[str] = mapped_column(Text, default="")
    matter_types: Mapped[list] = mapped_column(JSONType, default=list)
    location: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    def name(self, lang="zh"):
        return self.name_en if lang == "en" else self.name_zh

    def handles(self, matter_type):
        return matter_type in (self.matter_types or [])


class Staff(TenantScoped, db.Model):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32), default="staff")      # permission role
    title: Mapped[str] = mapped_column(String(40), default="")          # the pack's org role key
    rank: Mapped[int] = mapped_column(Integer, default=1)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sessions signed in under another generation are refused (core.tenancy.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    department = relationship(Department, lazy="joined")
    __table_args__ = (UniqueConstraint("tenant_id", "username"),
                      Index("ix_staff_tenant_department", "tenant_id", "department_id"))


class ApiToken(TenantScoped, db.Model):
    """A bearer token of one staff member; only its SHA-256 is stored."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff = relationship(Staff, lazy="joined")
    __table_args__ = (Index("ix_api_tokens_tenant_staff", "tenant_id", "staff_id"),)


class PolicyVersion(TenantScoped, db.Model):
    """One frozen effective policy; contacts point to the version they were registered under."""
    __tablename__ = "policy_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    pack_key: Mapped[str] = mapped_column(String(40))
    overrides: Mapped[dict] = mapped_column(JSONType, default=dict)
    document: Mapped[dict] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)


class SpecialDay(TenantScoped, db.Model):
    """A day the tenant's calendar differs from the statutory one, or an official
    schedule entered before the calendar library knows the year."""
    __tablename__ = "special_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    # True: part of an official year schedule entered by the administrator (replaced when the
    # year is entered again); False: the tenant's own closing or opening, which wins.
    official: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)


class ConfirmedYear(TenantScoped, db.Model):
    """A year whose official holiday schedule the tenant has entered (so it is confirmed)."""
    __tablename__ = "confirmed_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)


def active_tenant_ids():
    """Every active tenant's id, in order: what the periodic jobs go through one by one
    (a suspended tenant's clocks, reminders and deliveries wait)."""
    from sqlalchemy import select

    from core.tenancy.scoping import unscoped
    with unscoped():
        return db.session.scalars(select(Tenant.id).where(Tenant.status == "active")
                                  .order_by(Tenant.id)).all()
