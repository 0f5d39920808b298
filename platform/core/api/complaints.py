"""Complaints about staff in JSON: the receiving body's list, one complaint, registering one on
a customer's behalf, recording the handling; and the customer's own complaint
(``POST /api/v1/public/<slug>/complaints``, reference + query code, no token), under the
progress look-up's limits (core.progress.limits).

The public answer never names anyone: it says the complaint was received, with the role the
customer chose.
"""
from flask import g, jsonify, request
from flask_babel import force_locale
from marshmallow import Schema, fields, pre_load, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import clock
from core.api import PUBLIC, bp, error, load
from core.api.present import staff_ref
from core.api.progress import CODE, REF, enter_public_tenant, too_many
from core.contacts.models import Contact
from core.errors import NotFound
from core.extensions import db
from core.progress import codes as progress
from core.progress.limits import limited
from core.progress.view import local_iso
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import get_or_404
from core.validation import Text
from core.voice import complaints
from core.voice.complaint_models import FINDINGS, Complaint

LIST_LIMIT = 100
STATUSES = ("open", "handled")


class ComplaintFilter(Schema):
    """The list's filters (query parameters)."""
    status = Text(validate=validate.OneOf(STATUSES))
    finding = Text(validate=validate.OneOf(FINDINGS))
    department = Text(validate=validate.Length(min=1, max=64))   # the receiving body's code


class ComplaintOut(Schema):
    """A complaint as staff see it."""
    id = fields.Integer()
    contact = fields.String()
    person = fields.Dict()
    person_department = fields.String(allow_none=True)
    relation = fields.String()
    source = fields.String()
    registered_by = fields.Dict(allow_none=True)
    text = fields.String()
    received_at = fields.String()
    department = fields.String()
    status = fields.String()
    finding = fields.String(allow_none=True)
    reply = fields.String()
    handled_by = fields.Dict(allow_none=True)
    handled_at = fields.String(allow_none=True)
    violation_id = fields.Integer(allow_none=True)


class RegisterIn(Schema):
    person = Text(required=True, validate=validate.Length(min=1, max=64))   # a username
    text = Text(required=True, validate=validate.Length(min=1, max=complaints.TEXT_MAX))


class HandlingIn(Schema):
    finding = Text(required=True, validate=validate.OneOf(FINDINGS))
    reply = Text(required=True, validate=validate.Length(min=1, max=complaints.TEXT_MAX))
    propose_violation = fields.Boolean(load_default=False)


class CustomerComplaintIn(Schema):
    ref = Text(required=True, validate=[validate.Length(min=1, max=40), REF])
    code = Text(required=True, validate=[validate.Length(min=4, max=12), CODE])
    against = Text(required=True, validate=validate.OneOf(tuple(complaints.CUSTOMER_ROLES)))
    text = Text(required=True, validate=validate.Length(min=1, max=complaints.TEXT_MAX))

    @pre_load
    def strip(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def body_of(row):
    """A complaint as staff see it (names included: staff only)."""
    return {"id": row.id, "contact": row.contact.ref, "person": staff_ref(row.person),
            "person_department": row.person_department.code if row.person_department else None,
            "relation": row.relation, "source": row.source,
            "registered_by": staff_ref(row.registered_by), "text": row.text,
            "received_at": row.received_at.isoformat(), "department": row.department.code,
            "status": row.status, "finding": row.finding, "reply": row.reply,
            "handled_by": staff_ref(row.handled_by),
            "handled_at": row.handled_at.isoformat() if row.handled_at else None,
            "violation_id": row.violation_id}


def _visible_or_404(complaint_id):
    row = get_or_404(Complaint, id=complaint_id)
    if not complaints.may_see(g.actor, row):
        raise NotFound({"zh": "未找到。", "en": "Complaint not found."})
    return row


def filtered(actor, args):
    """What ``actor`` may see, filtered by ``status``, ``finding``, ``department`` (the
    receiving body's code): the API's list and the web page's."""
    stmt = complaints.visible(actor, select(Complaint))
    if args.get("status") in STATUSES:
        stmt = stmt.where(Complaint.status == args["status"])
    if args.get("finding") in FINDINGS:
        stmt = stmt.where(Complaint.finding == args["finding"])
    if args.get("department"):
        stmt = stmt.join(Department, Department.id == Complaint.department_id).where(
            Department.code == args["department"][:64])
    # the people named in each row, loaded once for the page rather than per row
    return stmt.options(selectinload(Complaint.handled_by), selectinload(Complaint.registered_by)
                        ).order_by(Complaint.id.desc())


@bp.get("/complaints")
def list_complaints():
    if not complaints.may_list(g.actor):
        return error(403, "forbidden", "You are not allowed to do this.")
    args = load(ComplaintFilter(), request.args.to_dict())
    rows = db.session.scalars(filtered(g.actor, args).limit(LIST_LIMIT)).all()
    return jsonify({"items": [body_of(r) for r in rows]})


@bp.get("/complaints/<int:complaint_id>")
def show_complaint(complaint_id):
    return jsonify(body_of(_visible_or_404(complaint_id)))


@bp.post("/contacts/<ref>/complaints")
def register_complaint(ref):
    contact = get_or_404(Contact, ref=ref)
    data = load(RegisterIn())
    person = db.session.scalars(select(Staff).where(Staff.username == data["person"])).first()
    ctx = complaints.Context(tenant=g.tenant, actor=g.actor)
    row = complaints.register_for_customer(ctx, contact, person.id if person else None,
                                           data["text"])
    body = body_of(row)
    db.session.commit()
    return jsonify(body), 201


@bp.post("/complaints/<int:complaint_id>/handling")
def record_complaint_handling(complaint_id):
    row = _visible_or_404(complaint_id)
    data = load(HandlingIn())
    ctx = complaints.Context(tenant=g.tenant, actor=g.actor)
    complaints.record_handling(ctx, row, data["finding"], data["reply"],
                               data["propose_violation"])
    body = body_of(row)
    db.session.commit()
    return jsonify(body), 200


@bp.post("/public/<slug>/complaints")
@limited(["POST"], too_many)
def public_complaint(slug):
    tenant, refused = enter_public_tenant(slug)
    if refused:
        return refused
    data = load(CustomerComplaintIn())
    contact = progress.look_up(data["ref"], data["code"])      # NoMatch: the API's 404
    ctx = complaints.Context(tenant=tenant, at=clock.now())
    complaints.submit_by_customer(ctx, contact, data["against"], data["text"])
    lang = "en" if request.args.get("lang") == "en" else "zh"
    with force_locale(lang):
        items = complaints.customer_items(contact)
    db.session.commit()
    for item in items:
        for key in ("received_at", "handled_at"):
            item[key] = local_iso(item[key], tenant)
    response = jsonify({"ref": contact.ref, "status": "received", "complaints": items,
                        "language": lang})
    response.headers["Cache-Control"] = "no-store"
    return response, 201


PUBLIC.add("api.public_complaint")
