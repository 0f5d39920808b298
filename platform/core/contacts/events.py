"""The append-only event log of a contact; each event is also an outbox message."""
from core.contacts import copies as copied
from core.contacts.models import ContactEvent
from core.extensions import db
from core.notify import outbox


def record(ctx, kind, actor=None, *, outbox_key=None, **details):
    """Append one event (who, when, what) and let the pack react to it.

    Returns the event.  Departments the pack copies the event to are listed in
    ``details["copied_to"]`` (their staff are told through the outbox message) and each gets
    a copy row for its "copied to us" list (``core.contacts.copies``).  The outbox message
    ``contact.<kind>`` is written in the same transaction, so its notifications go out if
    and only if the event is committed (``outbox_key`` makes that message unique per
    tenant, e.g. one reminder point).
    """
    event = ContactEvent(tenant_id=ctx.contact.tenant_id, contact=ctx.contact, at=ctx.at,
                         actor_id=actor.id if actor else None, kind=kind, details=details)
    copies = []
    for answer in ctx.hooks.shouwen_contact_event(policy=ctx.policy, contact=ctx.contact,
                                                  event=event):
        for code in answer or []:
            if code not in copies:
                copies.append(code)
    if copies:
        event.details = {**details, "copied_to": copies}
    db.session.add(event)
    copied.record(ctx, event, copies)
    ctx.events.append(event)
    # No flush here (registration writes everything in one): the outbox fills in the event
    # id, contact id and final reference number just before the commit.
    contact = ctx.contact
    outbox.emit(f"contact.{kind}", {
        "kind": kind, "actor_id": event.actor_id, "at": event.at.isoformat(),
        "details": event.details,
    }, contact=contact, key=outbox_key, event=event)
    return event
