"""Periods of the figures: a day, an ISO week, a month, a quarter, a year, or a range of
days, always in the tenant's own time zone (the roll-ups are kept per local day).

Written in URLs and the API as ``period`` + ``at`` (``month`` + ``2026-11``, ``quarter`` +
``2026-Q4``, ``week`` + ``2026-W45``, ``year`` + ``2026``, ``day`` + ``2026-11-03``) or
as ``from`` + ``to`` (inclusive local dates).
"""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import Invalid

GRAINS = ("day", "week", "month", "quarter", "year")
MAX_DAYS = 3 * 366 + 1     # a range longer than three years is refused, not scanned


@dataclass(frozen=True)
class Period:
    first: date
    last: date                  # inclusive
    grain: str = "range"

    @property
    def key(self):
        """The ``at`` value of this period (or ``first..last`` for a range)."""
        f = self.first
        if self.grain == "day":
            return f.isoformat()
        if self.grain == "week":
            year, week, _ = f.isocalendar()
            return f"{year}-W{week:02d}"
        if self.grain == "month":
            return f"{f.year}-{f.month:02d}"
        if self.grain == "quarter":
            return f"{f.year}-Q{(f.month - 1) // 3 + 1}"
        if self.grain == "year":
            return str(f.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def query(self):
        """The URL parameters that name this period."""
        if self.grain == "range":
            return {"from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.grain, "at": self.key}

    def shift(self, steps):
        """The period ``steps`` periods later (earlier when negative), same grain."""
        if self.grain == "range":
            length = (self.last - self.first).days + 1
            return Period(self.first + timedelta(days=length * steps),
                          self.last + timedelta(days=length * steps))
        if self.grain in ("day", "week"):
            days = 1 if self.grain == "day" else 7
            return containing(self.grain, self.first + timedelta(days=days * steps))
        months = {"month": 1, "quarter": 3, "year": 12}[self.grain] * steps
        index = self.first.year * 12 + self.first.month - 1 + months
        return containing(self.grain, date(index // 12, index % 12 + 1, 1))

    def series(self, count):
        """The ``count`` periods ending with this one, oldest first (a trend)."""
        return [self.shift(-i) for i in range(count - 1, -1, -1)]

    def instants(self, tz):
        """[start, end) in UTC: the local midnights that bound the period."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first, time(0), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def days(self):
        return (self.last - self.first).days + 1


def containing(grain, day):
    """The period of ``grain`` that contains the local date ``day``."""
    if grain == "day":
        return Period(day, day, "day")
    if grain == "week":
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=6), "week")
    if grain == "month":
        first = day.replace(day=1)
    elif grain == "quarter":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif grain == "year":
        first = date(day.year, 1, 1)
    else:
        raise ValueError(grain)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = first.year * 12 + first.month - 1 + months
    return Period(first, date(index // 12, index % 12 + 1, 1) - timedelta(days=1), grain)


_AT = {
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}


def _refuse(field, message):
    raise Invalid({"zh": "时段无效。", "en": "The period is not valid."},
                  fields={field: [message]})


def _at(grain, text):
    match = _AT[grain].match(text or "")
    if not match:
        _refuse("at", f"Not a {grain}: use e.g. " + {
            "day": "2026-11-03", "week": "2026-W45", "month": "2026-11",
            "quarter": "2026-Q4", "year": "2026"}[grain] + ".")
    parts = [int(p) for p in match.groups()]
    try:
        if grain == "day":
            return containing("day", date(*parts))
        if grain == "week":
            return containing("week", date.fromisocalendar(parts[0], parts[1], 1))
        if grain == "month":
            return containing("month", date(parts[0], parts[1], 1))
        if grain == "quarter":
            return containing("quarter", date(parts[0], parts[1] * 3 - 2, 1))
        return containing("year", date(parts[0], 1, 1))
    except ValueError:
        _refuse("at", f"No such {grain}.")


def _day(args, field):
    try:
        return date.fromisoformat(args.get(field) or "")
    except ValueError:
        _refuse(field, "A date such as 2026-11-03.")


def parse(args, today, default="month"):
    """The period named by ``args`` (a mapping of the URL parameters); by default the
    ``default`` grain containing ``today``.  Bad input: ``Invalid`` naming the field."""
    if args.get("from") or args.get("to"):
        first, last = _day(args, "from"), _day(args, "to")
        if last < first:
            _refuse("to", "The end comes before the start.")
        if (last - first).days + 1 > MAX_DAYS:
            _refuse("to", "At most three years at a time.")
        return Period(first, last)
    grain = args.get("period") or default
    if grain not in GRAINS:
        _refuse("period", "One of: " + ", ".join(GRAINS) + ".")
    if not args.get("at"):
        return containing(grain, today)
    return _at(grain, args.get("at"))
