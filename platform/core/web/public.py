"""Pages outside any tenant: the front page that leads staff to their organisation."""
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from tenants.models import Tenant
from tenants.scoping import unscoped

from ..extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    slug = (request.args.get("org") or "").strip().lower()
    if slug:
        with unscoped():
            # a suspended organisation's sign-in page says so (docs/administration.md)
            found = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if found:
            return redirect(url_for("web.login", slug=slug))
    return render_template("public/index.html", missing=bool(slug))
