"""The customer signs the property countersign form on the desk tablet, in a real Chromium.

Customer service registers a resident's request, opens "Record the customer's confirmation",
chooses "signed on the tablet", the resident draws a signature on the canvas
(static/signature.js, pointer events), and the contact page shows the drawn image and how the
customer confirmed; at desktop width in Chinese and at phone width (390 px) in English, with
the Content-Security-Policy in force (no violation reported).  The printed notice carries the
QR code as inline SVG.
"""
import os
import re
from pathlib import Path

import pytest

from .conftest import open_step, register_contact, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

PROPERTY = "demo-property"
WIDTHS = {"desktop": ({"width": 1280, "height": 900}, "zh"),
          "phone": ({"width": 390, "height": 844}, "en")}
TEXT = {"zh": "平板上签字", "en": "signed on the tablet at the desk"}


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory):
    target = os.environ.get("SHOUWEN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


def _draw(page, canvas):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100, box
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + w * (0.1 + 0.04 * i), y + h * (0.6 - 0.3 * ((i % 5) / 5)), steps=2)
    page.mouse.up()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_signature_drawn_on_the_tablet_shows_on_the_contact_page(page, width, shots_dir):
    viewport, lang = WIDTHS[width]
    violations = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.set_viewport_size(viewport)
    sign_in(page, PROPERTY, "customer-service")
    ref = register_contact(page, "3号楼电梯异响，请派人检查", name="李先生", phone="13700001234")

    page.goto(f"/t/{PROPERTY}/contacts/{ref}/notice?lang={lang}")
    expect(page.locator("#progress-qr svg.qr")).to_be_visible()
    expect(page.locator("#progress-short-link")).to_contain_text(f"/t/{PROPERTY}/p?r={ref}")
    page.screenshot(full_page=True, path=shots_dir / f"notice-qr-{width}-{lang}.png")

    page.goto(f"/t/{PROPERTY}/contacts/{ref}?lang={lang}")
    expect(page.locator("#confirmations li.waiting")).to_have_count(1)
    form = open_step(page, "confirm")
    pad = form.locator("#signature-field")
    expect(pad).to_be_hidden()                       # "on paper" is the first choice
    form.locator("input[name=how][value=tablet]").check()
    expect(pad).to_be_visible()
    _draw(page, form.locator("canvas#signature-pad"))
    page.screenshot(full_page=True, path=shots_dir / f"signature-drawn-{width}-{lang}.png")
    form.locator("#confirm-submit").click()

    done = page.locator("#confirmations li.done")
    expect(done).to_have_count(1)
    expect(done).to_contain_text(TEXT[lang])
    image = page.locator(f"#confirmations img.signature-image")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('img.signature-image').naturalWidth") > 100
    expect(page.locator("details#step-confirm")).to_have_count(0)   # nothing left to confirm
    expect(page.locator("#timeline li.ev-customer_confirmed")).to_have_count(1)
    page.screenshot(full_page=True, path=shots_dir / f"signature-shown-{width}-{lang}.png")
    assert not violations, violations
