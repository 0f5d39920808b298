"""Copies (抄送): the departments a pack copies a step to, and each department's list of them.

``core.contacts.events.record`` asks the pack whom to copy (``shouwen_contact_event``) and
calls :func:`record`, so a copy is written in the same transaction as its event, and only
there.  The copied departments' staff are told through the event's outbox message
(``core.notify.recipients``, reason ``copy``); this table is what a department lists on
its "copied to us" page, newest first, in keyset pages on ``(tenant_id, department_id,
id)``.  Every query goes through the ORM, so the tenant scoping applies.
"""
from sqlalchemy import select

from core.contacts.models import Contact, ContactCopy
from core.extensions import db
from core.tenancy.models import Department, Staff

def record(ctx, event, codes):
    """Add one copy per department ``codes`` names (one query for all the codes); codes the
    tenant has no department for are left out.  Returns the copies."""
    if not codes:
        return []
    # No autoflush: registration writes the contact and its first events in one flush.
    with db.session.no_autoflush:
        found = dict(db.session.execute(select(Department.code, Department.id).where(
            Department.code.in_(codes))).all())
    rows = [ContactCopy(tenant_id=ctx.contact.tenant_id, contact=ctx.contact, event=event,
                        department_id=found[code], kind=event.kind,
                        actor_id=event.actor_id, at=event.at)
            for code in codes if code in found]
    db.session.add_all(rows)
    return rows


def _columns():
    """A list line: the copy, its contact and who took the step (plain rows, one statement;
    Staff is the actor and Department the handling department, so no aliases are needed,
    which the scoping would refuse)."""
    return (select(ContactCopy.id, ContactCopy.kind, ContactCopy.at, Contact.ref,
                   Contact.summary, Contact.state, Staff.name.label("actor_name"),
                   Department.name_zh.label("dept_zh"), Department.name_en.label("dept_en"))
            .join(Contact, Contact.id == ContactCopy.contact_id)
            .outerjoin(Staff, Staff.id == ContactCopy.actor_id)
            .outerjoin(Department, Department.id == Contact.handler_department_id))


def _exists(*where):
    return db.session.scalar(select(ContactCopy.id).where(*where).limit(1)) is not None


def page(department_id, before=None, after=None, size=50):
    """(rows newest first, has_newer, has_older): the copies to one department on the page
    before or after a copy id (keyset; no OFFSET, no COUNT)."""
    mine = ContactCopy.department_id == department_id
    if after is not None:
        rows = db.session.execute(_columns().where(mine, ContactCopy.id > after)
                                  .order_by(ContactCopy.id).limit(size + 1)).all()
        has_newer, rows = len(rows) > size, rows[:size][::-1]
        has_older = bool(rows) and _exists(mine, ContactCopy.id < rows[-1].id)
        return rows, has_newer, has_older
    stmt = _columns().where(mine)
    if before is not None:
        stmt = stmt.where(ContactCopy.id < before)
    rows = db.session.execute(stmt.order_by(ContactCopy.id.desc()).limit(size + 1)).all()
    has_older, rows = len(rows) > size, rows[:size]
    has_newer = before is not None and bool(rows) and _exists(mine, ContactCopy.id > rows[0].id)
    return rows, has_newer, has_older


def any_to(department_id=None):
    """Whether there is any copy (to ``department_id``, or to any department)."""
    return _exists(*([ContactCopy.department_id == department_id]
                     if department_id is not None else []))
