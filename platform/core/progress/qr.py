"""The QR code printed on the one-time notice and the forms: the short link to the progress
page, with the reference filled in (docs/progress.md, "QR code and short link").

The code is made by segno as SVG and put inline in the page, so it prints sharply at any
size and needs no image request.  The SVG has no ``style`` attribute and no script (the
Content-Security-Policy refuses both): its size comes from the style sheet (class ``qr``),
its one path is drawn by its ``stroke`` presentation attribute.  It encodes only the
reference, never the query code: the code is a secret printed once beside it, and a photo
of the QR (or a scanner's history) must not open the matter.
"""
import io

import segno
from markupsafe import Markup

ERROR_LEVEL = "m"       # 15 % of the modules may be lost (a fold, a stamp) and it still reads
BORDER = 2              # quiet zone in modules; the sheet around it is white paper


def make(url):
    """The segno QR code of ``url`` (the smallest version that holds it, byte mode)."""
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def svg(url, title=""):
    """Inline SVG markup of the QR code of ``url``, scaled by CSS (``viewBox``, no size)."""
    out = io.BytesIO()
    make(url).save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True,
                   border=BORDER, svgclass="qr", lineclass="qr-modules", dark="#000",
                   title=title or None)
    return Markup(out.getvalue().decode("utf-8"))
