"""Spot-check routes: draw a sample, list and show draws, record a verification call."""
from zoneinfo import ZoneInfo

from flask import g, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import clock
from core.api import bp, load
from core.contacts.schemas import Str
from core.extensions import db
from core.supervision import periods
from core.supervision import spot_checks as checks
from core.supervision.spot_check_models import SpotCheckDraw, SpotCheckItem, SpotCheckRecord
from core.tenancy.models import Department
from core.tenancy.permissions import require
from core.tenancy.scoping import get_or_404

LIST_LIMIT = 100


class DrawIn(Schema):
    # The period as the figures name it: period + at, or from + to (core.supervision.periods).
    period = Str(load_default=None)
    at = Str(load_default=None)
    from_ = Str(data_key="from", load_default=None)
    to = Str(load_default=None)
    departments = fields.List(Str(), load_default=list)
    number = fields.Integer(load_default=None, allow_none=True,
                            validate=validate.Range(min=1, max=100000,
                                                    error="From 1 to 100000."))
    share = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                         validate=validate.Range(min=0, max=1, min_inclusive=False,
                                                 error="A share above 0 and at most 1."))
    seed = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=0, max=checks.MAX_SEED - 1))


class RecordIn(Schema):
    reached = fields.Boolean(required=True)
    satisfaction = fields.Integer(load_default=None, allow_none=True,
                                  validate=validate.Range(min=1, max=5))
    handling_confirmed = fields.Boolean(load_default=None, allow_none=True)
    callback_confirmed = fields.Boolean(load_default=None, allow_none=True)
    findings = Str(load_default="", validate=validate.Length(max=4000))


def period_of(data):
    today = clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()
    args = {"period": data.get("period"), "at": data.get("at"),
            "from": data.get("from_"), "to": data.get("to")}
    return periods.parse({k: v for k, v in args.items() if v}, today)


def _draw_body(row, counts, items=None):
    body = {"id": row.id, "from": row.first.isoformat(), "to": row.last.isoformat(),
            "number": row.number, "share": row.share, "seed": row.seed,
            "departments": row.department_ids, "drawn_by": row.drawn_by.username,
            "drawn_at": row.drawn_at.isoformat(), "policy_version_id": row.policy_version_id,
            "results": {k: counts.get(k, 0)
                        for k in ("pending", "confirmed", "failed", "unreached")}}
    if items is not None:
        body["items"] = items
    return body


def _items(draw):
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    rows = db.session.execute(
        select(SpotCheckItem, SpotCheckRecord)
        .outerjoin(SpotCheckRecord, SpotCheckRecord.item_id == SpotCheckItem.id)
        .where(SpotCheckItem.draw_id == draw.id).order_by(SpotCheckItem.id)).all()
    out = []
    for item, rec in rows:
        c = item.contact
        out.append({"id": item.id, "ref": c.ref, "department": codes.get(item.department_id),
                    "owner": c.owner.username, "handler": c.handler.username if c.handler else None,
                    "customer_phone": c.customer.phone, "status": item.status,
                    "record": None if rec is None else {
                        "reached": rec.reached, "satisfaction": rec.satisfaction,
                        "handling_confirmed": rec.handling_confirmed,
                        "callback_confirmed": rec.callback_confirmed, "outcome": rec.outcome,
                        "findings": rec.findings, "at": rec.at.isoformat()}})
    return out


@bp.post("/spot-checks")
def draw_spot_check():
    data = load(DrawIn())
    ctx = checks.Context(tenant=g.tenant, actor=g.actor)
    row = checks.draw(ctx, period_of(data), data["departments"], data["number"],
                      data["share"], data["seed"])
    body = _draw_body(row, checks.results([row.id])[row.id], _items(row))
    db.session.commit()
    return jsonify(body), 201


@bp.get("/spot-checks")
def list_spot_checks():
    require(g.actor, "spotcheck.view")
    rows = db.session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.drawn_at.desc(),
                                                             SpotCheckDraw.id.desc())
                              .limit(LIST_LIMIT)).all()
    counts = checks.results([r.id for r in rows])
    return jsonify({"items": [_draw_body(r, counts[r.id]) for r in rows]})


@bp.get("/spot-checks/<int:draw_id>")
def show_spot_check(draw_id):
    row = get_or_404(SpotCheckDraw, id=draw_id)   # first: another tenant's id is a plain 404
    require(g.actor, "spotcheck.view")
    return jsonify(_draw_body(row, checks.results([row.id])[row.id], _items(row)))


@bp.post("/spot-checks/<int:draw_id>/items/<int:item_id>/record")
def record_spot_check(draw_id, item_id):
    item = get_or_404(SpotCheckItem, id=item_id, draw_id=draw_id)
    require(g.actor, "spotcheck.record")
    data = load(RecordIn())
    ctx = checks.Context(tenant=g.tenant, actor=g.actor)
    rec = checks.record(ctx, item, **data)
    db.session.commit()
    return jsonify({"id": rec.id, "item": item.id, "outcome": rec.outcome}), 201
