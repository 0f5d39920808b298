"""The tenant's SMS gateway: its configuration, the signed request, one attempt.

Chinese SMS providers (Aliyun 短信服务, Tencent Cloud SMS) take a POST with an access key id,
a sign name (签名) and an approved template (模板), signed with HMAC over a canonical string
of the sorted parameters plus a timestamp and a nonce.  We send that common shape to the
HTTP endpoint the tenant configures (usually a small relay of theirs in front of the
provider's SDK); the exact scheme is in docs/notifications.md ("SMS gateway").

The secret is kept encrypted (Fernet, with a key derived from the app's ``SECRET_KEY``),
never shown back (the page says only that one is set) and never logged.  The endpoint URL is
checked like a webhook's (``core.notify.webhooks.validate_url``) and every request goes out
through ``core.notify.egress`` (no internal addresses, no redirects, no proxy).
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.db.types import UTCDateTime
from core.errors import Invalid
from core.extensions import db
from core.notify import egress, webhooks
from core.tenancy.permissions import require
from core.tenancy.scoping import TenantScoped

TIMEOUT = 10
SIGNATURE_METHOD = "HMAC-SHA256"
USER_AGENT = "Shouwen-SMS/1"
ACCESS_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
TEMPLATE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")


class SmsGateway(TenantScoped, db.Model):
    """The one SMS gateway of a tenant (none: no SMS is sent, and staff see that)."""
    __tablename__ = "sms_gateways"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    access_key_id: Mapped[str] = mapped_column(String(100))
    # Fernet token of the secret (see module docstring); never rendered, never logged.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    sign_name: Mapped[str] = mapped_column(String(40))
    template_code: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_sms_gateways_tenant"),)

    def __repr__(self):          # never the secret, not even encrypted, in a log line
        return f"<SmsGateway {self.id} {self.url}>"


# --- the secret ------------------------------------------------------------------------------

def _fernet():
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"shouwen sms gateway secret").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(secret):
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token):
    """The secret, or None when it cannot be read (the app's SECRET_KEY was changed)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


# --- configuration (tenant administrators: ``sms.manage``) ----------------------------------

def gateway():
    """The tenant's gateway, or None."""
    return db.session.scalars(select(SmsGateway)).first()


def usable_gateway():
    """The gateway when it is configured and active, else None."""
    found = gateway()
    return found if found is not None and found.active else None


def _checked(data, existing):
    """The cleaned configuration; every problem at once, as field messages (422)."""
    problems = {}
    try:
        url = webhooks.validate_url(data.get("url"))
    except Invalid as err:
        url, problems = None, dict(err.fields)
    key_id = (data.get("access_key_id") or "").strip()
    if not ACCESS_KEY.match(key_id):
        problems["access_key_id"] = [
            "The access key id is letters, digits, '.', '-' or '_' (at most 100)."]
    secret = data.get("secret") or ""
    if secret and (len(secret) > 200 or not secret.isprintable() or secret != secret.strip()):
        problems["secret"] = [
            "The secret is printable characters without spaces around (at most 200)."]
    if not secret and existing is None:
        problems["secret"] = ["Enter the secret."]
    sign_name = (data.get("sign_name") or "").strip()
    if not sign_name or len(sign_name) > 40 or not sign_name.isprintable():
        problems["sign_name"] = ["Enter the sign name (at most 40 characters)."]
    template = (data.get("template_code") or "").strip()
    if not TEMPLATE_CODE.match(template):
        problems["template_code"] = [
            "The template code is letters, digits, '.', '-' or '_' (at most 60)."]
    if problems:
        raise Invalid({"zh": "短信网关的设置有误，请按提示修改。",
                       "en": "The SMS gateway settings need correcting (see the fields)."},
                      fields=problems)
    return {"url": url, "access_key_id": key_id, "secret": secret, "sign_name": sign_name,
            "template_code": template, "active": bool(data.get("active", True))}


def configure(actor, data):
    """Create or change the tenant's gateway.  An empty secret keeps the one set before."""
    require(actor, "sms.manage")
    existing = gateway()
    clean = _checked(data, existing)
    row = existing or SmsGateway(tenant_id=actor.tenant_id)
    row.url, row.access_key_id = clean["url"], clean["access_key_id"]
    row.sign_name, row.template_code = clean["sign_name"], clean["template_code"]
    row.active, row.updated_by_id, row.updated_at = clean["active"], actor.id, clock.now()
    if clean["secret"]:
        row.secret_encrypted = encrypt(clean["secret"])
    if existing is None:
        db.session.add(row)
    db.session.flush()
    return row


# --- the signed request ----------------------------------------------------------------------

def _enc(value):
    """RFC 3986 percent-encoding, as the providers' signatures use (space is %20, ~ stays)."""
    return quote(str(value), safe="-_.~")


def string_to_sign(method, path, params):
    """``METHOD \\n path \\n k1=v1&k2=v2…`` (keys sorted, keys and values percent-encoded)."""
    canonical = "&".join(f"{_enc(k)}={_enc(params[k])}" for k in sorted(params))
    return f"{method}\n{path or '/'}\n{canonical}"


def signature(secret, method, path, params):
    digest = hmac.new(secret.encode(), string_to_sign(method, path, params).encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def request_parts(row, phone, template_params, content, out_id, at=None, nonce=None):
    """``(body bytes, headers)`` of one attempt: a fresh timestamp and nonce each time."""
    body = {"PhoneNumbers": phone, "SignName": row.sign_name,
            "TemplateCode": row.template_code,
            "TemplateParam": json.dumps(template_params, ensure_ascii=False, sort_keys=True,
                                        separators=(",", ":")),
            "Content": content, "OutId": str(out_id)}
    at = (at or clock.now()).astimezone(timezone.utc)
    headers = {"X-Sms-AccessKeyId": row.access_key_id,
               "X-Sms-Timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "X-Sms-Nonce": nonce or secrets.token_hex(16),
               "X-Sms-SignatureMethod": SIGNATURE_METHOD}
    params = {**body, "AccessKeyId": headers["X-Sms-AccessKeyId"],
              "Timestamp": headers["X-Sms-Timestamp"], "SignatureNonce": headers["X-Sms-Nonce"],
              "SignatureMethod": SIGNATURE_METHOD}
    secret = decrypt(row.secret_encrypted)
    if secret is None:
        raise ValueError("the gateway secret cannot be read (enter it again)")
    headers["X-Sms-Signature"] = signature(secret, "POST", urlsplit(row.url).path, params)
    headers.update({"Content-Type": "application/json; charset=utf-8",
                    "User-Agent": USER_AGENT})
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return raw, headers


_opener = egress.opener()


def send(row, phone, template_params, content, out_id):
    """One attempt; returns the HTTP status (an error status is returned, not raised)."""
    body, headers = request_parts(row, phone, template_params, content, out_id)
    request = urllib.request.Request(row.url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
