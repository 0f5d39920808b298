"""What a customer sees of their matter: plain words, departments, dates; nothing internal.

One place holds the customer's wording (``STATES``, ``MILESTONES``, ``DUE``) and the rule
of what is shown.  Shown: reference, matter type, registered date, the current state, the
handling department with its public phone, the due time of the customer-facing step
(reply, else the overall limit) and the milestones.  Never shown: staff names (a
department is named instead), notes, reply and feedback texts, escalations, breaches,
violations, the owner's callback satisfaction, anything of the customer record beyond the
reference.  The customer's own rating (core.voice.ratings) is shown back to them, with the
grades they may give now (``rating_part``).
"""
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select

from core.contacts.models import ContactEvent, Referral, Transfer
from core.contacts.states import State
from core.extensions import db
from core.i18n import N_  # marks for the catalogue; translated when shown
from core.policy import versions as policies
from core.tenancy.models import Department

# The current state, said to the customer; %(department)s is the handling department.
STATES = {
    State.REGISTERED: (N_("Registered; being passed to the department responsible"), None),
    State.HANDLING: (N_("Being handled"), N_("Being handled by %(department)s")),
    State.TRANSFERRED: (N_("Handed over to the department responsible"),
                    N_("Handed over to %(department)s")),
    State.COORDINATING: (N_("Several departments are working on it together"),
                     N_("Several departments are working on it, led by %(department)s")),
    State.REFERRED: (N_("Outside this organisation: you were referred to another body"), None),
    State.REPLIED: (N_("Replied"), None),
    State.AWAITING_CALLBACK: (N_("Handled; you will be called back to confirm the result"), None),
    State.CALLED_BACK: (N_("You were called back; the matter is about to be closed"), None),
    State.CLOSED: (N_("Closed"), None),
}
# Milestones of the timeline: the event kinds a customer may see, and their words.
MILESTONES = {
    "registered": (N_("Registered"), N_("Registered by %(department)s")),
    "handling": (N_("Taken on"), N_("Taken on by %(department)s")),
    "transferred": (N_("Handed over to another department"), N_("Handed over to %(department)s")),
    "accepted": (N_("Accepted by the department"), N_("Accepted by %(department)s")),
    "coordination_opened": (N_("Coordination of several departments opened"),
                            N_("Coordination of several departments opened, led by "
                               "%(department)s")),
    "coordination_agreed": (N_("The departments agreed how to handle it"), None),
    "referred": (N_("Referred outside this organisation"), N_("Referred to %(body)s")),
    "on_site": (N_("Staff arrived on site"), None),
    "replied": (N_("Replied to you"), None),
    "called_back": (N_("Called you back"), None),
    "closed": (N_("Closed"), None),
    "customer_rated": (N_("You rated the service"), None),
}
DUE = {"reply": N_("Reply due by"), "final": N_("To be completed by")}
RUNNING = ("open", "breached")


def _words(pair, **values):
    """The detailed wording when every value is known, else the plain one."""
    plain, detailed = pair
    if detailed is not None and values and all(values.values()):
        return gettext(detailed, **values)
    return gettext(plain)


def _due(contact):
    """(kind, due_at) of the customer-facing clock still running: the reply, else the
    overall limit; None once nothing the customer waits for is running."""
    if contact.state in (State.CLOSED, State.REFERRED):
        return None
    for kind in ("reply", "final"):
        running = [d.due_at for d in contact.deadlines
                   if d.kind == kind and d.status in RUNNING and d.closed_at is None]
        if running:
            return kind, min(running)
    return None


