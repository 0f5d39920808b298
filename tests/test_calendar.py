"""Working-day calendars and deadline arithmetic (DESIGN.md "Time and deadlines").

Unit tests of :class:`core.deadlines.workcalendar.WorkCalendar` need no app; a few tests
at the end go through the API of the government demo tenant (statutory calendar).

Every expected date below is written out by hand from the State Council's 2026
schedule as ``chinese_calendar`` 1.11.0 encodes it (checked once, outside the tests):

* holidays: 01-01..01-03 New Year; 02-15..02-23 Spring Festival; 04-04..04-06 Qingming;
  05-01..05-05 Labour Day; 06-19..06-21 Dragon Boat; 09-25..09-27 Mid-Autumn;
  10-01..10-07 National Day (10-08, a Thursday, is an ordinary working day);
* make-up working days (调休): Sun 01-04, Sat 02-14, Sat 02-28, Sat 05-09, Sun 09-20, Sat 10-10.

Local closing time is 17:30 Asia/Shanghai = 09:30 UTC.
"""
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import deadline, register

from core.deadlines.workcalendar import Due, WorkCalendar

SH = "+08:00"


def at(value):
    """An aware instant from ISO text."""
    return datetime.fromisoformat(value)


def utc(value):
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def closing(day):
    """17:30 Asia/Shanghai on ``day`` (ISO date), in UTC."""
    return utc(f"{day}T17:30:00{SH}")


@pytest.fixture
def cal():
    return WorkCalendar()


# -- the calendar itself ----------------------------------------------------------------------

@pytest.mark.parametrize("day, working", [
    ("2026-01-01", False), ("2026-01-02", False), ("2026-01-04", True),    # Sun make-up
    ("2026-02-13", True), ("2026-02-14", True),                             # Sat make-up
    ("2026-02-15", False), ("2026-02-16", False), ("2026-02-20", False),
    ("2026-02-23", False),                                                  # Mon, still off
    ("2026-02-24", True), ("2026-02-28", True),                             # Sat make-up
    ("2026-04-06", False),
    ("2026-05-01", False), ("2026-05-04", False), ("2026-05-05", False),
    ("2026-05-06", True), ("2026-05-09", True),                             # Sat make-up
    ("2026-09-19", False), ("2026-09-20", True),                            # Sun make-up
    ("2026-09-25", False),
    ("2026-09-30", True), ("2026-10-01", False), ("2026-10-07", False),
    ("2026-10-08", True), ("2026-10-10", True), ("2026-10-11", False),      # Sat make-up, Sun
    ("2026-12-31", True),
])
def test_statutory_2026_days(cal, day, working):
    assert cal.day_status(date.fromisoformat(day)) == (working, True)


def test_every_2026_make_up_day_is_a_weekend_working_day(cal):
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                "2026-10-10"):
        d = date.fromisoformat(day)
        assert d.weekday() >= 5, day
        assert cal.is_working_day(d), day


def test_seven_day_calendar_works_every_day():
    cal = WorkCalendar(kind="seven_day")
    for day in ("2026-01-01", "2026-02-17", "2026-10-01", "2026-10-03", "2027-01-01",
                "2027-02-06", "2030-05-01"):
        assert cal.day_status(date.fromisoformat(day)) == (True, True), day
    assert cal.year_confirmed(2027) and cal.year_confirmed(2040)


def test_year_confirmed(cal):
    assert cal.year_confirmed(2026)
    assert not cal.year_confirmed(2027)
    assert WorkCalendar(confirmed_years=frozenset({2027})).year_confirmed(2027)


# -- N working days ----------------------------------------------------------------------------

