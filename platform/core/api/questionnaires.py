"""Questionnaire routes: define and change questionnaires, start a round, send a resident
the link of a closed matter, read the departments' scores of a period.

The answering itself is the public page ``/t/<slug>/q/<token>`` (``core.web.questionnaires``).
"""
from flask import g, jsonify, request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import bp, load
from core.api.spot_checks import period_of
from core.contacts.models import Contact
from core.extensions import db
from core.tenancy.models import Department
from core.tenancy.permissions import require
from core.tenancy.scoping import get_or_404
from core.validation import Text as Str
from core.voice import questionnaire_scores as scores
from core.voice import questionnaires as quest
from core.voice.questionnaire_models import Questionnaire, QuestionnaireLink

AUDIENCES = ("customers", "staff")


class QuestionnaireIn(Schema):
    title = Str(required=True, validate=validate.Length(min=1, max=200))
    audience = Str(required=True, validate=validate.OneOf(AUDIENCES))
    questions = fields.List(Str(validate=validate.Length(min=1, max=300)), required=True,
                            validate=validate.Length(min=1, max=30))
    scale_min = fields.Integer(strict=True, load_default=1,
                               validate=validate.Range(min=0, max=9, error="From 0 to 9."))
    scale_max = fields.Integer(strict=True, load_default=5,
                               validate=validate.Range(min=1, max=10, error="From 1 to 10."))
    low_label = Str(load_default="", validate=validate.Length(max=60))
    high_label = Str(load_default="", validate=validate.Length(max=60))
    comment_question = Str(load_default="", validate=validate.Length(max=300))
    departments = fields.List(Str(validate=validate.Length(max=40)), required=True,
                              validate=validate.Length(min=1, max=200))
    groups = fields.List(Str(validate=validate.Length(max=40)), required=True,
                         validate=validate.Length(min=1, max=10))
    active = fields.Boolean(load_default=True)


class QuestionnaireRoundIn(Schema):
    period = Str(load_default=None)
    at = Str(load_default=None)
    from_ = Str(data_key="from", load_default=None)
    to = Str(load_default=None)
    days = fields.Integer(strict=True, load_default=quest.ROUND_DAYS,
                          validate=validate.Range(min=1, max=90, error="From 1 to 90 days."))


class QuestionnaireLinkIn(Schema):
    ref = Str(required=True, validate=validate.Length(min=1, max=40))


class QuestionnaireAnswerIn(Schema):
    values = fields.List(fields.Integer(strict=True), required=True,
                         validate=validate.Length(max=30))
    comment = Str(load_default="", validate=validate.Length(max=2000))


class QuestionnaireScoresQuery(Schema):
    period = Str(load_default=None)
    at = Str(load_default=None)
    from_ = Str(data_key="from", load_default=None)
    to = Str(load_default=None)


def answer_url(token):
    return url_for("web.questionnaire_answer", slug=g.tenant.slug, answer_token=token,
                   _external=True)


def body_of(row):
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    return {"id": row.id, "title": row.title, "audience": row.audience,
            "questions": row.questions, "scale_min": row.scale_min, "scale_max": row.scale_max,
            "low_label": row.low_label, "high_label": row.high_label,
            "comment_question": row.comment_question,
            "departments": [codes.get(i) for i in row.department_ids],
            "groups": row.group_keys, "active": row.active,
            "frozen": bool(quest.has_answers(row)),
            "created_at": row.created_at.isoformat()}


def _ctx():
    return quest.Context(tenant=g.tenant, actor=g.actor)


@bp.get("/questionnaires")
def list_questionnaires():
    require(g.actor, "questionnaire.view")
    rows = db.session.scalars(select(Questionnaire).order_by(Questionnaire.id.desc())
                              .limit(200)).all()
    return jsonify({"items": [body_of(r) for r in rows]})


@bp.post("/questionnaires")
def create_questionnaire():
    require(g.actor, "questionnaire.manage")
    row = quest.define(_ctx(), load(QuestionnaireIn()))
    body = body_of(row)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/questionnaires/<int:questionnaire_id>")
def show_questionnaire(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    require(g.actor, "questionnaire.view")
    return jsonify(body_of(row))


@bp.put("/questionnaires/<int:questionnaire_id>")
def update_questionnaire(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    require(g.actor, "questionnaire.manage")
    quest.update(_ctx(), row, load(QuestionnaireIn()))
    body = body_of(row)
    db.session.commit()
    return jsonify(body)


@bp.post("/questionnaires/<int:questionnaire_id>/rounds")
def start_questionnaire_round(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    require(g.actor, "questionnaire.manage")
    data = load(QuestionnaireRoundIn())
    round_row, links = quest.start_round(_ctx(), row, period_of(data), data["days"], answer_url)
    body = {"id": round_row.id, "from": round_row.first.isoformat(),
            "to": round_row.last.isoformat(), "expires_at": round_row.expires_at.isoformat(),
            "links": [{"staff": s.username, "group": group, "url": url}
                      for s, group, url in links]}
    db.session.commit()
    return jsonify(body), 201


@bp.post("/questionnaires/<int:questionnaire_id>/links")
def send_questionnaire_link(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    require(g.actor, "questionnaire.send")
    data = load(QuestionnaireLinkIn())
    contact = get_or_404(Contact, ref=data["ref"].strip().upper())
    link, url, email = quest.link_for_contact(_ctx(), row, contact, answer_url)
    body = {"id": link.id, "url": url, "expires_at": link.expires_at.isoformat(),
            "emailed": email is not None and email.status == "pending"}
    db.session.commit()
    return jsonify(body), 201


@bp.get("/questionnaires/<int:questionnaire_id>/scores")
def questionnaire_scores(questionnaire_id):
    row = get_or_404(Questionnaire, id=questionnaire_id)
    require(g.actor, "questionnaire.view")
    period = period_of(load(QuestionnaireScoresQuery(), request.args.to_dict()))
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    by_dept = scores.department_scores(quest.grouping(g.tenant), period, row.id)
    sent = db.session.scalar(select(db.func.count()).select_from(QuestionnaireLink).where(
        QuestionnaireLink.questionnaire_id == row.id))
    return jsonify({"from": period.first.isoformat(), "to": period.last.isoformat(),
                    "links": sent,
                    "departments": [{"department": codes.get(d), **v}
                                    for d, v in sorted(by_dept.items())]})
