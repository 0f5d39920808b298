"""A customer looks their matter up after staff registered it, in a real Chromium.

Security registers a guest's complaint in the web UI, reads the query code on the contact
page (and finds it on the printed one-time notice) and hands the matter over to the Front
Office.  The guest, in their own browser, goes from the front page to the hotel's progress
page, types the reference and the code, and sees where the matter stands, in Chinese and
in English; a mistyped code gets the plain "not found".
"""
import re

import pytest

from .conftest import open_step, register_contact, sign_in, sign_out

expect = pytest.importorskip("playwright.sync_api").expect

HOTEL = "demo-hotel"


def test_a_customer_looks_up_the_matter_staff_registered(page, browser, base_url):
    sign_in(page, HOTEL, "security")
    ref = register_contact(page, "浴室漏水，请派人维修", name="孙女士", phone="13900001111")
    code = page.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    page.goto(f"/t/{HOTEL}/contacts/{ref}/notice")
    expect(page.locator("#progress-slip")).to_contain_text(code)
    expect(page.locator("#progress-slip")).to_contain_text(ref)
    page.goto(f"/t/{HOTEL}/contacts/{ref}")
    form = open_step(page, "transfer")
    form.locator("select[name=to_department]").select_option("front_office")
    form.locator("select[name=mode]").select_option("handover")
    form.locator("button.primary").click()
    expect(page.locator("#timeline li.ev-transferred")).to_have_count(1)
    sign_out(page)

    # -- the guest, in their own browser ---------------------------------------------------
    guest = browser.new_context(base_url=base_url, locale="zh-CN",
                                timezone_id="Asia/Shanghai")
    try:
        me = guest.new_page()
        me.goto("/")
        me.locator("input[name=org]").fill(HOTEL)
        me.locator("#to-progress").click()
        expect(me).to_have_url(re.compile(rf"/t/{HOTEL}/progress"))
        form = me.locator("form#progress-form")
        form.locator("input[name=ref]").fill(ref)
        form.locator("input[name=code]").fill(code[:3] + "X" + code[4:]
                                             if code[3] != "X" else code[:3] + "Y" + code[4:])
        form.locator("button[type=submit]").click()
        expect(me.locator("#progress-message")).to_contain_text("没有找到")
        expect(me.locator("#progress-result")).to_have_count(0)

        form = me.locator("form#progress-form")
        form.locator("input[name=ref]").fill(ref.lower())
        form.locator("input[name=code]").fill(code.lower())
        form.locator("button[type=submit]").click()
        result = me.locator("#progress-result")
        expect(result).to_contain_text(ref)
        expect(me.locator("#progress-state")).to_contain_text("已转交前厅部")
        expect(me.locator("#progress-timeline li")).to_have_count(2)
        expect(me.locator("#progress-due")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
        expect(result).not_to_contain_text("孙女士")
        expect(result).not_to_contain_text("13900001111")

        me.goto(f"/t/{HOTEL}/progress?lang=en")
        form = me.locator("form#progress-form")
        form.locator("input[name=ref]").fill(ref)
        form.locator("input[name=code]").fill(code)
        form.locator("button[type=submit]").click()
        expect(me.locator("#progress-state")).to_contain_text("Handed over to Front Office")
        expect(me.locator("h1").first).to_contain_text("Progress of your matter")
    finally:
        guest.close()
