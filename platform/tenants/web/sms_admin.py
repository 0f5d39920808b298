"""The SMS gateway of a tenant, for its administrators (``sms.manage``): the endpoint, the
access key id, the secret (never shown back: the page says only whether one is set), the
sign name and template, and the latest SMS with their delivery status.

Without a gateway the page says so, and no SMS is sent (core.voice.telling keeps each as
"not sent: no gateway configured" for the contact page).
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.notify import sms
from core.tenancy.permissions import can
from core.validation import Text
from core.tenancy.scoping import get_or_404
from core.voice import telling
from core.voice.telling_models import CustomerMessage
from core.web import actor, field_errors, refused
from tenants.web import bp

RECENT = 20


class GatewayForm(Schema):
    """The form's fields as text every database stores (core.validation); what they must
    look like is checked, all fields at once, by the domain function
    (core.notify.sms.configure)."""
    url = Text(load_default="", validate=validate.Length(max=500))
    access_key_id = Text(load_default="", validate=validate.Length(max=100))
    secret = Text(load_default="", validate=validate.Length(max=200))
    sign_name = Text(load_default="", validate=validate.Length(max=40))
    template_code = Text(load_default="", validate=validate.Length(max=60))
    active = fields.Boolean(load_default=False)


def _form_data():
    data = {k: request.form.get(k, "").strip() for k in
            ("url", "access_key_id", "sign_name", "template_code")}
    data["secret"] = request.form.get("secret", "")
    data["active"] = "active" in request.form
    return data


def _page(status=200, form=None, errors=None):
    if not can(actor(), "sms.manage"):
        return render_template("web/sms_forbidden.html"), 403
    gateway = sms.gateway()
    recent = db.session.scalars(select(CustomerMessage).where(CustomerMessage.channel == "sms")
                                .order_by(CustomerMessage.id.desc()).limit(RECENT)).all()
    if form is None:
        form = {"url": gateway.url, "access_key_id": gateway.access_key_id,
                "sign_name": gateway.sign_name, "template_code": gateway.template_code,
                "active": gateway.active} if gateway else {"active": True}
    return render_template("web/sms_gateway.html", gateway=gateway, form=form,
                           errors=errors or {}, recent=recent,
                           resendable=telling.RESENDABLE), status


@bp.get("/admin/sms")
def sms_gateway():
    return _page()


@bp.post("/admin/sms")
def save_sms_gateway():
    if not can(actor(), "sms.manage"):
        return _page()
    data = _form_data()
    errors = GatewayForm().validate(data)
    if not errors:
        try:
            sms.configure(actor(), data)
            db.session.commit()
            flash(_("SMS gateway saved."), "ok")
            return redirect(url_for("admin.sms_gateway"))
        except DomainError as err:
            db.session.rollback()
            errors = err.fields
            refused(err)
    data.pop("secret", None)        # never echoed back into the page
    return _page(422, form=data, errors=field_errors(errors))


@bp.post("/admin/sms/messages/<int:message_id>/send-again")
def send_sms_again(message_id):
    message = get_or_404(CustomerMessage, id=message_id)
    if not can(actor(), "sms.manage"):
        return _page()
    try:
        telling.send_again(actor(), message)
        db.session.commit()
        flash(_("The SMS will be sent again; see its status below."), "ok")
    except DomainError as err:
        refused(err)
    return redirect(url_for("admin.sms_gateway") + "#sms-log")
