"""Questionnaires on the web: the administrator's pages (define, start a round, read the
scores, send a resident the link of a closed matter) and the public answer page.

The public page ``/t/<slug>/q/<token>``: GET only shows the form (mail scanners follow
links, so opening one records nothing); POST records the one answer (CSRF as every form).
A used link answers 409, an expired one 410, an unknown one 404, each with a page saying
so; failures count towards a per-address limit as on the progress page.  The page never
shows who is asked about or by whom: only the questionnaire and the department rated.
"""
from zoneinfo import ZoneInfo

from flask import g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from core import clock
from core.api.questionnaires import QuestionnaireAnswerIn, QuestionnaireLinkIn, QuestionnaireIn, answer_url
from core.contacts.models import Contact
from core.errors import DomainError, NotFound
from core.extensions import db, limiter
from core.progress.limits import _address
from core.supervision import periods
from core.tenancy.models import Department
from core.tenancy.permissions import can
from core.tenancy.scoping import get_or_404
from core.voice import questionnaire_scores as scores
from core.voice import questionnaires as quest
from core.voice.questionnaire_models import Questionnaire
from core.web import OPEN_ENDPOINTS, actor, bp, field_errors, lang, refused

OPEN_ENDPOINTS.add("web.questionnaire_answer")
FAILED_PER_ADDRESS = "20 per 15 minutes"
PER_ADDRESS = "60 per hour"


def _forbidden(permission="questionnaire.view"):
    if not can(actor(), permission):
        return render_template("web/violations_forbidden.html"), 403
    return None


def _today():
    return clock.now().astimezone(ZoneInfo(g.tenant.timezone)).date()


def _form_data():
    """The form as ``QuestionnaireIn`` reads it: one question per line, lists of boxes."""
    def number(name, default):
        value = (request.form.get(name) or "").strip()
        return int(value) if value.lstrip("-").isdigit() else (value or default)
    questions = [q.strip() for q in (request.form.get("questions") or "").splitlines()
                 if q.strip()]
    return {"title": request.form.get("title", ""), "audience": request.form.get("audience", ""),
            "questions": questions, "scale_min": number("scale_min", 1),
            "scale_max": number("scale_max", 5), "low_label": request.form.get("low_label", ""),
            "high_label": request.form.get("high_label", ""),
            "comment_question": request.form.get("comment_question", ""),
            "departments": request.form.getlist("departments"),
            "groups": request.form.getlist("groups"), "active": True}


def _edit_page(status, errors=None):
    departments = db.session.scalars(select(Department).where(Department.active.is_(True))
                                     .order_by(Department.code)).all()
    return render_template("web/voice/questionnaire_new.html", departments=departments,
                           groups=quest.grouping(g.tenant)["groups"], form=request.form,
                           errors=errors or {}), status


@bp.get("/questionnaires")
def questionnaires():
    denied = _forbidden()
    if denied:
        return denied
    rows = db.session.scalars(select(Questionnaire).order_by(Questionnaire.id.desc())
                              .limit(200)).all()
    return render_template("web/voice/questionnaires.html", rows=rows,
                           may_manage=can(actor(), "questionnaire.manage"))


@bp.route("/questionnaires/new", methods=["GET", "POST"])
def new_questionnaire():
    denied = _forbidden("questionnaire.manage")
    if denied:
        return denied
    if request.method == "GET":
        return _edit_page(200)
    try:
        data = QuestionnaireIn().load(_form_data())
        row = quest.define(quest.Context(tenant=g.tenant, actor=actor()), data)
        db.session.commit()
    except ValidationError as err:
        return _edit_page(422, field_errors(err.messages))
    except DomainError as err:
        db.session.rollback()
        return _edit_page(err.status, {k: " ".join(v) for k, v in err.fields.items()}
                          or {"title": err.message.get(lang())})
    return redirect(url_for("web.show_questionnaire", questionnaire_id=row.id))


@bp.get("/questionnaires/<int:questionnaire_id>")
def show_questionnaire(questionnaire_id, links=None, sent=None):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    denied = _forbidden()
    if denied:
        return denied
    period = periods.containing("month", _today())
    grouping = quest.grouping(g.tenant)
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    return render_template(
        "web/voice/questionnaire.html", q=row, departments=departments, grouping=grouping,
        scores=scores.department_scores(grouping, period, row.id), period=period,
        month=period.first.strftime("%Y-%m"), links=links, sent=sent,
        frozen=quest.has_answers(row), may_manage=can(actor(), "questionnaire.manage"),
        may_send=can(actor(), "questionnaire.send"))


