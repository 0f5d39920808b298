"""Questionnaires: define one, send one-time links (a round, or a customer after closure),
record an answer.  One function per user action, taking a :class:`Context`, never committing.

Who rates whom (seed 000, Vanke): each role group of the department's own staff answers
about its own department; a round issues one link per active staff member whose pack role
(``Staff.title``) is in one of the questionnaire's groups and whose department it rates.
A resident gets a link for the department that handled the matter (else the owner's),
in the pack's group without roles when it has one, else the group ``customers`` (shown
apart; it counts in no weighted score).  The periodic job :func:`after_close_all` e-mails
that link to customers who gave an address; staff make it for the others.

A link is answered once: the answer locks the link's row, and the answer's unique key per
link makes a second submit a 409 even without the lock; an expired or revoked link is a
410.  A questionnaire is frozen once it has an answer (409 on change): copy it instead.
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from core import clock, jobs
from core.contacts.models import Contact, Customer
from core.errors import DomainError, Invalid, NotFound
from core.extensions import db
from core.notify import mail as mailer
from core.policy import versions as policies
from core.policy.assessment_schema import DEFAULT_GROUPING
from core.tenancy import locks
from core.tenancy.models import Department, Staff, Tenant, active_tenant_ids
from core.tenancy.permissions import require
from core.voice import questionnaire_scores as scores
from core.voice.questionnaire_models import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireLink,
    QuestionnaireRound,
)

CUSTOMERS = "customers"            # the residents' group where the pack has no such group
LINK_DAYS = 30                     # a customer's link (product default)
ROUND_DAYS = 14                    # a round's links, unless the administrator says otherwise
MAX_TOKEN = 100
AFTER_CLOSE_WINDOW = timedelta(days=2)   # closures the periodic job still looks at


@dataclass
class Context:
    tenant: object
    actor: object = None
    at: object = field(default_factory=clock.now)


class Gone(DomainError):
    status, code = 410, "link_gone"


def _refuse(fields, en, zh):
    raise Invalid({"zh": zh, "en": en}, fields=fields)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def grouping(tenant):
    """The tenant's questionnaire grouping (the pack's, or the product default)."""
    _pack, policy = policies.load(policies.current_version_id(tenant))
    # a version frozen before the section existed: the product default
    return policy.get("questionnaire") or DEFAULT_GROUPING


def has_answers(questionnaire):
    return db.session.scalar(select(exists().where(
        QuestionnaireAnswer.questionnaire_id == questionnaire.id)))


def _resolve(ctx, data):
    """Department codes to ids, group keys checked against the grouping (field messages)."""
    by_code = {d.code: d.id for d in db.session.scalars(select(Department))
               if d.active}
    unknown = [c for c in data["departments"] if c not in by_code]
    if unknown:
        _refuse({"departments": [f"Unknown departments: {', '.join(unknown)}."]},
                "Unknown departments.", "部门不存在。")
    groups = {g["key"] for g in grouping(ctx.tenant)["groups"]}
    wrong = [k for k in data["groups"] if k not in groups]
    if wrong:
        _refuse({"groups": [f"Unknown groups: {', '.join(wrong)}."]},
                "Unknown role groups.", "答卷组不存在。")
    if data["scale_max"] <= data["scale_min"]:
        _refuse({"scale_max": ["Must be above the lowest point of the scale."]},
                "The scale's top must be above its bottom.", "量表最高分须大于最低分。")
    return [by_code[c] for c in data["departments"]]


def _assign(row, data, department_ids):
    row.title, row.audience, row.questions = data["title"], data["audience"], data["questions"]
    row.scale_min, row.scale_max = data["scale_min"], data["scale_max"]
    row.low_label, row.high_label = data["low_label"], data["high_label"]
    row.comment_question = data["comment_question"]
    row.department_ids, row.group_keys = department_ids, data["groups"]
    row.active = data["active"]


def define(ctx, data):
    """A new questionnaire from checked ``data`` (``core.api.questionnaires.QuestionnaireIn``)."""
    require(ctx.actor, "questionnaire.manage")
    department_ids = _resolve(ctx, data)
    row = Questionnaire(tenant_id=ctx.tenant.id, created_by_id=ctx.actor.id, created_at=ctx.at)
    _assign(row, data, department_ids)
    db.session.add(row)
    db.session.flush()
    return row


def update(ctx, questionnaire, data):
    """Change a questionnaire not yet answered; only ``active`` may change once answered."""
    require(ctx.actor, "questionnaire.manage")
    locks.locked(questionnaire)
    department_ids = _resolve(ctx, data)
    if has_answers(questionnaire):
        same = dict(data, active=questionnaire.active)
        probe = Questionnaire()
        _assign(probe, same, department_ids)
        changed = [k for k in ("title", "audience", "questions", "scale_min", "scale_max",
                               "low_label", "high_label", "comment_question",
                               "department_ids", "group_keys")
                   if getattr(probe, k) != getattr(questionnaire, k)]
        if changed:
            raise DomainError({"zh": "问卷已有答卷，不能再修改；请复制为新问卷。",
                               "en": "This questionnaire has answers and is frozen; "
                                     "copy it to a new one to ask something else."},
                              code="frozen")
    _assign(questionnaire, data, department_ids)
    db.session.flush()
    return questionnaire


def _new_link(ctx, questionnaire, department_id, group, expires_at, **where):
    token = secrets.token_urlsafe(32)
    link = QuestionnaireLink(
        tenant_id=ctx.tenant.id, questionnaire_id=questionnaire.id, department_id=department_id,
        group_key=group, digest=_digest(token), created_at=ctx.at, expires_at=expires_at,
        **where)
    db.session.add(link)
    return link, token


def respondents(ctx, questionnaire):
    """``[(staff, group key)]``: active staff of the rated departments in its groups."""
    asked = [g for g in grouping(ctx.tenant)["groups"] if g["key"] in questionnaire.group_keys]
    roles = {role: g["key"] for g in asked for role in g["roles"]}
    # a group without roles (the product default's one group) takes everyone else
    rest = next((g["key"] for g in asked if not g["roles"]), None)
    people = db.session.scalars(select(Staff).where(
        Staff.active.is_(True), Staff.department_id.in_(questionnaire.department_ids))
        .order_by(Staff.id))
    out = [(s, roles.get(s.title, rest)) for s in people]
    return [(s, group) for s, group in out if group is not None]


def start_round(ctx, questionnaire, period, days, url_for_token):
    """A round for ``period``: one link per respondent; ``[(staff, group, url)]``."""
    require(ctx.actor, "questionnaire.manage")
    if questionnaire.audience != "staff" or not questionnaire.active:
        _refuse({"questionnaire": ["Rounds are for active staff questionnaires."]},
                "A round is sent to staff; residents get a link once their matter is closed.",
                "轮次只发给员工；住户在事项办结后收到链接。")
    row = QuestionnaireRound(
        tenant_id=ctx.tenant.id, questionnaire_id=questionnaire.id, first=period.first,
        last=period.last, started_by_id=ctx.actor.id, started_at=ctx.at,
        expires_at=ctx.at + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    out = []
    for person, group in respondents(ctx, questionnaire):
        _link, token = _new_link(ctx, questionnaire, person.department_id, group,
                                 row.expires_at, round_id=row.id, staff_id=person.id,
                                 day=period.last)
        out.append((person, group, url_for_token(token)))
    db.session.flush()
    return row, out


def customer_group(tenant):
    open_groups = [g["key"] for g in grouping(tenant)["groups"] if not g["roles"]]
    return open_groups[0] if open_groups else CUSTOMERS


def link_for_contact(ctx, questionnaire, contact, url_for_token, subject=""):
    """A resident's link about a closed contact; e-mailed when the customer gave an address.
    Returns ``(link, url, email row or None)``."""
    require(ctx.actor, "questionnaire.send")
    return _customer_link(ctx, questionnaire, contact, url_for_token, subject)


def _customer_link(ctx, questionnaire, contact, url_for_token, subject=""):
    if contact.state != "closed":
        _refuse({"ref": ["The matter is not closed yet."]},
                "Send the questionnaire once the matter is closed.", "事项办结后才能发送问卷。")
    department_id = contact.handler_department_id or contact.owner_department_id
    if (questionnaire.audience != "customers" or not questionnaire.active
            or department_id not in questionnaire.department_ids):
        _refuse({"questionnaire": ["Not an active residents' questionnaire of this department."]},
                "This questionnaire is not for this matter's department.",
                "此问卷不评价该事项的部门。")
    link, token = _new_link(ctx, questionnaire, department_id, customer_group(ctx.tenant),
                            ctx.at + timedelta(days=LINK_DAYS), contact_id=contact.id)
    url = url_for_token(token)
    email = None
    if contact.customer.email:
        email = mailer.new(ctx.tenant.id, contact.customer.email, subject or questionnaire.title,
                           f"{questionnaire.title}\n\n{url}\n")
        db.session.add(email)
    db.session.flush()
    if email is not None and email.status == "pending":
        mailer.send_email.enqueue(ctx.tenant.id, email.id)
    return link, url, email


# -- after closure: the periodic job --------------------------------------------------------

def send_after_close(ctx, base_url):
    """E-mail a link to every customer with an address whose matter was closed in the last
    :data:`AFTER_CLOSE_WINDOW` and who has none yet, for the first active residents'
    questionnaire rating the matter's department.  Idempotent: one link per contact and
    questionnaire.  Returns the links made."""
    questionnaires = db.session.scalars(select(Questionnaire).where(
        Questionnaire.audience == "customers", Questionnaire.active.is_(True))
        .order_by(Questionnaire.id)).all()
    if not questionnaires:
        return []
    sent = set(db.session.execute(select(QuestionnaireLink.questionnaire_id,
                                         QuestionnaireLink.contact_id).where(
        QuestionnaireLink.contact_id.is_not(None),
        QuestionnaireLink.created_at >= ctx.at - 2 * AFTER_CLOSE_WINDOW)).all())
    closed = db.session.scalars(select(Contact).join(Customer, Contact.customer_id == Customer.id)
                                .where(Contact.state == "closed",
                                       Contact.closed_at >= ctx.at - AFTER_CLOSE_WINDOW,
                                       Customer.email != "")
                                .order_by(Contact.id)).all()
    made = []
    for contact in closed:
        department_id = contact.handler_department_id or contact.owner_department_id
        q = next((q for q in questionnaires if department_id in q.department_ids), None)
        if q is None or (q.id, contact.id) in sent:
            continue
        path = f"{base_url.rstrip('/')}/t/{ctx.tenant.slug}/q/"
        made.append(_customer_link(ctx, q, contact, lambda t, p=path: p + t)[0])
    return made


@jobs.job(queue="default")
def after_close_all(tenant_id):
    """Periodic: one after-closure job per active tenant."""
    for tid in active_tenant_ids():
        after_close_tenant.enqueue(tid)


@jobs.job(queue="default")
def after_close_tenant(tenant_id):
    from flask import current_app
    tenant = db.session.get(Tenant, tenant_id)
    base = current_app.config.get("SHOUWEN_PUBLIC_URL") or ""
    return len(send_after_close(Context(tenant=tenant), base))


def find(token):
    """The link of the current tenant for ``token`` (any state), or None."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return db.session.scalar(select(QuestionnaireLink).where(
        QuestionnaireLink.digest == _digest(token)))


