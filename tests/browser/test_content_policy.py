"""The Content-Security-Policy in a real Chromium (issue #12 item 9): the pages that carry
their own styles and scripts work under it, nothing is blocked, and no page can be framed."""
import re

import pytest

from .conftest import register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def _violations(page):
    return page.evaluate("window.__violations")


def test_pages_with_their_own_styles_and_scripts_work_under_the_policy(page):
    page.add_init_script(WATCH)
    sign_in(page, "demo-hotel", "security")
    ref = register_contact(page, "房间空调不制冷，请尽快处理", room="1208")
    expect(page.locator("textarea[data-lint]").first).to_be_attached()   # reply-lint.js page
    assert _violations(page) == []
    page.goto(f"/t/demo-hotel/contacts/{ref}/print/complaint_slip")
    # the page's nonce-marked <style> applies: the sheet is A4 wide, not the page's width
    width = page.locator(".sheet").evaluate("e => getComputedStyle(e).maxWidth")
    assert width.endswith("px") and float(width[:-2]) < 900, width
    page.locator("#print-button").click()                                # print.js, not onclick
    assert page.evaluate("window.__printed") == 1
    for path in ("/t/demo-hotel/register", "/t/demo-hotel/account"):
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
    assert _violations(page) == []


def test_no_page_of_the_app_can_be_framed(page, live_server):
    page.set_content(f'<iframe id="f" src="{live_server}/t/demo-hotel/login"></iframe>')
    page.wait_for_timeout(1500)
    frame = next((f for f in page.frames if f.url.startswith(live_server)), None)
    body = frame.evaluate("document.body ? document.body.innerText : ''") if frame else ""
    assert not re.search(r"登录|Sign in", body), body[:200]
