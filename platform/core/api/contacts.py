"""Contact routes: register, list, show, and every lifecycle action (from the action table,
``core.contacts.actions``: same paths, bodies and answers as each step always had)."""
from flask import g, jsonify, request
from sqlalchemy import exists, select

from core import clock
from core.api import bp, load, load_optional, present
from core.api import schemas as s
from core.api.schemas import schema
from core.contacts import actions, context, lifecycle, references
from core.contacts.models import Contact, Deadline
from core.extensions import db
from core.tenancy.scoping import get_or_404


def _contact(ref):
    contact = get_or_404(Contact, ref=ref)
    return context.for_contact(g.tenant, contact, at=clock.now(),
                               evaluate=request.method == "POST")


def _detail(ctx, status=200):
    db.session.commit()
    return jsonify(schema(s.ContactOut).dump(present.contact_detail(ctx.contact))), status


@bp.post("/contacts")
def register_contact():
    data = load(schema(s.ContactIn))
    data["co_receivers"] = [references.staff(u, "co_receivers") for u in data["co_receivers"]]
    ctx = lifecycle.register(g.tenant, g.actor, data, clock.now())
    db.session.commit()
    # Everything the answer shows is in memory: the contact is new, so its events are the
    # ones registration recorded.
    detail = present.contact_detail(ctx.contact, events=ctx.events)
    detail["query_code"] = ctx.query_code     # in clear only in this answer (docs/progress.md)
    return jsonify(schema(s.RegisteredOut).dump(detail)), 201


@bp.get("/contacts")
def list_contacts():
    f = load(schema(s.ContactFilter), request.args.to_dict())
    query = select(Contact)
    if f["state"]:
        query = query.where(Contact.state == f["state"])
    if f["owner"] == "me":
        query = query.where(Contact.owner_id == g.actor.id)
    if f["department"]:
        query = query.where(Contact.handler_department_id
                            == references.department(f["department"], "department").id)
    if f["overdue"] is not None:
        # Late now: an open clock past due (the sweep may not have marked it yet) or one
        # the sweep marked breached that is still running.
        late = exists().where(Deadline.contact_id == Contact.id,
                              Deadline.status.in_(("open", "breached")),
                              Deadline.closed_at.is_(None), Deadline.due_at < clock.now())
        query = query.where(late if f["overdue"] else ~late)
    if f["before"]:
        anchor = get_or_404(Contact, ref=f["before"])
        query = query.where(Contact.id < anchor.id)
    rows = db.session.scalars(query.order_by(Contact.id.desc()).limit(f["limit"])).all()
    items = present.contacts_page(rows)
    return jsonify({"items": schema(s.ContactSummaryOut, many=True).dump(items),
                    "next": rows[-1].ref if len(rows) == f["limit"] else None})


@bp.get("/contacts/<ref>")
def show_contact(ref):
    ctx = _contact(ref)
    return jsonify(schema(s.ContactOut).dump(present.contact_detail(ctx.contact)))


# -- the lifecycle actions, one route each, generated from the action table -----------------

def _transfer_answer(ctx, data, row):
    """A transfer answers with the transfer itself, not the contact."""
    return jsonify({"id": row.id, "mode": row.mode, "status": row.status,
                    "to_department": data["to_department"], "to_user": data["to_user"],
                    "is_return": row.is_return, "contact": ctx.contact.ref})


ANSWERS = {"transfer": _transfer_answer}


def _action_view(action):
    """The route of one action: load the body, find the contact, resolve the names, act."""
    def view(ref, **url_args):
        data = (load_optional if action.body_optional else load)(schema(action.schema))
        ctx = _contact(ref)
        refs = action.path_refs(ctx, **url_args) if action.path_refs is not None else {}
        refs.update(references.resolve(action.refs, data))
        result = actions.perform(action, ctx, g.actor, data, refs)
        if action.name in ANSWERS:
            db.session.commit()
            return ANSWERS[action.name](ctx, data, result), action.status
        return _detail(ctx, action.status)
    view.__name__ = view.__qualname__ = f"contact_{action.name}"
    view.__doc__ = action.summary
    return view


for _action in actions.ACTIONS:
    bp.add_url_rule("/contacts/<ref>" + _action.path, view_func=_action_view(_action),
                    methods=[_action.method])
