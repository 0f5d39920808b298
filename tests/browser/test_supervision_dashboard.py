"""The supervision dashboard in a real browser: the hotel's quality inspector signs in,
opens this month's figures in Chinese and English, at desktop and phone width (390 px),
and follows a number to the contacts behind it in the register.

Screenshots go to ``$SHOUWEN_SCREENSHOTS`` if set, else a temporary folder, as in
test_screenshots.py.
"""
import os
import re
from pathlib import Path

import pytest

from .conftest import register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

HOTEL = "demo-hotel"
HEADING = {"zh": "督查统计", "en": "Supervision figures"}


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory):
    target = os.environ.get("SHOUWEN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("width", [1280, 390])
def test_inspector_follows_a_number_to_its_contacts(browser, browser_context_args, width,
                                                     shots_dir):
    context = browser.new_context(**{**browser_context_args,
                                     "viewport": {"width": width, "height": 900}})
    try:
        page = context.new_page()
        sign_in(page, HOTEL, "security")
        ref = register_contact(page, f"大堂空调太冷（{width}）")
        page.context.clear_cookies()
        sign_in(page, HOTEL, "inspector")
        for lang in ("zh", "en"):
            page.goto(f"/t/{HOTEL}/supervision?lang={lang}")
            expect(page.locator("main h1")).to_contain_text(HEADING[lang])
            expect(page.locator("svg.chart").first).to_be_visible()
            # Nothing wider than the screen: the page scrolls down, not sideways.
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 1, f"{overflow}px wider than the {width}px screen"
            page.screenshot(full_page=True, path=shots_dir / f"supervision-{lang}-{width}.png")
        page.locator("#key-figures li").first.locator("a.figure-link").click()
        expect(page).to_have_url(re.compile(r"/register\?.*figure=contacts"))
        expect(page.locator("#figure-chip")).to_be_visible()
        expect(page.locator("main")).to_contain_text(ref)
        page.screenshot(full_page=True, path=shots_dir / f"supervision-drilldown-{width}.png")
        page.locator("#figure-clear").click()
        expect(page.locator("#figure-chip")).to_have_count(0)
    finally:
        context.close()
