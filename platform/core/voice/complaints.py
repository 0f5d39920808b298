"""Complaints about staff (投诉): filed by the customer or for them, routed, handled, counted.

Seed 000 (property rules 11-12): a customer who is not satisfied with the first-inquiry
owner may complain to the body that receives such complaints, which investigates and tells
the complainant the result; seed 004: complaints about supervisors and above or customer
service go to the property-centre director.  Which body receives a complaint is the pack's
answer (``shouwen_complaint_route``); it is never the person's own department.

One function per user action, taking a context and never committing:

- :func:`submit_by_customer`: from the progress page (reference + query code, checked by the
  caller), against "the person who first received my matter" (the owner) or "the person now
  handling it" (the handler), chosen by role: the customer never sees a name;
- :func:`register_for_customer`: staff, from the contact page or the API, choosing among the
  people involved in the contact (owner, handler, transfer receivers);
- :func:`record_handling`: the receiving body's finding and reply, once (one winner), with an
  optional violation under the pack's rules for a substantiated complaint.

The person complained about never sees or handles a complaint about themselves and is never
told of it by this module (the receiving body is).
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from core import clock
from core.contacts import violations
from core.contacts.context import for_contact
from core.contacts.models import Transfer
from core.errors import Forbidden, Invalid
from core.extensions import db
from core.i18n import N_
from core.notify import outbox
from core.policy import default_rules
from core.tenancy import locks
from core.tenancy.models import Department, Staff
from core.tenancy.permissions import can, require
from core.voice.complaint_models import FINDINGS, Complaint

TRIGGER = "complaint_substantiated"
TOPIC = "complaint.received"
TEXT_MAX = 2000
CUSTOMER_MAX = 5        # complaints one contact's customer may file (product default)
# What the customer chooses, and sees again on the progress page: roles, never names.
CUSTOMER_ROLES = {"owner": N_("The person who first received my matter"),
                  "handler": N_("The person now handling it")}
CUSTOMER_STATUS = {"open": N_("Complaint received; it is being looked into"),
                   "handled": N_("Complaint handled")}


@dataclass
class Context:
    tenant: object
    actor: object = None          # None: the customer, from the progress page
    at: object = field(default_factory=clock.now)


def _refuse(fields, en, zh, status=422, code=None):
    raise Invalid({"zh": zh, "en": en}, fields=fields, status=status, code=code)


def involved(contact):
    """``{staff id: relation}`` of the people a complaint about this contact may name: the
    owner, the current handler, and whoever received or signed for a transfer."""
    people = {contact.owner_id: "owner"}
    if contact.handler_id:
        people.setdefault(contact.handler_id, "handler")
    rows = db.session.execute(select(Transfer.to_staff_id, Transfer.accepted_by_id).where(
        Transfer.contact_id == contact.id).order_by(Transfer.id))
    for to_staff, accepted_by in rows:
        for staff_id in (to_staff, accepted_by):
            if staff_id:
                people.setdefault(staff_id, "involved")
    return people


def customer_choices(contact):
    """``{role: staff id}`` the customer may complain about: the owner, and the handler when
    someone else handles the matter now."""
    out = {"owner": contact.owner_id}
    if contact.handler_id and contact.handler_id != contact.owner_id:
        out["handler"] = contact.handler_id
    return out


def person_facts(staff):
    """What the pack is told of the person complained about (``shouwen_complaint_route``)."""
    return {"id": staff.id, "title": staff.title, "role": staff.role, "rank": staff.rank,
            "department": staff.department.code if staff.department else None}


def route(cctx, person):
    """The department that receives a complaint about ``person``: the pack's first body that
    exists and is not the person's own department, then the core's list, then any active
    department with a leader in it that is not theirs."""
    answer = cctx.hooks.shouwen_complaint_route(policy=cctx.policy, contact=cctx.contact,
                                                person=person_facts(person)) or []
    codes = [*answer, *default_rules.complaint_bodies(cctx.policy)]
    found = {d.code: d for d in db.session.scalars(select(Department).where(
        Department.code.in_(codes), Department.active.is_(True)))}
    for code in codes:
        department = found.get(code)
        if department is not None and department.id != person.department_id:
            return department
    stmt = select(Department).join(Staff, Staff.department_id == Department.id).where(
        Department.active.is_(True), Staff.role == "leader", Staff.active.is_(True))
    if person.department_id is not None:
        stmt = stmt.where(Department.id != person.department_id)
    fallback = db.session.scalars(stmt.order_by(Department.id).limit(1)).first()
    if fallback is None:
        _refuse({}, "No department receives complaints here.", "本单位没有受理投诉的部门。",
                status=409, code="no_receiving_body")
    return fallback


def _check_text(text):
    text = (text or "").strip()
    if not text:
        _refuse({"text": ["Say what happened."]}, "Say what happened.", "请写明投诉内容。")
    if len(text) > TEXT_MAX:
        _refuse({"text": [f"At most {TEXT_MAX} characters."]}, "The text is too long.",
                "内容过长。")
    return text


def _file(ctx, contact, person, relation, source, text):
    cctx = for_contact(ctx.tenant, contact, at=ctx.at)
    receiver = route(cctx, person)
    row = Complaint(tenant_id=ctx.tenant.id, contact_id=contact.id, person_id=person.id,
                    person_department_id=person.department_id, relation=relation,
                    source=source, registered_by_id=ctx.actor.id if ctx.actor else None,
                    text=text, received_at=ctx.at, department_id=receiver.id, status="open",
                    reply="")
    db.session.add(row)
    db.session.flush()
    outbox.emit(TOPIC, {"complaint_id": row.id, "ref": contact.ref,
                        "department_id": receiver.id, "person_id": person.id,
                        "actor_id": row.registered_by_id, "source": source,
                        "path": f"/t/{ctx.tenant.slug}/complaints/{row.id}"}, contact=contact)
    return row


def submit_by_customer(ctx, contact, against, text):
    """The customer complains from the progress page about the owner or the handler."""
    person_id = customer_choices(contact).get(against)
    if person_id is None:
        _refuse({"against": ["Choose one of the people offered."]},
                "Choose who the complaint is about.", "请选择投诉对象。")
    text = _check_text(text)
    filed = db.session.execute(select(Complaint.person_id, Complaint.status).where(
        Complaint.contact_id == contact.id, Complaint.source == "customer")).all()
    if any(pid == person_id and status == "open" for pid, status in filed):
        _refuse({}, "Your complaint about this person is already being looked into.",
                "您对该人员的投诉正在处理中。", status=409, code="already_received")
    if len(filed) >= CUSTOMER_MAX:
        _refuse({}, "No more complaints can be filed online for this matter; please call us.",
                "本事项在线投诉次数已达上限，请来电反映。", status=409, code="too_many_complaints")
    person = db.session.get(Staff, person_id)
    return _file(ctx, contact, person, against, "customer", text)


def register_for_customer(ctx, contact, person_id, text):
    """Staff register a customer's complaint about one of the people involved."""
    require(ctx.actor, "complaint.register")
    relation = involved(contact).get(person_id)
    if relation is None:
        _refuse({"person": ["Choose one of the people involved in this contact."]},
                "Choose one of the people involved in this contact.",
                "请选择参与办理本事项的人员。")
    text = _check_text(text)
    return _file(ctx, contact, db.session.get(Staff, person_id), relation, "staff", text)


