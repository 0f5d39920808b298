"""Contacts and everything that happens to them.

All tables are tenant-scoped (see ``core.tenancy.scoping``); indexes lead with
``tenant_id`` and are chosen for the queries the lists, the sweep and the
registers run.
"""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db.types import JSONType, UTCDateTime
from core.extensions import db
from core.tenancy.models import Department, PolicyVersion, Staff
from core.tenancy.scoping import TenantScoped


def _id():
    return mapped_column(primary_key=True)


def _contact_fk():
    return mapped_column(ForeignKey("contacts.id"))


class Customer(TenantScoped, db.Model):
    __tablename__ = "customers"
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    room: Mapped[str] = mapped_column(String(40), default="")      # hotel room
    unit: Mapped[str] = mapped_column(String(80), default="")      # property unit
    address: Mapped[str] = mapped_column(String(300), default="")
    # The customer agreed to be told by e-mail / SMS, and when (core.voice.telling); NULL:
    # never told by that channel.  ``language``: the customer's, for those messages.
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(5), default="zh", server_default="zh")
    __table_args__ = (Index("ix_customers_tenant_phone", "tenant_id", "phone"),)

    @property
    def tell_by_email(self):
        return self.email_consent_at is not None

    @property
    def tell_by_sms(self):
        return self.sms_consent_at is not None


class Contact(TenantScoped, db.Model):
    """One request from one customer (首问事项), with its reference number."""
    __tablename__ = "contacts"
    id: Mapped[int] = _id()
    ref: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    matter_type: Mapped[str] = mapped_column(String(30))
    category: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)     # when the customer asked
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)   # when it was entered
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # The owner's department when the matter was registered: what the supervision figures
    # count the contact under (a later move of the person does not move their contacts).
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    co_receiver_ids: Mapped[list] = mapped_column(JSONType, default=list)
    handler_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(20))
    own_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # The customer's progress query code, salted and hashed (core.progress.codes); NULL before 0009.
    query_code_hash: Mapped[str | None] = mapped_column(String(100))

    customer = relationship(Customer, lazy="joined")
    owner = relationship(Staff, foreign_keys=[owner_id], lazy="joined")
    registered_by = relationship(Staff, foreign_keys=[registered_by_id], lazy="select")
    handler = relationship(Staff, foreign_keys=[handler_id], lazy="joined")
    handler_department = relationship(Department, foreign_keys=[handler_department_id],
                                      lazy="joined")
    policy_version = relationship(PolicyVersion, lazy="select")
    deadlines = relationship("Deadline", back_populates="contact", order_by="Deadline.id",
                             lazy="select")
    events = relationship("ContactEvent", order_by="ContactEvent.id", lazy="select",
                          viewonly=True)

    __table_args__ = (
        UniqueConstraint("tenant_id", "ref"),
        Index("ix_contacts_tenant_registered", "tenant_id", "registered_at"),
        Index("ix_contacts_tenant_state_registered", "tenant_id", "state", "registered_at"),
        Index("ix_contacts_tenant_owner_state", "tenant_id", "owner_id", "state"),
        Index("ix_contacts_tenant_dept_state", "tenant_id", "handler_department_id", "state"),
        # The supervision drill-downs (migration 0014): contacts of a department by date.
        Index("ix_contacts_tenant_owner_department_registered", "tenant_id",
              "owner_department_id", "registered_at"),
        # Contacts not closed yet, newest first: the work queues (thousands of rows, not the
        # million closed ones).  Partial, so it stays small (migration 0002).
        Index("ix_contacts_tenant_open", "tenant_id", "id",
              postgresql_where=text("state <> 'closed'"), sqlite_where=text("state <> 'closed'")),
        # ... and by registration time: the register's overdue filter under a date range
        # (migration 0007).
        Index("ix_contacts_tenant_open_registered", "tenant_id", "registered_at",
              postgresql_where=text("state <> 'closed'"), sqlite_where=text("state <> 'closed'")),
    )


class ContactEvent(TenantScoped, db.Model):
    """The append-only log of a contact: every action, who, when, and its details."""
    __tablename__ = "contact_events"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    actor = relationship(Staff, lazy="joined")
    # Set when recording, so a contact and its first events go to the database in one flush.
    contact = relationship(Contact, lazy="select")
    __table_args__ = (Index("ix_contact_events_tenant_contact", "tenant_id", "contact_id", "id"),)


class ContactCopy(TenantScoped, db.Model):
    """A step copied to a department the pack names (the hotel copies every slip and its
    result to Quality Inspection): one row per event and department, for that department's
    "copied to us" list (``core.contacts.copies``)."""
    __tablename__ = "contact_copies"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("contact_events.id"))
    kind: Mapped[str] = mapped_column(String(40))             # the event's kind
    # Who took the step, kept here so the list needs no join through the event log.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when recording, so the copy is written in the event's own flush.
    contact = relationship(Contact, lazy="select")
    event = relationship(ContactEvent, lazy="select")
    __table_args__ = (
        # A department gets one copy of an event, however its codes were listed.
        UniqueConstraint("tenant_id", "event_id", "department_id"),
        # "Copied to us": one department's copies, newest first, in keyset pages (migration 0011).
        Index("ix_contact_copies_tenant_department_id", "tenant_id", "department_id", "id"),
    )


def refuse_event_change(mapper, connection, target):
    """``ContactEvent`` ``before_update`` / ``before_delete`` (registered by
    ``core.db.listeners``): the log is evidence of who did what, so it is append-only."""
    raise RuntimeError("the contact event log is append-only")