@pytest.mark.parametrize("start, n, due", [
    # The start day never counts, even at 08:00 on a working day before opening.
    ("2026-09-29T08:00:00+08:00", 1, "2026-09-30"),
    ("2026-09-29T17:29:00+08:00", 1, "2026-09-30"),
    ("2026-09-29T23:59:00+08:00", 1, "2026-09-30"),
    ("2026-09-28T00:00:00+08:00", 2, "2026-09-30"),
    # Plain weekend (Fri -> Mon).
    ("2026-09-11T10:00:00+08:00", 1, "2026-09-14"),
    # National Day: Wed 09-30 afternoon; 10-01..10-07 off; Thu 10-08, Fri 10-09,
    # Sat 10-10 (make-up).
    ("2026-09-30T15:00:00+08:00", 1, "2026-10-08"),
    ("2026-09-30T15:00:00+08:00", 2, "2026-10-09"),
    ("2026-09-30T15:00:00+08:00", 3, "2026-10-10"),
    ("2026-09-30T15:00:00+08:00", 4, "2026-10-12"),          # Sun 10-11 is not a working day
    ("2026-09-30T15:00:00+08:00", 15, "2026-10-27"),
    # Sun 09-20 is a make-up working day.
    ("2026-09-18T16:00:00+08:00", 1, "2026-09-20"),
    ("2026-09-18T16:00:00+08:00", 2, "2026-09-21"),
    # Mid-Autumn: Thu 09-24 -> Fri 09-25..Sun 09-27 off -> Mon 09-28.
    ("2026-09-24T10:00:00+08:00", 1, "2026-09-28"),
    # Spring Festival: Fri 02-13 -> Sat 02-14 (make-up); then 02-15..02-23 off -> Tue 02-24.
    ("2026-02-13T10:00:00+08:00", 1, "2026-02-14"),
    ("2026-02-13T10:00:00+08:00", 2, "2026-02-24"),
    ("2026-02-14T10:00:00+08:00", 1, "2026-02-24"),
    # Fri 02-27 -> Sat 02-28 is a make-up day.
    ("2026-02-27T10:00:00+08:00", 1, "2026-02-28"),
    ("2026-02-27T10:00:00+08:00", 2, "2026-03-02"),
    # Labour Day: Thu 04-30 -> 05-01..05-05 off -> Wed 05-06 .. Sat 05-09 (make-up).
    ("2026-04-30T16:00:00+08:00", 1, "2026-05-06"),
    ("2026-04-30T16:00:00+08:00", 3, "2026-05-08"),
    ("2026-04-30T16:00:00+08:00", 4, "2026-05-09"),
    ("2026-04-30T16:00:00+08:00", 5, "2026-05-11"),
    # A start on a holiday itself (or a weekend inside it): the next working day is day 1.
    ("2026-10-03T11:00:00+08:00", 1, "2026-10-08"),
    ("2026-10-01T09:00:00+08:00", 3, "2026-10-10"),
    ("2026-05-02T09:00:00+08:00", 1, "2026-05-06"),
    ("2026-02-18T09:00:00+08:00", 1, "2026-02-24"),
    ("2026-01-01T09:00:00+08:00", 1, "2026-01-04"),          # New Year -> Sun 01-04 make-up
    # A start on a make-up day is an ordinary working day start.
    ("2026-10-10T09:00:00+08:00", 1, "2026-10-12"),
])
def test_working_days(cal, start, n, due):
    result = cal.add(at(start), n, "working_days")
    assert result == Due(closing(due), True)
    assert result.at.tzinfo is not None and result.at.utcoffset() == timedelta(0)


def test_working_days_use_the_local_date_not_the_utc_date(cal):
    # 23:30 UTC on Tue 09-29 is 07:30 on Wed 09-30 in Shanghai: day 0 is 09-30,
    # so 1 working day (across National Day) is Thu 10-08, not Wed 09-30.
    assert cal.add(at("2026-09-29T23:30:00+00:00"), 1, "working_days") == \
        Due(utc("2026-10-08T09:30:00+00:00"), True)
    # The same instant expressed in another offset gives the same answer.
    assert cal.add(at("2026-09-30T07:30:00+08:00"), 1, "working_days") == \
        Due(utc("2026-10-08T09:30:00+00:00"), True)
    # 15:59 UTC is still 23:59 local on 09-29: day 0 is 09-29, 1 working day is 09-30.
    assert cal.add(at("2026-09-29T15:59:00+00:00"), 1, "working_days") == \
        Due(utc("2026-09-30T09:30:00+00:00"), True)
    # Fri 02-13 23:30 UTC is Sat 02-14 07:30 local (a make-up day) -> day 1 is Tue 02-24.
    assert cal.add(at("2026-02-13T23:30:00+00:00"), 1, "working_days") == \
        Due(utc("2026-02-24T09:30:00+00:00"), True)


def test_zero_working_days_means_today_by_closing_time(cal):
    assert cal.add(at("2026-09-29T10:00:00+08:00"), 0, "working_days") == \
        Due(closing("2026-09-29"), True)
    assert cal.add(at("2026-09-29T18:00:00+08:00"), 0, "working_days") == \
        Due(closing("2026-09-30"), True)
    assert cal.add(at("2026-10-02T10:00:00+08:00"), 0, "working_days") == \
        Due(closing("2026-10-08"), True)


