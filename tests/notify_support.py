"""Helpers for the notification tests: outbox-like messages built from real events,
a real local SMTP server (aiosmtpd) and a real local HTTP receiver (http.server).

Until the jobs branch's outbox is merged, a test turns a contact event that the
lifecycle really recorded into the payload the outbox will carry (contract §2)
and hands it to ``notifications.fan_out_message``.
"""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from core.contacts.models import Contact, ContactEvent
from core.extensions import db
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped


def tenant_id(slug):
    with unscoped():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def staff(slug, username):
    with tenant_scope(tenant_id(slug)):
        return db.session.scalars(select(Staff).where(Staff.username == username)).one()


def event_payload(slug, ref, kind):
    """(contact id, outbox-like payload) of the contact's last ``kind`` event."""
    with tenant_scope(tenant_id(slug)):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        event = db.session.scalars(select(ContactEvent).where(
            ContactEvent.contact_id == contact.id, ContactEvent.kind == kind)
            .order_by(ContactEvent.id.desc())).first()
        assert event is not None, f"no {kind} event on {ref}"
        return contact.id, {"event_id": event.id, "contact_id": contact.id, "ref": contact.ref,
                            "kind": kind, "actor_id": event.actor_id,
                            "at": event.at.isoformat(), "details": dict(event.details)}


def fan_out_event(slug, ref, kind, outbox_id=None, commit=True):
    """Fan out the contact's last ``kind`` event as topic ``contact.<kind>``; commits (which
    runs the e-mail and webhook jobs) unless told not to.  Returns the created rows."""
    from core.notify import inbox as notifications
    contact_id, payload = event_payload(slug, ref, kind)
    tid = tenant_id(slug)
    with tenant_scope(tid):
        result = notifications.fan_out_message(tid, f"contact.{kind}", payload, contact_id,
                                               outbox_id or payload["event_id"])
        if commit:
            db.session.commit()
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) keeping what it receives."""

    def __init__(self, port=None):
        from aiosmtpd.controller import Controller
        self.messages = []
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy
        self.messages.append((envelope.rcpt_tos,
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"


class Receiver:
    """A real HTTP endpoint in a thread; answers with the next status of ``statuses``
    (then 200) and records every request (headers, raw body)."""

    def __init__(self, statuses=()):
        self.statuses, self.requests = list(statuses), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/shouwen"