class Transfer(TenantScoped, db.Model):
    """A recorded handover (转办) and its acknowledgement (签收)."""
    __tablename__ = "transfers"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    mode: Mapped[str] = mapped_column(String(20))
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    opinion: Mapped[str] = mapped_column(Text, default="")          # written opinion on a return
    is_return: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    wrong: Mapped[bool] = mapped_column(Boolean, default=False)
    to_department = relationship(Department, foreign_keys=[to_department_id], lazy="joined")
    __table_args__ = (Index("ix_transfers_tenant_contact", "tenant_id", "contact_id"),)


class Coordination(TenantScoped, db.Model):
    """A matter handled by several departments with one lead (协调单 / 会签单)."""
    __tablename__ = "coordinations"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    co_department_ids: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")  # requested/open/agreed
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_coordinations_tenant_contact", "tenant_id", "contact_id"),)


class Referral(TenantScoped, db.Model):
    """A matter outside the organisation: the competent body and how to reach it."""
    __tablename__ = "referrals"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    body: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_referrals_tenant_contact", "tenant_id", "contact_id"),)


class Deadline(TenantScoped, db.Model):
    """One clock of one stage; status open -> met | breached | cancelled (breached is sticky)."""
    __tablename__ = "deadlines"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    kind: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    calendar_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Whose figure the clock's outcome counts in (core.deadlines.clocks.charge): the
    # responsible department, else the responsible person's department at the time; the
    # responsible person, else the owner.  Kept on the row so the roll-ups
    # (core.supervision) never depend on where a person works today.
    charged_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    charged_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Time taken, in the rule's own unit (WorkCalendar.elapsed), once closed by its step.
    elapsed: Mapped[float | None] = mapped_column(Float)
    reminders_sent: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The next reminder point of an open clock (core.deadlines.reminders); NULL when none is left.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact = relationship(Contact, back_populates="deadlines")
    __table_args__ = (
        Index("ix_deadlines_tenant_contact", "tenant_id", "contact_id"),
        # The sweep: open clocks whose due time has passed, per tenant.
        Index("ix_deadlines_tenant_status_due", "tenant_id", "status", "due_at"),
        # The supervision drill-downs (migration 0014): clocks by their outcome instant.
        Index("ix_deadlines_tenant_charged_closed", "tenant_id", "charged_department_id",
              "status", "closed_at"),
        Index("ix_deadlines_tenant_charged_breached", "tenant_id", "charged_department_id",
              "status", "breached_at"),
        Index("ix_deadlines_tenant_status_closed", "tenant_id", "status", "closed_at"),
        # Running clocks (open or breached, not closed by their step) by contact: the overdue
        # queue and register filter, without reading the ever-growing closed history
        # (closed breached clocks included).  Partial, so it stays small (migration 0002).
        Index("ix_deadlines_tenant_running", "tenant_id", "contact_id", "status", "due_at",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        # The reminder scan: clocks with a reminder still to come, by its time (migration 0005).
        Index("ix_deadlines_tenant_next_reminder", "tenant_id", "next_reminder_at",
              postgresql_where=text("next_reminder_at IS NOT NULL"),
              sqlite_where=text("next_reminder_at IS NOT NULL")),
    )


class Reply(TenantScoped, db.Model):
    __tablename__ = "replies"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_replies_tenant_contact", "tenant_id", "contact_id"),)


class Callback(TenantScoped, db.Model):
    """The owner's call back to the customer, with satisfaction 1-5."""
    __tablename__ = "callbacks"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # The caller's department at the time, for the per-department callback figures.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reached: Mapped[bool] = mapped_column(Boolean, default=True)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_callbacks_tenant_contact", "tenant_id", "contact_id"),
                      Index("ix_callbacks_tenant_department_at", "tenant_id", "department_id",
                            "at"))


class Escalation(TenantScoped, db.Model):
    """One step up the pack's chain; ``conflict`` marks a hotel "conflict escalation"."""
    __tablename__ = "escalations"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    level: Mapped[int] = mapped_column(SmallInteger)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[dict] = mapped_column(JSONType)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # The department whose lateness (or unresolved handling) brought the matter up: the
    # department the breached clock was charged to, else the one handling it, else the
    # owner's.  The hotel's QI counts conflict escalations per this department.
    charged_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("ix_escalations_tenant_contact", "tenant_id", "contact_id"),
        Index("ix_escalations_tenant_charged_at", "tenant_id", "charged_department_id", "at"),
        # A breached deadline escalates once, however many sweeps see it.
        UniqueConstraint("tenant_id", "deadline_id"),
    )


class Violation(TenantScoped, db.Model):
    """A proposed penalty; a supervisor confirms or waives it with a reason."""
    __tablename__ = "violations"
    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _contact_fk()
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    trigger: Mapped[str] = mapped_column(String(40))
    rule_key: Mapped[str] = mapped_column(String(40))
    rule_text: Mapped[dict] = mapped_column(JSONType)
    sanction: Mapped[dict] = mapped_column(JSONType)
    evidence: Mapped[dict] = mapped_column(JSONType, default=dict)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    # Which offence of this rule this is for the person (1st, 2nd, 3rd ...): the confirmed
    # ones before it plus one, fixed when it is confirmed (graded sanctions).
    offence: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    contact = relationship(Contact, lazy="joined")
    staff = relationship(Staff, foreign_keys=[staff_id], lazy="joined")
    __table_args__ = (
        Index("ix_violations_tenant_status_created", "tenant_id", "status", "created_at"),
        Index("ix_violations_tenant_staff_rule", "tenant_id", "staff_id", "rule_key", "status"),
        Index("ix_violations_tenant_contact", "tenant_id", "contact_id"),
        Index("ix_violations_tenant_department_created", "tenant_id", "department_id",
              "created_at"),
        # One proposal per breached deadline, however many sweeps see it.
        UniqueConstraint("tenant_id", "deadline_id"),
    )