def test_tenant_closing_time_and_time_zone():
    cal = WorkCalendar(closing_time="18:00", tz="Asia/Urumqi")    # UTC+6
    assert cal.add(at("2026-09-29T10:00:00+06:00"), 1, "working_days") == \
        Due(utc("2026-09-30T12:00:00+00:00"), True)


def test_tenant_special_days_override_the_statutory_calendar():
    closed = WorkCalendar(special_days={date(2026, 10, 8): False})
    assert closed.add(at("2026-09-30T15:00:00+08:00"), 1, "working_days") == \
        Due(closing("2026-10-09"), True)
    opened = WorkCalendar(special_days={date(2026, 10, 3): True})
    assert opened.add(at("2026-09-30T15:00:00+08:00"), 1, "working_days") == \
        Due(closing("2026-10-03"), True)
    seven = WorkCalendar(kind="seven_day", special_days={date(2026, 10, 1): False})
    assert seven.add(at("2026-09-30T15:00:00+08:00"), 1, "working_days") == \
        Due(closing("2026-10-02"), True)


def test_from_policy():
    cal = WorkCalendar.from_policy(
        {"kind": "statutory", "working_periods": [["08:30", "12:00"], ["14:00", "18:00"]],
         "closing_time": "18:00"}, tz="Asia/Shanghai",
        special_days={date(2027, 1, 1): False}, confirmed_years=[2027])
    assert cal.working_periods == (("08:30", "12:00"), ("14:00", "18:00"))
    assert cal.add(at("2026-12-31T10:00:00+08:00"), 1, "working_days") == \
        Due(utc("2027-01-04T18:00:00+08:00"), True)


def test_naive_start_and_unknown_unit_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add(datetime(2026, 9, 30, 9, 0), 1, "working_days")
    with pytest.raises(ValueError):
        cal.add(at("2026-09-30T09:00:00+08:00"), 1, "fortnights")


# -- working hours -----------------------------------------------------------------------------

@pytest.mark.parametrize("start, hours, due", [
    ("2026-09-29T09:00:00+08:00", 1, "2026-09-29T10:00:00+08:00"),
    ("2026-09-29T09:00:00+08:00", 3, "2026-09-29T12:00:00+08:00"),
    ("2026-09-29T09:00:00+08:00", 4, "2026-09-29T14:30:00+08:00"),   # skips lunch
    ("2026-09-29T11:30:00+08:00", 1, "2026-09-29T14:00:00+08:00"),   # 30 min + 30 min
    ("2026-09-29T12:30:00+08:00", 1, "2026-09-29T14:30:00+08:00"),   # from lunch
    ("2026-09-29T07:00:00+08:00", 2, "2026-09-29T11:00:00+08:00"),   # before opening
    ("2026-09-29T16:30:00+08:00", 2, "2026-09-30T10:00:00+08:00"),   # overnight
    ("2026-09-29T20:00:00+08:00", 7, "2026-09-30T17:30:00+08:00"),   # a whole working day
    ("2026-09-29T20:00:00+08:00", 8, "2026-10-08T10:00:00+08:00"),   # ... then National Day
    ("2026-09-30T15:00:00+08:00", 4, "2026-10-08T10:30:00+08:00"),
    ("2026-09-11T16:30:00+08:00", 2, "2026-09-14T10:00:00+08:00"),   # plain weekend
    ("2026-09-18T16:30:00+08:00", 2, "2026-09-20T10:00:00+08:00"),   # Sun 09-20 make-up
    ("2026-02-13T16:00:00+08:00", 3, "2026-02-14T10:30:00+08:00"),   # Sat 02-14 make-up
    ("2026-04-30T17:00:00+08:00", 1, "2026-05-06T09:30:00+08:00"),   # Labour Day
    ("2026-10-01T10:00:00+08:00", 1, "2026-10-08T10:00:00+08:00"),   # starts on a holiday
    ("2026-09-29T02:00:00+00:00", 1, "2026-09-29T11:00:00+08:00"),   # UTC in, local periods
])
def test_working_hours(cal, start, hours, due):
    assert cal.add(at(start), hours, "working_hours") == Due(utc(due), True)


