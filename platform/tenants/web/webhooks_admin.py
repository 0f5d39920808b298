"""Webhook administration for tenant administrators (``webhook.manage``):
endpoints (create, edit, disable, rotate the secret), the delivery log, "send test".

A secret is shown once, on the page that answers the creation or rotation
(never stored in the session cookie, never shown again).
"""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.notify import webhooks
from core.notify.webhooks import WebhookEndpoint
from core.tenancy.permissions import can
from core.tenancy.scoping import get_or_404
from core.validation import Text, int_arg
from core.web import actor, field_errors, refused
from core.web.labels import EVENTS
from tenants.web import bp

EXTRA_TOPICS = {"contact.reminder": _l("Deadline reminder"),
                "violation.proposed": _l("Violation proposed"),
                "webhook.test": _l("Test delivery")}
DELIVERY_STATUS = {"pending": _l("Pending"), "delivered": _l("Delivered"),
                   "failed": _l("Failed")}


def topic_label(topic):
    if topic in EXTRA_TOPICS:
        return EXTRA_TOPICS[topic]
    return EVENTS.get(topic.split(".", 1)[-1], topic)


class EndpointForm(Schema):
    url = Text(required=True, validate=validate.Length(min=1, max=500))
    description = Text(load_default="", validate=validate.Length(max=200))
    topics = fields.List(Text(validate=validate.OneOf(webhooks.TOPICS)),
                         required=True, validate=validate.Length(min=1))
    active = fields.Boolean(load_default=False)


def _form_data():
    data = {"url": request.form.get("url", "").strip(),
            "description": request.form.get("description", "").strip(),
            "topics": request.form.getlist("topics")}
    if "active" in request.form:
        data["active"] = True
    return data


def _admin_only():
    if not can(actor(), "webhook.manage"):
        return render_template("web/webhooks_forbidden.html"), 403
    return None


def _page(template, status=200, **context):
    return render_template(template, topics=webhooks.TOPICS, topic_label=topic_label,
                           **context), status


@bp.get("/admin/webhooks")
def list_webhooks():
    denied = _admin_only()
    if denied:
        return denied
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return _page("web/webhooks.html", endpoints=endpoints, form={}, errors={})


@bp.post("/admin/webhooks")
def create_webhook():
    denied = _admin_only()
    if denied:
        return denied
    data = _form_data()
    errors = EndpointForm().validate(data)
    if not errors:
        try:
            endpoint = webhooks.create_endpoint(actor(), data["url"], data["topics"],
                                                data["description"])
            db.session.commit()
            return _page("web/webhook_secret.html", endpoint=endpoint, created=True)
        except DomainError as err:
            errors = err.fields
            refused(err)
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return _page("web/webhooks.html", 422, endpoints=endpoints, form=data,
                 errors=field_errors(errors))


@bp.get("/admin/webhooks/<int:endpoint_id>")
def show_webhook(endpoint_id, form=None, errors=None, status=200):
    endpoint = get_or_404(WebhookEndpoint, id=endpoint_id)
    denied = _admin_only()
    if denied:
        return denied
    before = int_arg(request.args, "before")
    rows = webhooks.deliveries(endpoint.id, before=before, limit=51)
    return _page("web/webhook.html", status, endpoint=endpoint, deliveries=rows[:50],
                 has_older=len(rows) > 50, paged=before is not None,
                 statuses=DELIVERY_STATUS, errors=errors or {},
                 form=form or {"url": endpoint.url, "description": endpoint.description,
                               "topics": endpoint.topics, "active": endpoint.active})


@bp.post("/admin/webhooks/<int:endpoint_id>")
def update_webhook(endpoint_id):
    endpoint = get_or_404(WebhookEndpoint, id=endpoint_id)
    denied = _admin_only()
    if denied:
        return denied
    data = _form_data()
    errors = EndpointForm().validate(data)
    if not errors:
        try:
            webhooks.update_endpoint(actor(), endpoint, data["url"], data["topics"],
                                     data["description"], active=data.get("active", False))
            db.session.commit()
            flash(_("Webhook saved."), "ok")
            return redirect(url_for("admin.show_webhook", endpoint_id=endpoint.id))
        except DomainError as err:
            errors = err.fields
            refused(err)
    return show_webhook(endpoint_id, form=data, errors=field_errors(errors), status=422)


@bp.post("/admin/webhooks/<int:endpoint_id>/disable")
def disable_webhook(endpoint_id):
    endpoint = get_or_404(WebhookEndpoint, id=endpoint_id)
    denied = _admin_only()
    if denied:
        return denied
    webhooks.update_endpoint(actor(), endpoint, endpoint.url, endpoint.topics,
                             endpoint.description, active=False)
    db.session.commit()
    flash(_("Webhook disabled: nothing more is sent to it."), "ok")
    return redirect(url_for("admin.show_webhook", endpoint_id=endpoint.id))


@bp.post("/admin/webhooks/<int:endpoint_id>/rotate")
def rotate_webhook_secret(endpoint_id):
    endpoint = get_or_404(WebhookEndpoint, id=endpoint_id)
    denied = _admin_only()
    if denied:
        return denied
    webhooks.rotate_secret(actor(), endpoint)
    db.session.commit()
    return _page("web/webhook_secret.html", endpoint=endpoint, created=False)


@bp.post("/admin/webhooks/<int:endpoint_id>/test")
def test_webhook(endpoint_id):
    endpoint = get_or_404(WebhookEndpoint, id=endpoint_id)
    denied = _admin_only()
    if denied:
        return denied
    if not endpoint.active:
        flash(_("Enable the webhook before sending a test."), "error")
    else:
        webhooks.send_test(actor(), endpoint, g.tenant)
        db.session.commit()
        flash(_("Test delivery queued; see the log below."), "ok")
    return redirect(url_for("admin.show_webhook", endpoint_id=endpoint.id) + "#deliveries")
