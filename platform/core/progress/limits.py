"""Rate limits of the customer's progress look-up, shared by the page and the JSON form.

Per client address: 10 failed look-ups per 15 minutes and 60 look-ups per hour in all;
per reference (of one tenant): 5 failed look-ups per 15 minutes and 20 per day, from any
address, so guessing the code of one matter from many addresses gets nowhere either
(20 guesses a day against 31**6 codes, or 10**4 phone endings for old contacts).
A failed look-up is the 404 "not found"; bad input (422) counts only towards the hourly
limit.  The page and ``/api/v1/public/<slug>/progress`` share the counters (shared
scopes); storage is Flask-Limiter's (Redis when configured).  An IPv6 client counts by its
/64.  A limit counting failures is checked before the look-up and counted after it, so
requests arriving at the same instant can each pass: the burst is bounded by the server's
concurrency, not by the limit.
"""
import ipaddress

from flask import g, request

from core.extensions import limiter
from core.progress.codes import normalise_ref

PER_ADDRESS_FAILED = "10 per 15 minutes"
PER_ADDRESS = "60 per hour"
PER_REFERENCE_FAILED = "5 per 15 minutes;20 per day"
FAILED = 404


def _address():
    """The client's address; an IPv6 client counts by its /64, which one customer's line
    (and one attacker) holds whole."""
    address = request.remote_addr or "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _reference():
    slug = (request.view_args or {}).get("slug") or getattr(g.get("tenant"), "slug", "")
    ref = request.form.get("ref") if request.method == "POST" else request.args.get("ref")
    if ref is None and request.is_json:       # the JSON form of a complaint (core.voice)
        try:
            body = request.get_json(silent=True)
        except RecursionError:                # absurdly nested JSON: the view's 400
            body = None
        ref = body.get("ref") if isinstance(body, dict) else None
    return f"{slug}|{normalise_ref(ref if isinstance(ref, str) else '')[:40]}"


def _failed(response):
    return response.status_code == FAILED


def limited(methods, on_breach):
    """Decorate a look-up view with the three shared limits; ``on_breach(limit)`` answers
    the 429 in the view's own form (page or JSON)."""
    def decorate(view):
        for value, scope, key, deduct in (
                (PER_REFERENCE_FAILED, "progress-reference-failed", _reference, _failed),
                (PER_ADDRESS_FAILED, "progress-address-failed", _address, _failed),
                (PER_ADDRESS, "progress-address", _address, None)):
            view = limiter.shared_limit(value, scope, key_func=key, methods=methods,
                                        deduct_when=deduct, on_breach=on_breach)(view)
        return view
    return decorate
