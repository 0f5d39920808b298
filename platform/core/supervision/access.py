"""Whose figures a reader may see: the one rule the dashboard and the API both apply.

Holders of ``supervision.view`` without ``supervision.view_all`` (a department's
supervisor) see their own department only; overseers (``supervision.view_all``) any
department or the whole organisation.  An unknown code, which includes another tenant's
(the query is tenant-scoped), is a 404 like any other object one cannot name; another
department of one's own tenant is a 403, since its existence is no secret (the directory
lists it).
"""
from sqlalchemy import select

from core.errors import Forbidden, NotFound
from core.extensions import db
from core.tenancy.models import Department
from core.tenancy.permissions import can

NOT_ALLOWED = {"zh": "您没有查看这些统计的权限。",
               "en": "You are not allowed to see these figures."}


def scope(staff, code):
    """The department ``staff`` may look at for ``code`` (None = the whole organisation)."""
    if not can(staff, "supervision.view"):
        raise Forbidden(NOT_ALLOWED)
    department = None
    if code:
        department = db.session.scalars(select(Department).where(
            Department.code == code)).first()
        if department is None:
            raise NotFound({"zh": "没有这个部门。", "en": "No such department."},
                           fields={"department": ["No such department."]})
    if can(staff, "supervision.view_all"):
        return department
    if department is not None and department.id != staff.department_id:
        raise Forbidden(NOT_ALLOWED)
    own = db.session.get(Department, staff.department_id) if staff.department_id else None
    if own is None:
        raise Forbidden(NOT_ALLOWED)
    return own
