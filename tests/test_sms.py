"""The SMS gateway (core.notify.sms) against a real HTTP receiver on loopback that checks the
signature as docs/notifications.md tells a tenant's relay to; its administration page."""
import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

import pytest
from conftest import register
from notify_support import tenant_id
from sqlalchemy import select

from core import clock
from core.contacts.models import Contact
from core.extensions import db
from core.notify import sms
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import tenant_scope
from core.voice import telling
from core.voice.telling_models import CustomerMessage

T0 = "2026-11-02T10:00:00+08:00"
SECRET = "s3cr3t-Ab9~xyz"
KEY_ID = "LTAI5tTestKey"


def _verify(secret, path, headers, body):
    """The relay's check, written from the documentation, not from core.notify.sms."""
    def enc(v):
        return quote(str(v), safe="-_.~")
    params = json.loads(body)
    params.update(AccessKeyId=headers["x-sms-accesskeyid"], Timestamp=headers["x-sms-timestamp"],
                  SignatureNonce=headers["x-sms-nonce"],
                  SignatureMethod=headers["x-sms-signaturemethod"])
    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    expected = base64.b64encode(hmac.new(secret.encode(), f"POST\n{path}\n{canonical}".encode(),
                                         hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers.get("x-sms-signature", ""))


class SmsRelay:
    """A real HTTP server on 127.0.0.1: 401 for a bad signature, else the next of
    ``statuses`` (then 200); keeps (headers with lower-case names, body, signature valid) of
    every request."""

    def __init__(self, statuses=(), secret=SECRET):
        self.statuses, self.requests = list(statuses), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = _verify(secret, urlsplit(self.path).path, headers, body)
                outer.requests.append((headers, json.loads(body), valid))
                status = (outer.statuses.pop(0) if outer.statuses else 200) if valid else 401
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
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"


def _form(url, **extra):
    return {**{"url": url, "access_key_id": KEY_ID, "secret": SECRET, "sign_name": "示范酒店",
               "template_code": "SMS_123456", "active": "1"}, **extra}


def _configure(web_login, url, slug="demo-hotel"):
    res = web_login(slug, "admin").post("/admin/sms", data=_form(url))
    assert res.status_code == 302, res.get_data(as_text=True)[:800]


def _handover(login, frozen, language="zh"):
    with tenant_scope(tenant_id("demo-hotel")):
        dept = db.session.scalars(select(Department).where(Department.code == "engineering")).one()
        dept.phone = "0755-8888-6666"
        db.session.commit()
    security = login("demo-hotel", "security")
    with frozen(T0):
        c = register(security, matter_type="repair", customer={
            "name": "赵先生", "phone": "13800000000", "tell_by_sms": True, "language": language})
        assert security.post(f"/contacts/{c['ref']}/transfers",
                             json={"to_department": "engineering"}).status_code == 201
    return c, dept


def _sms(ref):
    with tenant_scope(tenant_id("demo-hotel")):
        contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).one()
        return db.session.scalars(select(CustomerMessage).where(
            CustomerMessage.contact_id == contact.id, CustomerMessage.channel == "sms")
            .execution_options(populate_existing=True)).all()


def test_an_sms_reaches_the_gateway_signed_and_names_no_staff(app, web_login, login, frozen):
    with tenant_scope(tenant_id("demo-hotel")):        # a private number must never be told
        for person in db.session.scalars(select(Staff)):
            person.phone = "13912345678"
        db.session.commit()
    with SmsRelay() as relay:
        _configure(web_login, relay.url)
        c, dept = _handover(login, frozen)
    [(headers, body, valid)] = relay.requests
    assert valid
    assert headers["x-sms-accesskeyid"] == KEY_ID and headers["x-sms-signaturemethod"] == \
        "HMAC-SHA256"
    assert (body["PhoneNumbers"], body["SignName"], body["TemplateCode"]) == \
        ("13800000000", "示范酒店", "SMS_123456")
    params = json.loads(body["TemplateParam"])
    assert (params["event"], params["ref"], params["department"], params["phone"]) == \
        ("handed_over", c["ref"], dept.name_zh, "0755-8888-6666")
    assert "已转交" in body["Content"]
    everything = json.dumps([headers, body], ensure_ascii=False)
    assert SECRET not in everything and "13912345678" not in everything
    with tenant_scope(tenant_id("demo-hotel")):
        for name in db.session.scalars(select(Staff.name)):
            assert name not in everything
    [row] = _sms(c["ref"])
    assert (row.status, row.attempts, row.response_code) == ("sent", 1, 200)
    assert body["OutId"] == str(row.id)


