"""The customer's progress page ``/t/<slug>/progress`` (public), and the staff side of the
query code: shown while staff work on a new contact, issued anew when a customer lost it.

The look-up itself is ``core.progress.codes``; what the customer sees, ``core.progress.view``;
the limits, ``core.progress.limits``.  A suspended tenant answers as on its sign-in page
(the blueprint's tenant resolution).
"""
from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from core import clock
from core.api.progress import ProgressQueryIn
from core.contacts import context
from core.contacts.models import Contact
from core.errors import DomainError
from core.extensions import db
from core.progress import codes as progress
from core.progress.limits import limited
from core.progress.view import customer_view
from core.tenancy.scoping import get_or_404
from core.web import OPEN_ENDPOINTS, actor, bp, field_errors, lang, refused

OPEN_ENDPOINTS.add("web.progress_page")
KEPT_CODES = 5          # the codes this staff session issued last, shown on their pages


def _page(status, **values):
    values.setdefault("errors", {})
    values.setdefault("form", request.form)
    response = make_response(render_template("public/progress.html", **values), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_many(limit):
    return _page(429, message=_("Too many look-ups from here or for this reference number. "
                                "Please try again in a quarter of an hour."))


@bp.route("/progress", methods=["GET", "POST"])
@limited(["POST"], _too_many)
def progress_page():
    if request.method == "GET":
        return _page(200, form={"ref": request.args.get("ref", "")})
    try:
        data = ProgressQueryIn().load({k: request.form.get(k, "") for k in ("ref", "code")})
    except ValidationError as err:
        return _page(422, errors=field_errors(err.messages))
    try:
        contact = progress.look_up(data["ref"], data["code"])
    except progress.NoMatch as err:
        return _page(404, message=err.message.get(lang()))
    return _page(200, view=customer_view(g.tenant, contact, lang()), form={},
                 contact=contact, code=data["code"])     # for the confirmation (signatures)


# -- staff side ---------------------------------------------------------------------------

def remember_code(ref, code):
    """Keep a code just issued in this staff session, so the contact page, the one-time
    notice and the printable forms show it while they work on the contact."""
    kept = {k: v for k, v in (session.get("query_codes") or {}).items() if k != ref}
    kept[ref] = code
    session["query_codes"] = dict(list(kept.items())[-KEPT_CODES:])


@bp.app_template_global("query_code")
def query_code(ref):
    """The query code of ``ref`` if this staff session issued it, else None."""
    return (session.get("query_codes") or {}).get(ref)


@bp.app_template_global("may_reissue_query_code")
def may_reissue_query_code(contact):
    return progress.may_reissue(actor(), contact)


@bp.post("/contacts/<ref>/query-code")
def reissue_query_code(ref):
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact, at=clock.now())
    try:
        code = progress.reissue_query_code(ctx, actor())
        db.session.commit()
    except DomainError as err:
        refused(err)
    else:
        remember_code(ref, code)
        flash(_("New query code issued: %(code)s. The old one no longer works; give this one "
                "to the customer.", code=code), "ok")
    return redirect(url_for("web.show_contact", ref=ref) + "#progress")
