""""Copied to us" (抄送我部门): the steps the pack copied to a department, newest first.

Everyone sees their own department's copies; roles with ``copies.view_any``
(``core.tenancy.permissions``) pick any department with ``?department=<code>``.  Keyset
pages on the copy id (``before``/``after``), one statement per page plus a LIMIT 1 probe
for the other direction (``core.contacts.copies.page``).

The navigation shows the page when the tenant's policy copies handovers to a department
(``transfer.copy_to``, no query: the policy is cached), or else when there is a copy to the
person's department (to any department for ``copies.view_any``): a pack that copies through
its own hook (the bank's major matters to the leadership) is found by that one LIMIT 1
look-up, and a tenant that copies nothing never shows an empty page.
"""
from flask import abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from core.contacts import copies, references
from core.extensions import db
from core.policy import versions as policies
from core.tenancy.models import Department
from core.tenancy.permissions import can, require
from core.validation import int_arg
from core.web import actor, bp

PAGE = 50


def _copy_to():
    return list((policies.load(policies.current_version_id(g.tenant))[1]
                 .get("transfer") or {}).get("copy_to") or [])


def _department(me):
    """The department whose copies are shown: the one asked for (another than one's own
    needs ``copies.view_any``), else one's own, else the first the pack copies to."""
    code = (request.args.get("department") or "").strip()[:64]
    if code:
        found = db.session.scalars(select(Department).where(Department.code == code)).first()
        if found is None:
            abort(404)
        if found.id != me.department_id:
            require(me, "copies.view_any")
        return found
    if me.department is not None or not can(me, "copies.view_any"):
        return me.department
    codes = _copy_to()
    return db.session.scalars(select(Department).where(Department.code.in_(codes))
                              .order_by(Department.code)).first() if codes else None


@bp.get("/copies")
def copied_to_us():
    me = actor()
    department = _department(me)
    before = int_arg(request.args, "before")
    after = int_arg(request.args, "after")
    rows, has_newer, has_older = copies.page(department.id, before, after, PAGE) \
        if department is not None else ([], False, False)
    view_any = can(me, "copies.view_any")
    return render_template(
        "web/copies.html", department=department, rows=rows, has_newer=has_newer,
        has_older=has_older, paged=before is not None or after is not None,
        departments=references.active_departments() if view_any else [],
        args={"department": department.code} if department is not None
        and department.id != me.department_id else {})


@bp.app_template_global("may_see_copies")
def may_see_copies():
    """Whether the navigation links "copied to us" (see the module docstring; once a request)."""
    if not current_user.is_authenticated or g.get("tenant") is None:
        return False
    if "may_see_copies" not in g:
        me = current_user.staff
        if _copy_to():
            g.may_see_copies = True
        elif can(me, "copies.view_any"):
            g.may_see_copies = copies.any_to()
        else:
            g.may_see_copies = me.department_id is not None and copies.any_to(me.department_id)
    return g.may_see_copies
