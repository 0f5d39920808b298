"""The signed-in person's inbox: notifications newest first, unread highlighted, mark read;
and the unread count shown in the navigation of every page (one indexed COUNT)."""
from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import db
from core.notify import inbox as notifications
from core.validation import int_arg
from core.web import actor, bp, lang

PAGE = 30


@bp.app_template_global("unread_notifications")
def unread_notifications():
    """The nav badge (counted once per request)."""
    if not current_user.is_authenticated or g.get("tenant") is None:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = notifications.unread_count(current_user.staff.id)
    return g.unread_notifications


@bp.get("/inbox")
def inbox():
    unread_only = request.args.get("unread") == "1"
    before = int_arg(request.args, "before")
    rows = notifications.inbox(actor().id, before=before, unread_only=unread_only,
                               limit=PAGE + 1)
    has_older, rows = len(rows) > PAGE, rows[:PAGE]
    items = [(n, *n.text(lang())) for n in rows]
    return render_template("web/inbox.html", items=items, has_older=has_older,
                           paged=before is not None, unread_only=unread_only)


def _back():
    target = request.form.get("next", "")
    # Only back into this tenant's inbox (never an open redirect).
    if target.startswith(url_for("web.inbox")):
        return redirect(target)
    return redirect(url_for("web.inbox"))


@bp.post("/inbox/<int:notification_id>/read")
def read_notification(notification_id):
    row = notifications.mark_read(actor(), notification_id)
    db.session.commit()
    if request.form.get("open") == "1" and row.params.get("ref"):
        return redirect(url_for("web.show_contact", ref=row.params["ref"]))
    path = row.params.get("path") or ""
    if request.form.get("open") == "1" and path.startswith(f"/t/{g.tenant.slug}/"):
        return redirect(path)             # a report: its dashboard page, in this tenant only
    return _back()


@bp.post("/inbox/read-all")
def read_all_notifications():
    count = notifications.mark_all_read(actor())
    db.session.commit()
    from flask import flash
    flash(_("%(n)s notification(s) marked read.", n=count), "ok")
    return _back()
