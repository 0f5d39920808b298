"""Demo tenants, one per built-in pack, each with its departments, staff and an administrator.

Idempotent: running it again adds nothing that is already there.
"""
from sqlalchemy import select

from core.extensions import db
from core.policy.plugins import manager
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from tenants.provisioning import add_staff, create_tenant

DEMO_PASSWORD = "shouwen-demo-2026"
TENANTS = [("demo-hotel", "hotel", "示范酒店 Demo Hotel", "HT"),
           ("demo-property", "property", "示范物业 Demo Property", "WY"),
           ("demo-government", "government", "示范政务服务中心 Demo Service Hall", "ZW"),
           ("demo-bank", "bank", "示范银行支行 Demo Bank Branch", "YH")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _name(i):
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def _roles(policy):
    by_perm = {}
    for role in sorted(policy["roles"], key=lambda r: r["rank"]):
        by_perm.setdefault(role["permission"], role)   # lowest rank of each permission
    top = max(policy["roles"], key=lambda r: r["rank"])
    return by_perm, top


def _home(policy, role, departments):
    """The department a demo supervisor or leader sits in, so that escalations and
    notifications find them where the pack looks: the department the escalation chain names
    for their role; else, for an inspector, the supervising department of the assessment;
    for a customer-relations supervisor, the department that sorts out wrong transfers; for
    a leader, the last department (the leadership, as for ``chief``); else the first."""
    codes = set(departments)
    for level in policy["escalation"]["chain"]:
        if level.get("role") == role["key"] and level.get("department") in codes:
            return level["department"]
    assessment = policy.get("assessment") or {}
    candidates = {
        "inspector": [assessment.get("supervisor"), assessment.get("department")],
        "cr_supervisor": [policy["transfer"].get("wrong_transfer_coordinator")],
        "leader": [departments[-1]],
    }.get(role["permission"], [])
    return next((code for code in candidates if code in codes), departments[0])


def seed_tenant(slug, pack_key, name, prefix):
    """Create one demo tenant if it does not exist; returns (tenant, created)."""
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is not None:
        return tenant, False
    tenant = create_tenant(slug, name, pack_key, ref_prefix=prefix)
    _fill_directory(tenant)
    policy = manager().get(pack_key).policy
    by_perm, top = _roles(policy)
    staff_role = by_perm.get("staff", top)
    lead_role = by_perm.get("dept_supervisor", staff_role)
    departments = [d["code"] for d in policy["departments"]]
    add_staff(tenant, "admin", "系统管理员", DEMO_PASSWORD, departments[0],
              title=by_perm.get("admin", top)["key"], role="admin")
    i = 0
    for code in departments:
        add_staff(tenant, code.replace("_", "-"), _name(i), DEMO_PASSWORD, code,
                  title=staff_role["key"])
        add_staff(tenant, code.replace("_", "-") + "-lead", _name(i + 1), DEMO_PASSWORD, code,
                  title=lead_role["key"])
        i += 2
    for perm in ("cr_supervisor", "inspector", "leader"):
        role = by_perm.get(perm)
        if role is not None:
            add_staff(tenant, perm.replace("_", "-"), _name(i), DEMO_PASSWORD,
                      _home(policy, role, departments), title=role["key"])
            i += 1
    if top["permission"] == "leader" and by_perm.get("leader") is not top:
        add_staff(tenant, "chief", _name(i), DEMO_PASSWORD, departments[-1], title=top["key"])
    _demo_addresses(tenant)
    return tenant, True


def _demo_addresses(tenant):
    """Demo e-mail addresses (reserved .example domain), so notification e-mails can be
    seen with a local SMTP server (SHOUWEN_SMTP_URL)."""
    with tenant_scope(tenant.id):
        for person in db.session.scalars(select(Staff).where(Staff.email == "")):
            person.email = f"{person.username}@{tenant.slug}.example"
        db.session.flush()


def _fill_directory(tenant):
    """Demo locations and extension numbers, so the directory shows where to send people."""
    from core.tenancy.models import Department
    with tenant_scope(tenant.id):
        for i, dept in enumerate(db.session.scalars(select(Department).order_by(Department.id))):
            dept.location = dept.location or f"{1 + i // 3}F-{101 + i}"
            dept.phone = dept.phone or f"8{600 + i}"
        db.session.flush()


def tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def seed():
    """Create the four demo tenants; returns [(slug, created, usernames)]."""
    out = []
    for slug, pack_key, name, prefix in TENANTS:
        tenant, created = seed_tenant(slug, pack_key, name, prefix)
        with tenant_scope(tenant.id):
            users = db.session.scalars(select(Staff.username).order_by(Staff.id)).all()
        out.append((slug, created, users))
    db.session.commit()
    return out
