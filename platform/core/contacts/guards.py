"""Who may take which step on a contact now: one guard per lifecycle action.

Each domain function calls its guard first; the action table (``core.contacts.actions``)
names the guard of each step and asks it, with the pack's decision hooks, to show only the
steps that would be accepted, so the screen and the rules cannot disagree.  A guard raises
:class:`core.errors.DomainError` (403 for "not you", 409 for "not now").
"""
from sqlalchemy import select

from core.contacts.models import Coordination, Transfer
from core.contacts.states import FINISHED, UNANSWERED, State
from core.errors import DomainError, Forbidden
from core.extensions import db
from core.tenancy.permissions import can


def is_member(actor, department_id):
    return department_id is not None and actor.department_id == department_id


def _deny(zh, en, code="not_allowed"):
    raise Forbidden({"zh": zh, "en": en}, code=code)


def _not_now(zh, en, code="invalid_state"):
    raise DomainError({"zh": zh, "en": en}, code=code)


def _open(contact):
    if contact.state in FINISHED:
        _not_now("该事项已结案。", "This matter is closed.")


def is_owner(ctx, actor):
    return actor.id == ctx.contact.owner_id


def pending_transfer(contact):
    return db.session.scalars(select(Transfer).where(
        Transfer.contact_id == contact.id, Transfer.status == "pending")
        .order_by(Transfer.id.desc()).limit(1)).first()


def open_coordination(contact):
    return db.session.scalars(select(Coordination).where(
        Coordination.contact_id == contact.id, Coordination.status == "open")).first()


def may_handle(ctx, actor):
    if not is_owner(ctx, actor):
        _deny("只有首问责任人可以自行办理。", "Only the first-inquiry owner can take it on.")
    if ctx.contact.state != State.REGISTERED:
        _not_now("该事项已分派。", "This matter has already been routed.")


def may_transfer(ctx, actor):
    """Returns True when the actor transfers as the owner, False as the handling department."""
    contact = ctx.contact
    if contact.state in (State.CLOSED, State.REFERRED):
        _not_now("该事项已结案或已外部告知。", "This matter is closed or referred outside.")
    if is_owner(ctx, actor) and (contact.state == State.REGISTERED
                                 or (contact.state == State.HANDLING and contact.own_duty)):
        return True
    if is_member(actor, contact.handler_department_id) and contact.state != State.TRANSFERRED:
        return False
    if is_owner(ctx, actor):
        _not_now("该事项已转办或正由其他部门办理。",
                 "This matter has been handed over or is with another department.")
    _deny("只有首问责任人或已签收的承办部门可以转办。",
          "Only the owner or the handling department (after signing for it) can transfer it.")


def may_approve_handover(policy, staff):
    """Whether ``staff`` may approve a mid-way handover: the permission, and one of the
    pack's approving roles when it names them (government: the director, 中心主要领导)."""
    approvers = (policy or {}).get("transfer", {}).get("handover_approvers") or []
    return (staff is not None and can(staff, "contact.approve_handover")
            and (not approvers or staff.title in approvers))


def may_accept(ctx, actor, row=None):
    row = row or pending_transfer(ctx.contact)
    if row is None or row.status != "pending":
        _not_now("没有待签收的转办。", "There is no transfer waiting for acceptance.")
    if not (is_member(actor, row.to_department_id) or can(actor, "contact.accept_any")):
        _deny("只有接收部门可以签收。", "Only the receiving department can sign for it.")
    return row


def may_coordinate(ctx, actor):
    contact = ctx.contact
    if contact.state in (State.CLOSED, State.REFERRED):
        _not_now("该事项已结案或已外部告知。", "This matter is closed or referred outside.")
    if not (is_owner(ctx, actor) or is_member(actor, contact.handler_department_id)
            or can(actor, "contact.coordinate_any")):
        _deny("只有首问责任人、承办部门或主管可以发起协调。",
              "Only the owner, the handling department or a supervisor can open a coordination.")
    if contact.state == State.COORDINATING and open_coordination(contact) is not None:
        _not_now("协调已在进行中。", "A coordination is already open.",
                 code="coordination_open")


def may_agree(ctx, actor):
    row = open_coordination(ctx.contact)
    if row is None:
        _not_now("没有进行中的协调。", "There is no open coordination.")
    if not is_member(actor, row.lead_department_id):
        _deny("只有主办部门可以确认协商结果。", "Only the lead department records the agreement.")
    return row


