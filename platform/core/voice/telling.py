"""Telling the customer (issue 13 item 6): handed over and to whom, answered, closed.

At registration the customer may give an e-mail address and/or a phone number and agree, per
channel, to be told (:func:`customer_fields` stamps each consent with its time; no consent,
nothing is sent).  Three events tell them:

* ``contact.transferred`` (not a return) and ``contact.coordination_opened``: the matter was
  handed over, with the department now handling it and the department's public phone (never
  a staff member's name or private number);
* ``contact.replied``: an answer is ready, with the link to the progress page;
* ``contact.closed``: it is closed, with the link to the progress page to rate it.

:func:`tell` is an outbox consumer (``core.notify.outbox``, after the staff fan-out): in the
drain's transaction it writes one :class:`CustomerMessage` per consented channel, in the
customer's language, and enqueues the sending after the commit.  E-mail goes through the
staff e-mails' path (``core.notify.mail``); SMS through the tenant's gateway
(``core.notify.sms``), attempted and backed off like a webhook (``core.notify.retries``).
The unique key (contact, event, channel) and the claimed attempts make a retried job send
nothing twice.  Without a gateway an SMS row is kept as ``no_gateway``, so staff see on the
contact page that it was not sent.
"""
import json
from urllib.parse import quote

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core import clock
from core.contacts.models import Contact
from core.extensions import db
from core.jobs import job
from core.notify import mail as mailer
from core.notify import retries, sms
from core.notify.mail import OutgoingEmail
from core.tenancy.models import Department, Tenant
from core.tenancy.permissions import require
from core.voice.telling_models import CustomerMessage

LANGUAGES = ("zh", "en")
BASE, CAP, MAX_ATTEMPTS = 30, 3600, 8    # as webhooks: 1, 2, 4 … 32 min, 1 h; then failed


def customer_fields(data, at):
    """The ``Customer`` columns of the registration's customer input: each consent becomes
    the time it was given, and only where there is an address to tell (the schema already
    refused a consent without one)."""
    data = dict(data or {})
    by_email, by_sms = data.pop("tell_by_email", False), data.pop("tell_by_sms", False)
    data["email_consent_at"] = at if by_email and data.get("email") else None
    data["sms_consent_at"] = at if by_sms and data.get("phone") else None
    language = data.pop("language", None)
    data["language"] = language if language in LANGUAGES else "zh"
    return data


def _what(topic, payload):
    """The kind of message an outbox topic tells the customer, or None."""
    details = payload.get("details") or {}
    if topic == "contact.transferred":
        return None if details.get("is_return") or details.get("mode") == "return" \
            else "handed_over"
    return {"contact.coordination_opened": "handed_over", "contact.replied": "answered",
            "contact.closed": "closed"}.get(topic)


def progress_link(tenant, ref):
    """The customer's progress page with the reference filled in (where they rate, too)."""
    base = (current_app.config.get("SHOUWEN_PUBLIC_URL") or "").rstrip("/")
    return f"{base}/t/{tenant.slug}/progress?ref={quote(ref or '', safe='')}"


def _handling_department(topic, payload, contact):
    details = payload.get("details") or {}
    code = details.get("lead") if topic == "contact.coordination_opened" \
        else details.get("to_department")
    if code:
        found = db.session.scalars(select(Department).where(Department.code == code)).first()
        if found is not None:
            return found
    return db.session.get(Department, contact.handler_department_id) \
        if contact.handler_department_id else None


def template_params(kind, tenant, contact, department, lang):
    """What the message says, as the SMS template's parameters (no staff name, ever)."""
    params = {"event": kind, "ref": contact.ref, "org": tenant.name,
              "link": progress_link(tenant, contact.ref)}
    if kind == "handed_over":
        params["department"] = department.name(lang) if department else ""
        params["phone"] = department.phone if department else ""
    return params


def render(kind, params, lang):
    """``(subject, text)`` in the customer's language."""
    p = {"ref": params["ref"], "org": params["org"], "link": params["link"],
         "department": params.get("department", ""), "phone": params.get("phone", "")}
    with force_locale(lang):
        if kind == "handed_over":
            subject = _("Your matter %(ref)s is now handled by %(department)s", **p)
            text = _("%(org)s: your matter %(ref)s was handed over to %(department)s, who "
                     "now handle it. Phone: %(phone)s.", **p) if p["phone"] else \
                _("%(org)s: your matter %(ref)s was handed over to %(department)s, who now "
                  "handle it.", **p)
        elif kind == "answered":
            subject = _("There is an answer to your matter %(ref)s", **p)
            text = _("%(org)s: there is an answer to your matter %(ref)s. See it here: "
                     "%(link)s", **p)
        else:
            subject = _("Your matter %(ref)s is closed", **p)
            text = _("%(org)s: your matter %(ref)s is closed. Please rate our service: "
                     "%(link)s", **p)
        footer = _("You receive this because you agreed to be told about your matter. "
                   "Check its progress with the reference number and the query code on "
                   "your notice.")
    return subject, text, footer


@job(queue="notify", retry=(5, [10, 30, 120, 600, 1800]))
def tell(tenant_id, outbox_id):
    """The outbox consumer: tell the customer of one outbox row, if it is one that tells."""
    from core.notify.outbox import OutboxMessage   # the outbox imports its consumers by name
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None or row.contact_id is None or _what(row.topic, row.payload or {}) is None:
        return []
    return tell_message(tenant_id, row.topic, row.payload or {}, row.contact_id)


