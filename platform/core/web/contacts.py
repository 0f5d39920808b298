"""Register a contact, see it, and take the steps the pack allows now."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError, fields
from sqlalchemy import select

from core import clock
from core.api import schemas
from core.api.present import contact_detail
from core.contacts import actions, context, guards, lifecycle, references, wording
from core.contacts.models import Contact, Transfer
from core.errors import DomainError
from core.extensions import db
from core.notify import sms
from core.policy import versions as policies
from core.tenancy.models import Staff
from core.tenancy.scoping import get_or_404
from core.voice import telling
from core.web import actor, bp, field_errors, lang, refused
from core.web.progress import remember_code


def _colleagues():
    return db.session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)).all()


def _local_instant(value):
    """A ``datetime-local`` field in the tenant's time zone, as an ISO instant for the schema."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value            # the schema reports it as not a date and time
    return (naive.replace(tzinfo=ZoneInfo(g.tenant.timezone)) if naive.tzinfo is None
            else naive).isoformat()


def _contact_form_data(form):
    return {
        "received_at": _local_instant(form.get("received_at")),
        "channel": form.get("channel", ""), "matter_type": form.get("matter_type", ""),
        "category": form.get("category") or None, "summary": form.get("summary", ""),
        "customer": _customer_form_data(form),
        "co_receivers": form.getlist("co_receivers"),
    }


def _customer_form_data(form):
    """The customer fields; an e-mail only when typed, and the consents to be told as the
    checkboxes say (core.voice.telling)."""
    customer = {k: form.get(f"customer_{k}", "").strip()
                for k in ("name", "phone", "room", "unit", "address")}
    if form.get("customer_email", "").strip():
        customer["email"] = form.get("customer_email", "").strip()
    customer["tell_by_email"] = form.get("customer_tell_by_email") == "1"
    customer["tell_by_sms"] = form.get("customer_tell_by_sms") == "1"
    customer["language"] = form.get("customer_language") or "zh"
    return customer


@bp.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    policy = policies.load(policies.current_version_id(g.tenant))[1]
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            data = schemas.ContactIn().load(_contact_form_data(form))
            data["co_receivers"] = [references.staff(u, "co_receivers")
                                    for u in data["co_receivers"]]
            ctx = lifecycle.register(g.tenant, actor(), data, clock.now())
            db.session.commit()
            if ctx.query_code:          # shown on the contact page, notice and forms (docs/progress.md)
                remember_code(ctx.contact.ref, ctx.query_code)
            flash(_("Registered as %(ref)s. You are responsible for it until it is closed.",
                    ref=ctx.contact.ref) if ctx.contact.owner_id == actor().id else
                  _("Registered as %(ref)s. Owner: %(name)s (highest rank).",
                    ref=ctx.contact.ref, name=ctx.contact.owner.name), "ok")
            return redirect(url_for("web.show_contact", ref=ctx.contact.ref, decide=1))
        except ValidationError as err:
            db.session.rollback()
            errors = field_errors(err.messages)
        except DomainError as err:
            db.session.rollback()
            errors = field_errors(err.fields) or {"_": err.message.get(lang())}
    now_local = clock.now().astimezone(ZoneInfo(g.tenant.timezone))
    return render_template("web/contact_new.html", policy=policy, errors=errors, form=form,
                           colleagues=_colleagues(), departments=references.active_departments(),
                           now_local=now_local.strftime("%Y-%m-%dT%H:%M")), \
        (422 if errors else 200)


@bp.get("/contacts/<ref>")
def show_contact(ref):
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now())
    offers = actions.offers(ctx, actor())
    detail = contact_detail(contact)
    now = ctx.at
    pending = guards.pending_transfer(contact)
    departments = references.active_departments()
    draft = session.pop("draft", None)
    return render_template(
        "web/contact.html", c=contact, detail=detail, ctx=ctx, policy=ctx.policy,
        dept_names={d.code: d.name(lang()) for d in departments},
        draft=draft if draft and draft.get("ref") == ref else None,
        actions=list(offers), offers=offers, departments=departments,
        steps=[actions.BY_NAME[name] for name in offers],
        colleagues=_colleagues(), pending=pending, now=now, calendar=ctx.calendar,
        decide=request.args.get("decide") == "1",
        transfers=db.session.scalars(select(Transfer).where(Transfer.contact_id == contact.id)
                                     .order_by(Transfer.id)).all(),
        told=telling.told(contact), sms_gateway=sms.usable_gateway() is not None)


def _form_input(action, form):
    """The schema's input from the action's web form, with the form's own conventions: an
    empty optional field is left out (its default applies), a list field is every value
    chosen, a checkbox or radio is true when it is "1" (left out: the default, e.g. a callback
    reaches the customer unless "0" is chosen), and a number is digits or nothing."""
    out = {}
    for name, declared in schemas.schema(action.schema).fields.items():
        if isinstance(declared, fields.List):
            out[name] = form.getlist(name)
            continue
        raw = form.get(name)
        if raw is None or (raw == "" and (not declared.required or name in action.refs)):
            continue
        if isinstance(declared, fields.Boolean):
            out[name] = raw == "1"
        elif isinstance(declared, fields.Integer):
            out[name] = int(raw) if raw.isdigit() else None
        else:
            out[name] = raw
    return out


@bp.post("/contacts/<ref>/<action>")
def act(ref, action):
    """One step from its form on the contact page, dispatched through the action table: the
    same schema, reference resolution and domain call as the API's route for it."""
    step = actions.BY_NAME.get(action)
    if step is None:
        abort(404)
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)
    try:
        data = schemas.schema(step.schema).load(_form_input(step, request.form))
        refs = references.resolve(step.refs, data)
        actions.perform(step, ctx, actor(), data, refs)
        db.session.commit()
        flash(_("Done: %(action)s.", action=str(step.label)), "ok")
    except ValidationError as err:
        db.session.rollback()
        _keep_draft(ref, action)
        for message in field_errors(err.messages).values():
            flash(message, "error")
    except DomainError as err:
        refused(err)
        _keep_draft(ref, action)
    return redirect(url_for("web.show_contact", ref=ref) + "#actions")


def _keep_draft(ref, action):
    """A refused reply keeps its text, so staff correct it instead of typing it again."""
    if request.form.get("text"):
        session["draft"] = {"ref": ref, "action": action, "text": request.form["text"][:8000]}


@bp.post("/lint")
def lint_reply():
    """Live wording check while typing a reply (the server still refuses on submit)."""
    ctx = context.for_contact(g.tenant, get_or_404(Contact, ref=request.form.get("ref", "")))
    findings = wording.lint(ctx.hooks, ctx.policy, request.form.get("text", ""))
    return {"findings": [{"level": f.level, "phrase": f.phrase,
                          "message": f.message.get(lang(), "")} for f in findings]}


@bp.get("/directory")
def directory():
    policy = policies.load(policies.current_version_id(g.tenant))[1]
    return render_template("web/directory.html", departments=references.active_departments(), policy=policy)


@bp.get("/contacts/<ref>/notice")
def notice(ref):
    """The one-time notice (一次性告知) from the pack's template, filled in and printable."""
    contact = get_or_404(Contact, ref=ref)
    found = wording.template_text(contact, "one_time_notice", lang())
    if found is None:
        abort(404)
    text = wording.fill(found[0], **wording.template_values(contact, lang()))
    return render_template("web/notice.html", c=contact, text=text, replaced=found[1])
