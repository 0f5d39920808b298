"""The customer's rating (好差评), the rectification a bad one opens, and appeals.

One :class:`CustomerRating` row per round of a contact: round 1 is the customer's first
rating; a bad rating opens a :class:`Rectification` and, after the owner's callback, the
customer may rate again, which is round 2 (and so on).  The latest round is the one the
figures count (``status`` counted); an earlier round becomes ``superseded`` and stays as
history, and a rating the supervising department overturned on appeal is ``overturned``
(excluded from the figures).  Changing one's grade within the pack's window
(``customer_rating.change_days``) updates the round's row; the contact's events keep every
grade given.

Each row copies the department and owner it counts for, so its contribution to the
figures reads only its own columns (``core.supervision.contributions``).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.types import UTCDateTime
from core.extensions import db
from core.tenancy.scoping import TenantScoped

GRADES = (5, 4, 3, 2, 1)           # 非常满意 … 非常不满意, best first as every form lists them
BAD = (2, 1)                       # 不满意, 非常不满意: the bad-review loop


class CustomerRating(TenantScoped, db.Model):
    """The customer's grade 1-5 and comment for one round of a contact."""
    __tablename__ = "customer_ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    grade: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(12), default="counted")
    source: Mapped[str] = mapped_column(String(8), default="web")      # web | api
    __table_args__ = (UniqueConstraint("tenant_id", "contact_id", "round"),)


class Rectification(TenantScoped, db.Model):
    """The duty a bad rating opens (整改) for the department that handled the matter; its
    clock is the contact's ``rectification`` deadline."""
    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    rating_id: Mapped[int] = mapped_column(ForeignKey("customer_ratings.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")     # open | done
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action_taken: Mapped[str] = mapped_column(Text, default="")
    rating = relationship(CustomerRating, lazy="joined")
    __table_args__ = (UniqueConstraint("tenant_id", "rating_id"),
                      Index("ix_rectifications_tenant_contact", "tenant_id", "contact_id"))


class RatingAppeal(TenantScoped, db.Model):
    """The department's appeal of a rating to the supervising department; one per rating."""
    __tablename__ = "rating_appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    rating_id: Mapped[int] = mapped_column(ForeignKey("customer_ratings.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # | upheld | overturned
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    rating = relationship(CustomerRating, lazy="joined")
    __table_args__ = (UniqueConstraint("tenant_id", "rating_id"),
                      Index("ix_rating_appeals_tenant_contact", "tenant_id", "contact_id"))


# -- what each row counts for in the supervision figures --------------------------------

def of_rating(row):
    """``ratings`` by grade (total = grade: distribution and mean) while counted;
    ``ratings.overturned`` by grade once the supervisor overturned it on appeal."""
    from core.supervision.contributions import Count   # contributions imports this module
    where = (row.rated_at, row.department_id, row.owner_id)
    if row.status == "counted":
        yield Count(*where, "ratings", str(row.grade), row.grade)
    elif row.status == "overturned":
        yield Count(*where, "ratings.overturned", str(row.grade), 0)


def of_rectification(row):
    """``rectifications`` opened (dated by opening) and done (dated by completion); met and
    breached come from the ``rectification`` clock like every clock."""
    from core.supervision.contributions import Count
    yield Count(row.opened_at, row.department_id, None, "rectifications", "opened", 0)
    if row.status == "done" and row.done_at is not None:
        yield Count(row.done_at, row.department_id, None, "rectifications", "done", 0)


def of_appeal(row):
    """``rating_appeals`` by status (pending, upheld, overturned), dated by the appeal."""
    from core.supervision.contributions import Count
    yield Count(row.at, row.department_id, None, "rating_appeals", row.status, 0)


CONTRIBUTIONS = (
    (CustomerRating, of_rating, ("rated_at", "department_id", "owner_id", "status", "grade")),
    (Rectification, of_rectification, ("opened_at", "department_id", "status", "done_at")),
    (RatingAppeal, of_appeal, ("at", "department_id", "status")),
)