def test_a_gateway_500_is_retried_with_back_off_and_recorded(app, web_login, login, frozen):
    with SmsRelay(statuses=[500]) as relay:
        _configure(web_login, relay.url)
        c, _ = _handover(login, frozen)
        [row] = _sms(c["ref"])
        assert (row.status, row.attempts, row.response_code, row.last_error) == \
            ("pending", 1, 500, "HTTP 500")
        t0 = clock.parse_instant(T0)
        assert row.next_attempt_at == t0 + timedelta(seconds=60)
        with frozen((t0 + timedelta(seconds=30)).isoformat()):
            assert telling.retry_due(clock.now()) == 0            # not due yet
        with frozen((t0 + timedelta(seconds=61)).isoformat()):
            assert telling.retry_due(clock.now()) == 1
            db.session.commit()                                   # the enqueued job runs
        [row] = _sms(c["ref"])
        assert (row.status, row.attempts, row.response_code) == ("sent", 2, 200)
        # A retried job, after it was sent: nothing goes out again.
        with frozen((t0 + timedelta(seconds=120)).isoformat()):
            with tenant_scope(tenant_id("demo-hotel")):
                assert telling.send_sms(tenant_id("demo-hotel"), row.id) is None
                db.session.commit()
    assert [valid for _, _, valid in relay.requests] == [True, True]
    first, second = (h for h, _, _ in relay.requests)
    assert first["x-sms-nonce"] != second["x-sms-nonce"]          # each attempt signed anew
    assert {b["OutId"] for _, b, _ in relay.requests} == {str(row.id)}


def test_a_wrong_secret_is_refused_by_the_relay_and_retried(app, web_login, login, frozen):
    with SmsRelay(secret="another-secret") as relay:
        _configure(web_login, relay.url)
        c, _ = _handover(login, frozen)
    [row] = _sms(c["ref"])
    assert (row.status, row.response_code) == ("pending", 401)
    assert relay.requests[0][2] is False


def test_without_a_gateway_nothing_is_sent_and_staff_see_it(app, web_login, login, frozen):
    c, _ = _handover(login, frozen)
    [row] = _sms(c["ref"])
    assert (row.status, row.attempts) == ("no_gateway", 0)
    page = web_login("demo-hotel", "admin").get("/admin/sms?lang=en").get_data(as_text=True)
    assert "The SMS gateway is not configured: no SMS is sent." in page
    contact = web_login("demo-hotel", "security").get(f"/contacts/{c['ref']}?lang=en")
    assert contact.get_data(as_text=True).count("SMS not sent: no gateway configured") >= 1


def test_the_secret_is_encrypted_and_never_shown_back(app, web_login):
    admin = web_login("demo-hotel", "admin")
    assert admin.post("/admin/sms", data=_form("https://sms.example.com/send")).status_code == 302
    page = admin.get("/admin/sms?lang=en").get_data(as_text=True)
    assert SECRET not in page and "A secret is set; leave empty to keep it." in page
    with tenant_scope(tenant_id("demo-hotel")):
        gateway = sms.gateway()
        assert SECRET not in gateway.secret_encrypted and SECRET not in repr(gateway)
        assert sms.decrypt(gateway.secret_encrypted) == SECRET
    # Saving again with the secret left empty keeps it.
    assert admin.post("/admin/sms", data=_form("https://sms.example.com/v2",
                                               secret="")).status_code == 302
    with tenant_scope(tenant_id("demo-hotel")):
        gateway = db.session.scalars(select(sms.SmsGateway).execution_options(
            populate_existing=True)).one()
        assert gateway.url == "https://sms.example.com/v2"
        assert sms.decrypt(gateway.secret_encrypted) == SECRET
    # A 422 page does not echo a typed secret either.
    bad = admin.post("/admin/sms", data=_form("ftp://x", secret="typed-secret-123"))
    assert bad.status_code == 422 and "typed-secret-123" not in bad.get_data(as_text=True)


