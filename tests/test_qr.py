"""The QR code and short link on the one-time notice and the printed forms (issue 13 item 2):
what a phone camera reads from the printed page, and where following it lands."""
import re

import pytest
from PIL import Image, ImageDraw

from conftest import register

zxingcpp = pytest.importorskip("zxingcpp")
SCALE = 8


def _svg(html):
    found = re.search(r'<figure class="progress-qr".*?(<svg.*?</svg>)', html, re.S)
    assert found, html[:2000]
    return found.group(1)


def _modules(svg):
    """The dark modules of segno's one SVG path, as (x, y) cells: ``M``/``m`` move, ``h``
    draws a line of modules along the row (the path runs at row + 0.5, stroke width 1)."""
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    d = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    x = y = 0.0
    cells = set()
    for op, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", d):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        elif op == "h":
            for i in range(int(a)):
                cells.add((int(x) + i, int(y - 0.5)))
            x += a
    return int(view.group(1)), cells


def decode(svg):
    """Draw the printed SVG's modules on white paper and read it as a camera app would."""
    size, cells = _modules(svg)
    image = Image.new("L", ((size + 4) * SCALE,) * 2, 255)
    draw = ImageDraw.Draw(image)
    for cx, cy in cells:
        draw.rectangle([(cx + 2) * SCALE, (cy + 2) * SCALE, (cx + 3) * SCALE - 1,
                        (cy + 3) * SCALE - 1], fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "no QR code could be read"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def _no_style_attribute(svg):
    assert "style=" not in svg and "<script" not in svg


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notice_qr_reads_the_short_link_and_lands_on_the_filled_in_form(login, web_login,
                                                                        client, lang):
    ref = register(login("demo-hotel", "security"))["ref"]
    me = web_login("demo-hotel", "security")
    res = me.get(f"/contacts/{ref}/notice?lang={lang}")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    svg = _svg(html)
    _no_style_attribute(svg)
    url = decode(svg)
    assert url == f"http://localhost/t/demo-hotel/p?r={ref}"
    assert url in html                                   # the short link printed under it
    hint = "扫码" if lang == "zh" else "scan the code"
    assert hint in html
    # what the camera opens: the progress page, reference filled in, code left to type
    landed = client.get(url.removeprefix("http://localhost"))
    assert landed.status_code == 302
    page = client.get(landed.headers["Location"] + f"&lang={lang}")
    assert page.status_code == 200
    form = page.get_data(as_text=True)
    assert re.search(rf'name="ref"[^>]*value="{ref}"', form) or \
        re.search(rf'value="{ref}"[^>]*name="ref"', form)
    assert 'name="code"' in form and re.search(r'name="code"[^>]*value=""', form) or \
        'value=""' in form


def test_qr_never_carries_the_query_code(web_login):
    """The code is shown once beside the QR (the session that registered the matter); the QR
    itself opens nothing without it."""
    me = web_login("demo-property", "customer-service")
    res = me.post("/contacts/new", data={
        "channel": "visit", "matter_type": "consultation", "summary": "门禁卡",
        "customer_name": "钱女士", "customer_phone": "13900000000"})
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    ref = res.headers["Location"].split("/contacts/")[1].split("?")[0].split("#")[0]
    html = me.get(f"/contacts/{ref}/print/countersign_form").get_data(as_text=True)
    code = re.search(r'<strong class="query-code">([^<]+)</strong>', html).group(1)
    assert code != "______"
    url = decode(_svg(html))
    assert url == f"http://localhost/t/demo-property/p?r={ref}" and code not in url


@pytest.mark.parametrize("slug,user,form", [
    ("demo-government", "tax", "three_part_form"),
    ("demo-hotel", "security", "complaint_slip")])
def test_printed_forms_carry_the_qr(login, web_login, slug, user, form):
    ref = register(login(slug, user))["ref"]
    html = web_login(slug, user).get(f"/contacts/{ref}/print/{form}?lang=en").get_data(
        as_text=True)
    sheet = html[html.index('<article class="sheet'):html.index("</article>")]
    svg = _svg(sheet)                           # on the sheet itself, so it is printed
    _no_style_attribute(svg)
    assert decode(svg) == f"http://localhost/t/{slug}/p?r={ref}"


def test_short_link_of_any_text_only_redirects(client):
    """Opening the link looks nothing up: an unknown reference is sent to the same form."""
    res = client.get("/t/demo-hotel/p?r=nope-123")
    assert res.status_code == 302
    assert res.headers["Location"].endswith("/t/demo-hotel/progress?ref=NOPE-123")
    assert client.get("/t/demo-hotel/p").headers["Location"].endswith("/t/demo-hotel/progress")
    assert client.get("/t/no-such-tenant/p?r=X-1").status_code == 404