def may_handle(actor, complaint):
    """The receiving body's supervisors, never the person complained about."""
    return (actor is not None and actor.id != complaint.person_id
            and can(actor, "complaint.receive") and actor.department_id == complaint.department_id)


def may_see(actor, complaint):
    return actor is not None and actor.id != complaint.person_id and (
        may_handle(actor, complaint) or can(actor, "complaint.view_all"))


def may_list(actor):
    return can(actor, "complaint.receive") or can(actor, "complaint.view_all")


def visible(actor, statement):
    """``statement`` (a select of complaints) narrowed to what ``actor`` may see."""
    statement = statement.where(Complaint.person_id != actor.id)
    if can(actor, "complaint.view_all"):
        return statement
    if can(actor, "complaint.receive") and actor.department_id:
        return statement.where(Complaint.department_id == actor.department_id)
    return statement.where(Complaint.id.is_(None))


def record_handling(ctx, complaint, finding, reply, propose_violation=False):
    """The receiving body's finding and reply; the second recorder gets 409.  A substantiated
    complaint may propose a violation of the person under the pack's penalty rules."""
    if not may_handle(ctx.actor, complaint):
        raise Forbidden({"zh": "只有受理投诉的部门的主管可以记录处理结果。",
                         "en": "Only the receiving body's supervisors record the handling."},
                        code="forbidden")
    if finding not in FINDINGS:
        _refuse({"finding": ["Must be one of: substantiated, not_substantiated."]},
                "Choose a finding.", "请选择调查结论。")
    reply = (reply or "").strip()
    if not reply:
        _refuse({"reply": ["A reply is required."]}, "A reply is required.", "请填写答复。")
    if len(reply) > TEXT_MAX:
        _refuse({"reply": [f"At most {TEXT_MAX} characters."]}, "The reply is too long.",
                "答复过长。")
    # Two recorders at once: the second waits for the first's commit, then sees it (409).
    locks.locked(complaint, ["status"])
    if complaint.status != "open":
        _refuse({}, "This complaint has already been handled.", "该投诉已处理。",
                status=409, code="already_handled")
    complaint.status, complaint.finding, complaint.reply = "handled", finding, reply
    complaint.handled_by_id, complaint.handled_at = ctx.actor.id, ctx.at
    if finding == "substantiated" and propose_violation:
        cctx = for_contact(ctx.tenant, complaint.contact, at=ctx.at)
        violation = violations.propose(
            cctx, TRIGGER, staff_id=complaint.person_id,
            department_id=complaint.person_department_id,
            evidence={"complaint_id": complaint.id, "finding": finding})
        complaint.violation_id = violation.id if violation is not None else None
    db.session.flush()
    return complaint


def may_propose(tenant, complaint):
    """Whether the pack's rules know a violation for a substantiated complaint (the form
    offers the choice only then)."""
    cctx = for_contact(tenant, complaint.contact)
    return bool(cctx.hooks.shouwen_penalty(policy=cctx.policy, trigger=TRIGGER,
                                           staff=complaint.person_id, previous_count=0))


def customer_items(contact):
    """What the customer sees of their complaints: when, about whom by role, received or
    handled; never a name, the text of the finding or the reply."""
    from flask_babel import gettext
    rows = db.session.execute(select(
        Complaint.relation, Complaint.status, Complaint.received_at, Complaint.handled_at)
        .where(Complaint.contact_id == contact.id, Complaint.source == "customer")
        .order_by(Complaint.id)).all()
    return [{"about": relation, "about_text": gettext(CUSTOMER_ROLES.get(relation, "")),
             "status": "handled" if status == "handled" else "received",
             "status_text": gettext(CUSTOMER_STATUS.get(status, CUSTOMER_STATUS["open"])),
             "received_at": received_at, "handled_at": handled_at}
            for relation, status, received_at, handled_at in rows]

