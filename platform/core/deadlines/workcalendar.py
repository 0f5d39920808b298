"""Working-day calendars and deadline arithmetic.

Rules (DESIGN.md "Time and deadlines"):
- ``minutes`` / ``hours`` run on the wall clock, around the clock;
- ``working_hours`` run only inside the working periods of working days;
- ``N working_days`` from instant t end at closing time on the N-th working
  day after the local date of t (the start day never counts).

Working days come from the Chinese statutory calendar (``chinese_calendar``,
which knows make-up working days 调休), then the tenant's own special days.
A year neither the library nor the tenant confirms falls back to
Monday-Friday and the result is flagged ``confirmed=False``; it never crashes.
All instants in and out are timezone-aware; UTC is stored.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

MAX_SCAN_DAYS = 3660  # ten years: a guard against a calendar with no working day at all


@dataclass(frozen=True)
class Due:
    at: datetime          # UTC
    confirmed: bool       # False if any day on the way lies in an unconfirmed year


@lru_cache(maxsize=8192)
def _statutory(day):
    """(is_working_day, confirmed) from the library; Mon-Fri fallback for unknown years."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def library_knows(year):
    """Whether the chinese-calendar library confirms ``year`` (its official schedule)."""
    return _statutory(date(year, 6, 1))[1]


def calendar_changed(tenant_id):
    """Every change of a tenant's special days or entered years calls this once
    (``tenants.calendar_admin``); changes of kind, periods and closing time are policy
    versions (``core.policy.versions.create_version``).  The one place a per-process cache of
    tenant calendars would be invalidated; nothing is cached yet."""


def _hhmm(value):
    h, m = value.split(":")
    return time(int(h), int(m))


@dataclass
class WorkCalendar:
    """One tenant's working calendar.

    ``special_days`` maps a date to True (open specially / official make-up day)
    or False (closed specially / official holiday); ``confirmed_years`` are
    years whose official schedule the tenant entered by hand, which makes the
    fallback for those years authoritative.
    """
    kind: str = "statutory"
    working_periods: tuple = (("09:00", "12:00"), ("13:30", "17:30"))
    closing_time: str = "17:30"
    tz: str = "Asia/Shanghai"
    special_days: dict = field(default_factory=dict)
    confirmed_years: frozenset = frozenset()

    @classmethod
    def from_policy(cls, policy_calendar, tz="Asia/Shanghai", special_days=None,
                    confirmed_years=()):
        return cls(kind=policy_calendar.get("kind", "statutory"),
                   working_periods=tuple(tuple(p) for p in policy_calendar.get(
                       "working_periods", cls.working_periods)),
                   closing_time=policy_calendar.get("closing_time", "17:30"),
                   tz=tz, special_days=dict(special_days or {}),
                   confirmed_years=frozenset(confirmed_years))

    @property
    def zone(self):
        return ZoneInfo(self.tz)

    # -- days -----------------------------------------------------------------
    def day_status(self, day):
        """(is_working_day, confirmed) for a local date."""
        if day in self.special_days:
            return bool(self.special_days[day]), True
        if self.kind == "seven_day":
            return True, True
        working, confirmed = _statutory(day)
        return working, confirmed or day.year in self.confirmed_years

    def is_working_day(self, day):
        return self.day_status(day)[0]

    def year_confirmed(self, year):
        if self.kind == "seven_day" or year in self.confirmed_years:
            return True
        return library_knows(year)

    def next_working_day(self, day):
        """The first working day strictly after ``day``, and whether all days seen were confirmed."""
        confirmed = True
        for _ in range(MAX_SCAN_DAYS):
            day += timedelta(days=1)
            working, ok = self.day_status(day)
            confirmed = confirmed and ok
            if working:
                return day, confirmed
        raise ValueError("calendar has no working day in ten years")

    # -- arithmetic -----------------------------------------------------------
    def local(self, instant):
        return instant.astimezone(self.zone)

    def _at(self, day, hhmm):
        return datetime.combine(day, _hhmm(hhmm), tzinfo=self.zone).astimezone(timezone.utc)

    def add(self, start, amount, unit):
        """The due instant of a rule ``{amount, unit}`` started at ``start``."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        amount = int(amount)
        if unit == "minutes":
            return Due((start + timedelta(minutes=amount)).astimezone(timezone.utc), True)
        if unit == "hours":
            return Due((start + timedelta(hours=amount)).astimezone(timezone.utc), True)
        if unit == "working_days":
            return self._add_working_days(start, amount)
        if unit == "working_hours":
            return self._add_working_minutes(start, amount * 60)
        raise ValueError(f"unknown unit {unit!r}")

    def elapsed(self, start, end, unit):
        """The time from ``start`` to ``end`` in ``unit``, the inverse of :meth:`add`:
        a step done at ``end`` met a rule ``{amount, unit}`` started at ``start`` when
        this is at most ``amount`` (the supervision figures' "time taken").

        Minutes and hours are wall-clock (fractional); working hours count only working
        time; working days count the working day it was done on, the start day being 0
        (done after closing time counts as the next working day, as :meth:`add` does)."""
        seconds = max((end - start).total_seconds(), 0.0)
        if unit == "minutes":
            return seconds / 60
        if unit == "hours":
            return seconds / 3600
        if unit == "working_hours":
            return self._working_minutes_between(start, max(start, end)) / 60
        if unit == "working_days":
            return float(self._working_day_index(start, max(start, end)))
        raise ValueError(f"unknown unit {unit!r}")

    def _working_day_index(self, start, end):
        """Working days after the start day up to the one the step counts as done on: its
        own day, or the next working day when done on a day off or after closing time.
        (A "0 working days" rule started on a day off is due on the next working day and
        so shows 1 here although met: ``add`` special-cases 0, this does not.)"""
        day, done = self.local(start).date(), self.local(end).date()
        if (not self.is_working_day(done)
                or self.local(end).time() > _hhmm(self.closing_time)):
            done = self.next_working_day(done)[0]
        count = 0
        while day < done:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def _working_minutes_between(self, start, end):
        total, day = timedelta(0), self.local(start).date()
        while day <= self.local(end).date():
            if self.is_working_day(day):
                for begin, stop in self.working_periods:
                    lo = max(self._at(day, begin), start)
                    hi = min(self._at(day, stop), end)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 60

    def _add_working_days(self, start, n):
        day = self.local(start).date()
        confirmed = self.day_status(day)[1]
        if n == 0:  # "today by closing time", or the next working day's if today is not one
            working, _ = self.day_status(day)
            if not working or self.local(start).time() > _hhmm(self.closing_time):
                day, confirmed = self.next_working_day(day)
            return Due(self._at(day, self.closing_time), confirmed)
        for _ in range(n):
            day, ok = self.next_working_day(day)
            confirmed = confirmed and ok
        return Due(self._at(day, self.closing_time), confirmed)

    def _add_working_minutes(self, start, minutes):
        local = self.local(start)
        day = local.date()
        confirmed = True
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(timezone.utc)
        for _ in range(MAX_SCAN_DAYS):
            working, ok = self.day_status(day)
            confirmed = confirmed and ok
            if working:
                for begin, end in self.working_periods:
                    p_start, p_end = self._at(day, begin), self._at(day, end)
                    if p_end <= cursor:
                        continue
                    cursor = max(cursor, p_start)
                    if remaining <= p_end - cursor:
                        return Due(cursor + remaining, confirmed)
                    remaining -= p_end - cursor
                    cursor = p_end
            day += timedelta(days=1)
        raise ValueError("calendar has no working time in ten years")
