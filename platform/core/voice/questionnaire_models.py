"""Questionnaires (问卷): what an administrator asks, the one-time links, the answers.

Seed 000 (Vanke) scores each department from questionnaires answered by three role groups;
issue 13 adds residents answering after their matter is closed.  A questionnaire is
**frozen once it has an answer** (``core.voice.questionnaires.update`` refuses a change
with 409): the answers always mean the questions they were given; an administrator copies
a frozen questionnaire to ask something else.

A link is a random token held by the respondent; the database keeps only its SHA-256
(as ``core.tenancy.password_links``).  A link rates one department for one role group; an
answer copies both, and its ``day`` (the last day of a round's period, or the day a
customer answered a link sent after closure), so scoring reads only the answers' columns.
``score_centi`` is the answer's mean normalised value (0-100) in hundredths: whole numbers
that a frozen assessment keeps and sums exactly.
"""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.models import Staff
from core.tenancy.scoping import TenantScoped


class Questionnaire(TenantScoped, db.Model):
    """Title, questions on one scale, an optional free-text question, whom it rates."""
    __tablename__ = "questionnaires"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(12))        # customers | staff
    questions: Mapped[list] = mapped_column(JSONType, default=list)    # [text, ...]
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    low_label: Mapped[str] = mapped_column(String(60), default="")
    high_label: Mapped[str] = mapped_column(String(60), default="")
    comment_question: Mapped[str] = mapped_column(String(300), default="")
    department_ids: Mapped[list] = mapped_column(JSONType, default=list)
    group_keys: Mapped[list] = mapped_column(JSONType, default=list)   # the pack's groups
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by = relationship(Staff, lazy="joined")


class QuestionnaireRound(TenantScoped, db.Model):
    """A periodic round: one link per respondent of the questionnaire's role groups."""
    __tablename__ = "questionnaire_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)                 # inclusive
    started_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionnaireLink(TenantScoped, db.Model):
    """One respondent's one-time link: the department rated and the respondent's group."""
    __tablename__ = "questionnaire_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_rounds.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    group_key: Mapped[str] = mapped_column(String(40))
    day: Mapped[date | None] = mapped_column(Date)           # a round's last day
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    questionnaire = relationship(Questionnaire, lazy="joined")
    __table_args__ = (
        Index("ix_questionnaire_links_tenant_digest", "tenant_id", "digest", unique=True),
        Index("ix_questionnaire_links_tenant_round", "tenant_id", "round_id"),
    )


class QuestionnaireAnswer(TenantScoped, db.Model):
    """One answer per link (the unique key: one winner)."""
    __tablename__ = "questionnaire_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_links.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    group_key: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    values: Mapped[list] = mapped_column(JSONType, default=list)
    score_centi: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("tenant_id", "link_id"),
        Index("ix_questionnaire_answers_tenant_day", "tenant_id", "day", "department_id"),
    )
