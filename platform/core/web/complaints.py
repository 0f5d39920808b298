"""Complaints about staff on the web: the receiving body's list and page (record the handling),
the contact page's "register a complaint for the customer" form, and the customer's form on
the progress page (``POST /t/<slug>/progress/complaint``, reference + query code again, under
the look-up's limits).

Validation is the API's schemas (core.api.complaints); the rules are the domain's
(core.voice.complaints); who sees what, core.tenancy.permissions and the domain's
``may_see`` / ``may_handle`` (never the person complained about).
"""
from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from core import clock
from core.api.complaints import CustomerComplaintIn, HandlingIn, RegisterIn, filtered
from core.contacts.models import Contact
from core.errors import DomainError, NotFound
from core.extensions import db
from core.progress import codes as progress
from core.progress.limits import limited
from core.progress.view import customer_view
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import get_or_404
from core.voice import complaints
from core.voice.complaint_models import Complaint
from core.web import OPEN_ENDPOINTS, actor, bp, field_errors, lang, refused

OPEN_ENDPOINTS.add("web.complaint_from_progress")
PAGE = 100


def relation_words():
    return {"owner": _("First-inquiry owner"), "handler": _("Handler"),
            "involved": _("Received a transfer")}


def finding_words():
    return {"substantiated": _("Substantiated"), "not_substantiated": _("Not substantiated")}


def status_words():
    return {"open": _("Open"), "handled": _("Handled")}


def _words():
    return {"relations": relation_words(), "findings": finding_words(),
            "statuses": status_words(), "sources": {"customer": _("The customer, online"),
                                                     "staff": _("Staff, for the customer")}}


@bp.get("/complaints")
def complaints_list():
    if not complaints.may_list(actor()):
        return render_template("web/violations_forbidden.html"), 403
    args = {k: (request.args.get(k) or "").strip()[:64] for k in ("status", "finding",
                                                                  "department")}
    rows = db.session.scalars(filtered(actor(), args).limit(PAGE)).all()
    departments = db.session.scalars(select(Department).where(Department.active.is_(True))
                                     .order_by(Department.code)).all()
    return render_template("web/voice/complaints.html", rows=rows, args=args,
                           departments=departments, **_words())


def _visible(complaint_id):
    row = get_or_404(Complaint, id=complaint_id)
    if not complaints.may_see(actor(), row):
        raise NotFound({"zh": "未找到。", "en": "Complaint not found."})
    return row


def _show(row, status=200, errors=None, form=None):
    may_handle = row.status == "open" and complaints.may_handle(actor(), row)
    return render_template(
        "web/voice/complaints_show.html", row=row, errors=errors or {}, form=form or {},
        may_handle=may_handle,
        may_propose=may_handle and complaints.may_propose(g.tenant, row), **_words()), status


@bp.get("/complaints/<int:complaint_id>")
def show_complaint(complaint_id):
    return _show(_visible(complaint_id))


@bp.post("/complaints/<int:complaint_id>/handling")
def record_complaint_handling(complaint_id):
    row = _visible(complaint_id)
    form = {k: request.form.get(k, "") for k in ("finding", "reply")}
    try:
        data = HandlingIn().load({**form, "propose_violation":
                                  request.form.get("propose_violation") == "1"})
    except ValidationError as err:
        return _show(row, 422, field_errors(err.messages), form)
    try:
        ctx = complaints.Context(tenant=g.tenant, actor=actor())
        complaints.record_handling(ctx, row, data["finding"], data["reply"],
                                   data["propose_violation"])
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("web.show_complaint", complaint_id=complaint_id))
    flash(_("The handling of the complaint was recorded."), "ok")
    return redirect(url_for("web.show_complaint", complaint_id=complaint_id))


@bp.post("/contacts/<ref>/complaints")
def register_complaint(ref):
    contact = get_or_404(Contact, ref=ref)
    person = db.session.get(Staff, int(request.form["person"])) \
        if (request.form.get("person") or "").isdigit() else None
    try:
        data = RegisterIn().load({"person": person.username if person else "-",
                                  "text": request.form.get("text", "")})
        ctx = complaints.Context(tenant=g.tenant, actor=actor())
        complaints.register_for_customer(ctx, contact, person.id if person else None,
                                         data["text"])
        db.session.commit()
        flash(_("The complaint was registered and sent to the body that receives it."), "ok")
    except ValidationError as err:
        db.session.rollback()
        for message in field_errors(err.messages).values():
            flash(message, "error")
    except DomainError as err:
        refused(err)
    return redirect(url_for("web.show_contact", ref=ref) + "#complaints")


@bp.app_template_global("complaint_people")
def complaint_people(contact):
    """[(staff id, name, relation words)] a complaint about ``contact`` may name."""
    people = complaints.involved(contact)
    names = dict(db.session.execute(select(Staff.id, Staff.name).where(
        Staff.id.in_(list(people)))).all())
    words = relation_words()
    return [(sid, names.get(sid, "?"), words[rel]) for sid, rel in people.items()]


@bp.app_template_global("may_see_complaints")
def may_see_complaints():
    return current_user.is_authenticated and complaints.may_list(current_user.staff)


# -- the customer, from the progress page -----------------------------------------------------

def _progress_page(status, **values):
    values.setdefault("errors", {})
    values.setdefault("complaint_errors", {})
    values.setdefault("form", {})
    response = make_response(render_template("public/progress.html", **values), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_many(limit):
    return _progress_page(429, message=_("Too many look-ups from here or for this reference "
                                         "number. Please try again in a quarter of an hour."))


@bp.post("/progress/complaint")
@limited(["POST"], _too_many)
def complaint_from_progress():
    values = {k: request.form.get(k, "") for k in ("ref", "code", "against", "text")}
    try:
        data = CustomerComplaintIn().load(values)
    except ValidationError as err:
        errors = field_errors(err.messages)
        if "ref" in errors or "code" in errors:
            return _progress_page(422, errors=errors, form={"ref": values["ref"]})
        data = None
    try:
        contact = progress.look_up(values["ref"], values["code"])
    except progress.NoMatch as err:
        return _progress_page(404, message=err.message.get(lang()), form={"ref": values["ref"]})
    if data is None:
        return _progress_page(422, view=customer_view(g.tenant, contact, lang()),
                              complaint_errors=errors, complaint_form=values)
    try:
        ctx = complaints.Context(tenant=g.tenant, at=clock.now())
        complaints.submit_by_customer(ctx, contact, data["against"], data["text"])
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        return _progress_page(err.status, view=customer_view(g.tenant, contact, lang()),
                              complaint_message=err.message.get(lang()))
    return _progress_page(200, view=customer_view(g.tenant, contact, lang()),
                          complaint_message=_("Your complaint was received. The body that "
                                              "receives complaints will look into it."),
                          complaint_done=True)
