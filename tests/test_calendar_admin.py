"""The working calendar page: special days and entered official years change deadlines as the
statutory calendar would; the calendar's kind and hours are policy versions; every change is
audited.  Real 2026 dates: National Day 2026-10-01..07, make-up working day Sat 2026-10-10."""
import re

from conftest import deadline, register
from formdata import Form

SCHEDULE_2027 = {"year": "2027", "note": "国办发明电〔2026〕X号 (test schedule)",
                 "holidays": "2027-01-01~2027-01-03 元旦\n2027-02-06..2027-02-12 春节",
                 "makeup_days": "2027-02-20 春节调休"}


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_national_day_2026_and_a_special_closing_day(web_login, login, frozen):
    admin, tax = web_login("demo-government", "admin"), login("demo-government", "tax")
    with frozen("2026-09-30T10:00:00+08:00"):
        # 3 working days after Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10 (make-up day)
        before = register(tax, channel="visit", matter_type="consultation")
        assert deadline(before, "reply")["due_at"] == "2026-10-10T09:30:00+00:00"
        res = admin.post("/admin/calendar/days", {"day": "2026-10-09", "working": "false",
                                                  "note": "年度盘点"})
        assert res.status_code == 302
        after = register(tax, channel="visit", matter_type="consultation")
        # 10-09 closed: Thu 10-08, Sat 10-10, Mon 10-12
        assert deadline(after, "reply")["due_at"] == "2026-10-12T09:30:00+00:00"
        # opening a holiday specially makes it count
        admin.post("/admin/calendar/days", {"day": "2026-10-07", "working": "true",
                                            "note": "加班受理"})
        opened = register(tax, channel="visit", matter_type="consultation")
        assert deadline(opened, "reply")["due_at"] == "2026-10-10T09:30:00+00:00"
    # running deadlines keep their due time
    again = tax.get(f"/contacts/{before['ref']}").get_json()
    assert deadline(again, "reply")["due_at"] == "2026-10-10T09:30:00+00:00"
    page = admin.get("/admin/calendar?lang=en").get_data(as_text=True)
    row = text(re.search(r'<tr id="day-2026-10-09">.*?</tr>', page, re.S).group(0))
    assert "Closed" in row and "年度盘点" in row and "Your organisation" in row
    log = text(page.split('id="calendar-changes"')[1])
    assert "系统管理员 2026-10-09 set closed (年度盘点)" in log
    # removing the day restores the statutory calendar for new clocks
    ids = re.findall(r'/admin/calendar/days/(\d+)/delete', page)
    assert admin.post(f"/admin/calendar/days/{ids[1]}/delete").status_code == 302
    with frozen("2026-09-30T10:00:00+08:00"):
        later = register(tax, channel="visit", matter_type="consultation")
    assert deadline(later, "reply")["due_at"] == "2026-10-09T09:30:00+00:00"   # 10-07 open
    assert "2026-10-09 no longer special" in text(admin.get("/admin/calendar?lang=en")
                                                  .get_data(as_text=True))


def test_entered_2027_schedule_confirms_a_fallback_deadline(web_login, login, frozen):
    admin, tax = web_login("demo-government", "admin"), login("demo-government", "tax")
    with frozen("2026-12-30T10:00:00+08:00"):
        c = register(tax, channel="visit", matter_type="consultation")
        first = deadline(c, "reply")
        # Monday-Friday fallback: Thu 12-31, Fri 01-01, Mon 01-04; flagged unconfirmed
        assert first["due_at"] == "2027-01-04T09:30:00+00:00"
        assert first["calendar_confirmed"] is False
        page = text(admin.get("/admin/calendar?lang=en").get_data(as_text=True))
        assert re.search(r"2027 Not confirmed Monday to Friday is assumed", page)
        res = admin.post("/admin/calendar/years", SCHEDULE_2027, follow_redirects=True)
        assert res.status_code == 200
        page = text(res.get_data(as_text=True))
        assert "The official schedule of 2027 is entered and the year is confirmed (11 days; " \
            "2 running deadlines recomputed)" in page       # the reply and the overall limit
        assert re.search(r"2027 Confirmed entered by 系统管理员 on 2026-12-30 10:00", page)
        assert re.search(r"2026 Confirmed by the chinese-calendar library", page)
    c = tax.get(f"/contacts/{c['ref']}").get_json()
    # 01-01 is a holiday: Thu 12-31, Mon 01-04, Tue 01-05, and now confirmed
    assert deadline(c, "reply")["due_at"] == "2027-01-05T09:30:00+00:00"
    assert deadline(c, "reply")["calendar_confirmed"] is True
    with frozen("2027-02-05T10:00:00+08:00"):
        spring = register(tax, channel="visit", matter_type="consultation")
    # Fri 02-05 + 3: Sat 02-20 is a make-up day, so 02-15 Mon, 02-16, 02-17
    assert deadline(spring, "reply")["due_at"] == "2027-02-17T09:30:00+00:00"
    assert deadline(spring, "reply")["calendar_confirmed"] is True
    # another tenant is not affected
    bank = login("demo-bank", "counter")
    with frozen("2026-12-30T10:00:00+08:00"):
        b = register(bank, channel="visit", matter_type="consultation")
    assert any(d["calendar_confirmed"] is False for d in b["deadlines"])
    # withdrawing it makes the year unconfirmed again
    assert admin.post("/admin/calendar/years/2027/withdraw").status_code == 302
    with frozen("2026-12-30T10:00:00+08:00"):
        c2 = register(tax, channel="visit", matter_type="consultation")
    assert deadline(c2, "reply")["calendar_confirmed"] is False


