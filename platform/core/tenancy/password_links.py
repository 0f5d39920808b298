"""One-time, expiring set-password links (invitations and resets), stored as SHA-256 digests.

An administrator issues a link for a staff member and hands it over; the staff member
opens it (no sign-in), chooses a password and the link is spent.  Issuing a new link
revokes the member's earlier unused ones; a link stops working once used, once expired
(:data:`LIFETIME`), or when the member is deactivated.  Only the digest is stored, so a
database reader cannot use a pending link.

Delivery hook: every issued link is announced on the :data:`link_issued` signal (blinker,
as Flask's own signals) with ``staff``, ``url``, ``purpose`` and ``expires_at``.  Nothing
listens yet: the administrator copies the link from the page.  The e-mail issue connects
a sender here (``link_issued.connect(send_mail)``), and the page can then say "sent".
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db.types import UTCDateTime
from core.errors import DomainError
from core.extensions import db
from core.tenancy import locks
from core.tenancy.models import Staff
from core.tenancy.scoping import TenantScoped

LIFETIME = timedelta(hours=72)
PURPOSES = ("invite", "reset")
link_issued = Namespace().signal("shouwen.password-link-issued")


class PasswordLink(TenantScoped, db.Model):
    __tablename__ = "password_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    digest: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff = relationship(Staff, foreign_keys=[staff_id], lazy="joined")
    __table_args__ = (Index("ix_password_links_tenant_digest", "tenant_id", "digest",
                            unique=True),
                      Index("ix_password_links_tenant_staff", "tenant_id", "staff_id"))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue(staff, by, purpose, url_for_token):
    """A new link for ``staff``; returns ``(row, url)``.  Earlier unused links are revoked.

    ``url_for_token(token)`` builds the absolute URL (the web layer knows the host).
    """
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    locks.staff_row(staff)      # two issues at once: the second revokes the first's link
    now = clock.now()
    db.session.execute(update(PasswordLink).where(
        PasswordLink.staff_id == staff.id, PasswordLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    row = PasswordLink(tenant_id=staff.tenant_id, staff_id=staff.id, digest=_digest(token),
                       purpose=purpose, created_by_id=by.id if by else None, created_at=now,
                       expires_at=now + LIFETIME)
    db.session.add(row)
    db.session.flush()
    url = url_for_token(token)
    link_issued.send(staff, staff=staff, url=url, purpose=purpose, expires_at=row.expires_at)
    return row, url


def find(token):
    """The live link of the current tenant for ``token``, or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalars(select(PasswordLink).where(
        PasswordLink.digest == _digest(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= clock.now() \
            or not row.staff.active:
        return None
    return row


class LinkSpent(DomainError):
    """The link was spent (or revoked) by another request since it was found."""
    status, code = 409, "link_used"


def redeem(row, password_hash):
    """Spend the link: set the member's password.  Exactly once: the UPDATE claims the link
    only while it is unused, so of several submissions at once one sets the password and
    the others raise :class:`LinkSpent` (409).  Their sessions end, and after a reset their
    API tokens are revoked too (core.tenancy.sessions says why)."""
    from core.tenancy import sessions
    claimed = db.session.execute(update(PasswordLink).where(
        PasswordLink.id == row.id, PasswordLink.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise LinkSpent({"zh": "此链接已被使用。", "en": "This link has already been used."})
    db.session.refresh(row, attribute_names=["used_at"])
    row.staff.password_hash = password_hash
    sessions.end_sessions(row.staff)
    if row.purpose == "reset":
        sessions.revoke_tokens(row.staff)


def pending(staff_ids):
    """{staff id: expiry of their live link} for the staff list."""
    if not staff_ids:
        return {}
    rows = db.session.execute(select(PasswordLink.staff_id, PasswordLink.expires_at).where(
        PasswordLink.staff_id.in_(staff_ids), PasswordLink.used_at.is_(None),
        PasswordLink.expires_at > clock.now())).all()
    return {sid: at for sid, at in rows}