def usable(link, at):
    """Raise unless ``link`` may still be answered (404 unknown, 410 used or expired)."""
    if link is None:
        raise NotFound({"zh": "此问卷链接无效。", "en": "This questionnaire link is not valid."})
    if link.used_at is not None:
        raise DomainError({"zh": "此问卷已经回答过，谢谢。",
                           "en": "This questionnaire has already been answered. Thank you."},
                          code="answered")
    if link.expires_at <= at or not link.questionnaire.active:
        raise Gone({"zh": "此问卷链接已过期。", "en": "This questionnaire link has expired."})
    return link


def answer(ctx, link, values, comment=""):
    """Record the one answer of ``link``: a value per question on the scale."""
    usable(link, ctx.at)
    locks.locked(link)
    usable(link, ctx.at)                 # re-read under the lock: the loser sees it used
    q = link.questionnaire
    if len(values) != len(q.questions):
        _refuse({"values": [f"Answer all {len(q.questions)} questions."]},
                "Answer every question.", "请回答每一个问题。")
    bad = {f"values.{i}": [f"From {q.scale_min} to {q.scale_max}."]
           for i, v in enumerate(values) if not q.scale_min <= v <= q.scale_max}
    if bad:
        _refuse(bad, "Choose a point on the scale for each question.", "请为每个问题选择分值。")
    day = link.day or ctx.at.astimezone(ZoneInfo(ctx.tenant.timezone)).date()
    try:
        with db.session.begin_nested():
            db.session.add(QuestionnaireAnswer(
                tenant_id=ctx.tenant.id, link_id=link.id, questionnaire_id=q.id,
                department_id=link.department_id, group_key=link.group_key, day=day,
                values=list(values), comment=(comment or "").strip(), at=ctx.at,
                score_centi=scores.normalised_centi(values, q.scale_min, q.scale_max)))
            link.used_at = ctx.at
            db.session.flush()
    except IntegrityError:
        raise DomainError({"zh": "此问卷已经回答过，谢谢。",
                           "en": "This questionnaire has already been answered. Thank you."},
                          code="answered") from None
    return link
