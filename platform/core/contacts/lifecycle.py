"""The first-inquiry lifecycle, part 1: registration and routing.

Every interface (API, web, jobs) calls these functions; rules live here once.
Each function takes a :class:`core.contacts.context.ContactContext` (or, for
``register``, the tenant), the acting staff member and validated input; it
changes the session and leaves the commit to the caller.  Refusals raise
:class:`core.errors.DomainError`; a refusal with ``keep = True`` has recorded
evidence (an event, a proposed violation) that the caller commits.
"""
import functools
import uuid
from datetime import timedelta, timezone

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from core.contacts import events, guards, violations
from core.contacts.context import ContactContext
from core.contacts.models import Contact, Coordination, Customer, Referral, Transfer
from core.contacts.states import State
from core.deadlines import clocks
from core.errors import DomainError, Invalid
from core.extensions import db
from core.policy import versions as policies
from core.policy.plugins import manager
from core.progress import codes as progress
from core.tenancy.models import Department, TenantCounter
from core.voice import telling

CLOCK_SKEW = timedelta(minutes=2)   # a received_at this far "in the future" is a clock difference
HANDLER_CLOCKS = ("accept", "reply", "feedback", "consult")


class Refused(DomainError):
    """A refusal whose evidence (event, violation proposal) must be kept."""
    keep = True


@functools.cache
def _statements():
    """Registration's two UPDATEs, built once (the tenant's criteria are added per execution
    by the scoping hook, as for every statement)."""
    take_number = (update(TenantCounter).where(TenantCounter.name == "contact_ref")
                   .values(value=TenantCounter.value + 1).returning(TenantCounter.value)
                   .execution_options(synchronize_session=False))
    set_ref = (update(Contact).where(Contact.id == bindparam("contact_id"))
               .values(ref=bindparam("ref")).execution_options(synchronize_session=False))
    return take_number, set_ref


def next_ref(tenant, at, calendar):
    row = db.session.execute(_statements()[0]).first()
    if row is None:
        db.session.add(TenantCounter(tenant_id=tenant.id, name="contact_ref", value=1))
        db.session.flush()
        seq = 1
    else:
        seq = row[0]
    return f"{tenant.ref_prefix}-{calendar.local(at):%Y%m%d}-{seq:04d}"


def _checked(policy, data, at):
    """The category (the matter type's default when none is given) and the UTC instant the
    customer asked; every value the policy does not know is a field error, all at once."""
    problems = {}
    if data["channel"] not in policy["channels"]:
        problems["channel"] = ["Not a channel of this organisation: "
                               + ", ".join(policy["channels"]) + "."]
    matter = policy["matter_types"].get(data["matter_type"])
    if matter is None:
        problems["matter_type"] = ["Not a matter type of this organisation: "
                                   + ", ".join(policy["matter_types"]) + "."]
    category = data.get("category")
    if matter is not None:
        if category is None:
            category = matter.get("default_category")
        elif category not in matter.get("categories", {}):
            problems["category"] = ["Not a category of this matter type"
                                    + (": " + ", ".join(matter["categories"])
                                       if matter.get("categories") else "") + "."]
    received_at = (data.get("received_at") or at).astimezone(timezone.utc)
    if received_at > at + CLOCK_SKEW:
        problems["received_at"] = ["Must not be in the future."]
    if problems:
        raise Invalid("invalid contact", fields=problems)
    return category, received_at


