"""Customers look up the progress of their matter: the query code and the look-up.

The scheme (docs/progress.md): registration gives every contact a random **query code**,
six characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed for the
customer beside the reference number.  The database keeps only a salted SHA-256 of it,
so the code in clear exists once, in the registering request (``ctx.query_code``), and
staff see it while they work on the new contact; a lost code is replaced by issuing a
new one (the old one stops working).  Contacts registered before the codes existed have
none: their customer answers with the last four digits of the phone number on record.

A look-up answers "not found" the same way for an unknown reference, a wrong code and
another tenant's reference (tenant scoping: such a contact is simply not there), and the
comparison takes the same work in each case.  Rate limits are the view's (core.web.progress).
"""
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select

from core.contacts import events
from core.contacts.models import Contact
from core.errors import Forbidden, NotFound
from core.extensions import db
from core.tenancy.permissions import can

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"     # 31 symbols: 31**6 is about 8.9e8 codes
CODE_LENGTH = 6
PHONE_DIGITS = 4
SCHEME = "s256"
_SEPARATORS = re.compile(r"[\s\-_.]+")
# Compared against when there is no contact, so an unknown reference costs what a wrong code
# costs (the hash of a code nobody holds).
_DUMMY = f"{SCHEME}$0000000000000000$" + "0" * 64


class NoMatch(NotFound):
    """The one answer to every failed look-up: unknown reference, wrong code, other tenant."""

    def __init__(self):
        super().__init__({"zh": "没有找到与此受理编号和查询码相符的事项。",
                          "en": "No matter matches this reference number and query code."})


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text):
    """What the customer typed, as stored: upper case, without spaces or hyphens."""
    return _SEPARATORS.sub("", text or "").upper()


def normalise_ref(text):
    return (text or "").strip().upper()


def _digest(salt, code):
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def hash_code(code):
    salt = secrets.token_hex(8)
    return f"{SCHEME}${salt}${_digest(salt, normalise_code(code))}"


def _matches(stored, code):
    try:
        scheme, salt, digest = stored.split("$")
    except (AttributeError, ValueError):
        scheme, salt, digest = _DUMMY.split("$")
    return hmac.compare_digest(_digest(salt, code), digest) and scheme == SCHEME


def _phone_tail(phone):
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


def issue_query_code(ctx):
    """Give the contact of ``ctx`` a new query code: the hash on the contact (no statement of
    its own: it goes out with the contact's INSERT or next UPDATE), the code in clear on
    ``ctx.query_code`` for the page or answer that prints it.  Returns the code."""
    code = new_code()
    ctx.contact.query_code_hash = hash_code(code)
    ctx.query_code = code
    return code


def may_reissue(actor, contact):
    return actor.id == contact.owner_id or can(actor, "contact.query_code_any")


def reissue_query_code(ctx, actor):
    """A customer lost the code: the owner (or a supervisor) issues a new one; the old one
    stops working.  The event keeps who did it and when, never the code."""
    if not may_reissue(actor, ctx.contact):
        raise Forbidden({"zh": "只有首问责任人或主管可以重新生成查询码。",
                         "en": "Only the first-inquiry owner or a supervisor may issue a new "
                               "query code."}, code="forbidden")
    code = issue_query_code(ctx)
    events.record(ctx, "query_code_issued", actor)
    return code


def look_up(ref, code):
    """The contact with reference ``ref`` of the tenant in scope whose query code (or, if it
    has none, the last four phone digits) is ``code``; raises :class:`NoMatch` otherwise."""
    ref, code = normalise_ref(ref), normalise_code(code)
    contact = db.session.scalars(select(Contact).where(Contact.ref == ref)).first()
    if contact is not None and contact.query_code_hash is None:
        tail = _phone_tail(contact.customer.phone)
        # The fallback compares digits in constant time too; no phone, no look-up.
        ok = tail is not None and hmac.compare_digest(tail.encode(), code.encode())
        _matches(None, code)                       # the same hashing work as any other answer
    else:
        ok = _matches(contact.query_code_hash if contact is not None else None, code)
    if contact is None or not ok:
        raise NoMatch()
    return contact