def test_official_year_input_is_checked_and_kept(web_login, login):
    admin = web_login("demo-government", "admin")
    bad = {"year": "2027", "holidays": "2027-10-01~2027-10-07 国庆\n2028-01-01\nsoon",
           "makeup_days": "2027-10-11 Monday"}
    res = admin.post("/admin/calendar/years?lang=en", bad)
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    form = Form(html, "enter-year")
    assert form.get("holidays").strip() == bad["holidays"]
    errors = " ".join(re.findall(r'class="err">([^<]*)', html))
    assert "Line 3: write a date or a range" in errors
    res = admin.post("/admin/calendar/years?lang=en", dict(bad, holidays="2027-10-01~2027-10-07"))
    errors = " ".join(re.findall(r'class="err">([^<]*)', res.get_data(as_text=True)))
    assert res.status_code == 422
    assert "2027-10-11 is a weekday: make-up working days fall on weekends." in errors
    res = admin.post("/admin/calendar/years", {"year": "2026", "holidays": "2026-10-01"})
    assert res.status_code == 422 and "already knows" in res.get_data(as_text=True)
    res = admin.post("/admin/calendar/days", {"day": "2026-02-30", "working": "false"})
    assert res.status_code == 422
    res = admin.post("/admin/calendar/days?lang=zh", {"day": "2026-02-30", "working": "false"})
    assert "不是有效的日期" in res.get_data(as_text=True)
    api = login("demo-government", "admin")
    assert api.get("/policy").get_json()["version"] == 1


def test_calendar_kind_and_hours_are_a_policy_version(web_login, login, frozen):
    admin = web_login("demo-bank", "admin")
    page = admin.get("/admin/calendar?lang=en").get_data(as_text=True)
    form = Form(page, "calendar-form")
    assert form.get("calendar.closing_time") == "17:00"
    form["calendar.closing_time"] = "25:00"
    res = admin.client.post("/t/demo-bank/admin/calendar/settings", data=form.data())
    assert res.status_code == 422
    assert Form(res.get_data(as_text=True), "calendar-form").get("calendar.closing_time") \
        == "25:00"
    form["calendar.closing_time"] = "16:30"
    form["note"] = "冬季营业时间"
    res = admin.client.post("/t/demo-bank/admin/calendar/settings", data=form.data())
    assert res.status_code == 302
    api = login("demo-bank", "admin")
    body = api.get("/policy").get_json()
    assert body["version"] == 2 and body["overrides"] == {"calendar": {"closing_time": "16:30"}}
    diff = text(admin.get("/admin/policy/versions/2?lang=en").get_data(as_text=True))
    assert "Working calendar › Closing time (a working day ends) 17:00 16:30" in diff
    with frozen("2026-11-02T10:00:00+08:00"):
        c = register(login("demo-bank", "counter"), channel="visit", matter_type="consultation")
    assert all(d["due_at"].endswith("08:30:00+00:00") for d in c["deadlines"]
               if d["rule"]["unit"] == "working_days")


def test_calendar_permissions_and_isolation(web_login):
    staff = web_login("demo-hotel", "front-office")
    assert staff.get("/admin/calendar").status_code == 403
    lead = web_login("demo-hotel", "front-office-lead")
    page = lead.get("/admin/calendar")
    assert page.status_code == 200 and 'id="add-day"' not in page.get_data(as_text=True)
    assert lead.post("/admin/calendar/days", {"day": "2026-10-09", "working": "false"}
                     ).status_code == 403
    hotel = web_login("demo-hotel", "admin")
    assert hotel.post("/admin/calendar/days", {"day": "2026-10-09", "working": "false"}
                      ).status_code == 302
    day_id = re.findall(r'/admin/calendar/days/(\d+)/delete',
                        hotel.get("/admin/calendar").get_data(as_text=True))[0]
    bank = web_login("demo-bank", "admin")
    assert bank.post(f"/admin/calendar/days/{day_id}/delete").status_code == 404
    assert hotel.post("/admin/calendar/years", {"year": "2027", "holidays": "2027-01-01"}
                      ).status_code == 302
    assert bank.post("/admin/calendar/years/2027/withdraw").status_code == 404
    assert "entered by" in hotel.get("/admin/calendar?lang=en").get_data(as_text=True)
    assert day_id in hotel.get("/admin/calendar").get_data(as_text=True)
