"""The caller's own notifications: list (newest first) and mark one read.

Another staff member's notification answers 404, like another tenant's.
"""
from flask import g, jsonify, request
from marshmallow import Schema, fields, validate

from core.api import bp, language, load
from core.extensions import db
from core.notify import inbox as notifications
from core.validation import ID_MAX


class NotificationListArgs(Schema):
    unread = fields.Boolean(load_default=False)
    before = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=ID_MAX))
    limit = fields.Integer(load_default=30, validate=validate.Range(min=1, max=200))


class NotificationOut(Schema):
    id = fields.Integer()
    topic = fields.String()
    reason = fields.String()
    ref = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    contact_url = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationListOut(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    unread = fields.Integer()
    next_before = fields.Integer(allow_none=True)


def present(row):
    title, body = row.text(language())
    ref = row.params.get("ref")
    return {"id": row.id, "topic": row.topic, "reason": row.params.get("reason", ""),
            "ref": ref, "title": title, "body": body,
            "contact_url": f"/t/{g.tenant.slug}/contacts/{ref}" if ref else None,
            "created_at": row.created_at, "read_at": row.read_at}


@bp.get("/notifications")
def list_notifications():
    args = load(NotificationListArgs(), request.args.to_dict())
    rows = notifications.inbox(g.actor.id, before=args["before"], unread_only=args["unread"],
                               limit=args["limit"] + 1)
    more, rows = len(rows) > args["limit"], rows[:args["limit"]]
    return jsonify(NotificationListOut().dump({
        "items": [present(r) for r in rows], "unread": notifications.unread_count(g.actor.id),
        "next_before": rows[-1].id if more else None}))


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id):
    row = notifications.mark_read(g.actor, notification_id)
    db.session.commit()
    return jsonify(NotificationOut().dump(present(row)))
