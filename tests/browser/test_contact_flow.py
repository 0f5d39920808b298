"""A whole hotel complaint, as staff do it in a real Chromium.

Security takes a guest's phone complaint and hands it over to the Front Office; the Front
Office signs for it, is stopped from sending a reply with a banned phrase (live while
typing, and by the server on submit), replies properly and reports back; Security calls
the guest back and closes it; the contact is then found in the register and exported.
"""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from .conftest import open_step, register_contact, sign_in, sign_out

expect = pytest.importorskip("playwright.sync_api").expect


HOTEL = "demo-hotel"
BANNED = "不知道"                      # on the hotel pack's list of banned phrases
SUMMARY = "1208房空调不制冷，房间很热，客人要求尽快处理"
# the export links: register.csv / register.xlsx (or ?format=csv / xlsx)
EXPORT = "a#export-{fmt}, a[href*='register.{fmt}'], a[href$='format={fmt}']"
GOOD_REPLY = "您好，已为您更换空调，给您添麻烦了，对不起。"


def test_complaint_from_registration_to_register_export(page):
    # -- Security registers the guest's phone complaint -----------------------------------
    sign_in(page, HOTEL, "security")
    ref = register_contact(page, SUMMARY, name="赵先生", phone="13800000000", room="1208")
    expect(page.locator(".flash.ok")).to_contain_text(ref)
    expect(page.locator("h1")).to_contain_text(ref)
    expect(page.locator("#owner")).to_contain_text("(security")
    expect(page.locator("section.head")).to_contain_text("1208")

    # the decision step: every way on is offered, nothing has happened yet
    expect(page).to_have_url(re.compile(r"decide=1"))
    expect(page.locator("#actions h2").first).to_be_visible()
    for step in ("handle", "transfer", "coordinate", "refer", "escalate"):
        expect(page.locator(f"details#step-{step} form#action-{step}")).to_have_count(1)
    expect(page.locator("#timeline li.ev-registered")).to_have_count(1)

    # hand it over to the Front Office with a recorded handover
    form = open_step(page, "transfer")
    form.locator("select[name=to_department]").select_option("front_office")
    form.locator("select[name=mode]").select_option("handover")
    form.locator("textarea[name=note]").fill("客人在房间等候，请尽快联系")
    form.locator("button.primary").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("#timeline li.ev-transferred")).to_have_count(1)
    expect(page.locator("#handler")).to_contain_text("前厅部")
    expect(page.locator("details#step-transfer")).to_have_count(0)
    sign_out(page)

    # -- The Front Office finds it in its queue and signs for it -------------------------
    sign_in(page, HOTEL, "front-office")
    queue = page.locator("#queue-department")
    expect(queue.locator("a", has_text=ref)).to_have_count(1)
    queue.locator("a", has_text=ref).click()
    expect(page.locator("h1")).to_contain_text(ref)
    expect(page.locator("details#step-transfer")).to_have_count(0)   # signs for it first
    open_step(page, "accept").locator("button.primary").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("#timeline li.ev-accepted")).to_have_count(1)

    # a reply with a banned phrase: the live check flags it while typing ...
    form = open_step(page, "reply")
    box = form.locator("textarea[name=text]")
    lint = form.locator(".lint")
    box.press_sequentially("您好，这个问题我" + BANNED, delay=20)
    expect(lint.locator(".error")).to_contain_text(BANNED)
    expect(lint).to_contain_text(f"“{BANNED}”")      # the server's wording check answered too
    # ... and the server refuses it on submit
    form.locator("button.primary").click()
    expect(page.locator(".flash.error")).to_contain_text(BANNED)
    expect(page.locator("#timeline li.ev-banned_phrase_refused")).to_contain_text(BANNED)
    expect(page.locator("#timeline li.ev-replied")).to_have_count(0)
    expect(page.locator("#timeline")).not_to_contain_text("这个问题我")

    # a proper reply passes the live check and is recorded
    form = open_step(page, "reply")
    box = form.locator("textarea[name=text]")
    # the refused text is still there to correct, not to type again
    expect(box).to_have_value(re.compile(BANNED))
    box.fill("")
    box.press_sequentially(GOOD_REPLY, delay=10)
    page.wait_for_timeout(600)                       # past the check's 300 ms debounce
    expect(form.locator(".lint .error")).to_have_count(0)
    form.locator("button.primary").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("#timeline li.ev-replied")).to_contain_text(GOOD_REPLY)

    # report back to the owner
    form = open_step(page, "feedback")
    form.locator("textarea[name=text]").fill("已更换空调，客人表示满意。")
    form.locator("button.primary").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("#timeline li.ev-feedback")).to_contain_text("已更换空调")
    sign_out(page)

    # -- Security calls the guest back and closes it -------------------------------------
    sign_in(page, HOTEL, "security")
    queue = page.locator("#queue-callbacks")
    expect(queue.locator("a", has_text=ref)).to_have_count(1)
    queue.locator("a", has_text=ref).click()
    form = open_step(page, "callback")
    form.locator("input[name=satisfaction][value='5']").check()
    form.locator("input[name=reached][value='1']").check()
    form.locator("input[name=note]").fill("客人满意")
    form.locator("button.primary").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("#timeline li.ev-called_back")).to_contain_text("5/5")

    form = open_step(page, "close")
    form.locator("button").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("h1 .state")).to_have_class(re.compile(r"\bstate-closed\b"))
    expect(page.locator("#timeline li.ev-closed")).to_have_count(1)
    expect(page.locator("details.action")).to_have_count(0)

    # every clock is settled and shows its status
    rows = page.locator("#deadlines tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3, rows.all_inner_texts()
    expect(page.locator("#deadlines tr.dl-open")).to_have_count(0)
    expect(page.locator("#deadlines tr.dl-met").first).to_be_visible()
    for row in rows.all():
        status = row.locator("td").nth(3).locator(".badge")
        assert status.inner_text().strip(), row.inner_text()

    # -- The register lists it, and exports it ----------------------------------------
    page.locator("header nav a[href$='/register']").click()
    expect(page).to_have_url(re.compile(rf"/t/{HOTEL}/register"))
    expect(page.locator("table tr", has_text=ref)).to_have_count(1)

    csv_link = page.locator(EXPORT.format(fmt="csv")).first
    with page.expect_download() as info:
        csv_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    assert ref in text, text[:500]
    rows = [row for row in csv.reader(io.StringIO(text)) if ref in row]
    assert len(rows) == 1, rows

    xlsx_link = page.locator(EXPORT.format(fmt="xlsx")).first
    with page.expect_download() as info:
        xlsx_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    with open(download.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read()), read_only=True).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert ref in cells, cells[:40]
