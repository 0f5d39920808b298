"""The short link printed under the QR code: ``/t/<slug>/p?r=<ref>`` answers 302 to the
progress page with the reference filled in (docs/progress.md).

Only the reference travels in the link; the customer types the query code printed beside
it.  Opening the link looks nothing up and records nothing, so it needs no limit of its own:
the look-up (and its limits) is the progress form's POST.  An unknown reference redirects
the same way: the link says nothing of whether the matter exists, so it is no oracle for
references (they are sequential), exactly as the progress page answers one way for an unknown
reference and a wrong code.  The reference is in the query string, not the path, for that
reason: no object is looked up by this URL.
"""
from flask import redirect, request, url_for

from core.progress.codes import normalise_ref
from core.progress.qr import svg
from core.web import OPEN_ENDPOINTS, bp

OPEN_ENDPOINTS.add("web.short_link")
MAX_REF = 40            # as the progress form's reference field


@bp.get("/p")
def short_link():
    ref = normalise_ref(request.args.get("r", ""))[:MAX_REF]
    return redirect(url_for("web.progress_page", ref=ref) if ref else
                    url_for("web.progress_page"), 302)


def short_url(ref):
    """The absolute short link of ``ref``, on the host this request came to (the address the
    printed slip shows beside it; behind a proxy, ProxyFix makes it the public one)."""
    return url_for("web.short_link", r=ref, _external=True)


@bp.app_template_global("progress_qr")
def progress_qr(ref):
    """(short link, inline SVG QR code of it) for a printed notice or form."""
    url = short_url(ref)
    return url, svg(url)
