"""Each pack's clocks across real 2026 holidays and make-up working days (调休).

Expected instants are written out by hand from the official 2026 schedule: National Day
2026-10-01..07 off, Saturday 10-10 worked; Labour Day 05-01..05 off, Saturday 05-09 worked;
Spring Festival 02-15..23 off, Saturdays 02-14 and 02-28 worked.
"""
from conftest import deadline, register


def _handover(user, ref, dept):
    res = user.post(f"/contacts/{ref}/transfers", json={"to_department": dept})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def test_government_across_national_day(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-09-30T15:00:00+08:00"):
        not_mine = register(tax, matter_type="complaint")
        mine = register(tax, matter_type="consultation")
    # 1 working day: the holiday week does not count -> Thursday 10-08 at 17:30
    assert deadline(not_mine, "transfer")["due_at"] == "2026-10-08T09:30:00+00:00"
    # 3 working days: 10-08, 10-09 and the make-up Saturday 10-10
    assert deadline(mine, "reply")["due_at"] == "2026-10-10T09:30:00+00:00"
    assert deadline(mine, "reply")["calendar_confirmed"] is True


def test_government_receiving_department_counts_from_the_handover(login, frozen):
    tax, housing = login("demo-government", "tax"), login("demo-government", "housing")
    with frozen("2026-09-30T16:00:00+08:00"):
        c = register(tax, matter_type="complaint")
        tid = _handover(tax, c["ref"], "housing")
    with frozen("2026-10-08T09:00:00+08:00"):   # signed for after the holiday
        c = housing.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    assert deadline(c, "reply", "open")["due_at"] == "2026-10-10T09:30:00+00:00"


def test_hotel_runs_every_day_and_on_the_wall_clock(login, frozen):
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen("2026-09-30T20:00:00+08:00"):
        c = register(security, matter_type="complaint", customer={"name": "Ms Li",
                                                                   "room": "1208"})
        assert deadline(c, "transfer")["due_at"] == "2026-09-30T13:00:00+00:00"   # 1 hour
    with frozen("2026-09-30T20:30:00+08:00"):
        tid = _handover(security, c["ref"], "front_office")
        c = front.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    # 1 working day on a 7-day calendar: National Day is a working day for a hotel
    assert deadline(c, "reply")["due_at"] == "2026-10-01T09:30:00+00:00"
    assert deadline(c, "accept")["rule"] == {"amount": 15, "unit": "minutes"}


def test_bank_closes_at_17_and_counts_working_hours(login, frozen):
    counter = login("demo-bank", "counter")
    with frozen("2026-04-30T16:00:00+08:00"):
        c = register(counter, matter_type="complaint")
        # 1 working hour from 16:00 ends at 17:00, the end of the afternoon period
        assert deadline(c, "transfer")["due_at"] == "2026-04-30T09:00:00+00:00"
        _handover(counter, c["ref"], "office")
        c = counter.get(f"/contacts/{c['ref']}").get_json()
    # complaint reply 3 working days after Labour Day: 05-06, 05-07, 05-08, closing 17:00
    assert deadline(c, "reply")["due_at"] == "2026-05-08T09:00:00+00:00"
    with frozen("2026-04-30T16:45:00+08:00"):
        late = register(counter, matter_type="complaint")
    # 15 minutes left today, 45 more from 09:00 on the next working day (05-06)
    assert deadline(late, "transfer")["due_at"] == "2026-05-06T01:45:00+00:00"


def test_bank_make_up_saturday_is_a_working_day(login, frozen):
    counter = login("demo-bank", "counter")
    with frozen("2026-05-08T10:00:00+08:00"):
        c = register(counter, matter_type="consultation")
    assert deadline(c, "reply")["due_at"] == "2026-05-09T09:00:00+00:00"


def test_property_spring_festival_make_up_days(login, frozen):
    desk = login("demo-property", "customer-service")
    with frozen("2026-02-13T11:00:00+08:00"):
        c = register(desk, matter_type="complaint")          # customer service's own duty
    assert deadline(c, "reply")["due_at"] == "2026-02-14T09:30:00+00:00"   # make-up Saturday
    with frozen("2026-02-14T11:00:00+08:00"):
        c = register(desk, matter_type="complaint")
    assert deadline(c, "reply")["due_at"] == "2026-02-24T09:30:00+00:00"   # after the festival


def test_property_repair_runs_around_the_clock(login, frozen):
    desk, eng = login("demo-property", "customer-service"), login("demo-property", "engineering")
    with frozen("2026-02-16T22:00:00+08:00"):                # a holiday night
        c = register(desk, matter_type="repair", category="urgent", summary="暖气漏水")
        tid = _handover(desk, c["ref"], "engineering")
        c = eng.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").get_json()
    assert deadline(c, "on_site")["due_at"] == "2026-02-16T14:00:00+00:00"
    assert deadline(c, "feedback")["due_at"] == "2026-02-17T14:00:00+00:00"   # 24 hours


def test_deadline_in_an_unconfirmed_year_computes_and_says_so(login, frozen):
    tax = login("demo-government", "tax")
    with frozen("2026-12-30T10:00:00+08:00"):
        c = register(tax, matter_type="consultation")
    reply = deadline(c, "reply")
    assert reply["calendar_confirmed"] is False
    # Monday-Friday fallback: 12-31 (Thu, 2026), 2027-01-01 (Fri), 2027-01-04 (Mon)
    assert reply["due_at"] == "2027-01-04T09:30:00+00:00"
