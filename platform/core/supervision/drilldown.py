"""Which contacts stand behind a figure: the drill-down from a number to the register.

One function per row kind, mirroring ``core.supervision.contributions`` rule for rule
(the same dating column, the same department / person columns, the same key), so the
register filtered by a figure lists exactly the contacts that figure counts:

| metric | rows | dated by | department / person |
|---|---|---|---|
| ``contacts``, ``contacts.channel|matter_type|category`` | contacts | registered_at | owner_department_id / owner_id |
| ``clocks.met|cancelled`` (key kind) | deadlines | closed_at | charged_department_id / charged_staff_id |
| ``clocks.breached`` (key kind) | deadlines | breached_at | the same |
| ``escalations``, ``.conflict``, ``.to`` (key level) | escalations | at | charged_department_id (no person) |
| ``violations.<status>`` (key rule), ``violations.offence`` (1, 2, 3 = 3rd or later) | violations | created_at | department_id / staff_id |
| ``callbacks`` (reached/unreached), ``satisfaction`` (key grade) | callbacks | at | department_id / by_id |

A key "" means every key of the metric (``clocks.breached`` with no key: every breached
clock).  The period is read in the tenant's time zone, as the roll-ups are kept per local
day.  ``condition`` returns ``Contact.id IN (subquery)`` (or conditions on the contact
itself), which the register adds to its own filters and pages by keyset as usual.
"""
from sqlalchemy import and_, false, select

from core.contacts.models import Callback, Contact, Deadline, Escalation, Violation

METRICS = ("contacts", "contacts.channel", "contacts.matter_type", "contacts.category",
           "clocks.met", "clocks.breached", "clocks.cancelled", "clocks.done",
           "escalations", "escalations.conflict", "escalations.to",
           "violations.proposed", "violations.confirmed", "violations.waived",
           "violations.all", "violations.offence", "callbacks", "satisfaction")
PARAMS = ("figure", "figure_key", "figure_from", "figure_to", "figure_department",
          "figure_staff")


def params(metric, key, period, department_id=None, staff_id=None):
    """The register's URL parameters for the contacts behind one figure."""
    out = {"figure": metric, "figure_from": period.first.isoformat(),
           "figure_to": period.last.isoformat()}
    if key:
        out["figure_key"] = key
    if department_id is not None:
        out["figure_department"] = department_id
    if staff_id is not None:
        out["figure_staff"] = staff_id
    return out


def _window(column, start, end):
    return and_(column >= start, column < end)


def _who(conds, dept_col, staff_col, department_id, staff_id):
    """0 is the roll-ups' "none" (a row counted for no department / person)."""
    if department_id is not None:
        conds.append(dept_col.is_(None) if department_id == 0 else dept_col == department_id)
    if staff_id is not None:
        if staff_col is None:
            conds.append(false())
        else:
            conds.append(staff_col.is_(None) if staff_id == 0 else staff_col == staff_id)
    return conds


def _contacts(metric, key, start, end, department_id, staff_id):
    conds = [_window(Contact.registered_at, start, end)]
    field = metric.partition(".")[2]
    if field and key:
        conds.append(getattr(Contact, field) == key)
    return and_(*_who(conds, Contact.owner_department_id, Contact.owner_id,
                      department_id, staff_id))


def _clocks(metric, key, start, end, department_id, staff_id):
    status = metric.partition(".")[2]
    if status == "done":       # met or breached: what an on-time rate counts
        conds = [Deadline.status.in_(("met", "breached")),
                 (Deadline.status == "met") & _window(Deadline.closed_at, start, end)
                 | (Deadline.status == "breached") & _window(Deadline.breached_at, start, end)]
    else:
        column = Deadline.breached_at if status == "breached" else Deadline.closed_at
        conds = [Deadline.status == status, _window(column, start, end)]
    if key:
        conds.append(Deadline.kind == key)
    _who(conds, Deadline.charged_department_id, Deadline.charged_staff_id,
         department_id, staff_id)
    return Contact.id.in_(select(Deadline.contact_id).where(*conds).correlate(None))


def _escalations(metric, key, start, end, department_id, staff_id):
    conds = [_window(Escalation.at, start, end)]
    if metric == "escalations.conflict":
        conds.append(Escalation.conflict.is_(True))
    if metric == "escalations.to" and key:
        conds.append(Escalation.key == key)
    _who(conds, Escalation.charged_department_id, None, department_id, staff_id)
    return Contact.id.in_(select(Escalation.contact_id).where(*conds).correlate(None))


def _violations(metric, key, start, end, department_id, staff_id):
    conds = [_window(Violation.created_at, start, end)]
    status = metric.partition(".")[2]
    if status == "offence":
        conds.append(Violation.status == "confirmed")
        if key:
            conds.append(Violation.offence >= 3 if key == "3" else Violation.offence == int(key))
        else:
            conds.append(Violation.offence.is_not(None))
    else:
        if status != "all":
            conds.append(Violation.status == status)
        if key:
            conds.append(Violation.rule_key == key)
    _who(conds, Violation.department_id, Violation.staff_id, department_id, staff_id)
    return Contact.id.in_(select(Violation.contact_id).where(*conds).correlate(None))


def _callbacks(metric, key, start, end, department_id, staff_id):
    conds = [_window(Callback.at, start, end)]
    if metric == "satisfaction":
        conds.append(Callback.reached.is_(True))
        conds.append(Callback.satisfaction == int(key) if key
                     else Callback.satisfaction.is_not(None))
    elif key:
        conds.append(Callback.reached.is_(key == "reached"))
    _who(conds, Callback.department_id, Callback.by_id, department_id, staff_id)
    return Contact.id.in_(select(Callback.contact_id).where(*conds).correlate(None))


FAMILIES = {"contacts": _contacts, "clocks": _clocks, "escalations": _escalations,
            "violations": _violations, "callbacks": _callbacks, "satisfaction": _callbacks}


def condition(metric, key, period, tz, department_id=None, staff_id=None):
    """The SQL condition on ``Contact`` selecting the contacts behind one figure.
    ``ValueError`` for a metric or key that names no figure (the views say so)."""
    if metric not in METRICS:
        raise ValueError(metric)
    if metric in ("violations.offence", "satisfaction") and key and not key.isdigit():
        raise ValueError(key)
    start, end = period.instants(tz)
    return FAMILIES[metric.split(".")[0]](metric, key, start, end, department_id, staff_id)
