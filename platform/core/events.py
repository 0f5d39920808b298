"""The append-only event log of a contact."""
from .extensions import db
from .models import ContactEvent


def record(ctx, kind, actor=None, **details):
    """Append one event (who, when, what) and let the pack react to it.

    Returns the event.  Departments the pack copies the event to are listed
    in ``details["copied_to"]``.
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
    ctx.events.append(event)
    return event
