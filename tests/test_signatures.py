"""The customer's confirmation of the countersign form (property, seed 004) and the
three-part form (government, seed 001): on paper, drawn on the desk tablet, or later from
the progress page (issue 13 item 7)."""
import base64
import io
import re

import pytest
from PIL import Image, ImageDraw

from conftest import register

FORM = {"demo-property": ("customer-service", "countersign_form"),
        "demo-government": ("tax", "three_part_form")}


def png_url(size=(300, 120), ink=True, kind="PNG", background=(0, 0, 0, 0)):
    image = Image.new("RGBA", size, background)
    if ink:
        ImageDraw.Draw(image).line([(10, 60), (120, 20), (250, 90)], fill=(0, 0, 0, 255),
                                   width=3)
    out = io.BytesIO()
    image.convert("RGB" if kind == "JPEG" else "RGBA").save(out, kind)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _text(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:800]
    return " ".join(re.sub(r"<[^>]+>", " ", res.get_data(as_text=True)).split())


def _confirmation(html):
    found = re.search(r'<section class="confirmations".*?</section>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split()) if found else ""


@pytest.mark.parametrize("slug", list(FORM))
def test_paper_confirmation_is_a_step_and_shows_on_the_contact_page(login, web_login, slug):
    user, form = FORM[slug]
    api = login(slug, user)
    ref = register(api)["ref"]
    me = web_login(slug, user)
    page = me.get(f"/contacts/{ref}?lang=en").get_data(as_text=True)
    assert 'id="action-confirm"' in page and "not confirmed yet" in _confirmation(page)
    res = api.post(f"/contacts/{ref}/confirmation", json={"form": form, "how": "paper"})
    assert res.status_code == 201, res.get_json()
    assert any(e["kind"] == "customer_confirmed" for e in res.get_json()["events"])
    page = me.get(f"/contacts/{ref}?lang=en").get_data(as_text=True)
    assert "signed on the printed form" in _confirmation(page)
    assert 'id="action-confirm"' not in page               # nothing left to confirm: no button
    zh = me.get(f"/contacts/{ref}?lang=zh").get_data(as_text=True)
    assert "客户在纸质表单上签字" in _confirmation(zh)
    again = api.post(f"/contacts/{ref}/confirmation", json={"how": "paper"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "nothing_to_confirm"


def test_tablet_signature_is_stored_and_shown_on_page_and_form(login, web_login):
    api = login("demo-property", "customer-service")
    ref = register(api)["ref"]
    drawn = png_url()
    res = api.post(f"/contacts/{ref}/confirmation", json={"how": "tablet", "signature": drawn})
    assert res.status_code == 201, res.get_json()
    me = web_login("demo-property", "customer-service")
    page = me.get(f"/contacts/{ref}?lang=en").get_data(as_text=True)
    assert "signed on the tablet at the desk" in _confirmation(page)
    img = re.search(r'<img class="signature-image" src="(data:image/png;base64,[^"]+)"', page)
    assert img and Image.open(io.BytesIO(base64.b64decode(img.group(1)[22:]))).size == (300, 120)
    sheet = me.get(f"/contacts/{ref}/print/countersign_form?lang=zh").get_data(as_text=True)
    sheet = sheet[sheet.index('<article class="sheet'):sheet.index("</article>")]
    assert 'class="signature-image"' in sheet and "平板" in _confirmation(sheet)


BAD = [
    ("not_a_data_url", "hello", "Not a PNG image data URL."),
    ("svg_data_url", "data:image/svg+xml;base64,PHN2Zy8+", "Not a PNG image data URL."),
    ("bad_base64", "data:image/png;base64,@@@@", "Not a PNG image data URL."),
    ("not_png", "data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\0" * 40).decode(),
     "Not a PNG image."),
    ("jpeg_inside", None, "Not a PNG image."),
    ("too_big", "data:image/png;base64," + "A" * 100_000, "The signature image is too large."),
    ("too_small", None, "The signature image has an unusable size."),
    ("empty", None, "The signature is empty."),
    ("white", None, "The signature is empty."),
]


@pytest.mark.parametrize("case,value,message", BAD, ids=[b[0] for b in BAD])
def test_bad_signature_is_422_with_the_field_message(login, case, value, message):
    value = value or {"jpeg_inside": lambda: png_url(kind="JPEG"),
                      "too_small": lambda: png_url(size=(10, 10)),
                      "empty": lambda: png_url(ink=False),
                      "white": lambda: png_url(ink=False, background=(255, 255, 255, 255))
                      }[case]()
    api = login("demo-property", "customer-service")
    ref = register(api)["ref"]
    res = api.post(f"/contacts/{ref}/confirmation", json={"how": "tablet", "signature": value})
    assert res.status_code == 422, res.get_json()
    assert res.get_json()["error"]["fields"]["signature"] == [message]
    assert not any(e["kind"] == "customer_confirmed" for e in api.get(
        f"/contacts/{ref}").get_json()["events"])


def test_tablet_without_drawing_and_unknown_form_are_422(login):
    api = login("demo-government", "tax")
    ref = register(api)["ref"]
    res = api.post(f"/contacts/{ref}/confirmation", json={"how": "tablet"})
    assert res.status_code == 422 and "signature" in res.get_json()["error"]["fields"]
    res = api.post(f"/contacts/{ref}/confirmation", json={"form": "record_sheet"})
    assert res.status_code == 422 and "form" in res.get_json()["error"]["fields"]
    res = api.post(f"/contacts/{ref}/confirmation", json={"how": "online"})
    assert res.status_code == 422 and "how" in res.get_json()["error"]["fields"]


@pytest.mark.parametrize("slug,user", [("demo-hotel", "security"), ("demo-bank", "counter")])
def test_packs_without_a_confirmation_offer_none(login, web_login, slug, user):
    api = login(slug, user)
    ref = register(api)["ref"]
    assert 'id="action-confirm"' not in web_login(slug, user).get(f"/contacts/{ref}") \
        .get_data(as_text=True)
    assert api.post(f"/contacts/{ref}/confirmation").status_code == 409


def test_web_form_takes_a_drawn_signature(login, web_login):
    api = login("demo-government", "tax")
    ref = register(api)["ref"]
    me = web_login("demo-government", "tax")
    res = me.post(f"/contacts/{ref}/confirm", data={
        "form": "three_part_form", "how": "tablet", "signature": png_url()})
    assert res.status_code == 302
    page = me.get(f"/contacts/{ref}?lang=zh").get_data(as_text=True)
    assert "平板上签字" in _confirmation(page) and 'class="signature-image"' in page
    bad = api.post(f"/contacts/{register(api)['ref']}/confirmation",
                   json={"how": "tablet", "signature": "x"})
    assert bad.status_code == 422


def test_another_tenants_contact_is_404(login):
    ref = register(login("demo-property", "customer-service"))["ref"]
    other = login("demo-government", "tax")
    res = other.post(f"/contacts/{ref}/confirmation", json={"how": "paper"})
    assert res.status_code == 404


class Customer:
    def __init__(self, app, slug, address):
        self.client, self.slug = app.test_client(), slug
        self.client.environ_base["REMOTE_ADDR"] = address
        page = self.client.get(f"/t/{slug}/progress").get_data(as_text=True)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, path, **data):
        return self.client.post(f"/t/{self.slug}{path}", data={"csrf_token": self.token, **data})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_customer_confirms_from_the_progress_page_by_post_only(app, login, web_login, lang):
    api = login("demo-property", "customer-service")
    c = register(api)
    ref, code = c["ref"], c["query_code"]
    me = Customer(app, "demo-property", "198.51.100.41" if lang == "zh" else "198.51.100.42")
    page = me.post(f"/progress?lang={lang}", ref=ref, code=code)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="confirm-countersign_form"' in html
    assert ("我确认" if lang == "zh" else "I confirm") in html
    # opening the address records nothing; a wrong code records nothing
    assert me.client.get(f"/t/demo-property/progress/confirm?ref={ref}&code={code}"
                         "&form=countersign_form").status_code == 405
    wrong = "ABCDEF" if code != "ABCDEF" else "ABCDEG"
    assert me.post("/progress/confirm", ref=ref, code=wrong, form="countersign_form") \
        .status_code == 404
    assert me.post("/progress/confirm", ref=ref, code=code, form="").status_code == 422
    events = [e for e in api.get(f"/contacts/{ref}").get_json()["events"]
              if e["kind"] == "customer_confirmed"]
    assert events == []
    done = me.post(f"/progress/confirm?lang={lang}", ref=ref, code=code, form="countersign_form")
    assert done.status_code == 200
    text = _text(done)
    assert ("已记录" if lang == "zh" else "your confirmation is recorded") in text
    assert 'id="confirm-countersign_form"' not in done.get_data(as_text=True)
    events = [e for e in api.get(f"/contacts/{ref}").get_json()["events"]
              if e["kind"] == "customer_confirmed"]
    assert len(events) == 1 and events[0]["details"]["how"] == "online"
    staff = web_login("demo-property", "customer-service").get(f"/contacts/{ref}?lang=en")
    assert "confirmed from the progress page" in _confirmation(staff.get_data(as_text=True))
    # a second confirmation is refused (nothing waits any more), never a second event
    assert me.post("/progress/confirm", ref=ref, code=code, form="countersign_form") \
        .status_code == 409


def test_confirm_on_the_progress_page_counts_towards_the_lookup_limits(app, login):
    ref = register(login("demo-government", "tax"))["ref"]
    me = Customer(app, "demo-government", "198.51.100.43")
    answers = [me.post("/progress/confirm", ref=ref, code="ZZZZZZ", form="three_part_form")
               .status_code for _ in range(6)]
    assert answers[:5] == [404] * 5 and answers[5] == 429

