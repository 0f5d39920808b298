"""Names in an action's input that stand for rows: departments by code, staff by user name.

Resolved here once for every interface, active rows only, with one wording of the field
error, so the API and the web forms refuse an unknown or deactivated department or person
alike (before this, the web silently dropped an unknown user name and handed a matter to a
deactivated person).
"""
from sqlalchemy import select

from core.errors import Invalid
from core.extensions import db
from core.tenancy.models import Department, Staff

DEPARTMENT, DEPARTMENTS, STAFF = "department", "departments", "staff"


def active_departments():
    """The tenant's active departments by code: the choices every form and the transfer
    targets start from."""
    return db.session.scalars(select(Department).where(Department.active)
                              .order_by(Department.code)).all()


def department(code, field):
    """The active department ``code`` of the current tenant, or a field error under ``field``."""
    row = db.session.scalars(select(Department).where(Department.code == code,
                                                      Department.active)).first()
    if row is None:
        raise Invalid("unknown department", fields={field: [f"No active department {code!r}."]})
    return row


def staff(username, field):
    """The active staff member ``username`` (None when no name is given), or a field error."""
    if username is None:
        return None
    row = db.session.scalars(select(Staff).where(Staff.username == username,
                                                 Staff.active)).first()
    if row is None:
        raise Invalid("unknown user", fields={field: [f"No active staff member {username!r}."]})
    return row


RESOLVERS = {
    DEPARTMENT: department,
    DEPARTMENTS: lambda codes, field: [department(code, field) for code in codes],
    STAFF: staff,
}


def resolve(kinds, data):
    """``{field: row(s)}`` for the reference fields ``kinds`` (``{field: kind}``) of the
    loaded ``data``, in declaration order; the first unknown one is the error."""
    return {field: RESOLVERS[kind](data.get(field), field) for field, kind in kinds.items()}
