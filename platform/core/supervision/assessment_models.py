"""Stored assessment runs: what a period's assessment was computed from, and what was
decided about it.

A run freezes everything its scores came from (``core.supervision.assessment_runs``): the
policy version and its ``assessment`` section, each department's figures as read from the
roll-ups (``AssessmentRow.figures``), the entered questionnaire scores, and each
component's value.  So a run can be shown, re-scored when a questionnaire score is entered
during review, exported and printed years later without the roll-ups, and a later change of
policy or a late record never moves a published number.

Revisions: runs of one period are numbered 1, 2, 3 ...  A new run supersedes the period's
draft; publishing supersedes the period's earlier published run.  A published or
superseded run is never changed (409): a correction is a new revision.
"""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.models import Staff
from core.tenancy.scoping import TenantScoped

STATUSES = ("draft", "published", "superseded")


class AssessmentRun(TenantScoped, db.Model):
    """One revision of one period's assessment."""
    __tablename__ = "assessment_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(10))        # month | quarter | year | range
    period_key: Mapped[str] = mapped_column(String(30))   # 2027-03, 2027-Q1, 2027 ...
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)              # inclusive
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    pack_key: Mapped[str] = mapped_column(String(40))
    section: Mapped[dict] = mapped_column(JSONType, default=dict)   # the frozen assessment
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")   # why this revision was made
    created_by = relationship(Staff, foreign_keys=[created_by_id], lazy="joined")
    published_by = relationship(Staff, foreign_keys=[published_by_id], lazy="joined")
    __table_args__ = (
        # Two runs of one period at once: the second insert loses (a 409), never a duplicate.
        UniqueConstraint("tenant_id", "grain", "period_key", "revision"),
        # At most one published run per period: a second publisher loses.
        Index("uq_assessment_runs_published", "tenant_id", "grain", "period_key", unique=True,
              postgresql_where=text("status = 'published'"),
              sqlite_where=text("status = 'published'")),
        Index("ix_assessment_runs_tenant_created", "tenant_id", "created_at"),
    )


class AssessmentRow(TenantScoped, db.Model):
    """One department of a run: its frozen figures, components, computed and final score."""
    __tablename__ = "assessment_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(120))      # the name when it was assessed
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)         # the department order
    figures: Mapped[dict] = mapped_column(JSONType, default=dict)     # frozen roll-up sums
    entered: Mapped[dict] = mapped_column(JSONType, default=dict)     # {component: 0-100}
    components: Mapped[list] = mapped_column(JSONType, default=list)  # key, weight, value, inputs
    computed: Mapped[float | None] = mapped_column(Float)  # what the rules gave
    score: Mapped[float | None] = mapped_column(Float)     # after any adjustment
    adjusted: Mapped[bool] = mapped_column(Boolean, default=False)   # score set by hand
    rank: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("tenant_id", "run_id", "department_id"),
                      Index("ix_assessment_rows_tenant_run", "tenant_id", "run_id", "position"))

    def name(self, lang):
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class AssessmentAdjustment(TenantScoped, db.Model):
    """The review's audit trail: a supervisor's change of one department's score, with the
    written reason (``kind`` "score"), or a questionnaire score entered (``kind`` "entered",
    ``component`` its key)."""
    __tablename__ = "assessment_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"))
    row_id: Mapped[int] = mapped_column(ForeignKey("assessment_rows.id"))
    kind: Mapped[str] = mapped_column(String(10), default="score")
    component: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[float | None] = mapped_column(Float)
    after: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by = relationship(Staff, lazy="joined")
    __table_args__ = (Index("ix_assessment_adjustments_tenant_run", "tenant_id", "run_id", "id"),)
