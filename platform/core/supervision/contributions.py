"""What each raw row counts for in the supervision figures: the one place these rules live.

A contribution is a pure function of the row's own columns (which is why clocks carry
``charged_*``, contacts ``owner_department_id`` and callbacks ``department_id``): the
roll-up subtracts what a row counted for before a change and adds what it counts for
after (``core.supervision.rollup``), and a rebuild sums them afresh; both agree only if
nothing else is read.

Each function yields ``Count(at, department_id, staff_id, metric, key, total)`` and
``Duration(at, department_id, staff_id, kind, unit, value)``; ``at`` is an instant, which
the roll-up turns into the tenant's local day.

| row | dated | department / person | metric, key |
|---|---|---|---|
| contact | registered | owner's department at registration / owner | ``contacts`` ""; ``contacts.channel``, ``.matter_type``, ``.category`` |
| clock | met, cancelled: closed; breached: due | charged department / person | ``clocks.met``, ``.breached``, ``.cancelled`` by kind; time taken when closed by its step |
| escalation | at | charged department | ``escalations`` ""; ``escalations.conflict`` ""; ``escalations.to`` level key |
| violation | proposed | its department / person | ``violations.<status>`` by rule; ``violations.offence`` 1, 2, 3 (3rd or later) when confirmed |
| callback | at | caller's department / caller | ``callbacks`` reached / unreached; ``satisfaction`` grade (total = grade) |
| customer rating (core.voice) | rated | handling department / owner | ``ratings`` grade (total = grade) while counted; ``ratings.overturned`` grade |
| rectification, rating appeal | opened / done; appealed | the rated department | ``rectifications`` opened, done; ``rating_appeals`` by status |
| complaint (core.voice) | received | the person's department at the time / the person complained about | ``complaints.received`` open / substantiated / not_substantiated; ``complaints.source`` customer / staff |

Other work (spot checks, the customers' own ratings and complaints) registers its rows
in :data:`CONTRIBUTORS` the same way, and the figures show any metric family they add.
"""
from collections import namedtuple

from core.contacts.models import Callback, Contact, Deadline, Escalation, Violation

Count = namedtuple("Count", "at department_id staff_id metric key total")
Duration = namedtuple("Duration", "at department_id staff_id kind unit value")


def of_contact(row):
    where = (row.registered_at, row.owner_department_id, row.owner_id)
    yield Count(*where, "contacts", "", 0)
    yield Count(*where, "contacts.channel", row.channel, 0)
    yield Count(*where, "contacts.matter_type", row.matter_type, 0)
    yield Count(*where, "contacts.category", row.category or "", 0)


def of_deadline(row):
    if row.status not in ("met", "breached", "cancelled"):
        return
    at = row.breached_at if row.status == "breached" else row.closed_at
    if at is None:
        return
    yield Count(at, row.charged_department_id, row.charged_staff_id,
                f"clocks.{row.status}", row.kind, 0)
    if row.status != "cancelled" and row.closed_at is not None and row.elapsed is not None:
        yield Duration(row.closed_at, row.charged_department_id, row.charged_staff_id,
                       row.kind, row.unit, row.elapsed)


def of_escalation(row):
    where = (row.at, row.charged_department_id, None)
    yield Count(*where, "escalations", "", 0)
    yield Count(*where, "escalations.to", row.key, 0)
    if row.conflict:
        yield Count(*where, "escalations.conflict", "", 0)


def of_violation(row):
    where = (row.created_at, row.department_id, row.staff_id)
    yield Count(*where, f"violations.{row.status}", row.rule_key, 0)
    if row.status == "confirmed" and row.offence:
        yield Count(*where, "violations.offence", str(min(row.offence, 3)), 0)


def of_callback(row):
    where = (row.at, row.department_id, row.by_id)
    yield Count(*where, "callbacks", "reached" if row.reached else "unreached", 0)
    if row.reached and row.satisfaction is not None:
        yield Count(*where, "satisfaction", str(row.satisfaction), row.satisfaction)


# model -> (contribution function, the columns it reads)
CONTRIBUTORS = {
    Contact: (of_contact, ("registered_at", "owner_department_id", "owner_id", "channel",
                           "matter_type", "category")),
    Deadline: (of_deadline, ("status", "breached_at", "closed_at", "charged_department_id",
                             "charged_staff_id", "kind", "unit", "elapsed")),
    Escalation: (of_escalation, ("at", "charged_department_id", "key", "conflict")),
    Violation: (of_violation, ("created_at", "department_id", "staff_id", "status",
                               "rule_key", "offence")),
    Callback: (of_callback, ("at", "department_id", "by_id", "reached", "satisfaction")),
}


def register(model, function, columns):
    """Add a kind of row to the figures (e.g. spot checks); called at import of its module
    by ``core.supervision.rollup.install``'s list, never per request."""
    CONTRIBUTORS[model] = (function, tuple(columns))


# Spot checks register here, where CONTRIBUTORS is built, so they count wherever it is read.
from core.supervision import spot_check_models as _spot

register(_spot.SpotCheckRecord, _spot.of_record, _spot.COLUMNS)

# The customers' own ratings, rectifications and appeals (issue 13; core.voice).
from core.voice import rating_models as _ratings

for _model, _function, _columns in _ratings.CONTRIBUTIONS:
    register(_model, _function, _columns)

# Complaints about staff (core.voice): charged to the person and their department at the time.
from core.voice import complaint_models as _complaints

register(_complaints.Complaint, _complaints.of_complaint, _complaints.COLUMNS)
