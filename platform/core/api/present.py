"""Turn models into the plain dicts the output schemas dump (no per-row queries in lists)."""
from sqlalchemy import select

from core import clock
from core.contacts.models import ContactEvent, Deadline
from core.deadlines import clocks
from core.extensions import db
from core.policy import versions as policies
from core.tenancy.models import Department, Staff


def staff_ref(staff):
    return {"username": staff.username, "name": staff.name} if staff else None


def _names(model, ids, attr):
    """``{id: attr}``; rows the session already holds (the actor, the owner, their
    departments) are read from its identity map, the others in one query."""
    names, missing = {}, set()
    identity_map = db.session.identity_map
    for i in ids:
        if i is None or i in names:
            continue
        row = identity_map.get(db.session.identity_key(model, i))
        if row is None:
            missing.add(i)
        else:
            names[i] = getattr(row, attr)
    if missing:
        names.update(db.session.execute(select(model.id, getattr(model, attr))
                                        .where(model.id.in_(missing))).all())
    return names


def next_due(contact_ids, now):
    """For a page of contacts: the earliest open due time of each (one query)."""
    rows = db.session.execute(
        select(Deadline.contact_id, Deadline.due_at)
        .where(Deadline.contact_id.in_(contact_ids), Deadline.status == "open")).all()
    earliest = {}
    for contact_id, due_at in rows:
        if contact_id not in earliest or due_at < earliest[contact_id]:
            earliest[contact_id] = due_at
    return earliest


def contact_summary(contact, due_at, now):
    return {
        "ref": contact.ref, "channel": contact.channel, "matter_type": contact.matter_type,
        "category": contact.category, "summary": contact.summary, "state": contact.state,
        "owner": staff_ref(contact.owner), "handler": staff_ref(contact.handler),
        "handler_department": contact.handler_department,
        "received_at": contact.received_at, "registered_at": contact.registered_at,
        "escalation_level": contact.escalation_level, "next_due_at": due_at,
        "overdue": bool(due_at and due_at < now),
    }


def contacts_page(contacts):
    now = clock.now()
    due = next_due([c.id for c in contacts], now) if contacts else {}
    return [contact_summary(c, due.get(c.id), now) for c in contacts]


def deadline(d, now, departments, users):
    return {"id": d.id, "kind": d.kind, "stage": d.stage,
            "rule": {"amount": d.amount, "unit": d.unit}, "start_at": d.start_at,
            "due_at": d.due_at, "status": clocks.status_at(d, now),
            "calendar_confirmed": d.calendar_confirmed, "closed_at": d.closed_at,
            "responsible_department": departments.get(d.responsible_department_id),
            "responsible_user": users.get(d.responsible_staff_id)}


def contact_detail(contact, events=None):
    """The full contact.  ``events``: all of its events when the caller has them (a contact
    registered in this request), which saves reading them back."""
    now = clock.now()
    deadlines = list(contact.deadlines)
    # A contact registered in this request (``events`` given) has no rating yet.
    rated = customer_ratings(contact) if events is None else []
    if events is None:
        events = db.session.scalars(select(ContactEvent).where(
            ContactEvent.contact_id == contact.id).order_by(ContactEvent.id)).all()
    departments = _names(Department, [d.responsible_department_id for d in deadlines], "code")
    users = _names(Staff, [d.responsible_staff_id for d in deadlines]
                   + contact.co_receiver_ids, "username")
    open_due = [d.due_at for d in deadlines if d.status == "open"]
    out = contact_summary(contact, min(open_due) if open_due else None, now)
    out.update({
        "customer": contact.customer,
        "policy_version": policies.version_number(contact.policy_version_id),
        "co_receivers": [users.get(i) for i in contact.co_receiver_ids],
        "satisfaction": contact.satisfaction, "closed_at": contact.closed_at,
        "deadlines": [deadline(d, now, departments, users) for d in deadlines],
        "events": [{"id": e.id, "at": e.at, "kind": e.kind,
                    "actor": e.actor.username if e.actor else None,
                    "actor_name": e.actor.name if e.actor else None, "details": e.details}
                   for e in events],
        "customer_ratings": rated,
    })
    return out


def customer_ratings(contact):
    """The customer's own ratings, every round, with rectification and appeal (core.voice)."""
    from core.voice.ratings import history
    rounds = history(contact)
    if not rounds:
        return []
    dept_ids = [r.department_id for r, _x, _a in rounds]
    staff_ids = [x.done_by_id for _r, x, _a in rounds if x] + [
        i for _r, _x, a in rounds if a for i in (a.by_id, a.decided_by_id)]
    departments = _names(Department, dept_ids, "code")
    users = _names(Staff, staff_ids, "username")
    by_deadline = {d.id: d for d in contact.deadlines}
    out = []
    for row, rect, appeal in rounds:
        item = {k: getattr(row, k) for k in ("round", "grade", "comment", "rated_at",
                                             "changed_at", "changes", "status")}
        item["department"] = departments.get(row.department_id)
        item["rectification"] = None if rect is None else {
            "id": rect.id, "department": departments.get(rect.department_id),
            "status": rect.status, "opened_at": rect.opened_at,
            "due_at": by_deadline[rect.deadline_id].due_at
            if rect.deadline_id in by_deadline else None,
            "done_at": rect.done_at, "done_by": users.get(rect.done_by_id),
            "action_taken": rect.action_taken}
        item["appeal"] = None if appeal is None else {
            "id": appeal.id, "by": users.get(appeal.by_id), "reason": appeal.reason,
            "at": appeal.at, "status": appeal.status,
            "decided_by": users.get(appeal.decided_by_id), "decided_at": appeal.decided_at,
            "decision_reason": appeal.decision_reason}
        out.append(item)
    return out


def violation(v, users=None, departments=None):
    users = users or {}
    departments = departments or {}
    return {"id": v.id, "contact": v.contact.ref, "user": v.staff.username if v.staff else None,
            "department": departments.get(v.department_id), "trigger": v.trigger,
            "rule": v.rule_key, "rule_text": v.rule_text, "sanction": v.sanction,
            "evidence": v.evidence, "status": v.status, "created_at": v.created_at,
            "decided_by": users.get(v.decided_by_id), "decided_at": v.decided_at,
            "reason": v.reason}
