"""What a tenant administrator changes: departments, staff, settings.

Nothing is ever deleted: departments and staff are deactivated and stay on the contacts
that name them.  Functions take validated data (``tenants.admin_schemas``), work in the
current tenant's scope and do not commit.  Refusals are :class:`core.errors.Invalid`
(with field messages) or :class:`core.errors.DomainError` (409).
"""
from sqlalchemy import func, select

from core.errors import DomainError, Invalid
from core.extensions import db
from core.policy import versions as policies
from core.supervision.maintenance import rebuild_figures
from core.tenancy import sessions, usernames
from core.tenancy.models import Department, Staff

CODE_TAKEN = "A department with this code exists already."
USERNAME_TAKEN = "This user name is taken in your organisation."


def current_policy():
    return policies.load(policies.latest_version_id())[1]


# -- departments ----------------------------------------------------------------------------

def create_department(data):
    if db.session.scalar(select(Department.id).where(Department.code == data["code"])):
        raise Invalid({"zh": "部门代码已存在。", "en": CODE_TAKEN},
                      fields={"code": [CODE_TAKEN]})
    dept = Department(code=data["code"])
    _fill_department(dept, data)
    db.session.add(dept)
    db.session.flush()
    return dept


def update_department(dept, data):
    """Rename and edit; the code stays (the policy's chain and copies name departments by it)."""
    _fill_department(dept, data)
    db.session.flush()
    return dept


def _fill_department(dept, data):
    dept.name_zh = data["name_zh"]
    dept.name_en = data["name_en"] or data["name_zh"]
    dept.duties_zh, dept.duties_en = data["duties_zh"], data["duties_en"]
    dept.matter_types = list(dict.fromkeys(data["matter_types"]))
    dept.location, dept.phone = data["location"], data["phone"]


def set_department_active(dept, active):
    dept.active = bool(active)
    db.session.flush()


# -- staff ----------------------------------------------------------------------------------

def _department_by_code(code):
    if not code:
        return None
    return db.session.scalars(select(Department).where(Department.code == code)).one()


def create_staff(data):
    username = usernames.normalise(data["username"])
    if db.session.scalar(select(Staff.id).where(Staff.username == username)):
        raise Invalid({"zh": "此用户名已被使用。", "en": USERNAME_TAKEN},
                      fields={"username": [USERNAME_TAKEN]})
    staff = Staff(username=username, password_hash="")
    _fill_staff(staff, data)
    db.session.add(staff)
    db.session.flush()
    return staff


def update_staff(staff, data, by):
    if staff.role == "admin" and data["role"] != "admin":
        _keep_an_admin(staff)
    role_changed = staff.role != data["role"]
    _fill_staff(staff, data)
    db.session.flush()
    if role_changed:
        sessions.end_sessions(staff)         # they sign in again under the new role
    return staff


def _fill_staff(staff, data):
    staff.name, staff.role, staff.title = data["name"], data["role"], data["title"]
    staff.rank, staff.email, staff.phone = data["rank"], data["email"], data["phone"]
    staff.department = _department_by_code(data["department"])


def set_staff_active(staff, active, by):
    """Deactivate or reactivate; a deactivated member cannot sign in and their API tokens
    are revoked, but stays on every contact they owned.  Either way their sessions end
    (core.tenancy.sessions), so reactivating revives no old session and no old token."""
    if not active:
        if staff.id == by.id:
            raise DomainError({"zh": "不能停用自己的账号。",
                               "en": "You cannot deactivate your own account."})
        if staff.role == "admin":
            _keep_an_admin(staff)
    staff.active = bool(active)
    db.session.flush()
    sessions.end_sessions(staff)
    if not active:
        sessions.revoke_tokens(staff)


def _keep_an_admin(staff):
    others = db.session.scalar(select(func.count(Staff.id)).where(
        Staff.role == "admin", Staff.active.is_(True), Staff.id != staff.id))
    if not others:
        raise DomainError({"zh": "组织至少需要一名在职的管理员。",
                           "en": "The organisation needs at least one active administrator."})


# -- settings -------------------------------------------------------------------------------

def update_settings(tenant, data):
    """Display name, time zone, languages (default first), reference prefix (new contacts),
    when the scheduled supervision report goes out (core.supervision.report)."""
    tenant.name = data["name"]
    if data["timezone"] != tenant.timezone:
        # Every local day of the figures moves: recompute them (core.supervision).
        rebuild_figures.enqueue(tenant.id)
    tenant.timezone = data["timezone"]
    default = data["default_language"]
    tenant.languages = [default] + [x for x in dict.fromkeys(data["languages"]) if x != default]
    tenant.ref_prefix = data["ref_prefix"]
    for name in ("report_frequency", "report_day", "report_time"):
        if data.get(name) is not None:
            setattr(tenant, name, data[name])
    db.session.flush()
