"""API tokens: one staff member of one tenant; only a SHA-256 digest is stored."""
import functools
import hashlib
import secrets

from sqlalchemy import bindparam, select, update

from core import clock
from core.errors import DomainError
from core.extensions import db
from core.tenancy import locks
from core.tenancy.models import ApiToken, Staff, Tenant
from core.tenancy.scoping import unscoped


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class TokenConflict(DomainError):
    status, code = 409, "conflict"


def create(staff, label=""):
    """Create a token for ``staff``; returns ``(row, plaintext)`` (the plaintext is shown once).

    Under the person's row lock, so a deactivation committed meanwhile is seen: no token is
    made for someone who is no longer active (409)."""
    locks.staff_row(staff)
    if not staff.active:
        raise TokenConflict({"zh": "此人员已停用。", "en": "This person has been deactivated."})
    secret = secrets.token_urlsafe(32)
    prefix = secret[:8]
    token = f"sw_{secret}"
    row = ApiToken(tenant_id=staff.tenant_id, staff_id=staff.id, digest=_digest(token),
                   prefix=prefix, label=label)
    db.session.add(row)
    db.session.flush()
    return row, token


@functools.cache
def _live_token():
    """Token digest -> (staff, tenant) while the token and the staff member are live; built once (statements are immutable; the digest is a bound parameter)."""
    return (select(Staff, Tenant)
            .join(ApiToken, ApiToken.staff_id == Staff.id)
            .join(Tenant, Tenant.id == ApiToken.tenant_id)
            .where(ApiToken.digest == bindparam("digest"), ApiToken.revoked_at.is_(None),
                   Staff.active)
            .limit(1))


def authenticate(token):
    """The (tenant, staff) of a live token, or None.  Runs before any tenant is known.

    One indexed query (token digest joined to its staff member and tenant), on every
    request: a revoked token or a deactivated staff member is refused from the next request
    on.  A suspended tenant's tokens still authenticate here; the API then answers 403
    ``tenant_suspended`` (docs/administration.md), so integrations learn why."""
    if not token or not token.startswith("sw_") or len(token) > 200:
        return None
    with unscoped():
        row = db.session.execute(_live_token(), {"digest": _digest(token)}).first()
    if row is None:
        return None
    staff, tenant = row
    return tenant, staff


def revoke(row):
    """Revoke the token once: of two revocations at once the second is refused (409) and
    the recorded time stays the first's."""
    claimed = db.session.execute(update(ApiToken).where(
        ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(row, attribute_names=["revoked_at"])
    if claimed != 1:
        raise TokenConflict({"zh": "此令牌已被撤销。", "en": "This token has already been revoked."},
                            code="already_revoked")
