"""A customer rates the service from the short link on the printed notice, in Chromium at
phone width, and a bad rating reaches the staff side as a rectification (issue 13).

Security registers a guest's inquiry, takes it on and replies.  The guest opens the link
printed under the notice's QR code (the reference filled in), types the query code, sees the
five grades with nothing chosen, rates 不满意 with a comment and is thanked; back on the
contact page staff see the customer's rating beside the (empty) callback figure, and the
rectification form their department must fill.
"""
import re

import pytest

from .conftest import open_step, register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

HOTEL = "demo-hotel"


def _answered_contact(page):
    sign_in(page, HOTEL, "security")
    ref = register_contact(page, "房间网络时断时续", name="钱先生", phone="13900002222",
                           matter_type="consultation")
    code = page.locator("#query-code").inner_text().strip()
    page.goto(f"/t/{HOTEL}/contacts/{ref}")
    open_step(page, "handle").locator("button.primary").click()
    form = open_step(page, "reply")
    form.locator("textarea[name=text]").fill("您好，网络已为您重新配置，请再试。")
    form.locator("button.primary").click()
    expect(page.locator("#timeline li.ev-replied")).to_have_count(1)
    page.goto(f"/t/{HOTEL}/contacts/{ref}/notice")
    link = page.locator("#progress-short-link").inner_text().strip()
    return ref, code, link


def test_a_customer_rates_from_the_printed_link_and_staff_see_the_rectification(
        page, browser, base_url):
    ref, code, link = _answered_contact(page)
    assert ref in link and code not in link
    guest = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                viewport={"width": 390, "height": 844})
    try:
        me = guest.new_page()
        me.goto(link)
        form = me.locator("form#progress-form")
        expect(form.locator("input[name=ref]")).to_have_value(ref)
        form.locator("input[name=code]").fill(code)
        form.locator("button[type=submit]").click()
        rating = me.locator("form#rating-form")
        expect(rating.locator("input[name=grade]")).to_have_count(5)
        expect(rating.locator("input[name=grade]:checked")).to_have_count(0)
        expect(rating).to_contain_text("非常不满意")
        rating.locator("input[name=grade][value='2']").check()
        rating.locator("textarea[name=comment]").fill("网络还是不稳定")
        rating.locator("button[type=submit]").click()
        expect(me.locator("#rating-thanks")).to_be_visible()
        expect(me.locator("#rating-current")).to_contain_text("不满意")
        expect(me.locator("#progress-result")).not_to_contain_text("钱先生")
    finally:
        guest.close()

    page.goto(f"/t/{HOTEL}/contacts/{ref}")
    expect(page.locator("#customer-rating-current")).to_contain_text("2")
    expect(page.locator("#callback-satisfaction")).to_have_text("—")
    expect(page.locator("#rectification-form")).to_be_visible()
