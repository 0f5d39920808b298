"""Self-service sign-up: a new organisation with its pack's defaults and its administrator.

One transaction: the caller commits after :func:`create_organisation` returns and rolls
back on any exception, so a failure leaves no tenant, department, policy version or user.
"""
from core.policy.plugins import manager
from tenants.provisioning import add_staff, create_tenant


def admin_title(policy):
    """The pack's organisation role for the administrator: the one mapped to ``admin``,
    else the highest-ranked one."""
    roles = policy.get("roles") or []
    admins = [r for r in roles if r.get("permission") == "admin"]
    pick = max(admins or roles, key=lambda r: r.get("rank", 0), default=None)
    return pick["key"] if pick else ""


def create_organisation(data):
    """Create the tenant, its departments, policy version 1 and the administrator.

    ``data`` is validated by :class:`tenants.admin_schemas.SignupIn`.  Returns
    ``(tenant, administrator)``.  Does not commit.
    """
    pack = manager().get(data["pack"])
    tenant = create_tenant(data["slug"], data["organisation"], pack.key)
    departments = pack.policy.get("departments") or []
    staff = add_staff(tenant, data["username"], data["name"], data["password"],
                      departments[0]["code"] if departments else None,
                      title=admin_title(pack.policy), role="admin", email=data["email"])
    return tenant, staff


def packs():
    """Installed packs for the sign-up form, by key (never a hard-coded list)."""
    return sorted(manager().packs.values(), key=lambda p: p.key)