def register(tenant, actor, data, at):
    """Register a contact; the registering staff member (or the highest-ranked co-receiver) owns it.

    ``data``: channel, matter_type, category?, summary, customer{...}, received_at?,
    co_receivers [Staff], own_duty? (default: the owner's department handles this matter type).
    """
    version_id = policies.current_version_id(tenant)
    pack_key, policy = policies.load(version_id)
    hooks = manager().hooks_for(pack_key)
    category, received_at = _checked(policy, data, at)
    candidates = [actor]
    for staff in data.get("co_receivers", []):
        if all(staff.id != c.id for c in candidates):
            candidates.append(staff)
    owner = hooks.shouwen_choose_owner(policy=policy, candidates=candidates)
    own_duty = data.get("own_duty")
    if own_duty is None:
        own_duty = bool(owner.department and owner.department.handles(data["matter_type"]))
    calendar = clocks.calendar_for(tenant, policy)
    # Consent to be told (core.voice.telling) is stamped with the time it was given.
    customer = Customer(tenant_id=tenant.id,
                        **telling.customer_fields(data.get("customer", {}), at))
    # The per-tenant counter row is locked until commit, so it is taken last (below); until
    # then the contact carries a unique placeholder.
    contact = Contact(tenant_id=tenant.id, ref=f"~{uuid.uuid4().hex[:24]}",
                      channel=data["channel"], matter_type=data["matter_type"],
                      category=category, summary=data["summary"], customer=customer,
                      received_at=received_at, registered_at=at, registered_by_id=actor.id,
                      owner=owner, owner_department_id=owner.department_id,
                      co_receiver_ids=[s.id for s in candidates if s is not owner],
                      state=State.HANDLING if own_duty else State.REGISTERED, own_duty=own_duty,
                      policy_version_id=version_id, escalation_level=0, updated_at=at,
                      handler_department_id=owner.department_id if own_duty else None,
                      handler_id=owner.id if own_duty else None, deadlines=[])
    db.session.add(contact)
    ctx = ContactContext(tenant, contact, policy, hooks, calendar, at)
    progress.issue_query_code(ctx)      # the customer's progress query code (docs/progress.md)
    # The customer's clocks run from when they asked, not from when it was typed in.
    clocks.start(ctx, "final", "register", received_at, staff_id=owner.id)
    clocks.start(ctx, "on_site", "register", received_at, staff_id=owner.id)
    if own_duty:
        clocks.start(ctx, "reply", "register", received_at, staff_id=owner.id)
    else:
        clocks.start(ctx, "transfer", "register", received_at, staff_id=owner.id)
    events.record(ctx, "registered", actor, channel=contact.channel,
                  matter_type=contact.matter_type, category=category,
                  received_at=received_at.isoformat(), owner=owner.username,
                  co_receivers=[s.username for s in candidates if s is not owner],
                  own_duty=own_duty)
    # One flush for everything but the number; then the counter (its row lock is held from
    # here to the commit) and the number written by one UPDATE, without a second flush.
    db.session.flush()
    ref = next_ref(tenant, at, calendar)
    db.session.execute(_statements()[1], {"contact_id": contact.id, "ref": ref})
    set_committed_value(contact, "ref", ref)
    return ctx


def handle(ctx, actor, note=""):
    """The owner takes the matter on as their own duty (处理 within own duty)."""
    contact = ctx.contact
    guards.may_handle(ctx, actor)
    clocks.close(ctx, ["transfer"], "cancelled", ctx.at)
    contact.own_duty, contact.state = True, State.HANDLING
    contact.handler_department_id, contact.handler_id = actor.department_id, actor.id
    clocks.start(ctx, "reply", "handle", ctx.at, staff_id=actor.id)
    events.record(ctx, "handling", actor, note=note)


def current_transfer(contact):
    """The transfer that brought the matter where it is now (pending or accepted), or None."""
    return db.session.scalars(
        select(Transfer).where(Transfer.contact_id == contact.id,
                               Transfer.status.in_(("pending", "accepted")))
        .order_by(Transfer.id.desc()).limit(1)).first()


def transfer_request(ctx, actor, to_department_id, mode, by_owner, current, opinion=""):
    """What the pack's ``shouwen_transfer_decision`` hook is asked about a transfer.

    Built here once, for :func:`transfer` and for "what may I do now"
    (``core.contacts.actions``), so the screen offers exactly the targets the hook allows.
    ``current`` is :func:`current_transfer`: going back to its issuing department is a return.
    """
    is_return = (not by_owner and current is not None
                 and current.from_department_id == to_department_id)
    return {"mode": "return" if is_return else mode, "by_owner": by_owner,
            "is_return": is_return, "opinion": opinion,
            "from_department_id": ctx.contact.handler_department_id or actor.department_id,
            "to_department_id": to_department_id}


def transfer_decision(ctx, request):
    """The pack's answer (a :class:`core.rules.Decision`) to a :func:`transfer_request`."""
    return ctx.hooks.shouwen_transfer_decision(policy=ctx.policy, contact=ctx.contact,
                                               transfer=request)


def needs_handover_approval(ctx, by_owner):
    """A mid-way handover by the owner of a matter already being handled needs a leader's
    approval where the pack says so (government: the director)."""
    return bool(by_owner and ctx.contact.state == State.HANDLING
                and ctx.policy["transfer"].get("handover_requires_approval"))


