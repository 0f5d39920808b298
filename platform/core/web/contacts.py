"""Register a contact, see it, and take the steps the pack allows now."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core import clock
from core.api import schemas
from core.api.present import contact_detail
from core.contacts import context, escalation, guards, lifecycle, resolution, wording
from core.contacts.models import Contact, Transfer
from core.errors import DomainError, Invalid
from core.extensions import db
from core.policy import versions as policies
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import get_or_404
from core.web import actor, bp, field_errors, lang, refused
from core.web.progress import remember_code


def _departments():
    return db.session.scalars(select(Department).where(Department.active)
                              .order_by(Department.code)).all()


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
        "customer": {k: form.get(f"customer_{k}", "").strip()
                     for k in ("name", "phone", "room", "unit", "address")},
        "co_receivers": form.getlist("co_receivers"),
    }


@bp.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    policy = policies.load(policies.current_version_id(g.tenant))[1]
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            data = schemas.ContactIn().load(_contact_form_data(form))
            data["co_receivers"] = [s for s in _colleagues() if s.username in data["co_receivers"]]
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
                           colleagues=_colleagues(), departments=_departments(),
                           now_local=now_local.strftime("%Y-%m-%dT%H:%M")), \
        (422 if errors else 200)


@bp.get("/contacts/<ref>")
def show_contact(ref):
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now())
    me = actor()
    detail = contact_detail(contact)
    now = ctx.at
    pending = guards.pending_transfer(contact)
    departments = _departments()
    draft = session.pop("draft", None)
    return render_template(
        "web/contact.html", c=contact, detail=detail, ctx=ctx, policy=ctx.policy,
        dept_names={d.code: d.name(lang()) for d in departments},
        draft=draft if draft and draft.get("ref") == ref else None,
        actions=guards.available(ctx, me), departments=departments,
        colleagues=_colleagues(), pending=pending, now=now, calendar=ctx.calendar,
        decide=request.args.get("decide") == "1",
        transfers=db.session.scalars(select(Transfer).where(Transfer.contact_id == contact.id)
                                     .order_by(Transfer.id)).all())


def _department(code):
    row = db.session.scalars(select(Department).where(Department.code == code,
                                                      Department.active)).first()
    if row is None:
        raise Invalid({"zh": "请选择部门。", "en": "Choose a department."},
                      fields={"department": ["Choose a department."]})
    return row


def _user(username):
    if not username:
        return None
    return db.session.scalars(select(Staff).where(Staff.username == username)).first()


def _do(ctx, action, form):
    me = actor()
    if action == "handle":
        lifecycle.handle(ctx, me, form.get("note", ""))
    elif action == "transfer":
        data = schemas.TransferIn().load({k: v for k, v in form.items() if v and k in (
            "to_department", "mode", "note", "opinion")})
        lifecycle.transfer(ctx, me, _department(data["to_department"]), data["mode"],
                           to_staff=_user(form.get("to_user")), note=data["note"],
                           opinion=data["opinion"], approved_by=_user(form.get("approved_by")))
    elif action == "accept":
        lifecycle.accept(ctx, me, guards.may_accept(ctx, me),
                         wrong=form.get("wrong_transfer") == "1", note=form.get("note", ""))
    elif action == "coordinate":
        lead = _department(form.get("lead_department", ""))
        others = [_department(code) for code in form.getlist("departments")]
        lifecycle.coordinate(ctx, me, lead, others, form.get("reason", ""))
    elif action == "agree":
        lifecycle.agree(ctx, me, form.get("note", ""))
    elif action == "refer":
        data = schemas.ReferralIn().load({k: form.get(k, "") for k in
                                          ("body", "address", "phone", "note")})
        lifecycle.refer(ctx, me, **data)
    elif action == "escalate":
        data = schemas.EscalationIn().load({"reason": form.get("reason", ""),
                                            "decision_needed": form.get("decision_needed") == "1"})
        escalation.escalate(ctx, me, data["reason"], data["decision_needed"])
    elif action == "decide":
        escalation.decide(ctx, me, schemas.TextIn().load({"text": form.get("text", "")})["text"])
    elif action == "reply":
        resolution.reply(ctx, me, schemas.TextIn().load({"text": form.get("text", "")})["text"])
    elif action == "feedback":
        resolution.feedback(ctx, me,
                            schemas.TextIn().load({"text": form.get("text", "")})["text"])
    elif action == "on_site":
        resolution.on_site(ctx, me, form.get("note", ""))
    elif action == "callback":
        reached = form.get("reached", "1") == "1"
        raw = form.get("satisfaction")
        data = schemas.CallbackIn().load({"reached": reached, "note": form.get("note", ""),
                                          "satisfaction": int(raw) if raw and raw.isdigit()
                                          else None})
        resolution.callback(ctx, me, data["satisfaction"], data["reached"], data["note"])
    elif action == "close":
        resolution.close(ctx, me, form.get("note", ""))
    else:
        abort(404)


@bp.post("/contacts/<ref>/<action>")
def act(ref, action):
    if action not in guards.GUARDS:
        abort(404)
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now(), evaluate=True)
    try:
        _do(ctx, action, request.form)
        db.session.commit()
        flash(_("Done: %(action)s.", action=_label(action)), "ok")
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


def _label(action):
    from core.web.labels import ACTIONS
    return str(ACTIONS.get(action, action))


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
    return render_template("web/directory.html", departments=_departments(), policy=policy)


@bp.get("/contacts/<ref>/notice")
def notice(ref):
    """The one-time notice (一次性告知) from the pack's template, filled in and printable."""
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact)
    template = ctx.policy["wording"]["templates"].get("one_time_notice")
    if template is None:
        abort(404)
    text = wording.fill(template.get(lang()) or template.get("zh"),
                        **wording.template_values(contact, lang()))
    return render_template("web/notice.html", c=contact, text=text)
