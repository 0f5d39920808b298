"""An assessment run in a real browser: the hotel's quality inspector runs this month's
assessment, reads the ranking in Chinese and English, adjusts a score with a reason,
publishes it, opens the printable notice; a Security clerk finds the notice in the inbox.
At desktop and phone width (390 px), with screenshots ($SHOUWEN_SCREENSHOTS, else a
temporary folder).
"""
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .conftest import register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

HOTEL = "demo-hotel"
HEADING = {"zh": "考核", "en": "Assessment"}
PUBLISHED = {"zh": "已发布", "en": "Published"}


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory):
    target = os.environ.get("SHOUWEN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


def _no_sideways_scroll(page, width):
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 1, f"{overflow}px wider than the {width}px screen"


@pytest.mark.parametrize("width", [1280, 390])
def test_inspector_runs_reviews_and_publishes_the_months_assessment(
        browser, browser_context_args, width, shots_dir):
    context = browser.new_context(**{**browser_context_args,
                                     "viewport": {"width": width, "height": 900}})
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    try:
        page = context.new_page()
        sign_in(page, HOTEL, "security")
        register_contact(page, f"浴室漏水（考核 {width}）")
        page.context.clear_cookies()
        sign_in(page, HOTEL, "inspector")
        page.locator("#nav-assessments").click()
        expect(page.locator("#weights")).to_contain_text("40%")
        form = page.locator("#run-form")
        form.locator("select[name=period]").select_option("month")
        form.locator("input[name=at]").fill(month)
        form.locator("#run-button").click()
        expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
        run_url = page.url
        expect(page.locator("#ranking #row-security")).to_be_visible()
        for lang in ("zh", "en"):
            page.goto(f"{run_url}?lang={lang}")
            expect(page.locator("main h1")).to_contain_text(HEADING[lang])
            _no_sideways_scroll(page, width)
            page.screenshot(full_page=True, path=shots_dir / f"assessment-{lang}-{width}.png")
        adjust = page.locator("#adjust-form")
        adjust.locator("select[name=department]").select_option("housekeeping")
        adjust.locator("input[name=score]").fill("88")
        adjust.locator("textarea[name=reason]").fill("抽查回访全部属实")
        adjust.locator("button").click()
        expect(page.locator("#trail")).to_contain_text("抽查回访全部属实")
        expect(page.locator("#row-housekeeping .score")).to_contain_text("88.00")
        page.locator("#publish-button").click()
        expect(page.locator("#run-status")).to_contain_text(PUBLISHED["en"])
        expect(page.locator("#adjust-form")).to_have_count(0)
        page.locator("#print-link").click()
        expect(page.locator("#print-notice")).to_contain_text(month)
        page.screenshot(full_page=True, path=shots_dir / f"assessment-print-{width}.png")
        page.context.clear_cookies()
        sign_in(page, HOTEL, "housekeeping")
        page.goto(f"/t/{HOTEL}/inbox?lang=zh")
        notice = page.locator("main").get_by_text(f"考核通报：{month}").first
        expect(notice).to_be_visible()
        notice.click()
        expect(page.locator("#run-status")).to_contain_text(PUBLISHED["zh"])
        _no_sideways_scroll(page, width)
    finally:
        context.close()
