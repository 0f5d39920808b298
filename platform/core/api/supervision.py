"""``GET /api/v1/supervision/summary``: a period's figures, for the organisation or grouped
per department, person or deadline kind (the dashboard's numbers, core.supervision.figures).

Who may ask, and for which department, is ``core.supervision.access.scope`` (as on the
web); a bad period or grouping is a 422 naming the field.
"""
from zoneinfo import ZoneInfo

from flask import g, jsonify, request
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select

from core import clock
from core.api import bp, load
from core.api.schemas import schema
from core.extensions import db
from core.supervision import access, figures, periods
from core.tenancy.models import Department, Staff
from core.validation import Text


class SummaryQuery(Schema):
    class Meta:
        unknown = EXCLUDE
    period = Text(validate=validate.OneOf(periods.GRAINS))
    at = Text(validate=validate.Length(max=20))
    from_ = Text(data_key="from", validate=validate.Length(max=20))
    to = Text(validate=validate.Length(max=20))
    group_by = Text(validate=validate.OneOf(("department", "staff", "kind")))
    department = Text(validate=validate.Length(max=64))


class PeriodOut(Schema):
    grain = Text()
    key = Text()
    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")


class SummaryGroupOut(Schema):
    department = fields.Dict(allow_none=True, metadata={"description": "group_by=department: "
                             "{code, name, name_en} (null: counted for no department)"})
    staff = fields.Dict(metadata={"description": "group_by=staff: {username, name}"})
    kind = Text(metadata={"description": "group_by=kind: the deadline kind; figures "
                                "are then {met, breached, cancelled, on_time_rate, time_taken}"})
    figures = fields.Dict(metadata={"description": "Figures.as_dict(): contacts, deadlines, "
                                    "on_time, escalations, violations, callbacks, and any "
                                    "further family"})


class SummaryOut(Schema):
    period = fields.Nested(PeriodOut)
    department = fields.Dict(allow_none=True)
    groups = fields.List(fields.Nested(SummaryGroupOut))


def _department_out(d):
    return None if d is None else {"code": d.code, "name": d.name_zh, "name_en": d.name_en}


def _groups(period, by, department):
    dept_id = department.id if department else None
    if by == "kind":
        whole = figures.read(period, department_id=dept_id).get(None, figures.Figures())
        return [{"kind": kind, "figures": row} for kind, row in whole.clocks().items()]
    read = figures.read(period, by={"department": "department", "staff": "staff"}.get(by),
                        department_id=dept_id)
    if by is None:
        return [{"figures": read.get(None, figures.Figures()).as_dict()}]
    if by == "department":
        names = {d.id: d for d in db.session.scalars(select(Department))}
        return [{"department": _department_out(names.get(key)), "figures": f.as_dict()}
                for key, f in sorted(read.items())]
    people = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(
        [k for k in read if k]))) } if read else {}
    return [{"staff": {"username": people[k].username, "name": people[k].name}
             if k in people else None, "figures": f.as_dict()} for k, f in sorted(read.items())]


@bp.get("/supervision/summary")
def supervision_summary():
    args = load(schema(SummaryQuery), request.args.to_dict())
    department = access.scope(g.actor, args.get("department"))
    today = clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()
    period = periods.parse({"period": args.get("period"), "at": args.get("at"),
                            "from": args.get("from_"), "to": args.get("to")}, today)
    return jsonify(schema(SummaryOut).dump({
        "period": {"grain": period.grain, "key": period.key, "first": period.first,
                   "last": period.last},
        "department": _department_out(department),
        "groups": _groups(period, args.get("group_by"), department)}))
