"""Contact routes: register, list, show, and every lifecycle action."""
from flask import g, jsonify, request
from sqlalchemy import exists, select

from core import clock
from core.api import bp, load, load_optional, present
from core.api import schemas as s
from core.api.schemas import schema
from core.contacts import context, escalation, lifecycle, resolution
from core.contacts.models import Contact, Deadline, Transfer
from core.errors import Invalid
from core.extensions import db
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import get_or_404


def _contact(ref):
    contact = get_or_404(Contact, ref=ref)
    return context.for_contact(g.tenant, contact, at=clock.now(),
                               evaluate=request.method == "POST")


def _department(code, field):
    row = db.session.scalars(select(Department).where(Department.code == code,
                                                      Department.active)).first()
    if row is None:
        raise Invalid("unknown department", fields={field: [f"No active department {code!r}."]})
    return row


def _user(username, field):
    if username is None:
        return None
    row = db.session.scalars(select(Staff).where(Staff.username == username,
                                                 Staff.active)).first()
    if row is None:
        raise Invalid("unknown user", fields={field: [f"No active staff member {username!r}."]})
    return row


def _detail(ctx, status=200):
    db.session.commit()
    return jsonify(schema(s.ContactOut).dump(present.contact_detail(ctx.contact))), status


@bp.post("/contacts")
def register_contact():
    data = load(schema(s.ContactIn))
    data["co_receivers"] = [_user(u, "co_receivers") for u in data["co_receivers"]]
    ctx = lifecycle.register(g.tenant, g.actor, data, clock.now())
    db.session.commit()
    # Everything the answer shows is in memory: the contact is new, so its events are the
    # ones registration recorded.
    detail = present.contact_detail(ctx.contact, events=ctx.events)
    detail["query_code"] = ctx.query_code     # in clear only in this answer (docs/progress.md)
    return jsonify(schema(s.RegisteredOut).dump(detail)), 201


@bp.get("/contacts")
def list_contacts():
    f = load(schema(s.ContactFilter), request.args.to_dict())
    query = select(Contact)
    if f["state"]:
        query = query.where(Contact.state == f["state"])
    if f["owner"] == "me":
        query = query.where(Contact.owner_id == g.actor.id)
    if f["department"]:
        query = query.where(Contact.handler_department_id
                            == _department(f["department"], "department").id)
    if f["overdue"] is not None:
        # Late now: an open clock past due (the sweep may not have marked it yet) or one
        # the sweep marked breached that is still running.
        late = exists().where(Deadline.contact_id == Contact.id,
                              Deadline.status.in_(("open", "breached")),
                              Deadline.closed_at.is_(None), Deadline.due_at < clock.now())
        query = query.where(late if f["overdue"] else ~late)
    if f["before"]:
        anchor = get_or_404(Contact, ref=f["before"])
        query = query.where(Contact.id < anchor.id)
    rows = db.session.scalars(query.order_by(Contact.id.desc()).limit(f["limit"])).all()
    items = present.contacts_page(rows)
    return jsonify({"items": schema(s.ContactSummaryOut, many=True).dump(items),
                    "next": rows[-1].ref if len(rows) == f["limit"] else None})


@bp.get("/contacts/<ref>")
def show_contact(ref):
    ctx = _contact(ref)
    return jsonify(schema(s.ContactOut).dump(present.contact_detail(ctx.contact)))


@bp.post("/contacts/<ref>/handle")
def handle_contact(ref):
    data = load_optional(schema(s.NoteIn))
    ctx = _contact(ref)
    lifecycle.handle(ctx, g.actor, data["note"])
    return _detail(ctx)


@bp.post("/contacts/<ref>/transfers")
def create_transfer(ref):
    data = load(schema(s.TransferIn))
    ctx = _contact(ref)
    row = lifecycle.transfer(ctx, g.actor, _department(data["to_department"], "to_department"),
                             data["mode"], to_staff=_user(data["to_user"], "to_user"),
                             note=data["note"], opinion=data["opinion"],
                             approved_by=_user(data["approved_by"], "approved_by"))
    db.session.commit()
    return jsonify({"id": row.id, "mode": row.mode, "status": row.status,
                    "to_department": data["to_department"], "to_user": data["to_user"],
                    "is_return": row.is_return, "contact": ctx.contact.ref}), 201


@bp.post("/contacts/<ref>/transfers/<int:transfer_id>/accept")
def accept_transfer(ref, transfer_id):
    data = load_optional(schema(s.AcceptIn))
    ctx = _contact(ref)
    row = get_or_404(Transfer, id=transfer_id, contact_id=ctx.contact.id)
    lifecycle.accept(ctx, g.actor, row, wrong=data["wrong_transfer"], note=data["note"])
    return _detail(ctx)


@bp.post("/contacts/<ref>/coordination")
def open_coordination(ref):
    data = load(schema(s.CoordinationIn))
    ctx = _contact(ref)
    lead = _department(data["lead_department"], "lead_department")
    others = [_department(c, "departments") for c in data["departments"]]
    lifecycle.coordinate(ctx, g.actor, lead, others, data["reason"])
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/coordination/agree")
def agree_coordination(ref):
    data = load_optional(schema(s.NoteIn))
    ctx = _contact(ref)
    lifecycle.agree(ctx, g.actor, data["note"])
    return _detail(ctx)


@bp.post("/contacts/<ref>/referral")
def refer_contact(ref):
    data = load(schema(s.ReferralIn))
    ctx = _contact(ref)
    lifecycle.refer(ctx, g.actor, **data)
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/escalations")
def escalate_contact(ref):
    data = load(schema(s.EscalationIn))
    ctx = _contact(ref)
    escalation.escalate(ctx, g.actor, data["reason"], data["decision_needed"])
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/decision")
def decide_contact(ref):
    data = load(schema(s.TextIn))
    ctx = _contact(ref)
    escalation.decide(ctx, g.actor, data["text"])
    return _detail(ctx)


@bp.post("/contacts/<ref>/feedback")
def give_feedback(ref):
    data = load(schema(s.TextIn))
    ctx = _contact(ref)
    resolution.feedback(ctx, g.actor, data["text"])
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/replies")
def reply_contact(ref):
    data = load(schema(s.TextIn))
    ctx = _contact(ref)
    resolution.reply(ctx, g.actor, data["text"])
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/on-site")
def record_on_site(ref):
    data = load_optional(schema(s.NoteIn))
    ctx = _contact(ref)
    resolution.on_site(ctx, g.actor, data["note"])
    return _detail(ctx)


@bp.post("/contacts/<ref>/callbacks")
def callback_contact(ref):
    data = load(schema(s.CallbackIn))
    ctx = _contact(ref)
    resolution.callback(ctx, g.actor, data["satisfaction"], data["reached"], data["note"])
    return _detail(ctx, 201)


@bp.post("/contacts/<ref>/close")
def close_contact(ref):
    data = load_optional(schema(s.NoteIn))
    ctx = _contact(ref)
    resolution.close(ctx, g.actor, data["note"])
    return _detail(ctx)
