"""Security headers on every response (one after-request hook, docs/security.md).

The pages load scripts and style sheets from ``/static`` only; the few pages that keep a
``<style>`` block of their own mark it with the request's nonce (``csp_nonce()`` in the
templates), so no inline script or style attribute runs, and no page may be framed
(clickjacking).
"""
import secrets

from flask import g

_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
           "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000"


def csp_nonce():
    """This request's nonce for the ``<style nonce=...>`` of a template (made once)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _POLICY.format(nonce=csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Query codes travel in progress-page URLs: never hand them to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _add_hsts(response):
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app):
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    if app.config.get("SHOUWEN_ENV") == "production":
        # Production cookies are Secure already (core.config): the site is HTTPS-only.
        app.after_request(_add_hsts)