def _refuse_transfer(ctx, actor, to_department, decision):
    """Raise the pack's refusal; a forbidden transfer is put on record against the actor."""
    if decision.code in ("transfer_forbidden", "return_forbidden"):
        events.record(ctx, "transfer_refused", actor, to_department=to_department.code,
                      code=decision.code)
        violations.propose(ctx, "forbidden_transfer", staff_id=actor.id,
                           department_id=actor.department_id,
                           evidence={"to_department": to_department.code,
                                     "code": decision.code})
        raise Refused(decision.message, code=decision.code,
                      details={"suggest": decision.suggest})
    fields = {"opinion": [decision.message["en"]]} \
        if decision.code == "opinion_required" else None
    raise Invalid(decision.message, code=decision.code, fields=fields)


def transfer(ctx, actor, to_department, mode, to_staff=None, note="", opinion="",
             approved_by=None):
    """Hand the matter to a department (and optionally a person); the pack decides who may."""
    contact = ctx.contact
    by_owner = guards.may_transfer(ctx, actor)
    if to_staff is not None and to_staff.department_id != to_department.id:
        raise Invalid("to_staff is not in that department",
                      fields={"to_user": ["Not a member of the receiving department."]})
    if to_department.id == contact.handler_department_id:
        raise Invalid({"zh": "该部门已在办理此事项。", "en": "That department already has it."},
                      code="same_department",
                      fields={"to_department": ["The matter is already with this department."]})
    current = current_transfer(contact)
    request = transfer_request(ctx, actor, to_department.id, mode, by_owner, current, opinion)
    is_return = request["is_return"]
    decision = transfer_decision(ctx, request)
    if not decision.allowed:
        _refuse_transfer(ctx, actor, to_department, decision)
    if needs_handover_approval(ctx, by_owner) \
            and not guards.may_approve_handover(ctx.policy, approved_by):
        raise Invalid({"zh": "中途移交须经领导同意：请填写批准人。",
                       "en": "A mid-way handover needs a leader's approval: name the approver."},
                      code="approval_required",
                      fields={"approved_by": ["A leader or supervisor must approve."]})
    if current is not None:
        current.status = "returned" if is_return else "superseded"
    if by_owner:
        clocks.close(ctx, ["transfer"], "met", ctx.at)
    clocks.close(ctx, HANDLER_CLOCKS, "cancelled", ctx.at)
    row = Transfer(tenant_id=contact.tenant_id, contact_id=contact.id, mode=request["mode"],
                   from_department_id=request["from_department_id"],
                   to_department_id=to_department.id,
                   to_staff_id=to_staff.id if to_staff else None, by_id=actor.id, at=ctx.at,
                   note=note, opinion=opinion, is_return=is_return, status="pending")
    db.session.add(row)
    contact.state, contact.own_duty = State.TRANSFERRED, False
    contact.handler_department_id = to_department.id
    contact.handler_id = to_staff.id if to_staff else None
    contact.handler_department, contact.handler = to_department, to_staff
    db.session.flush()
    # The receiving department's clocks count from the handover, not the acknowledgement.
    # A running on-site clock stays on the customer's time but is now theirs to meet.
    clocks.hand_on(contact, ["on_site"], to_department.id, to_staff.id if to_staff else None)
    for kind in ("accept", "reply", "feedback"):
        clocks.start(ctx, kind, "handover", ctx.at, department_id=to_department.id,
                     staff_id=to_staff.id if to_staff else None)
    events.record(ctx, "transferred", actor, transfer_id=row.id, mode=row.mode,
                  to_department=to_department.code,
                  to_user=to_staff.username if to_staff else None, note=note,
                  opinion=opinion, is_return=is_return,
                  approved_by=approved_by.username if approved_by else None)
    return row


