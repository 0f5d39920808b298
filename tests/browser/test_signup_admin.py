"""Issue 4 item 8 in a real Chromium: a new property firm signs up on its own, sets up a
department and a staff member, and that staff member registers a contact; the administrator
shortens a deadline in the policy editor; the next contact gets the new deadline, the older one
keeps its own, and the version history shows the change with its note.

The server's clock is fixed (``server_clock``) on Friday 2026-05-08, the day before a Saturday
make-up working day (调休), so every due time is exact and shows that the statutory calendar,
not Monday to Friday, is used.  The expected due times are computed here, independently of the
app, from the registration time and the calendar settings the tenant's calendar page shows.
"""
import re
from datetime import datetime, time, timedelta

import pytest

from .conftest import register_contact, sign_in, sign_out

expect = pytest.importorskip("playwright.sync_api").expect
chinese_calendar = pytest.importorskip("chinese_calendar")

SLUG = "harbour-view"
ADMIN_PASSWORD = "lantern-orchard-7-quietly"
STAFF_PASSWORD = "copper-kettle-river-88"
DAY = "2026-05-08"                       # a Friday; Saturday 05-09 is a make-up working day
SHORTER = {"amount": 4, "unit": "working_hours"}    # was 1 working day (the pack default)


def _hhmm(text):
    return time.fromisoformat(text.strip())


def working_days_later(start, n, closing):
    """N working days after ``start`` (local): closing time on the N-th working day after its
    date; the start day never counts."""
    day = start.date()
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return datetime.combine(day, closing)


def working_hours_later(start, hours, periods):
    """``hours`` counted only inside the working periods of working days, from ``start``."""
    left, day = timedelta(hours=hours), start.date()
    while True:
        if chinese_calendar.is_workday(day):
            for begin, end in periods:
                begin, end = datetime.combine(day, begin), datetime.combine(day, end)
                begin = max(begin, start)
                if begin < end:
                    if begin + left <= end:
                        return begin + left
                    left -= end - begin
        day += timedelta(days=1)


def at(hhmm):
    """The server clock's setting for ``hhmm`` on DAY in Beijing time."""
    return f"{DAY}T{hhmm}:00+08:00"


def local(hhmm):
    return datetime.fromisoformat(f"{DAY}T{hhmm}")


def shown(dt):
    return dt.strftime("%Y-%m-%d %H:%M")


def reply_row(page, ref):
    """The reply clock's row on the contact page of ``ref``."""
    page.goto(f"/t/{SLUG}/contacts/{ref}")
    row = page.locator("#deadlines tbody tr[data-kind=reply]")
    expect(row).to_have_count(1)
    return row


