"""The supervision figures of a period, read from the roll-ups (``core.supervision.models``).

``read`` sums the roll-up rows of a period for the whole organisation, per department
or per person, and returns one :class:`Figures` per group; nothing here scans contacts.
The dashboards, the API, the monthly report and the assessments all read figures
through this module, so a number means the same thing everywhere.

Definitions (docs/supervision.md):
- on-time rate of a clock kind = met / (met + breached); cancelled clocks (made moot by
  a decision) are left out and shown apart;
- median and 90th percentile of the time taken, by nearest rank over the clocks closed by
  their step in the period (met or breached, then done), in the rule's own unit, to two
  significant figures; a kind timed in two units (hours for one matter type, working days
  for another) has a line per unit;
- escalations and conflict escalations count against the department charged;
- violations are dated by their proposal; ``proposed`` counts all, ``pending`` those not
  decided yet; offences count confirmed ones by their ordinal (1st, 2nd, 3rd or later);
- satisfaction is the owner's callback grade, 1-5, of customers reached;
- customer ratings are the customers' own grades, 1-5 (core.voice), the latest round of
  each contact, without those overturned on appeal (shown apart); rectifications opened
  and done, their clock met / breached, appeals by status.
"""
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, or_, select

from core.extensions import db
from core.supervision.models import (
    ALL_STAFF, GRAINS, FigureCount, FigureCountMonth, FigureDuration,
)

KIND_ORDER = ("transfer", "accept", "reply", "on_site", "feedback", "callback", "final",
              "escalation", "rectification")
KNOWN = ("contacts", "clocks", "escalations", "violations", "callbacks", "satisfaction",
         "ratings", "rectifications", "rating_appeals")
GROUPINGS = (None, "department", "staff")
GRAIN_OF = {daily: (daily, monthly) for daily, monthly in GRAINS}


@dataclass
class Figures:
    """The sums of one group (the organisation, a department or a person) over a period."""
    counts: dict = field(default_factory=dict)        # (metric, key) -> (n, total)
    durations: dict = field(default_factory=dict)     # (kind, unit) -> Counter(bucket -> n)

    def n(self, metric, key=""):
        return self.counts.get((metric, key), (0, 0))[0]

    def keyed(self, metric):
        """``{key: n}`` of one metric, keys sorted, zeros left out."""
        return {k: v[0] for (m, k), v in sorted(self.counts.items()) if m == metric and v[0]}

    # -- what the pages show ------------------------------------------------------------
    def contacts(self):
        return {"total": self.n("contacts"), "by_channel": self.keyed("contacts.channel"),
                "by_matter_type": self.keyed("contacts.matter_type"),
                "by_category": {k: n for k, n in self.keyed("contacts.category").items() if k}}

    def clocks(self):
        """Per kind: met, breached, cancelled, on-time rate; time taken per unit."""
        kinds = set(self.keyed("clocks.met")) | set(self.keyed("clocks.breached")) | set(
            self.keyed("clocks.cancelled")) | {k for k, _u in self.durations}
        rows = {}
        for kind in sorted(kinds, key=_kind_order):
            met, breached = self.n("clocks.met", kind), self.n("clocks.breached", kind)
            rows[kind] = {"met": met, "breached": breached,
                          "cancelled": self.n("clocks.cancelled", kind),
                          "on_time_rate": rate(met, met + breached),
                          "time_taken": [dict(unit=unit, **quantiles(hist)) for (k, unit), hist
                                         in sorted(self.durations.items()) if k == kind]}
        return rows

    def on_time(self, kinds=None):
        """The on-time rate over the kinds: met / (met + breached).  By default every kind
        but the escalation levels' own clocks, which time the supervisors, not the
        handling (they are shown on their own line)."""
        def counted(kind):
            return kind in kinds if kinds else kind != "escalation"
        met = sum(v for k, v in self.keyed("clocks.met").items() if counted(k))
        late = sum(v for k, v in self.keyed("clocks.breached").items() if counted(k))
        return {"met": met, "breached": late, "rate": rate(met, met + late)}

    def escalations(self):
        return {"total": self.n("escalations"), "conflict": self.n("escalations.conflict"),
                "by_level": self.keyed("escalations.to")}

    def violations(self):
        by_status = {s: self.keyed(f"violations.{s}") for s in ("proposed", "confirmed",
                                                                 "waived")}
        rules = sorted(set().union(*by_status.values()))
        by_rule = {r: {"proposed": sum(by_status[s].get(r, 0) for s in by_status),
                       "pending": by_status["proposed"].get(r, 0),
                       "confirmed": by_status["confirmed"].get(r, 0),
                       "waived": by_status["waived"].get(r, 0)} for r in rules}
        totals = {k: sum(row[k] for row in by_rule.values())
                  for k in ("proposed", "pending", "confirmed", "waived")}
        offences = self.keyed("violations.offence")
        return {**totals, "by_rule": by_rule,
                "offences": {o: offences.get(o, 0) for o in ("1", "2", "3")}}

    def callbacks(self):
        reached, unreached = self.n("callbacks", "reached"), self.n("callbacks", "unreached")
        grades = {str(g): self.n("satisfaction", str(g)) for g in range(1, 6)}
        graded = sum(grades.values())
        total = sum(v[1] for (m, _k), v in self.counts.items() if m == "satisfaction")
        clock = self.on_time(["callback"])
        return {"total": reached + unreached, "reached": reached, "unreached": unreached,
                "reached_rate": rate(reached, reached + unreached),
                "on_time": clock["met"], "late": clock["breached"], "on_time_rate": clock["rate"],
                "satisfaction": grades, "graded": graded,
                "satisfaction_mean": round(total / graded, 2) if graded else None}

    def customer_ratings(self):
        """The customers' own ratings (apart from the callback figure) and the bad-review
        loop: grades counted, mean, overturned; rectifications; appeals."""
        grades = {str(g): self.n("ratings", str(g)) for g in range(1, 6)}
        rated = sum(grades.values())
        total = sum(v[1] for (m, _k), v in self.counts.items() if m == "ratings")
        clock = self.on_time(["rectification"])
        return {"rated": rated, "grades": grades,
                "mean": round(total / rated, 2) if rated else None,
                "bad": grades["1"] + grades["2"],
                "overturned": sum(self.keyed("ratings.overturned").values()),
                "rectifications": {"opened": self.n("rectifications", "opened"),
                                   "done": self.n("rectifications", "done"),
                                   "met": clock["met"], "breached": clock["breached"],
                                   "on_time_rate": clock["rate"]},
                "appeals": {s: self.n("rating_appeals", s)
                            for s in ("pending", "upheld", "overturned")}}

    def others(self):
        """Metric families added by other work (spot checks, customers' complaints):
        ``{family: {metric: {key: n}}}``, shown without a change here."""
        out = defaultdict(dict)
        for (metric, key), (n, _t) in sorted(self.counts.items()):
            family = metric.split(".")[0]
            if family not in KNOWN and n:
                out[family].setdefault(metric, {})[key] = n
        return dict(out)

    def as_dict(self):
        return {"contacts": self.contacts(), "deadlines": self.clocks(),
                "on_time": self.on_time(), "escalations": self.escalations(),
                "violations": self.violations(), "callbacks": self.callbacks(),
                "customer_ratings": self.customer_ratings(), **self.others()}