def customer_view(tenant, contact, lang):
    """The customer's page of ``contact`` as a plain dict (times as aware UTC datetimes)."""
    _, policy = policies.load(contact.policy_version_id)
    referral = db.session.scalars(select(Referral).where(Referral.contact_id == contact.id)
                                  .order_by(Referral.id.desc()).limit(1)).first()

    def name(dept):
        return dept.name(lang) if dept is not None else ""

    timeline = _timeline(contact, name)
    dept = contact.handler_department
    show_dept = contact.state in (State.HANDLING, State.TRANSFERRED, State.COORDINATING) and dept
    due = _due(contact)
    matter = (policy.get("matter_types") or {}).get(contact.matter_type) or {}
    matter_name = matter.get("name")
    if isinstance(matter_name, dict):
        matter_name = matter_name.get(lang) or matter_name.get("zh")
    return {
        "ref": contact.ref,
        "matter_type": contact.matter_type,
        "matter_type_name": matter_name or contact.matter_type,
        "registered_at": contact.registered_at,
        "state": contact.state,
        "state_text": _words(STATES.get(contact.state, (contact.state, None)),
                             department=name(dept) if show_dept else ""),
        "department": {"name": name(dept), "phone": dept.phone or None} if show_dept else None,
        "referral": {"body": referral.body, "address": referral.address or None,
                     "phone": referral.phone or None}
        if referral is not None and contact.state == State.REFERRED else None,
        "due": {"kind": due[0], "label": gettext(DUE[due[0]]), "at": due[1]} if due else None,
        "closed_at": contact.closed_at,
        "timeline": timeline,
        "timezone": tenant.timezone,
        "rating": rating_part(tenant, contact, lang),
        **_complaints(contact),
    }


def rating_part(tenant, contact, lang):
    """The customer's own rating (core.voice.ratings): the grade given, whether it may be
    given or changed now, the five grades in words; None before the matter is answered."""
    from core.contacts import context
    from core.vocabulary import SATISFACTION
    from core.voice.ratings import customer_part
    part = customer_part(context.for_contact(tenant, contact))
    if part is None:
        return None
    part["grades"] = [{"value": g, "label": str(SATISFACTION[g])} for g in part["grades"]]
    if part["current"]:
        part["current"]["label"] = str(SATISFACTION[part["current"]["grade"]])
    text = part.pop("refusal_text")
    part["refusal_text"] = text.get(lang, text.get("en")) if text else None
    return part


def _complaints(contact):
    """The customer's complaints about staff (received / handled, by role, never a name) and
    whom they may complain about, by role (core.voice.complaints)."""
    from core.voice import complaints
    return {"complaints": complaints.customer_items(contact),
            "complaint_roles": [{"key": key, "text": gettext(complaints.CUSTOMER_ROLES[key])}
                                for key in complaints.customer_choices(contact)]}


def _timeline(contact, name):
    """The milestones the customer sees, each in plain words with its department."""
    departments = db.session.scalars(select(Department)).all()
    by_code = {d.code: d for d in departments}
    by_id = {d.id: d for d in departments}
    transfers = {t.id: t for t in db.session.scalars(
        select(Transfer).where(Transfer.contact_id == contact.id))}
    rows = db.session.scalars(select(ContactEvent).where(
        ContactEvent.contact_id == contact.id, ContactEvent.kind.in_(list(MILESTONES)))
        .order_by(ContactEvent.id)).all()
    timeline = []
    for event in rows:
        d = event.details or {}
        if event.kind == "called_back" and not d.get("reached", True):
            continue                     # an attempt that did not reach the customer
        values = {}
        if event.kind in ("registered", "handling"):
            actor = event.actor
            values["department"] = name(actor.department if actor else None)
        elif event.kind == "transferred":
            values["department"] = name(by_code.get(d.get("to_department")))
        elif event.kind == "accepted":
            row = transfers.get(d.get("transfer_id"))
            values["department"] = name(by_id.get(row.to_department_id) if row else None)
        elif event.kind == "coordination_opened":
            values["department"] = name(by_code.get(d.get("lead")))
        elif event.kind == "referred":
            values["body"] = d.get("body") or ""
        timeline.append({"kind": event.kind, "at": event.at,
                         "text": _words(MILESTONES[event.kind], **values)})
    return timeline


def local_iso(value, tenant):
    """An instant as ISO 8601 in the tenant's time zone (the JSON form)."""
    return value.astimezone(ZoneInfo(tenant.timezone)).isoformat() if value else None