@pytest.mark.parametrize("start, due", [
    ("2026-09-29T07:00:00+08:00", "2026-09-29T09:00:00+08:00"),    # morning
    ("2026-09-29T12:00:00+08:00", "2026-09-29T13:30:00+08:00"),    # lunch starts
    ("2026-09-29T12:45:00+08:00", "2026-09-29T13:30:00+08:00"),    # lunch
    ("2026-09-29T17:30:00+08:00", "2026-09-30T09:00:00+08:00"),    # closing
    ("2026-09-29T22:00:00+08:00", "2026-09-30T09:00:00+08:00"),    # night
    ("2026-09-30T18:00:00+08:00", "2026-10-08T09:00:00+08:00"),    # eve of National Day
    ("2026-09-12T10:00:00+08:00", "2026-09-14T09:00:00+08:00"),    # Saturday
    ("2026-09-19T10:00:00+08:00", "2026-09-20T09:00:00+08:00"),    # Sat before a make-up Sun
])
def test_zero_working_hours_from_outside_hours_is_the_start_of_the_next_period(cal, start, due):
    assert cal.add(at(start), 0, "working_hours") == Due(utc(due), True)


def test_zero_working_hours_inside_a_period_is_now(cal):
    assert cal.add(at("2026-09-29T10:15:00+08:00"), 0, "working_hours") == \
        Due(utc("2026-09-29T10:15:00+08:00"), True)


def test_working_hours_on_a_seven_day_calendar():
    cal = WorkCalendar(kind="seven_day")
    assert cal.add(at("2026-10-03T17:00:00+08:00"), 1, "working_hours") == \
        Due(utc("2026-10-04T09:30:00+08:00"), True)
    assert cal.add(at("2026-10-01T11:00:00+08:00"), 2, "working_hours") == \
        Due(utc("2026-10-01T14:30:00+08:00"), True)


# -- minutes / hours (wall clock) ----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["statutory", "seven_day"])
@pytest.mark.parametrize("start, amount, unit, due", [
    ("2026-09-30T23:00:00+08:00", 90, "minutes", "2026-09-30T16:30:00+00:00"),  # past midnight
    ("2026-09-30T12:00:00+08:00", 24, "hours", "2026-10-01T04:00:00+00:00"),    # into a holiday
    ("2026-10-01T09:00:00+08:00", 1, "hours", "2026-10-01T02:00:00+00:00"),     # on a holiday
    ("2026-10-03T22:00:00+08:00", 15, "minutes", "2026-10-03T14:15:00+00:00"),  # weekend night
    ("2026-02-14T12:15:00+08:00", 1, "hours", "2026-02-14T05:15:00+00:00"),     # over lunch
    ("2026-12-31T20:00:00+08:00", 48, "hours", "2027-01-02T12:00:00+00:00"),    # into 2027
    ("2027-06-01T10:00:00+08:00", 30, "minutes", "2027-06-01T02:30:00+00:00"),  # in 2027
])
def test_wall_clock_units_are_always_confirmed(kind, start, amount, unit, due):
    result = WorkCalendar(kind=kind).add(at(start), amount, unit)
    assert result == Due(utc(due), True)
    assert result.at.utcoffset() == timedelta(0)


# -- seven-day calendar ------------------------------------------------------------------------

@pytest.mark.parametrize("start, n, due", [
    ("2026-09-30T15:00:00+08:00", 1, "2026-10-01"),
    ("2026-09-30T15:00:00+08:00", 3, "2026-10-03"),
    ("2026-02-13T10:00:00+08:00", 5, "2026-02-18"),
    ("2026-10-01T08:00:00+08:00", 1, "2026-10-02"),     # start day still never counts
    ("2026-09-29T23:30:00+00:00", 1, "2026-10-01"),     # local date 09-30
    ("2026-12-31T10:00:00+08:00", 2, "2027-01-02"),     # 2027 is fine on a 7-day calendar
    ("2027-06-05T10:00:00+08:00", 1, "2027-06-06"),
])
def test_seven_day_working_days(start, n, due):
    assert WorkCalendar(kind="seven_day").add(at(start), n, "working_days") == \
        Due(closing(due), True)


# -- 2027: years the library does not know -----------------------------------------------------

