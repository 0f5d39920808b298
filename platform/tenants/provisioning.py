"""Creating a tenant from its pack: departments, policy version 1, the administrator."""
import re

from sqlalchemy import select

from core.extensions import db
from core.policy import versions as policies
from core.policy.plugins import manager
from core.tenancy.models import Department, Staff, Tenant, TenantCounter
from core.tenancy import usernames
from core.tenancy.passwords import hash_password
from core.tenancy.scoping import tenant_scope, unscoped

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED = {"api", "admin", "static", "signup", "login", "logout", "platform", "t", "www",
            "help", "docs", "health"}


class ProvisioningError(ValueError):
    def __init__(self, fields):
        super().__init__(str(fields))
        self.fields = fields


def check_slug(slug):
    if not SLUG.match(slug or ""):
        return "Use 3-40 lower-case letters, digits and hyphens, starting with a letter."
    if slug in RESERVED:
        return "This address is reserved."
    with unscoped():
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
            return "This address is already taken."
    return None


def create_tenant(slug, name, pack_key, timezone="Asia/Shanghai", ref_prefix=None):
    """Create a tenant with its pack's default departments and policy version 1 (no commit)."""
    problem = check_slug(slug)
    if problem:
        raise ProvisioningError({"slug": [problem]})
    pack = manager().get(pack_key)
    tenant = Tenant(slug=slug, name=name, pack_key=pack.key, timezone=timezone,
                    ref_prefix=ref_prefix or pack.key[:2].upper())
    with unscoped():
        db.session.add(tenant)
        db.session.flush()
    with tenant_scope(tenant.id):
        db.session.add(TenantCounter(tenant_id=tenant.id, name="contact_ref", value=0))
        version = policies.create_version(tenant, {}, note="pack defaults")
        for dept in version.document["departments"]:
            db.session.add(Department(
                tenant_id=tenant.id, code=dept["code"], name_zh=dept["name"]["zh"],
                name_en=dept["name"]["en"],
                duties_zh=(dept.get("duties") or {}).get("zh", ""),
                duties_en=(dept.get("duties") or {}).get("en", ""),
                matter_types=dept.get("matter_types", []), location=dept.get("location", ""),
                phone=dept.get("phone", "")))
        db.session.flush()
    return tenant


def add_staff(tenant, username, name, password=None, department_code=None, title="",
              role=None, rank=None, email=""):
    """Add a staff member; role and rank default from the pack's org role ``title``."""
    with tenant_scope(tenant.id):
        _, policy = policies.load(policies.latest_version_id())
        org_role = next((r for r in policy["roles"] if r["key"] == title), None)
        department = None
        if department_code:
            department = db.session.scalars(
                select(Department).where(Department.code == department_code)).one()
        staff = Staff(tenant_id=tenant.id, username=usernames.normalise(username), name=name,
                      title=title,
                      role=role or (org_role["permission"] if org_role else "staff"),
                      rank=rank if rank is not None else (org_role["rank"] if org_role else 1),
                      department=department, email=email,
                      password_hash=hash_password(password) if password else "")
        db.session.add(staff)
        db.session.flush()
    return staff