def _kind_order(kind):
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def quantiles(histogram):
    """Median and 90th percentile by nearest rank over a bucket histogram, in the unit."""
    total = sum(histogram.values())
    if not total:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(histogram.items())

    def nearest(p):
        rank, seen = max(1, math.ceil(p * total)), 0
        for value, n in ordered:
            seen += n
            if seen >= rank:
                return value / 1000
    return {"count": total, "median": nearest(0.5), "p90": nearest(0.9)}


def read(period, by=None, department_id=None, staff_id=None, family=None, durations=True):
    """``{group: Figures}`` for ``period``: group None (the organisation) when ``by`` is
    None, else a department id (``by="department"``) or a person's id (``by="staff"``).
    ``department_id`` / ``staff_id`` narrow the rows read to one department / person;
    ``family`` (e.g. ``"violations"``) reads only that family's counts, no time taken;
    ``durations=False`` leaves the time taken out (a table of counts and rates per person).
    Two grouped queries (counts, durations) on each grain the period needs."""
    if by not in GROUPINGS:
        raise ValueError(by)
    groups = defaultdict(Figures)
    for group, metric, key, n, total in _sums(FigureCount, period, by, department_id,
                                              staff_id, family):
        groups[group].counts[(metric, key)] = (n, total)
    if family is None and durations:
        for group, kind, unit, value, n, _total in _sums(FigureDuration, period, by,
                                                         department_id, staff_id):
            groups[group].durations.setdefault((kind, unit), Counter())[value] += n
    return dict(groups)


def total(groups):
    """The sum of several groups' Figures (the organisation from its departments: every
    contribution counts for exactly one department, ``NONE`` included)."""
    whole = Figures()
    for figures in groups.values():
        for key, (n, t) in figures.counts.items():
            old = whole.counts.get(key, (0, 0))
            whole.counts[key] = (old[0] + n, old[1] + t)
        for key, histogram in figures.durations.items():
            whole.durations.setdefault(key, Counter()).update(histogram)
    return whole