def _channels(customer):
    wanted = []
    if customer.email_consent_at is not None and customer.email:
        wanted.append(("email", customer.email))
    if customer.sms_consent_at is not None and customer.phone:
        wanted.append(("sms", customer.phone))
    return wanted


def tell_message(tenant_id, topic, payload, contact_id):
    """Write the customer's messages of one event (none twice) and enqueue their sending
    after the commit; returns the rows created by this call."""
    kind, contact = _what(topic, payload), db.session.get(Contact, contact_id)
    event_id = payload.get("event_id")
    if kind is None or contact is None or event_id is None:
        return []
    wanted = _channels(contact.customer)
    done = set(db.session.scalars(select(CustomerMessage.channel).where(
        CustomerMessage.contact_id == contact.id, CustomerMessage.event_id == event_id)))
    wanted = [(channel, to) for channel, to in wanted if channel not in done]
    if not wanted:
        return []
    tenant = db.session.get(Tenant, tenant_id)
    lang = contact.customer.language if contact.customer.language in LANGUAGES else "zh"
    department = _handling_department(topic, payload, contact) if kind == "handed_over" \
        else None
    params = template_params(kind, tenant, contact, department, lang)
    subject, text, footer = render(kind, params, lang)
    now, created = clock.now(), []
    gateway = sms.usable_gateway()
    for channel, to in wanted:
        row = CustomerMessage(tenant_id=tenant_id, contact_id=contact.id, event_id=event_id,
                              topic=topic, channel=channel, to_addr=to[:200], language=lang,
                              body=text, params=json.dumps(params, ensure_ascii=False),
                              attempts=0, last_error="", created_at=now)
        if channel == "email":
            email = mailer.new(tenant_id, to, subject, f"{text}\n\n-- \n{footer}")
            db.session.add(email)
            db.session.flush()
            row.email_id, row.status = email.id, "email"
            if email.status == "pending":
                mailer.send_email.enqueue(tenant_id, email.id)
        else:
            row.status = "pending" if gateway is not None else "no_gateway"
            row.next_attempt_at = now if gateway is not None else None
        created.append(row)
    db.session.add_all(created)
    db.session.flush()
    for row in created:
        if row.status == "pending":
            send_sms.enqueue(tenant_id, row.id)
    return created


@job(queue="notify")
def send_sms(tenant_id, message_id):
    """Attempt one pending, due SMS; a failure is recorded and retried by :func:`retry_due`."""
    now = clock.now()
    row = retries.claim(CustomerMessage, message_id, now)
    if row is None:
        return None                 # sent, failed, not due yet, or another worker's
    gateway = sms.usable_gateway()
    if gateway is None:             # removed or switched off since the message was written
        row.status, row.next_attempt_at = "no_gateway", None
        return row
    try:
        status = sms.send(gateway, row.to_addr, json.loads(row.params or "{}"), row.body,
                          row.id)
    except Exception as exc:     # noqa: BLE001  refused, timed out, non-public address …
        row.response_code = None   # (the error names the URL at most, never the secret)
        retries.failed_attempt(row, now, f"{type(exc).__name__}: {exc}", BASE, CAP,
                               MAX_ATTEMPTS)
        return row
    row.response_code = status
    if 200 <= status < 300:
        row.status, row.sent_at, row.next_attempt_at, row.last_error = "sent", now, None, ""
    else:
        retries.failed_attempt(row, now, f"HTTP {status}", BASE, CAP, MAX_ATTEMPTS)
    return row


RESENDABLE = ("failed", "no_gateway")


def can_send_again(message):
    """An SMS that was not delivered may be sent again once a gateway is usable."""
    return message.channel == "sms" and message.status in RESENDABLE \
        and sms.usable_gateway() is not None


def send_again(actor, message):
    """An administrator sends an undelivered SMS again (after fixing the gateway): a fresh
    round of attempts, sent after the commit."""
    from core.errors import DomainError
    require(actor, "sms.manage")
    if not can_send_again(message):
        raise DomainError({"zh": "这条短信不能重发（已送达、仍在发送或未配置网关）。",
                           "en": "This SMS cannot be sent again (delivered, still being sent, "
                                 "or no gateway is configured)."}, code="not_resendable")
    message.status, message.attempts, message.next_attempt_at = "pending", 0, clock.now()
    message.last_error, message.response_code = "", None
    send_sms.enqueue(message.tenant_id, message.id)
    return message


def retry_due(at):
    """For the periodic list: enqueue every pending SMS due by ``at``; returns how many."""
    return retries.retry_due(CustomerMessage, send_sms, at)


def told(contact):
    """What the customer was told, newest first, for the contact page: each row with the
    delivery status staff read (an e-mail's from its e-mail row)."""
    rows = db.session.scalars(select(CustomerMessage).where(
        CustomerMessage.contact_id == contact.id).order_by(CustomerMessage.id.desc())).all()
    email_ids = [r.email_id for r in rows if r.email_id]
    emails = {e.id: e for e in db.session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.id.in_(email_ids)))} if email_ids else {}
    out = []
    for row in rows:
        email = emails.get(row.email_id)
        status = row.status
        if row.channel == "email":
            status = {"sent": "sent", "failed": "failed", "skipped": "no_smtp"}.get(
                email.status if email else "", "pending")
        out.append({"row": row, "kind": _what(row.topic, {"details": {}}) or "handed_over",
                    "status": status,
                    "attempts": email.attempts if email else row.attempts,
                    "next_attempt_at": email.next_attempt_at if email else row.next_attempt_at,
                    "error": (email.last_error if email else row.last_error) or ""})
    return out
