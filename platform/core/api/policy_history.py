"""Policy versions over the API: the list, and one version with what it changed."""
from flask import g, jsonify
from sqlalchemy import select

from core.api import bp
from core.errors import NotFound
from core.extensions import db
from core.policy.diff import MISSING, version_diff
from core.tenancy import permissions
from core.tenancy.models import PolicyVersion, Staff


def _summary(v, users):
    return {"version": v.number, "pack": v.pack_key, "created_at": v.created_at.isoformat(),
            "created_by": users.get(v.created_by_id), "note": v.note}


def _users(ids):
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(Staff.id, Staff.username)
                                   .where(Staff.id.in_(ids))).all()) if ids else {}


@bp.get("/policy/versions")
def list_policy_versions():
    permissions.require(g.actor, "policy.history")
    rows = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())).all()
    users = _users(r.created_by_id for r in rows)
    return jsonify({"items": [_summary(v, users) for v in rows]})


@bp.get("/policy/versions/<int:number>")
def show_policy_version(number):
    version = db.session.scalars(select(PolicyVersion)
                                 .where(PolicyVersion.number == number)).first()
    if version is None:
        raise NotFound({"zh": "没有这个策略版本。", "en": "No such policy version."})
    permissions.require(g.actor, "policy.history")     # after the lookup: 404 reveals nothing
    previous = db.session.scalars(select(PolicyVersion).where(PolicyVersion.number < number)
                                  .order_by(PolicyVersion.number.desc()).limit(1)).first()
    changes = []
    for c in (version_diff(version, previous) if previous is not None else []):
        item = {"path": c.name}
        if c.old is not MISSING:
            item["old"] = c.old
        if c.new is not MISSING:
            item["new"] = c.new
        changes.append(item)
    body = _summary(version, _users([version.created_by_id]))
    body.update(previous=previous.number if previous else None, changes=changes,
                overrides=version.overrides, policy=version.document)
    return jsonify(body)