def spans(first, last):
    """Where the rows of ``first``..``last`` are read: ``(day ranges, month range)``, the
    whole calendar months inside it from the monthly table (``month range`` is the first
    days of the first and last of them, or None) and the days before and after them from
    the daily one.  A year is twelve monthly rows per key instead of 365 daily ones."""
    start = first if first.day == 1 else _next_month(first)
    after = last + timedelta(days=1)
    end = after if after.day == 1 else after.replace(day=1)   # first day not in a whole month
    if start >= end:
        return [(first, last)], None
    days = [r for r in ((first, start - timedelta(days=1)), (end, last)) if r[0] <= r[1]]
    return days, (start, _previous_month(end))


def _next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _previous_month(first_day):
    return (first_day - timedelta(days=1)).replace(day=1)


def _sums(table, period, by, department_id, staff_id, family=None):
    """Rows ``(group, *values, n, total)`` summed over the period: whole months from the
    monthly table, the rest from the daily one (at most two grouped queries each)."""
    days, months = spans(period.first, period.last)
    daily, monthly = GRAIN_OF[table]
    merged = {}
    for model, column, ranges in ((daily, daily.day, days),
                                  (monthly, monthly.month, [months] if months else [])):
        if not ranges:
            continue
        for row in _grouped(model, column, ranges, by, department_id, staff_id, family):
            head, values, sums = row[0], row[1:-2], row[-2:]
            old = merged.get((head, values), (0, 0))
            merged[(head, values)] = (old[0] + sums[0], old[1] + sums[1])
    for (head, values), (n, total) in merged.items():
        yield (head, *values, n, total)


def _grouped(model, column, ranges, by, department_id, staff_id, family=None):
    """``(group, *values, n, total)`` of ``model`` over the date ``ranges`` (integers:
    PostgreSQL sums BIGINT as NUMERIC)."""
    if model in (FigureCount, FigureCountMonth):
        values, sums = (model.metric, model.key), (func.sum(model.n), func.sum(model.total))
    else:
        values, sums = (model.kind, model.unit, model.bucket), (func.sum(model.n),)
    group = {None: (), "department": (model.department_id,), "staff": (model.staff_id,)}[by]
    per_person = by == "staff" or staff_id is not None
    stmt = select(*group, *values, *sums).where(
        or_(*[column.between(a, b) for a, b in ranges]),
        model.staff_id != ALL_STAFF if per_person else model.staff_id == ALL_STAFF)
    if department_id is not None:
        stmt = stmt.where(model.department_id == department_id)
    if staff_id is not None:
        stmt = stmt.where(model.staff_id == staff_id)
    if family is not None:
        stmt = stmt.where(model.metric.startswith(family + ".", autoescape=True))
    for row in db.session.execute(stmt.group_by(*group, *values)):
        head = row[0] if group else None
        rest = tuple(row[len(group):])
        width = len(values)
        totals = [int(x or 0) for x in rest[width:]] + [0]
        yield (head, *rest[:width], totals[0], totals[1])


def trend(period, count, department_id=None):
    """``[(Period, Figures)]`` for the ``count`` periods ending with ``period`` (counts
    only: the trend shows rates and numbers, not time taken): one query on each grain, the
    whole months of every period from the monthly table, the other days from the daily."""
    series = period.series(count)
    day_ranges, month_ranges = [], []
    for p in series:
        days, months = spans(p.first, p.last)
        day_ranges += days
        month_ranges += [months] if months else []
    out = [(p, Figures()) for p in series]
    for model, column, ranges in ((FigureCount, FigureCount.day, day_ranges),
                                  (FigureCountMonth, FigureCountMonth.month, month_ranges)):
        if not ranges:
            continue
        stmt = (select(column, model.metric, model.key, func.sum(model.n), func.sum(model.total))
                .where(model.staff_id == ALL_STAFF,
                       or_(*[column.between(a, b) for a, b in ranges]))
                .group_by(column, model.metric, model.key))
        if department_id is not None:
            stmt = stmt.where(model.department_id == department_id)
        for day, metric, key, n, total in db.session.execute(stmt):
            _add_to_period(out, day, metric, key, int(n or 0), int(total or 0))
    return out


def _add_to_period(out, day, metric, key, n, total):
    """A row dated ``day`` (a day, or a whole month's first day, which lies in the one
    period holding that month) counted in its period."""
    for p, figures in out:
        if p.first <= day <= p.last:
            old = figures.counts.get((metric, key), (0, 0))
            figures.counts[(metric, key)] = (old[0] + n, old[1] + total)
            return
