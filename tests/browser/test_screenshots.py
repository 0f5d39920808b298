"""Screenshots of the main pages in Chinese and English, checked for being real pages.

Each screenshot is saved (to ``$SHOUWEN_SCREENSHOTS`` if set, else a temporary folder) and
must be a non-blank image.  Chinese text must be drawn with a real CJK font, not with
"tofu" boxes: two different characters of the page are drawn on a canvas in the font the
page uses for them, and must come out as two different, inked glyphs (without a CJK font
every character falls back to the same empty box).
"""
import io
import os
import re
from pathlib import Path

import pytest

from .conftest import open_step, register_contact, sign_in

Image = pytest.importorskip("PIL.Image")
expect = pytest.importorskip("playwright.sync_api").expect


HOTEL = "demo-hotel"
CJK = re.compile(r"[\u3400-\u9fff]")
# name: (who opens it, address); who is "out" (signed out), "in" (Security, a staff member)
# or "admin" (the administrator); "{t}" is the tenant's prefix.
PAGES = {
    "sign-in": ("out", "{t}/login"),
    "queues": ("in", "{t}/"),
    "new-contact": ("in", "{t}/contacts/new"),
    "contact": ("in", "{t}/contacts/{ref}"),
    "directory": ("in", "{t}/directory"),
    "register": ("in", "{t}/register"),
    "inbox": ("in", "{t}/inbox"),
    "sign-up": ("out", "/signup"),
    "admin": ("admin", "{t}/admin/"),
    "policy": ("admin", "{t}/admin/policy"),
    "policy-versions": ("admin", "{t}/admin/policy/versions"),
    "calendar": ("admin", "{t}/admin/calendar"),
}
# The main heading each page must start with, per language (the rest of the pages: any
# heading, in the page's language).
HEADINGS = {
    "inbox": {"zh": "收件箱", "en": "Inbox"},
    "sign-up": {"zh": "注册组织", "en": "Sign up your organisation"},
    "admin": {"zh": "管理", "en": "Administration"},
    "policy": {"zh": "规则", "en": "Policy"},
    "policy-versions": {"zh": "规则版本", "en": "Policy versions"},
    "calendar": {"zh": "工作日历", "en": "Working calendar"},
}


def address(name, ref):
    return PAGES[name][1].format(t=f"/t/{HOTEL}", ref=ref)


GLYPHS = """(el) => {
  const chars = [...new Set([...el.textContent].filter(ch => /[\\u3400-\\u9fff]/.test(ch)))];
  if (chars.length < 2) return {chars};
  const style = getComputedStyle(el);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.font = `${style.fontWeight} 40px ${style.fontFamily}`;
  ctx.textBaseline = 'top';
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.fillStyle = '#000';
    ctx.fillText(ch, 8, 8);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3));
  };
  const a = draw(chars[0]), b = draw(chars[1]);
  const ink = (px) => px.filter(v => v > 0).length;
  const differing = a.filter((v, i) => v !== b[i]).length;
  return {chars: chars.slice(0, 2), family: style.fontFamily, inkA: ink(a), inkB: ink(b),
          differing};
}"""

