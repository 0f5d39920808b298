"""One tenant's staff cannot see into another tenant, whatever URL they type."""
import re

import pytest

from .conftest import register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


SUMMARY = "客人在大堂遗失黑色钱包一个"


def test_a_hotel_session_is_no_key_to_the_bank(page):
    sign_in(page, "demo-hotel", "security")
    ref = register_contact(page, SUMMARY)

    # the bank's pages lead to the bank's own sign-in form, not inside
    page.goto("/t/demo-bank/")
    expect(page).to_have_url(re.compile(r"/t/demo-bank/login"))
    expect(page.locator("main")).to_contain_text("示范银行支行")
    expect(page.locator("header nav")).to_have_count(0)
    expect(page.locator("header .who")).to_have_count(0)

    # the hotel contact under the bank's address: the bank's sign-in form, nothing of it
    page.goto(f"/t/demo-bank/contacts/{ref}")
    expect(page).to_have_url(re.compile(r"/t/demo-bank/login"))
    expect(page.locator("body")).not_to_contain_text(SUMMARY)

    # the hotel session itself is untouched
    response = page.goto(f"/t/demo-hotel/contacts/{ref}")
    assert response.status == 200
    expect(page.locator("p.summary")).to_have_text(SUMMARY)

    # signed in to the bank in the same browser, the hotel's reference does not exist ...
    sign_in(page, "demo-bank", "counter")
    for path in (f"/contacts/{ref}", f"/contacts/{ref}/notice"):
        response = page.goto(f"/t/demo-bank{path}")
        assert response.status == 404, (path, response.status)
        expect(page.locator("body")).not_to_contain_text(SUMMARY)
        expect(page.locator("body")).not_to_contain_text("赵先生")
    # ... not even to act on it with the bank's own valid form token
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    response = page.request.post(f"/t/demo-bank/contacts/{ref}/close",
                                 form={"csrf_token": token}, max_redirects=0)
    assert response.status == 404, response.status
    # ... and the bank session does not open the hotel
    page.goto(f"/t/demo-hotel/contacts/{ref}")
    expect(page).to_have_url(re.compile(r"/t/demo-hotel/login"))
    expect(page.locator("body")).not_to_contain_text(SUMMARY)


def test_two_tenants_side_by_side_each_see_only_their_own(browser, browser_context_args):
    hotel_ctx = browser.new_context(**browser_context_args)
    bank_ctx = browser.new_context(**browser_context_args)
    try:
        hotel, bank = hotel_ctx.new_page(), bank_ctx.new_page()
        sign_in(hotel, "demo-hotel", "front-office")
        sign_in(bank, "demo-bank", "counter")
        hotel_ref = register_contact(hotel, "预订的会议室被取消，要求说明原因")
        bank_ref = register_contact(bank, "银行卡被吞，要求尽快取回", matter_type="help")
        assert hotel_ref.split("-")[0] != bank_ref.split("-")[0]

        assert bank.goto(f"/t/demo-bank/contacts/{hotel_ref}").status == 404
        assert hotel.goto(f"/t/demo-hotel/contacts/{bank_ref}").status == 404
        # each queue lists its own contact and not the other's
        for page, own, other in ((hotel, hotel_ref, bank_ref), (bank, bank_ref, hotel_ref)):
            page.goto(page.url.split("/contacts/")[0] + "/")
            expect(page.locator("main")).to_contain_text(own)
            expect(page.locator("main")).not_to_contain_text(other)
    finally:
        hotel_ctx.close()
        bank_ctx.close()
