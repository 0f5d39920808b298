"""Who is told of what: the recipients of one outbox message, with the reason each is told.

Set-based: a handful of queries per message whatever the number of recipients
(staff by department, by role, by id), never one query per person.  The reason
picks the wording (``core.notify.texts``): the owner of a breached
handover is asked to chase, the handler is told their clock ran out.

| topic | who | reason |
|---|---|---|
| contact.transferred | the named receiver, else the receiving department's staff | to_accept |
| contact.accepted | the owner | accepted |
| contact.coordination_opened | staff of the lead and co-departments | coordination |
| contact.feedback | the owner | callback_due |
| contact.decided | the owner and the handling department's handler (else its staff) | decided |
| contact.deadline_breached | the responsible person (else the department's handler and supervisors); the owner | overdue; chase |
| contact.escalated | the step's targets (``staff_ids``, else the step's department or role holders); overseers and the supervising department | escalated; escalation_watch |
| contact.reminder | ``staff_ids``, else the department's staff | reminder |
| report.summary | ``staff_id`` (one outbox row per recipient, core.supervision.report) | report |
| assessment.published | the assessed departments' staff; overseers and the supervising department (core.supervision.assessment_runs) | assessment |
| complaint.received | the receiving body's supervisors (``complaint.receive``), never the person complained about (core.voice.complaints) | complaint |
| violation.proposed | the supervisors of the department concerned (else of the person's); overseers and the supervising department | violation |
| contact.rectification_opened | the owner; the rated department's staff; overseers and the supervising department (core.voice) | callback_again; rectify; rectification_watch |
| contact.rectification_completed | the owner; overseers and the supervising department | rectified |
| contact.rating_appealed | overseers and the supervising department | appeal_to_decide |
| contact.rating_appeal_decided | the appealing department's supervisors and the person who appealed | appeal_decided |
| any contact.<step> whose ``details.copied_to`` names departments (the pack's copies: hotel QI on every handover and feedback) | the active staff of those departments, after the step's own recipients | copy |

The person who acted is never told of their own action; inactive staff are never told.
"""
from sqlalchemy import or_, select

from core.contacts.models import Deadline, Escalation
from core.extensions import db
from core.tenancy.models import Department, Staff
from core.tenancy.permissions import roles_with


RATING_TOPICS = ("contact.rectification_opened", "contact.rectification_completed",
                 "contact.rating_appealed", "contact.rating_appeal_decided")


def supervising_departments(policy):
    """Codes of the pack's supervising department(s): hotel QI, government supervision
    office, bank union (``assessment.supervisor`` / ``assessment.department``)."""
    assessment = (policy or {}).get("assessment") or {}
    codes = [assessment.get("supervisor"), assessment.get("department")]
    return [c for c in codes if isinstance(c, str) and c]


def _ids(statement):
    return list(db.session.scalars(statement))


def _department_staff(codes=(), ids=(), roles=None):
    """Active staff of departments given by code and/or id, optionally only some roles."""
    codes, ids = [c for c in codes if c], [i for i in ids if i]
    if not codes and not ids:
        return []
    stmt = select(Staff.id).join(Department, Staff.department_id == Department.id).where(
        or_(Department.code.in_(codes), Department.id.in_(ids)), Staff.active.is_(True))
    if roles is not None:
        stmt = stmt.where(Staff.role.in_(roles))
    return _ids(stmt.order_by(Staff.id))


def _oversight(policy):
    """Overseers (by role) and the supervising department's staff, in one query."""
    stmt = select(Staff.id).outerjoin(Department, Staff.department_id == Department.id).where(
        Staff.active.is_(True),
        or_(Staff.role.in_(roles_with("notification.oversight")),
            Department.code.in_(supervising_departments(policy))))
    return _ids(stmt.order_by(Staff.id))


def _escalation_targets(payload, details, contact, policy):
    if details.get("staff_ids"):
        return list(details["staff_ids"])
    step = next((s for s in (policy.get("escalation") or {}).get("chain", [])
                 if s.get("key") == details.get("to")), None)
    if step is None:
        return []
    if step.get("department"):
        return _department_staff(codes=[step["department"]])
    if step.get("role"):
        # A level named by role: its holders in the escalation's department if there are any
        # (a section chief of that department), else anywhere (deputy GM, GM).
        department_id = db.session.scalar(select(Escalation.department_id).where(
            Escalation.contact_id == contact.id,
            Escalation.level == details.get("level")).order_by(Escalation.id.desc()).limit(1))
        holders = db.session.execute(select(Staff.id, Staff.department_id).where(
            Staff.title == step["role"], Staff.active.is_(True)).order_by(Staff.id)).all()
        local = [sid for sid, dept in holders if department_id and dept == department_id]
        return local or [sid for sid, _ in holders]
    return []