@bp.post("/questionnaires/<int:questionnaire_id>/rounds")
def start_questionnaire_round(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    denied = _forbidden("questionnaire.manage")
    if denied:
        return denied
    try:
        period = periods.parse({"period": "month", "at": request.form.get("month", "")},
                               _today())
        _round, links = quest.start_round(quest.Context(tenant=g.tenant, actor=actor()), row,
                                          period, quest.ROUND_DAYS, answer_url)
        db.session.commit()
    except DomainError as err:
        refused(err)
        return redirect(url_for("web.show_questionnaire", questionnaire_id=row.id))
    return show_questionnaire(row.id, links=links)


@bp.post("/questionnaires/<int:questionnaire_id>/links")
def send_questionnaire_link(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    denied = _forbidden("questionnaire.send")
    if denied:
        return denied
    try:
        data = QuestionnaireLinkIn().load({"ref": request.form.get("ref", "")})
        contact = get_or_404(Contact, ref=data["ref"].strip().upper())
        _link, url, email = quest.link_for_contact(
            quest.Context(tenant=g.tenant, actor=actor()), row, contact, answer_url)
        db.session.commit()
    except ValidationError:
        refused(NotFound({"zh": "请填写受理编号。", "en": "Enter a reference number."}))
        return redirect(url_for("web.show_questionnaire", questionnaire_id=row.id))
    except DomainError as err:
        refused(err)
        return redirect(url_for("web.show_questionnaire", questionnaire_id=row.id))
    return show_questionnaire(row.id, sent={"url": url, "emailed": email is not None
                                            and email.status == "pending"})


# -- the public answer page -----------------------------------------------------------------

def _public(status, **values):
    values.setdefault("errors", {})
    response = make_response(render_template("public/questionnaire.html", **values), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"    # the token is in the path
    return response


def _too_many(_limit):
    return _public(429, message=_("Too many attempts from here. Please try again in a "
                                  "quarter of an hour."))


def _values(q):
    """The chosen points, one per question; a missing or odd one is a field error."""
    out, errors = [], {}
    for i in range(len(q.questions)):
        raw = (request.form.get(f"q{i}") or "").strip()
        if not raw.isdigit():
            errors[f"q{i}"] = _("Choose a point on the scale.")
        else:
            out.append(int(raw))
    return out, errors


@bp.route("/q/<answer_token>", methods=["GET", "POST"])
@limiter.limit(FAILED_PER_ADDRESS, key_func=_address, methods=["POST", "GET"],
               deduct_when=lambda r: r.status_code in (404, 410),
               on_breach=_too_many, scope="questionnaire-address-failed")
@limiter.limit(PER_ADDRESS, key_func=_address, methods=["POST"], on_breach=_too_many,
               scope="questionnaire-address")
def questionnaire_answer(answer_token):
    link = quest.find(answer_token)
    try:
        quest.usable(link, clock.now())
    except DomainError as err:
        return _public(err.status, message=err.message.get(lang()), ended=True)
    department = db.session.get(Department, link.department_id)
    page = {"q": link.questionnaire, "department": department, "form": request.form}
    if request.method == "GET":
        return _public(200, **page)
    values, errors = _values(link.questionnaire)
    try:
        comment = QuestionnaireAnswerIn().load({"values": values,
                                   "comment": request.form.get("comment", "")})["comment"]
    except ValidationError as err:
        errors.update({k: v for k, v in field_errors(err.messages).items()
                       if k == "comment"})
    if errors:
        return _public(422, errors=errors, **page)
    try:
        quest.answer(quest.Context(tenant=g.tenant), link, values, comment)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        fields = {k.replace("values.", "q"): " ".join(v) for k, v in err.fields.items()}
        if fields:
            return _public(err.status, errors=fields, **page)
        return _public(err.status, message=err.message.get(lang()), ended=True)
    return _public(200, thanks=True)



@bp.app_template_global("may_see_questionnaires")
def may_see_questionnaires():
    return current_user.is_authenticated and (
        can(current_user.staff, "questionnaire.view")
        or can(current_user.staff, "questionnaire.manage"))
