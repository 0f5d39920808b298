"""Per-tenant webhooks: endpoints, signed JSON deliveries, retries with back-off.

A delivery is one message to one endpoint.  Its body is fixed when it is
created (so every retry sends the same bytes) and signed when sent::

    X-Shouwen-Signature: sha256=<hex HMAC-SHA256 of the raw body, key = endpoint secret>
    X-Shouwen-Event: contact.escalated
    X-Shouwen-Delivery: 42

A 2xx answer delivers it; anything else (or no answer within ``TIMEOUT``) is
retried at ``BASE * 2^n`` seconds after the n-th attempt, capped at ``CAP``,
until ``MAX_ATTEMPTS``; then it is ``failed``.  A delivered row is never sent
again (``core.notify.retries.claim``).  Redirects are not followed.
"""
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import unicodedata
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.db.types import JSONType, UTCDateTime
from core.errors import Invalid
from core.extensions import db
from core.jobs import job
from core.notify import egress, retries
from core.tenancy.permissions import require
from core.tenancy.scoping import TenantScoped

TIMEOUT = 10
BASE, CAP, MAX_ATTEMPTS = 30, 3600, 8   # 1, 2, 4, 8, 16, 32 min, 1 h; then failed
TEST_TOPIC = "webhook.test"
# The topics an endpoint may subscribe to (the outbox's topics, see docs/notifications.md).
TOPICS = ("contact.registered", "contact.transferred", "contact.accepted",
          "contact.coordination_opened", "contact.coordination_agreed", "contact.referred",
          "contact.replied", "contact.feedback", "contact.on_site", "contact.called_back",
          "contact.closed", "contact.deadline_breached", "contact.reminder",
          "contact.escalated", "contact.decided", "violation.proposed")


class WebhookEndpoint(TenantScoped, db.Model):
    """A URL of the tenant's that receives the topics it subscribed to."""
    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Kept readable: every delivery is signed with it (shown to the administrator once).
    secret: Mapped[str] = mapped_column(String(100))
    topics: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_webhook_endpoints_tenant_active", "tenant_id", "active"),)


class WebhookDelivery(TenantScoped, db.Model):
    """One message to one endpoint: pending -> delivered | failed, with every attempt counted."""
    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    outbox_id: Mapped[int | None] = mapped_column()
    topic: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=clock.now)
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("tenant_id", "outbox_id", "endpoint_id"),
        Index("ix_webhook_deliveries_tenant_status_next", "tenant_id", "status",
              "next_attempt_at"),
        Index("ix_webhook_deliveries_tenant_endpoint", "tenant_id", "endpoint_id", "id"),
    )


def sign(secret, body):
    """The signature header's value for ``body`` (bytes)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def new_secret():
    return "whsec_" + secrets.token_urlsafe(32)


def _body(tenant, topic, payload, outbox_id, at):
    return json.dumps({"topic": topic, "event_id": outbox_id, "tenant": tenant.slug,
                       "created_at": at.isoformat(), "data": payload},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def queue_deliveries(tenant, topic, payload, outbox_id):
    """Add a delivery for every active endpoint subscribed to ``topic`` (none twice)."""
    endpoints = [e for e in db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)) if topic in e.topics]
    if not endpoints:
        return []
    done = set()
    if outbox_id is not None:
        done = set(db.session.scalars(select(WebhookDelivery.endpoint_id).where(
            WebhookDelivery.outbox_id == outbox_id)))
    now = clock.now()
    rows = [WebhookDelivery(tenant_id=tenant.id, endpoint_id=e.id, outbox_id=outbox_id,
                            topic=topic, body=_body(tenant, topic, payload, outbox_id, now),
                            status="pending", attempts=0, next_attempt_at=now, created_at=now,
                            last_error="")
            for e in endpoints if e.id not in done]
    db.session.add_all(rows)
    return rows


_opener = egress.opener()
LABEL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def post(url, body, headers):
    """POST ``body``; returns the HTTP status (an HTTP error status is returned, not raised)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


@job(queue="notify")
def deliver(tenant_id, delivery_id):
    """Attempt one pending, due delivery; a failure is recorded and retried by :func:`retry_due`."""
    now = clock.now()
    row = retries.claim(WebhookDelivery, delivery_id, now)
    if row is None:
        return None                 # delivered, failed, not due yet, or another worker's
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    if endpoint is None or not endpoint.active:
        retries.failed_attempt(row, now, "endpoint disabled", BASE, CAP, MAX_ATTEMPTS,
                               permanent=True)
        return row
    body = row.body.encode()
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": "Shouwen-Webhooks/1", "X-Shouwen-Event": row.topic,
               "X-Shouwen-Delivery": str(row.id),
               "X-Shouwen-Signature": sign(endpoint.secret, body)}
    try:
        status = post(endpoint.url, body, headers)
    except Exception as exc:     # noqa: BLE001  refused, timed out, DNS, a URL saved before
        row.response_code = None   # the strict check: any error is an attempt, backed off
        retries.failed_attempt(row, now, f"{type(exc).__name__}: {exc}", BASE, CAP,
                               MAX_ATTEMPTS)
        return row
    row.response_code = status
    if 200 <= status < 300:
        row.status, row.delivered_at, row.next_attempt_at, row.last_error = \
            "delivered", now, None, ""
    else:
        retries.failed_attempt(row, now, f"HTTP {status}", BASE, CAP, MAX_ATTEMPTS)
    return row