def resolve(topic, payload, contact, policy):
    """``{staff_id: reason}`` (insertion-ordered; a person gets their first reason only)."""
    found = {}
    details = payload.get("details") or {}

    def add(ids, reason):
        for staff_id in ids:
            if staff_id:
                found.setdefault(int(staff_id), reason)

    if topic == "contact.transferred":
        if details.get("to_user"):
            add(_ids(select(Staff.id).where(Staff.username == details["to_user"])), "to_accept")
        else:
            add(_department_staff(codes=[details.get("to_department")]), "to_accept")
    elif topic == "contact.accepted" and contact is not None:
        add([contact.owner_id], "accepted")
    elif topic == "contact.coordination_opened":
        add(_department_staff(codes=[details.get("lead"), *details.get("co_departments", [])]),
            "coordination")
    elif topic == "contact.feedback" and contact is not None:
        add([contact.owner_id], "callback_due")
    elif topic == "contact.decided" and contact is not None:
        add([contact.owner_id], "decided")
        if contact.handler_id:
            add([contact.handler_id], "decided")
        elif contact.handler_department_id:
            add(_ids(select(Staff.id).where(
                Staff.department_id == contact.handler_department_id)), "decided")
    elif topic == "contact.deadline_breached" and contact is not None:
        _breach(details, contact, add)
    elif topic == "contact.escalated" and contact is not None:
        add(_escalation_targets(payload, details, contact, policy), "escalated")
        add(_oversight(policy), "escalation_watch")
    elif topic == "contact.reminder":
        if details.get("staff_ids"):
            add(details["staff_ids"], "reminder")
        else:
            add(_department_staff(ids=[details.get("department_id")]), "reminder")
    elif topic == "violation.proposed":
        _violation(payload, policy, add)
    elif topic == "report.summary":       # one row per recipient (core.supervision.report)
        add([payload.get("staff_id")], "report")
    elif topic == "assessment.published":   # the notice (通报) of a period's assessment
        add(_department_staff(ids=payload.get("department_ids") or []), "assessment")
        add(_oversight(policy), "assessment")
    elif topic in RATING_TOPICS and contact is not None:
        _rating(topic, details, contact, policy, add)
    elif topic == "complaint.received":     # a complaint about staff (core.voice.complaints)
        add(_department_staff(ids=[payload.get("department_id")],
                              roles=roles_with("complaint.receive")), "complaint")
        found.pop(payload.get("person_id"), None)
    if topic.startswith("contact.") and details.get("copied_to"):
        # Last, so someone also told for the step itself keeps that reason (what to do).
        add(_department_staff(codes=details["copied_to"]), "copy")
    found.pop(payload.get("actor_id"), None)
    return found


def _breach(details, contact, add):
    """A late clock: whoever must meet it (the person, else their department's handler and
    the department's notified roles, else the owner), and the owner to chase it."""
    deadline = db.session.get(Deadline, details.get("deadline_id")) \
        if details.get("deadline_id") else None
    if deadline is not None and deadline.responsible_staff_id:
        add([deadline.responsible_staff_id], "overdue")
    elif deadline is not None and deadline.responsible_department_id:
        handler = contact.handler
        if handler is not None and handler.department_id == deadline.responsible_department_id:
            add([handler.id], "overdue")
        add(_department_staff(ids=[deadline.responsible_department_id],
                              roles=roles_with("notification.department")), "overdue")
    else:
        add([contact.owner_id], "overdue")
    add([contact.owner_id], "chase")


def _violation(payload, policy, add):
    """A proposed violation: the department's notified roles and the pack's oversight."""
    department_id = payload.get("department_id")
    if not department_id and payload.get("staff_id"):     # a person's own clock
        department_id = db.session.scalar(select(Staff.department_id).where(
            Staff.id == payload["staff_id"]))
    add(_department_staff(ids=[department_id],
                          roles=roles_with("notification.department")), "violation")
    add(_oversight(policy), "violation")


def _rating(topic, details, contact, policy, add):
    """The bad-review loop (core.voice.rectifications): the rated department puts it right,
    the owner calls back, the supervising side watches and decides appeals."""
    department_id = details.get("department_id")
    if topic == "contact.rectification_opened":
        add([contact.owner_id], "callback_again")     # first: in own duty, also of the dept
        add(_department_staff(ids=[department_id]), "rectify")
        add(_oversight(policy), "rectification_watch")
    elif topic == "contact.rectification_completed":
        add([contact.owner_id], "rectified")
        add(_oversight(policy), "rectified")
    elif topic == "contact.rating_appealed":
        add(_oversight(policy), "appeal_to_decide")
    elif topic == "contact.rating_appeal_decided":
        add([details.get("appealed_by_id")], "appeal_decided")
        add(_department_staff(ids=[department_id],
                              roles=roles_with("notification.department")), "appeal_decided")