def test_new_property_firm_shortens_a_deadline_and_its_next_contact_gets_it(page, server_clock):
    server_clock(at("14:00"))
    # -- from the front page to the sign-up form -----------------------------------------
    page.goto("/")
    page.locator("a[href$='/signup']").click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    form = page.locator("form#signup")
    packs = form.locator("input[name=pack]")
    expect(packs).to_have_count(4)
    expect(form.locator("label.pack", has=page.locator("input[value=property]"))) \
        .to_contain_text("报修")                               # the plain-language summary

    # a weak password is refused with a message by the field, nothing is created
    form.locator("input[name=organisation]").fill("海景物业 Harbour View Property")
    form.locator("input[name=slug]").fill(SLUG)
    form.locator("input[name=pack][value=property]").check()
    form.locator("input[name=username]").fill("boss")
    form.locator("input[name=name]").fill("陈经理")
    form.locator("input[name=email]").fill("boss@harbour-view.example")
    form.locator("input[name=password]").fill("password123")
    form.locator("input[name=password_confirm]").fill("password123")
    form.locator("button[type=submit]").click()
    expect(page.locator("#err-password")).to_be_visible()
    expect(page.locator("input[name=slug]")).to_have_value(SLUG)       # the rest is kept
    expect(page.locator("input[name=pack][value=property]")).to_be_checked()

    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("input[name=password_confirm]").fill(ADMIN_PASSWORD)
    page.locator("form#signup button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/t/{SLUG}/$"))
    expect(page.locator("header .who")).to_contain_text("(boss)")
    expect(page.locator(".flash.ok")).to_be_visible()

    # -- a new department -------------------------------------------------------------------
    page.locator("#nav-admin").click()
    expect(page).to_have_url(re.compile(rf"/t/{SLUG}/admin/$"))
    page.locator(f"a[href$='/t/{SLUG}/admin/departments']").click()
    expect(page.locator("#departments tbody tr")).not_to_have_count(0)   # the pack's defaults
    page.locator("a[href$='/admin/departments/new']").click()
    form = page.locator("form#department-form")
    form.locator("input[name=code]").fill("greening")
    form.locator("input[name=name_zh]").fill("绿化部")
    form.locator("input[name=name_en]").fill("Landscaping")
    form.locator("textarea[name=duties_zh]").fill("小区绿化养护、树木修剪")
    form.locator("input[name=matter_types][value=repair]").check()
    form.locator("input[name=matter_types][value=suggestion]").check()
    form.locator("input[name=location]").fill("南门花房")
    form.locator("input[name=phone]").fill("8801")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/departments$"))
    row = page.locator("#departments tr[data-code=greening]")
    expect(row).to_contain_text("绿化部")
    expect(row).to_contain_text("8801")

    # -- a staff member in it, with a one-time set-password link ----------------------------
    page.locator("a[href$='/admin/']").first.click()
    page.locator(f"a[href$='/t/{SLUG}/admin/staff']").click()
    page.locator("a[href$='/admin/staff/new']").click()
    form = page.locator("form#staff-form")
    form.locator("input[name=username]").fill("gardener")
    form.locator("input[name=name]").fill("林园丁")
    form.locator("select[name=department]").select_option("greening")
    form.locator("select[name=title]").select_option(index=1)          # the pack's first title
    form.locator("button[type=submit]").click()
    link = page.locator("#password-link")
    expect(link).to_contain_text(f"/t/{SLUG}/password/")
    url = link.inner_text().strip()
    sign_out(page)

    # -- the staff member opens the link, chooses a password and signs in --------------------
    page.goto(url)
    expect(page.locator("main")).to_contain_text("林园丁")
    page.locator("form#set-password input[name=password]").fill(STAFF_PASSWORD)
    page.locator("form#set-password input[name=password_confirm]").fill(STAFF_PASSWORD)
    page.locator("form#set-password button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/t/{SLUG}/login"))
    sign_in(page, SLUG, "gardener", STAFF_PASSWORD)
    expect(page.locator("#nav-admin")).to_have_count(0)                # not an administrator
    page.locator("header nav a[href$='/directory']").click()
    expect(page.locator("main")).to_contain_text("绿化部")
    expect(page.locator("main")).to_contain_text("南门花房")
    # the link was spent
    assert page.goto(url).status == 404

    # -- the staff member registers a suggestion (their department's duty) ------------------
    server_clock(at("15:00"))
    page.goto(f"/t/{SLUG}/")
    first = register_contact(page, "建议在南门花坛边加装两张长椅", name="周女士",
                             phone="13700000000", matter_type="suggestion")
    row = reply_row(page, first)
    expect(row).to_contain_text("1 个工作日")
    first_due = row.locator("td").nth(2).inner_text().strip()
    sign_out(page)

    # -- the administrator shortens the reply clock in the policy editor ---------------------
    server_clock(at("15:20"))
    sign_in(page, SLUG, "boss", ADMIN_PASSWORD)
    page.locator("#nav-admin").click()
    page.locator(f"a[href$='/t/{SLUG}/admin/policy']").click()
    expect(page.locator("main h1")).to_contain_text("版本 1")
    field = page.locator("[id='field-deadlines.reply.default']")
    expect(field.locator(".plabel")).to_contain_text("其他所有情况")
    expect(field.locator(".pdefault")).to_contain_text("1 个工作日")     # the pack default
    expect(field.locator("input[name='deadlines.reply.default.amount']")).to_have_value("1")
    field.locator("input[name='deadlines.reply.default.amount']").fill(str(SHORTER["amount"]))
    field.locator("select[name='deadlines.reply.default.unit']").select_option(SHORTER["unit"])
    note = "业主座谈会要求:答复时限缩短为4个工作小时"
    page.locator("form#policy-form input[name=note]").fill(note)
    page.locator("form#policy-form button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("版本 2")
    field = page.locator("[id='field-deadlines.reply.default']")
    expect(field).to_have_class(re.compile(r"\boverridden\b"))
    expect(field.locator(".plabel .badge")).to_be_visible()     # changed from the pack default
    expect(field.locator("input[name='deadlines.reply.default.amount']")).to_have_value("4")

    # the calendar the deadlines count on, as the tenant's calendar page shows it
    page.locator("nav.tabs a[href$='/admin/calendar']").click()
    settings = page.locator("form#calendar-form")
    assert settings.locator("select[name='calendar.kind']").input_value() == "statutory"
    periods = [tuple(_hhmm(t) for t in line.split("-")) for line in settings.locator(
        "textarea[name='calendar.working_periods']").input_value().split() if line]
    closing = _hhmm(settings.locator("input[name='calendar.closing_time']").input_value())
    expect(page.locator("#year-2026")).to_contain_text("已确认")

    # the version history lists the change, by whom, with the note and a diff
    page.locator("nav.tabs a[href$='/admin/policy']").click()
    page.locator("nav.tabs a[href$='/admin/policy/versions']").click()
    latest = page.locator("#versions tbody tr").first
    expect(latest).to_have_id("version-2")
    expect(latest).to_contain_text(note)
    expect(latest).to_contain_text("陈经理")
    expect(latest).to_contain_text(f"{DAY} 15:20")
    latest.locator("a[href$='/admin/policy/versions/2']").click()
    expect(page.locator("main h1")).to_contain_text("2")
    expect(page.locator("dl.facts")).to_contain_text(note)
    changes = page.locator("#changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first.locator("td.path")).to_contain_text("答复")
    expect(changes.first.locator("del")).to_have_text("1 个工作日")
    expect(changes.first.locator("ins")).to_have_text("4 个工作小时")
    sign_out(page)

    # -- the staff member's next contact runs on the new rule; the first keeps the old one ---
    server_clock(at("15:40"))
    sign_in(page, SLUG, "gardener", STAFF_PASSWORD)
    second = register_contact(page, "小区东侧草坪积水,建议疏通排水", name="吴先生",
                              phone="13600000000", matter_type="suggestion")
    new_due = working_hours_later(local("15:40"), SHORTER["amount"], periods)
    assert shown(new_due) == "2026-05-09 11:10"     # 1 h 50 on Friday, 2 h 10 on the make-up day
    row = reply_row(page, second)
    expect(row).to_contain_text("4 个工作小时")
    expect(row.locator("td").nth(2)).to_have_text(shown(new_due))

    old_due = working_days_later(local("15:00"), 1, closing)
    assert shown(old_due) == "2026-05-09 17:30"
    assert first_due == shown(old_due)
    row = reply_row(page, first)
    expect(row).to_contain_text("1 个工作日")
    expect(row.locator("td").nth(2)).to_have_text(shown(old_due))