def retry_due(at):
    """For the periodic list: enqueue every pending delivery due by ``at``; returns how many."""
    return retries.retry_due(WebhookDelivery, deliver, at)


# --- administration (tenant administrators: ``webhook.manage``) ----------------------------

def _url_problem(url, parts):
    """(zh, en) of what makes ``url`` unusable as a webhook target, or None: parsed strictly,
    so that what is saved is exactly what the delivery will send to."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") or c.isspace() for c in url):
        return ("网址中不能有空格或控制字符。",
                "The URL must not contain spaces or control characters.")
    if len(url) > 500 or parts.scheme not in ("http", "https") or not parts.hostname:
        return ("请填写以 http:// 或 https:// 开头的完整网址。",
                "Enter a full URL starting with http:// or https://.")
    if "@" in parts.netloc:
        return ("网址中不能含用户名或密码。", "The URL must not contain a user name or password.")
    if not _valid_host(parts.hostname):
        return ("网址中的主机名无效。", "The host name in this URL is not valid.")
    if not (url[len(parts.scheme) + 3 + len(parts.netloc):]).isascii():
        return ("网址的路径须为 ASCII（非 ASCII 字符请用百分号编码）。",
                "The path of the URL must be ASCII (percent-encode other characters).")
    return None


def _valid_host(host):
    """A DNS name (IDNA for non-ASCII) or an IP address literal."""
    if ":" in host:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host[:-1].split(".") if ascii_host.endswith(".") else ascii_host.split(".")
    return len(ascii_host) <= 253 and all(LABEL.match(label) for label in labels)


def validate_url(url):
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:          # e.g. an unbalanced IPv6 bracket
        parts = urlsplit("")
    problem = _url_problem(url, parts)
    if problem:
        raise Invalid({"zh": problem[0], "en": problem[1]}, fields={"url": [problem[1]]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    if port is None:
        raise Invalid({"zh": "网址中的端口无效。", "en": "The port in this URL is not valid."},
                      fields={"url": ["The port in this URL is not valid."]})
    blocked = egress.refused_host(parts.hostname, port)
    if blocked:
        message = (f"This address is on an internal network ({blocked}); webhooks go to "
                   "public Internet addresses only.")
        raise Invalid({"zh": f"该地址属于内部网络（{blocked}），回调只能发往公网地址。",
                       "en": message}, fields={"url": [message]})
    return url


def validate_topics(topics):
    topics = [t for t in dict.fromkeys(topics or []) if t]
    unknown = [t for t in topics if t not in TOPICS]
    if not topics or unknown:
        message = "Unknown topics: " + ", ".join(unknown) + "." if unknown \
            else "Choose at least one topic."
        raise Invalid({"zh": "请至少选择一个有效的主题。", "en": message},
                      fields={"topics": [message]})
    return topics


def create_endpoint(actor, url, topics, description=""):
    """A new active endpoint; returns it (its secret is shown to the administrator once)."""
    require(actor, "webhook.manage")
    endpoint = WebhookEndpoint(tenant_id=actor.tenant_id, url=validate_url(url),
                               topics=validate_topics(topics),
                               description=(description or "").strip()[:200],
                               secret=new_secret(), active=True, created_by_id=actor.id,
                               created_at=clock.now())
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update_endpoint(actor, endpoint, url, topics, description="", active=True):
    require(actor, "webhook.manage")
    endpoint.url, endpoint.topics = validate_url(url), validate_topics(topics)
    endpoint.description, endpoint.active = (description or "").strip()[:200], bool(active)
    return endpoint


def rotate_secret(actor, endpoint):
    """A new secret (deliveries from now on, retries included, are signed with it)."""
    require(actor, "webhook.manage")
    endpoint.secret, endpoint.secret_rotated_at = new_secret(), clock.now()
    return endpoint


def send_test(actor, endpoint, tenant):
    """Queue a ``webhook.test`` delivery to the endpoint, sent after the commit."""
    require(actor, "webhook.manage")
    now = clock.now()
    payload = {"message": "Test delivery from Shouwen", "requested_by": actor.username,
               "endpoint_id": endpoint.id}
    row = WebhookDelivery(tenant_id=tenant.id, endpoint_id=endpoint.id, outbox_id=None,
                          topic=TEST_TOPIC, body=_body(tenant, TEST_TOPIC, payload, None, now),
                          status="pending", attempts=0, next_attempt_at=now, created_at=now,
                          last_error="")
    db.session.add(row)
    db.session.flush()
    deliver.enqueue(tenant.id, row.id)
    return row


def deliveries(endpoint_id, before=None, limit=50):
    """The delivery log of one endpoint, newest first."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if before:
        stmt = stmt.where(WebhookDelivery.id < before)
    return db.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit)).all()
