"""The one injectable clock.

Everything that needs "now" calls :func:`now`.  The setting ``SHOUWEN_NOW``
(an ISO instant) fixes it for demos, training and acceptance tests; tests can
also pin it with :func:`frozen`.  ``create_app`` refuses ``SHOUWEN_NOW`` in
production mode.
"""
import contextlib
import contextvars
from datetime import datetime, timezone

_fixed = contextvars.ContextVar("shouwen_fixed_now", default=None)
_configured = None   # set from SHOUWEN_NOW by create_app


def parse_instant(value):
    """Parse an ISO 8601 instant; a naive value is taken as UTC."""
    dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def configure(value):
    global _configured
    _configured = parse_instant(value) if value else None


def now():
    """The current instant, timezone-aware UTC."""
    return _fixed.get() or _configured or datetime.now(timezone.utc)


def standing_still():
    """Whether ``SHOUWEN_NOW`` fixes the clock for the whole process (a demo): then nothing
    ever "becomes older", and grace periods measured on this clock must not be waited for."""
    return _configured is not None


@contextlib.contextmanager
def frozen(instant):
    """Run a block with the clock fixed at ``instant`` (a datetime or ISO string)."""
    if isinstance(instant, str):
        instant = parse_instant(instant)
    token = _fixed.set(instant.astimezone(timezone.utc))
    try:
        yield instant
    finally:
        _fixed.reset(token)