def test_library_does_not_know_2027():
    import chinese_calendar
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_deadline_into_2027_falls_back_to_monday_to_friday_unconfirmed(cal):
    # Wed 2026-12-30: Thu 12-31 (2026, known), then Fri 2027-01-01 counts as a working day on the
    # Monday-Friday fallback (the real New Year holiday is not known yet), then Mon 2027-01-04.
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 1, "working_days") == \
        Due(closing("2026-12-31"), True)            # does not cross: confirmed
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 2, "working_days") == \
        Due(closing("2027-01-01"), False)
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 3, "working_days") == \
        Due(closing("2027-01-04"), False)
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 15, "working_days") == \
        Due(closing("2027-01-20"), False)
    # Entirely inside 2027.
    assert cal.add(at("2027-03-05T10:00:00+08:00"), 1, "working_days") == \
        Due(closing("2027-03-08"), False)
    # Working hours too.
    assert cal.add(at("2026-12-31T17:00:00+08:00"), 1, "working_hours") == \
        Due(utc("2027-01-01T09:30:00+08:00"), False)
    assert cal.add(at("2026-12-31T18:00:00+08:00"), 0, "working_hours") == \
        Due(utc("2027-01-01T09:00:00+08:00"), False)


def test_fallback_never_raises():
    cals = [WorkCalendar(), WorkCalendar(special_days={date(2027, 1, 1): False}),
            WorkCalendar(confirmed_years=frozenset({2027}))]
    start = at("2026-12-01T08:00:00+08:00")
    for cal in cals:
        for step in range(0, 24 * 120, 7):                 # Dec 2026 .. early 2027, odd hours
            t = start + timedelta(hours=step)
            for n in (0, 1, 3, 15, 60):
                for unit in ("working_days", "working_hours"):
                    due = cal.add(t, n, unit)
                    assert due.at >= t - timedelta(days=1)
                    assert isinstance(due.confirmed, bool)
    # Far away years on both sides of the library's range.
    assert WorkCalendar().add(at("2035-06-01T10:00:00+08:00"), 1, "working_days").confirmed \
        is False
    assert WorkCalendar().add(at("2003-06-02T10:00:00+08:00"), 1, "working_days") == \
        Due(closing("2003-06-03"), False)


def test_tenant_special_day_overrides_the_fallback():
    # The tenant entered 2027-01-01 (New Year) as a holiday before the library knows 2027.
    cal = WorkCalendar(special_days={date(2027, 1, 1): False})
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 2, "working_days") == \
        Due(closing("2027-01-04"), False)
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 3, "working_days") == \
        Due(closing("2027-01-05"), False)
    # A special make-up Saturday in 2027 counts.
    cal = WorkCalendar(special_days={date(2027, 1, 9): True})
    assert cal.add(at("2027-01-08T10:00:00+08:00"), 1, "working_days") == \
        Due(closing("2027-01-09"), False)
    # A special day alone confirms only itself.
    assert cal.day_status(date(2027, 1, 9)) == (True, True)
    assert cal.day_status(date(2027, 1, 11)) == (True, False)


def test_confirmed_years_make_the_fallback_authoritative():
    cal = WorkCalendar(confirmed_years=frozenset({2027}))
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 3, "working_days") == \
        Due(closing("2027-01-04"), True)
    cal = WorkCalendar(confirmed_years=frozenset({2027}),
                       special_days={date(2027, 1, 1): False, date(2027, 1, 4): False})
    assert cal.add(at("2026-12-30T10:00:00+08:00"), 3, "working_days") == \
        Due(closing("2027-01-06"), True)
    # Confirming 2027 says nothing about 2028.
    assert cal.add(at("2027-12-30T10:00:00+08:00"), 3, "working_days") == \
        Due(closing("2028-01-04"), False)


# -- through the API (government tenant, statutory calendar) ------------------------------------

def _gov_deadlines(contact):
    return {d["kind"]: d for d in contact["deadlines"]}


def test_api_transfer_clock_crosses_national_day(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-09-30T16:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="complaint",
                     received_at="2026-09-30T15:00:00+08:00")
    assert c["state"] == "registered"            # complaints are not the tax window's duty
    d = _gov_deadlines(c)
    assert "reply" not in d
    t = deadline(c, "transfer")
    assert t["rule"] == {"amount": 1, "unit": "working_days"}
    assert t["start_at"] == "2026-09-30T07:00:00+00:00"      # from received_at, not from now
    assert t["due_at"] == "2026-10-08T09:30:00+00:00"
    assert t["calendar_confirmed"] is True
    assert t["status"] == "open"
    final = deadline(c, "final")
    assert final["due_at"] == "2026-10-27T09:30:00+00:00"
    assert final["calendar_confirmed"] is True


def test_api_reply_clock_crosses_national_day_to_make_up_saturday(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-09-30T16:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation",
                     received_at="2026-09-30T15:00:00+08:00")
    assert c["state"] == "handling"              # consultations are the tax window's duty
    assert "transfer" not in _gov_deadlines(c)
    r = deadline(c, "reply")
    assert r["rule"] == {"amount": 3, "unit": "working_days"}
    assert r["due_at"] == "2026-10-10T09:30:00+00:00"         # Sat 10-10, a make-up day
    assert r["calendar_confirmed"] is True


