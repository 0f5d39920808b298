"""Violations for supervisors: proposed ones to confirm or waive, with the evidence.

Only roles with ``violation.view`` (``core.tenancy.permissions``) see the page; the domain refuses a
decision from anyone else anyway.  The evidence of a violation is the violation's own
``evidence`` and the events recorded with it: the proposal is made in the same step as
the event that caused it (a breached clock, a refused reply, a refused transfer), so both
carry the same instant and contact.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.contacts import violations
from core.contacts.models import ContactEvent, Violation
from core.errors import DomainError
from core.extensions import db
from core.tenancy.models import Department, Staff
from core.tenancy.permissions import can
from core.tenancy.scoping import get_or_404
from core.validation import int_arg
from core.web import actor, bp, lang, refused
from core.web.labels import EVENTS, KINDS, label, when

PAGE = 30
STATUSES = ("proposed", "confirmed", "waived")
EVIDENCE_EVENTS = ("deadline_breached", "banned_phrase_refused", "transfer_refused")


def _supervisor_only():
    if not can(actor(), "violation.view"):
        return render_template("web/violations_forbidden.html"), 403
    return None


def _evidence_events(rows):
    """{violation id: [events recorded with it]} for the page (one query)."""
    if not rows:
        return {}
    events = db.session.scalars(select(ContactEvent).where(
        ContactEvent.contact_id.in_({v.contact_id for v in rows}),
        ContactEvent.kind.in_(EVIDENCE_EVENTS)).order_by(ContactEvent.id)).all()
    found = {}
    for v in rows:
        found[v.id] = [e for e in events if e.contact_id == v.contact_id and (
            (v.deadline_id is not None and e.details.get("deadline_id") == v.deadline_id)
            or (v.deadline_id is None and e.at == v.created_at
                and e.kind != "deadline_breached"))]
    return found


def _instant(value):
    try:
        return when(clock.parse_instant(value)) if value else ""
    except ValueError:
        return value


def evidence_lines(v, events, departments):
    """What the timeline shows for one violation: [(label, text, quoted text)]."""
    ev, lines = v.evidence or {}, []
    by_code = {d.code: d.name(lang()) for d in departments.values()}
    if ev.get("kind") or v.deadline_id:
        lines.append((_("Deadline"), _("%(kind)s, due %(due)s, breached %(at)s",
                                       kind=label(KINDS, ev.get("kind", "")),
                                       due=_instant(ev.get("due_at")),
                                       at=_instant(ev.get("breached_at"))), ""))
    if ev.get("phrases"):
        lines.append((_("Refused phrases"), "、".join(ev["phrases"]), ev.get("text", "")))
    if ev.get("to_department"):
        why = {"transfer_forbidden": _("the receiving department may not pass it on"),
               "return_forbidden": _("it may not be returned")}.get(ev.get("code"), "")
        lines.append((_("Transfer refused"), " · ".join(x for x in (
            _("to %(department)s", department=by_code.get(ev["to_department"],
                                                         ev["to_department"])), why) if x),
                      ""))
    for e in events:
        lines.append((_("Timeline"), " · ".join(x for x in (
            when(e.at), str(label(EVENTS, e.kind)), e.actor.name if e.actor else "") if x), ""))
    return lines


@bp.get("/violations")
def list_violations():
    denied = _supervisor_only()
    if denied:
        return denied
    status = request.args.get("status", "proposed")
    if status not in STATUSES:
        abort(404)
    before = int_arg(request.args, "before")
    query = select(Violation).where(Violation.status == status)
    if before is not None:
        query = query.where(Violation.id < before)
    rows = db.session.scalars(query.order_by(Violation.id.desc()).limit(PAGE + 1)).all()
    has_older, rows = len(rows) > PAGE, rows[:PAGE]
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    deciders = {v.decided_by_id for v in rows if v.decided_by_id}
    names = dict(db.session.execute(select(Staff.id, Staff.name)
                                    .where(Staff.id.in_(deciders))).all()) if deciders else {}
    events = _evidence_events(rows)
    return render_template("web/violations.html", rows=rows, status=status,
                           has_older=has_older, paged=before is not None,
                           departments=departments, deciders=names, statuses=STATUSES,
                           evidence={v.id: evidence_lines(v, events[v.id], departments)
                                     for v in rows})


@bp.post("/violations/<int:violation_id>/decision")
def decide_violation(violation_id):
    row = get_or_404(Violation, id=violation_id)   # first: another tenant's id is a plain 404
    denied = _supervisor_only()
    if denied:
        return denied
    decision = request.form.get("decision", "")
    reason = (request.form.get("reason") or "").strip()[:4000]
    if not reason:
        flash(_("Give a reason for the decision."), "error")
    else:
        try:
            violations.decide(row, actor(), decision, reason, clock.now())
            db.session.commit()
            flash(_("Violation confirmed.") if row.status == "confirmed"
                  else _("Violation waived."), "ok")
            return redirect(url_for("web.list_violations", status=row.status))
        except DomainError as err:
            refused(err)
    back = request.form.get("back")
    return redirect(url_for("web.list_violations", status=back if back in STATUSES
                            else "proposed") + f"#violation-{violation_id}")


@bp.app_template_global("may_decide_violations")
def may_decide_violations():
    return current_user.is_authenticated and can(current_user.staff, "violation.view")
