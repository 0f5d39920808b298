"""Expected working-day deadlines computed independently of the engine, for scenario tests.

Working days come straight from ``chinese_calendar`` (statutory holidays and make-up days);
a year it does not know falls back to Monday-Friday, as the engine's fallback must.
"""
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar

SHANGHAI = timezone(timedelta(hours=8))


def is_working_day(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:          # a year the package does not confirm
        return day.weekday() < 5


def nth_working_day(start, n):
    """The n-th working day after ``start`` (a date); ``start`` itself never counts."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due_working_days(local_start, n, closing="17:30"):
    """``n`` working days from the local instant ``local_start`` (ISO, +08:00), as the API
    writes it (UTC ISO)."""
    start = datetime.fromisoformat(local_start).astimezone(SHANGHAI).date()
    hour, minute = map(int, closing.split(":"))
    end = datetime.combine(nth_working_day(start, n), time(hour, minute), SHANGHAI)
    return end.astimezone(timezone.utc).isoformat()


def utc(local):
    """A local ISO instant as the API writes it (UTC ISO)."""
    return datetime.fromisoformat(local).astimezone(timezone.utc).isoformat()


def confirmed(day):
    """Whether ``chinese_calendar`` knows the year of ``day`` (a date)."""
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


__all__ = ["date", "due_working_days", "nth_working_day", "is_working_day", "utc", "confirmed"]
