"""Working calendar administration (in progress)."""
from flask import render_template

from . import bp


@bp.get("/admin/calendar")
def calendar_admin():
    return render_template("web/error.html", message="")