# The page's first heading (h1, else h2) without its <small> aside (the tenant's name).
HEADING = """() => {
  const h = document.querySelector('main h1') || document.querySelector('main h2');
  if (!h) return null;
  const copy = h.cloneNode(true);
  copy.querySelectorAll('small').forEach(s => s.remove());
  return copy.textContent.replace(/\\s+/g, ' ').trim();
}"""


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory):
    target = os.environ.get("SHOUWEN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def contact_ref(browser, browser_context_args):
    """A complaint registered by Security and handed over to the Front Office."""
    context = browser.new_context(**browser_context_args)
    try:
        page = context.new_page()
        sign_in(page, HOTEL, "security")
        ref = register_contact(page, "1506房卫生间漏水，地毯湿了，客人要求换房", name="钱女士",
                               phone="13900000000", room="1506")
        form = open_step(page, "transfer")
        form.locator("select[name=to_department]").select_option("front_office")
        form.locator("button.primary").click()
        expect(page.locator("#timeline li.ev-transferred")).to_have_count(1)
        return ref
    finally:
        context.close()


@pytest.fixture(scope="module", params=["zh", "en"])
def lang(request):
    return request.param


def _signed_out_and_in(browser, browser_context_args):
    """Three pages, each its own context: signed out, signed in as Security, and as the
    administrator."""
    contexts = {who: browser.new_context(**browser_context_args)
                for who in ("out", "in", "admin")}
    pages = {who: context.new_page() for who, context in contexts.items()}
    sign_in(pages["in"], HOTEL, "security")
    sign_in(pages["admin"], HOTEL, "admin")
    yield pages
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def views(browser, browser_context_args, lang):
    yield from _signed_out_and_in(browser, browser_context_args)


@pytest.fixture(scope="module")
def chinese_views(browser, browser_context_args):
    yield from _signed_out_and_in(browser, browser_context_args)


def _check_image(png, name):
    assert len(png) > 12_000, f"{name}: PNG of only {len(png)} bytes"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    assert width >= 1000 and height >= 600, (name, image.size)
    colours = image.getcolors(maxcolors=width * height)
    assert len(colours) > 100, f"{name}: only {len(colours)} colours"
    background = max(colours)[0]
    assert background < 0.97 * width * height, f"{name}: almost nothing but the background"


def _check_cjk_glyphs(page, selector, name):
    result = page.locator(selector).first.evaluate(GLYPHS)
    assert len(result["chars"]) >= 2, f"{name}: no Chinese text in {selector}: {result}"
    assert result["inkA"] > 30 and result["inkB"] > 30, f"{name}: glyphs not drawn: {result}"
    assert result["differing"] > 30, (
        f"{name}: {result['chars']} are drawn alike (tofu boxes?) with {result['family']}")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_both_languages(views, lang, name, contact_ref, shots_dir):
    page = views[PAGES[name][0]]
    response = page.goto(f"{address(name, contact_ref)}?lang={lang}")
    if name == "register" and response.status == 404:
        pytest.skip("no register page in this build")
    assert response.status == 200, (name, response.status)
    page.evaluate("document.fonts.ready.then(() => true)")
    expect(page.locator(".flash.error")).to_have_count(0)

    png = page.screenshot(full_page=True, path=shots_dir / f"{name}-{lang}.png")
    _check_image(png, f"{name}-{lang}")

    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    heading = page.evaluate(HEADING)
    assert heading, f"{name}: no heading"
    if name in HEADINGS:
        assert heading.startswith(HEADINGS[name][lang]), (name, lang, heading)
    nav = page.locator("header nav")
    if lang == "zh":
        assert CJK.search(heading), f"{name}: heading not in Chinese: {heading!r}"
        _check_cjk_glyphs(page, "main h1, main h2", f"{name}-{lang}")
    else:
        assert not CJK.search(heading), f"{name}: heading not translated: {heading!r}"
        if nav.count():
            assert not CJK.search(nav.inner_text()), f"{name}: menu: {nav.inner_text()!r}"
    # the brand 首问 is Chinese in both languages and must be drawn as such
    _check_cjk_glyphs(page, "header .brand", f"{name}-{lang} brand")
    if name == "contact":
        expect(page.locator("h1")).to_contain_text(contact_ref)
        expect(page.locator("#deadlines tbody tr").first).to_be_visible()
        expect(page.locator("#timeline li").first).to_be_visible()


# Own text of the interface's words (headings, labels, buttons, links, hints, options,
# badges) that has an English word and no Chinese character: an untranslated string.
UNTRANSLATED = """() => {
  const cjk = /[\\u3400-\\u9fff]/, word = /[A-Za-z]{3,}/;
  const ui = 'header nav a, main h1, main h2, main h3, main th, main label, main legend, '
    + 'main button, main summary, main dt, main p:not(.summary), main option, main a, '
    + 'main .badge, main small';
  const found = new Set();
  for (const el of document.querySelectorAll(ui)) {
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      const text = node.textContent.replace(/\\s+/g, ' ').trim();
      if (text && word.test(text) && !cjk.test(text)) found.add(text);
    }
  }
  return [...found];
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_chinese_pages_show_no_english_interface_text(chinese_views, name, contact_ref):
    page = chinese_views[PAGES[name][0]]
    response = page.goto(f"{address(name, contact_ref)}?lang=zh")
    if name == "register" and response.status == 404:
        pytest.skip("no register page in this build")
    assert response.status == 200, (name, response.status)
    found = page.evaluate(UNTRANSLATED)
    assert not found, f"{name}: English interface text in the Chinese page: {found}"