def test_api_received_late_evening_utc_counts_from_the_local_date(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-09-30T08:00:00+08:00"):
        c = register(tax, channel="phone", matter_type="consultation",
                     received_at="2026-09-29T23:30:00Z")
    assert deadline(c, "reply")["due_at"] == "2026-10-10T09:30:00+00:00"


def test_api_deadline_into_2027_is_flagged_unconfirmed(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-12-30T10:00:00+08:00"):
        consult = register(tax, channel="visit", matter_type="consultation")
        complaint = register(tax, channel="visit", matter_type="complaint")
    r = deadline(consult, "reply")
    assert r["due_at"] == "2027-01-04T09:30:00+00:00"
    assert r["calendar_confirmed"] is False
    f = deadline(consult, "final")
    assert f["due_at"] == "2027-01-20T09:30:00+00:00"
    assert f["calendar_confirmed"] is False
    # 1 working day stays inside 2026: confirmed.
    t = deadline(complaint, "transfer")
    assert t["due_at"] == "2026-12-31T09:30:00+00:00"
    assert t["calendar_confirmed"] is True
    assert deadline(complaint, "final")["calendar_confirmed"] is False


def test_api_tenant_schedule_for_2027(app, login, frozen):
    """The administrator enters the official 2027 schedule: it applies and is confirmed."""
    from sqlalchemy import select

    from core.extensions import db
    from core.tenancy.models import ConfirmedYear, SpecialDay, Tenant
    from core.tenancy.scoping import tenant_scope, unscoped

    tax = login("demo-government", "tax")
    with unscoped():
        gov = db.session.scalars(select(Tenant).where(Tenant.slug == "demo-government")).one()
    with tenant_scope(gov.id):
        db.session.add(SpecialDay(day=date(2027, 1, 1), working=False, note="元旦"))
        db.session.add(ConfirmedYear(year=2027))
        db.session.commit()
    with frozen("2026-12-30T10:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation")
    r = deadline(c, "reply")
    assert r["due_at"] == "2027-01-05T09:30:00+00:00"
    assert r["calendar_confirmed"] is True
    # Another tenant on the statutory calendar is not affected.
    counter = login("demo-bank", "counter")
    with frozen("2026-12-30T10:00:00+08:00"):
        b = register(counter, channel="visit", matter_type="consultation")
    crossing = [d for d in b["deadlines"] if d["due_at"] >= "2027"]
    assert crossing and all(d["calendar_confirmed"] is False for d in crossing)
    # The bank closes at 17:00; Fri 2027-01-01 counted on the Monday-Friday fallback.
    assert deadline(b, "final")["due_at"] == "2027-01-06T09:00:00+00:00"


def test_the_sweep_recomputes_fallback_clocks_once_the_calendar_changes(app, login, frozen, runner):
    """A clock computed on the Monday-Friday fallback is recomputed by the next sweep after the
    tenant's calendar changed (here: 2027 entered straight into the tables, as an import
    would), and left alone by sweeps in between."""
    from sqlalchemy import select

    from core.extensions import db
    from core.tenancy.models import ConfirmedYear, SpecialDay, Tenant
    from core.tenancy.scoping import tenant_scope, unscoped

    tax = login("demo-government", "tax")
    with frozen("2026-12-30T10:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation")
    assert runner.invoke(args=["sweep", "--at", "2026-12-30T11:00:00+08:00"]).exit_code == 0
    assert deadline(tax.get(f"/contacts/{c['ref']}").get_json(), "reply")["due_at"] \
        == "2027-01-04T09:30:00+00:00"
    with unscoped():
        gov = db.session.scalars(select(Tenant).where(Tenant.slug == "demo-government")).one()
    with tenant_scope(gov.id):
        db.session.add(SpecialDay(day=date(2027, 1, 1), working=False, note="元旦"))
        db.session.add(ConfirmedYear(year=2027))
        db.session.commit()
    assert runner.invoke(args=["sweep", "--at", "2026-12-30T11:01:00+08:00"]).exit_code == 0
    r = deadline(tax.get(f"/contacts/{c['ref']}").get_json(), "reply")
    assert (r["due_at"], r["calendar_confirmed"]) == ("2027-01-05T09:30:00+00:00", True)