@pytest.mark.parametrize("field,value,message", [
    ("url", "ftp://sms.example.com", "Enter a full URL starting with http:// or https://."),
    ("url", "https://user:pw@sms.example.com/",
     "The URL must not contain a user name or password."),
    ("access_key_id", "bad key!", "The access key id is letters, digits"),
    ("secret", "  padded  ", "The secret is printable characters without spaces around"),
    ("sign_name", "", "Enter the sign name (at most 40 characters)."),
    ("template_code", "模板", "The template code is letters, digits"),
])
def test_bad_gateway_settings_answer_422_at_the_field(app, web_login, field, value, message):
    data = {**_form("https://sms.example.com/send"), field: value}
    res = web_login("demo-hotel", "admin").post("/admin/sms?lang=en", data=data)
    assert res.status_code == 422
    assert message in res.get_data(as_text=True)
    with tenant_scope(tenant_id("demo-hotel")):
        assert sms.gateway() is None


def test_several_bad_fields_are_reported_together(app, web_login):
    res = web_login("demo-hotel", "admin").post("/admin/sms?lang=en", data={
        "url": "nonsense", "access_key_id": "", "secret": "", "sign_name": "",
        "template_code": ""})
    html = res.get_data(as_text=True)
    assert res.status_code == 422
    for message in ("Enter a full URL", "Enter the secret.", "Enter the sign name",
                    "The access key id is", "The template code is"):
        assert message in html


def test_an_internal_address_is_refused_outside_tests(app, web_login, monkeypatch):
    monkeypatch.setitem(app.config, "SHOUWEN_WEBHOOK_PRIVATE_TARGETS", "deny")
    res = web_login("demo-hotel", "admin").post("/admin/sms?lang=en",
                                                data=_form("http://127.0.0.1:6379/"))
    assert res.status_code == 422
    assert "internal network" in res.get_data(as_text=True)


def test_the_delivery_checks_the_address_again(app, web_login, login, frozen, monkeypatch):
    """Saved while loopback was allowed: the attempt itself refuses it, and backs off."""
    with SmsRelay() as relay:
        _configure(web_login, relay.url)
        monkeypatch.setitem(app.config, "SHOUWEN_WEBHOOK_PRIVATE_TARGETS", "deny")
        c, _ = _handover(login, frozen)
    [row] = _sms(c["ref"])
    assert relay.requests == []
    assert row.status == "pending" and "non-public address" in row.last_error


def test_only_administrators_and_only_their_own_tenant(app, web_login):
    assert web_login("demo-hotel", "security").get("/admin/sms").status_code == 403
    assert web_login("demo-hotel", "security").post(
        "/admin/sms", data=_form("https://sms.example.com/send")).status_code == 403
    hotel_admin = web_login("demo-hotel", "admin")
    # Another tenant's page: its sign-in form, never its configuration.
    other = hotel_admin.client.get("/t/demo-property/admin/sms")
    assert other.status_code == 302 and "/t/demo-property/login" in other.location
    token = hotel_admin.csrf("/t/demo-hotel/")
    hotel_admin.client.post("/t/demo-property/admin/sms", data=_form(
        "https://sms.example.com/send", csrf_token=token))
    with tenant_scope(tenant_id("demo-property")):
        assert sms.gateway() is None


def test_another_tenants_sms_answers_404_and_a_failed_one_is_sent_again(
        app, web_login, login, frozen):
    c, _ = _handover(login, frozen)                  # no gateway yet: kept as not sent
    [row] = _sms(c["ref"])
    property_admin = web_login("demo-property", "admin")
    assert property_admin.post(f"/admin/sms/messages/{row.id}/send-again").status_code == 404
    assert _sms(c["ref"])[0].status == "no_gateway"
    with SmsRelay() as relay:
        _configure(web_login, relay.url)
        admin = web_login("demo-hotel", "admin")
        assert "Send again" in admin.get("/admin/sms?lang=en").get_data(as_text=True)
        with frozen(T0):
            assert admin.post(f"/admin/sms/messages/{row.id}/send-again").status_code == 302
    assert [valid for _, _, valid in relay.requests] == [True]
    assert _sms(c["ref"])[0].status == "sent"