def accept(ctx, actor, row, wrong=False, note=""):
    """The receiving department signs for the matter (签收); a wrong transfer is still taken on."""
    contact = ctx.contact
    guards.may_accept(ctx, actor, row)
    row.status, row.accepted_at, row.accepted_by_id, row.wrong = "accepted", ctx.at, actor.id, wrong
    clocks.close(ctx, ["accept"], "met", ctx.at, department_id=row.to_department_id)
    contact.state = State.HANDLING
    if contact.handler_id is None:
        contact.handler_id = actor.id
    events.record(ctx, "accepted", actor, transfer_id=row.id, signed_by=actor.name,
                  signed_at=ctx.at.isoformat(), wrong_transfer=wrong, note=note)
    if wrong:
        code = ctx.policy["transfer"].get("wrong_transfer_coordinator")
        coordinator = db.session.scalars(
            select(Department).where(Department.code == code)).first() if code else None
        db.session.add(Coordination(tenant_id=contact.tenant_id, contact_id=contact.id,
                                    lead_department_id=None, status="requested",
                                    reason=note, by_id=actor.id, at=ctx.at))
        events.record(ctx, "coordination_requested", actor, reason=note,
                      to_department=coordinator.code if coordinator else None)
        # Whoever routed it wrongly answers for it where the pack says so (government
        # three-part form: the coordinating office holds the first unit to account).
        violations.propose(ctx, "wrong_transfer", staff_id=row.by_id,
                           department_id=row.from_department_id,
                           evidence={"transfer_id": row.id, "note": note,
                                     "signed_by": actor.username})


def coordinate(ctx, actor, lead, co_departments, reason=""):
    """Open a coordination (协调单 / 会签单) of several departments with one lead."""
    contact = ctx.contact
    guards.may_coordinate(ctx, actor)
    others = [d.id for d in co_departments if d.id != lead.id]
    for pending in db.session.scalars(select(Coordination).where(
            Coordination.contact_id == contact.id, Coordination.status == "requested")):
        pending.status = "superseded"
    row = Coordination(tenant_id=contact.tenant_id, contact_id=contact.id,
                       lead_department_id=lead.id, co_department_ids=others, status="open",
                       reason=reason, by_id=actor.id, at=ctx.at)
    db.session.add(row)
    clocks.close(ctx, ["transfer"], "met", ctx.at)
    clocks.close(ctx, HANDLER_CLOCKS, "cancelled", ctx.at)
    contact.state = State.COORDINATING
    contact.handler_department_id, contact.handler_id = lead.id, None
    # Set the relations too: loaded ones would otherwise show the previous handler until expired.
    contact.handler_department, contact.handler = lead, None
    clocks.hand_on(contact, ["on_site"], lead.id)
    db.session.flush()
    if not clocks.start(ctx, "consult", "coordination", ctx.at, department_id=lead.id):
        clocks.start(ctx, "reply", "coordination", ctx.at, department_id=lead.id)
    clocks.start(ctx, "feedback", "coordination", ctx.at, department_id=lead.id)
    events.record(ctx, "coordination_opened", actor, coordination_id=row.id,
                  lead=lead.code, co_departments=[d.code for d in co_departments
                                                  if d.id != lead.id], reason=reason)
    return row


def agree(ctx, actor, note=""):
    """The lead department records the departments' agreement; the reply clock starts."""
    contact = ctx.contact
    row = guards.may_agree(ctx, actor)
    row.status, row.agreed_at = "agreed", ctx.at
    clocks.close(ctx, ["consult"], "met", ctx.at)
    contact.state = State.HANDLING
    if not clocks.running_clocks(contact, ["reply"]):
        clocks.start(ctx, "reply", "agreement", ctx.at, department_id=row.lead_department_id)
    events.record(ctx, "coordination_agreed", actor, coordination_id=row.id, note=note)


def refer(ctx, actor, body, address="", phone="", note=""):
    """Outside the organisation: name the competent body and how to reach it; still recorded."""
    contact = ctx.contact
    guards.may_refer(ctx, actor)
    row = Referral(tenant_id=contact.tenant_id, contact_id=contact.id, body=body,
                   address=address, phone=phone, note=note, by_id=actor.id, at=ctx.at)
    db.session.add(row)
    clocks.close(ctx, ["transfer", "reply", "escalation"], "met", ctx.at)
    clocks.close(ctx, HANDLER_CLOCKS + ("on_site",), "cancelled", ctx.at)
    contact.state = State.REFERRED
    if contact.matter_type in ctx.policy["callback"]["required_for"]:
        clocks.start(ctx, "callback", "referral", ctx.at, staff_id=contact.owner_id)
    events.record(ctx, "referred", actor, body=body, address=address, phone=phone, note=note)
    return row
