"""What every domain function needs about one contact: its tenant, policy and calendar."""
from dataclasses import dataclass, field

from sqlalchemy import inspect

from core import clock
from core.deadlines import clocks
from core.extensions import db
from core.policy import versions as policies
from core.policy.plugins import manager
from core.tenancy import locks


@dataclass
class ContactContext:
    tenant: object
    contact: object
    policy: dict
    hooks: object
    calendar: object
    at: object = field(default_factory=clock.now)
    events: list = field(default_factory=list)   # recorded through this context, in order
    query_code: str | None = None   # a progress query code issued now, in clear (core.progress.codes)
    # Another request's step committed between this request finding the contact and taking
    # its row lock (:func:`lock`): a refusal now is a conflict (409), not "not you" (403).
    changed_under_us: bool = False


def for_contact(tenant, contact, at=None, evaluate=False):
    """The context of an existing contact: the policy version it was registered under.

    ``evaluate=True`` (before an action changes the contact) first locks the contact's row
    and re-reads it (:func:`lock`), then breaches any of its clocks already past due, so the
    action's guard sees, and the action records, the true state.
    """
    changed = lock(contact) if evaluate else False
    pack_key, policy = policies.load(contact.policy_version_id)
    ctx = ContactContext(tenant=tenant, contact=contact, policy=policy,
                         hooks=manager().hooks_for(pack_key),
                         calendar=clocks.calendar_for(tenant, policy), at=at or clock.now(),
                         changed_under_us=changed)
    if evaluate:
        clocks.evaluate(ctx)
    return ctx


def _columns(contact):
    """The contact's loaded column values (reading none that is not loaded)."""
    loaded = contact.__dict__
    return {a.key: loaded.get(a.key) for a in inspect(type(contact)).column_attrs}


def lock(contact):
    """``SELECT ... FOR UPDATE`` the contact's row and refresh it (and its relations) from it.

    Every step that changes a contact comes through here before its guard runs, so steps on
    one contact run one after the other on PostgreSQL: a second step waits for the first to
    commit and then sees its result (SQLite ignores FOR UPDATE: its writers are serialised
    by ``BEGIN IMMEDIATE``, ``core.db.sqlite_writers``).  Contact before clock is the lock
    order of every path (``core.deadlines.breaches``).  Returns whether the row had changed
    since this request read it.
    """
    before = _columns(contact)
    db.session.expire(contact)          # its loaded relations too
    locks.locked(contact)
    return _columns(contact) != before
