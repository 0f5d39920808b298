"""A new property firm signs up on its own, sets up a department and a staff member, and that
staff member signs in, in a real Chromium.  (The policy part follows with the policy pages.)"""
import re

import pytest

from .conftest import sign_in, sign_out

expect = pytest.importorskip("playwright.sync_api").expect

SLUG = "harbour-view"
ADMIN_PASSWORD = "lantern-orchard-7-quietly"
STAFF_PASSWORD = "copper-kettle-river-88"


def test_sign_up_a_property_firm_add_a_department_and_a_staff_member(page):
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