def may_refer(ctx, actor):
    _open(ctx.contact)
    if not is_owner(ctx, actor):
        _deny("只有首问责任人可以外部告知。", "Only the first-inquiry owner refers a matter outside.")
    if ctx.contact.state not in (State.REGISTERED, State.HANDLING):
        _not_now("事项已在其他部门办理。", "The matter is already with another department.")


def may_escalate(ctx, actor):
    _open(ctx.contact)
    contact = ctx.contact
    if not (is_owner(ctx, actor) or is_member(actor, contact.handler_department_id)
            or can(actor, "contact.escalate_any")):
        _deny("只有首问责任人、承办部门或主管可以升级。",
              "Only the owner, the handling department or a supervisor escalates.")
    chain = ctx.policy.get("escalation", {}).get("chain", [])
    if contact.escalation_level >= len(chain):
        _not_now("已到升级链最高一级。", "The matter is already at the top of the escalation chain.",
                 code="chain_exhausted")


def pending_decision(contact):
    """The ``escalated`` event that asked for a decision not yet given, or None."""
    from core.contacts.models import ContactEvent
    last = db.session.scalars(
        select(ContactEvent).where(ContactEvent.contact_id == contact.id,
                                   ContactEvent.kind.in_(("escalated", "decided")))
        .order_by(ContactEvent.id.desc()).limit(1)).first()
    if last is None or last.kind != "escalated" or not (last.details or {}).get("decision_needed"):
        return None
    return last


def may_decide(ctx, actor):
    """The level asked (the escalation's targets) or a leader records the decision."""
    _open(ctx.contact)
    asked = pending_decision(ctx.contact)
    if asked is None:
        _not_now("没有等待上级决定的请示。", "No escalation is waiting for a decision.",
                 code="no_decision_pending")
    if actor.id not in (asked.details.get("staff_ids") or []) \
            and not can(actor, "contact.decide_any"):
        _deny("只有被请示的上级可以作出决定。",
              "Only the level the matter was escalated to records the decision.")
    return asked


def may_reply(ctx, actor):
    _open(ctx.contact)
    if not (is_owner(ctx, actor) or is_member(actor, ctx.contact.handler_department_id)):
        _deny("只有首问责任人或承办部门可以答复。",
              "Only the owner or the handling department can reply.")


def may_feedback(ctx, actor):
    _open(ctx.contact)
    contact = ctx.contact
    own_work = contact.own_duty and contact.handler_id == contact.owner_id
    if not is_member(actor, contact.handler_department_id) or own_work:
        _deny("只有承办部门可以向首问责任人反馈。",
              "Only the handling department reports back to the owner.")
    if contact.state in (State.TRANSFERRED, State.REGISTERED):
        _not_now("请先签收。", "Sign for the matter first.")


def may_on_site(ctx, actor):
    _open(ctx.contact)
    if not (is_owner(ctx, actor) or is_member(actor, ctx.contact.handler_department_id)):
        _deny("只有首问责任人或承办部门可以登记到场。",
              "Only the owner or the handling department records arrival on site.")
    if not any(d.kind == "on_site" and d.closed_at is None and d.status != "cancelled"
               for d in ctx.contact.deadlines):
        _not_now("此事项没有到场时限。", "This matter has no on-site clock running.")


def callback_asked(contact):
    """Whether a bad customer rating asked the owner to call back again (its
    ``rectification_opened`` event, core.voice) and no callback has reached the customer
    since: the callback is then offered even on a closed matter."""
    from core.contacts.models import ContactEvent
    rows = db.session.scalars(select(ContactEvent).where(
        ContactEvent.contact_id == contact.id,
        ContactEvent.kind.in_(("rectification_opened", "called_back")))
        .order_by(ContactEvent.id.desc()).limit(20)).all()
    for event in rows:
        if event.kind == "rectification_opened":
            return True
        if (event.details or {}).get("reached", True):
            return False
    return False


def may_callback(ctx, actor):
    if ctx.contact.state not in FINISHED or not callback_asked(ctx.contact):
        _open(ctx.contact)
    if not is_owner(ctx, actor):
        _deny("回访由首问责任人进行。", "The first-inquiry owner makes the callback.")
    if ctx.contact.state in UNANSWERED:
        _not_now("尚无处理结果，不能回访。", "There is no result to call back about yet.")


def may_close(ctx, actor):
    _open(ctx.contact)
    if not (is_owner(ctx, actor) or can(actor, "contact.close_any")):
        _deny("只有首问责任人或主管可以结案。", "Only the owner or a supervisor closes a matter.")
    if ctx.contact.state in UNANSWERED:
        _not_now("事项尚未处理完毕。", "The matter has not been dealt with yet.",
                 code="not_answered")
