"""Directory, packs, policy and violations routes."""
from flask import g, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import select

from core import clock, validation
from core.api import bp, check_json, load, present
from core.api import schemas as s
from core.api.schemas import schema
from core.contacts import violations
from core.contacts.models import Violation
from core.extensions import db
from core.policy import versions as policies
from core.policy.plugins import manager
from core.policy.schema import merge
from core.tenancy import permissions
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import get_or_404


@bp.get("/departments")
def list_departments():
    rows = db.session.scalars(select(Department).order_by(Department.code)).all()
    return jsonify({"items": [{
        "code": d.code, "name": d.name_zh, "name_en": d.name_en, "duties": d.duties_zh,
        "duties_en": d.duties_en, "matter_types": d.matter_types, "location": d.location,
        "phone": d.phone, "active": d.active} for d in rows]})


@bp.get("/staff")
def list_staff():
    rows = db.session.scalars(select(Staff).order_by(Staff.username)).all()
    return jsonify({"items": [{
        "username": u.username, "name": u.name,
        "department": u.department.code if u.department else None,
        "role": u.role, "title": u.title, "rank": u.rank, "active": u.active} for u in rows]})


@bp.get("/packs")
def list_packs():
    packs = manager().packs.values()
    return jsonify({"items": [{"key": p.key, "sector": p.sector, "name": p.name,
                               "summary": p.summary, "selected": p.key == g.tenant.pack_key}
                              for p in sorted(packs, key=lambda p: p.key)]})


def _policy_body(version):
    return {"version": version.number, "pack": version.pack_key,
            "created_at": version.created_at.isoformat(), "overrides": version.overrides,
            "policy": version.document}


@bp.get("/policy")
def show_policy():
    return jsonify(_policy_body(policies.latest_version()))


@bp.patch("/policy")
def patch_policy():
    permissions.require(g.actor, "policy.edit")
    try:
        body = request.get_json(silent=True)
    except RecursionError:          # absurdly nested JSON
        body = None
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["Expected a JSON object of policy overrides."]})
    check_json(body)
    note = str(request.headers.get("X-Change-Note", ""))[:500]
    if validation.text_problem(note):
        raise ValidationError({"X-Change-Note": [validation.text_problem(note)]})
    current = policies.latest_for_change(g.tenant)
    version = policies.create_version(g.tenant, merge(current.overrides, body), by=g.actor,
                                      note=note)
    db.session.commit()
    return jsonify(_policy_body(version))


@bp.get("/violations")
def list_violations():
    status = request.args.get("status")
    query = select(Violation).order_by(Violation.id.desc()).limit(500)
    if status:
        query = query.where(Violation.status == status)
    rows = db.session.scalars(query).all()
    departments = dict(db.session.execute(select(Department.id, Department.code)).all())
    users = dict(db.session.execute(select(Staff.id, Staff.username)).all())
    return jsonify({"items": schema(s.ViolationOut, many=True).dump(
        [present.violation(v, users, departments) for v in rows])})


@bp.post("/violations/<int:violation_id>/decision")
def decide_violation(violation_id):
    data = load(schema(s.DecisionIn))
    row = get_or_404(Violation, id=violation_id)
    violations.decide(row, g.actor, data["decision"], data["reason"], clock.now())
    db.session.commit()
    departments = dict(db.session.execute(select(Department.id, Department.code)).all())
    users = dict(db.session.execute(select(Staff.id, Staff.username)).all())
    return jsonify(schema(s.ViolationOut).dump(present.violation(row, users, departments)))
