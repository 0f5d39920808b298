"""Pages outside any tenant: the front page that leads staff to their organisation (and
customers to its progress look-up)."""
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Tenant
from core.tenancy.scoping import unscoped

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    slug = (request.args.get("org") or "").strip().lower()
    if slug:
        with unscoped():
            # a suspended organisation's sign-in page says so (docs/administration.md)
            found = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if found:
            # customers go to the organisation's progress look-up, staff to its sign-in
            target = "web.progress_page" if request.args.get("to") == "progress" else "web.login"
            return redirect(url_for(target, slug=slug))
    return render_template("public/index.html", missing=bool(slug))
