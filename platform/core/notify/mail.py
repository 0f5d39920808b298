"""E-mail over SMTP: one row per e-mail, sent by a job, retried with back-off.

Configuration: ``SHOUWEN_SMTP_URL`` (``smtp://user:password@host:587?starttls=1``,
``smtps://host:465`` for TLS from the start, ``smtp://host:25`` plain) and
``SHOUWEN_MAIL_FROM``.  With no SMTP URL the rows are kept with status
``skipped`` (the inbox still has every notification).  Delivery is at least
once: if the commit after a successful send fails, the e-mail is sent again.
"""
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.db.types import UTCDateTime
from core.extensions import db
from core.jobs import job
from core.notify import retries
from core.tenancy.scoping import TenantScoped

TIMEOUT = 15            # seconds per SMTP conversation
BASE, CAP, MAX_ATTEMPTS = 60, 6 * 3600, 8   # 2 min, 4 min, ... 6 h; then failed


class OutgoingEmail(TenantScoped, db.Model):
    """One e-mail to one address: pending -> sent | failed, or skipped (no SMTP configured)."""
    __tablename__ = "outgoing_emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    outbox_id: Mapped[int | None] = mapped_column()
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("tenant_id", "outbox_id", "staff_id"),
        Index("ix_outgoing_emails_tenant_status_next", "tenant_id", "status", "next_attempt_at"),
    )


def configured():
    return bool(current_app.config.get("SHOUWEN_SMTP_URL"))


def new(tenant_id, to_addr, subject, body, staff_id=None, outbox_id=None):
    """An e-mail row (not yet added); ``skipped`` at once when SMTP is not configured."""
    now = clock.now()
    row = OutgoingEmail(tenant_id=tenant_id, staff_id=staff_id, outbox_id=outbox_id,
                        to_addr=to_addr, subject=subject[:300], body=body, attempts=0,
                        status="pending" if configured() else "skipped",
                        next_attempt_at=now if configured() else None, created_at=now,
                        last_error="")
    return row


def _message(row):
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = current_app.config.get("SHOUWEN_MAIL_FROM") or "Shouwen <noreply@localhost>"
    msg["To"] = row.to_addr
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="shouwen")
    msg["X-Shouwen-Email"] = str(row.id)
    msg.set_content(row.body)
    return msg


def smtp_send(url, msg):
    """Send one message through the server named by ``url`` (see module docstring)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SHOUWEN_SMTP_URL must look like smtp://user:password@host:587")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=TIMEOUT,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=TIMEOUT)
    with server:
        if starttls:
            server.starttls(context=ssl.create_default_context())
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(msg)


@job(queue="notify")
def send_email(tenant_id, email_id):
    """Send one pending, due e-mail; a failure is recorded and retried by :func:`retry_due`."""
    now = clock.now()
    row = retries.claim(OutgoingEmail, email_id, now)
    if row is None:
        return None                      # sent, failed, skipped, not due, or another worker's
    if not configured():
        row.status, row.next_attempt_at = "skipped", None
        return row
    try:
        smtp_send(current_app.config["SHOUWEN_SMTP_URL"], _message(row))
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        # A 5xx answer (unknown mailbox, refused sender) will not change on retry.
        permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500 \
            or isinstance(exc, (smtplib.SMTPRecipientsRefused, ValueError))
        retries.failed_attempt(row, now, f"{type(exc).__name__}: {exc}", BASE, CAP,
                               MAX_ATTEMPTS, permanent=permanent)
        return row
    row.status, row.sent_at, row.next_attempt_at, row.last_error = "sent", now, None, ""
    return row


def retry_due(at):
    """For the periodic list: enqueue every pending e-mail due by ``at``; returns how many."""
    return retries.retry_due(OutgoingEmail, send_email, at)
