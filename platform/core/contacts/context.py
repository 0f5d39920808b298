"""What every domain function needs about one contact: its tenant, policy and calendar."""
from dataclasses import dataclass, field

from core import clock
from core.deadlines import clocks
from core.policy import versions as policies
from core.policy.plugins import manager


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


def for_contact(tenant, contact, at=None, evaluate=False):
    """The context of an existing contact: the policy version it was registered under.

    ``evaluate=True`` (before an action changes the contact) first breaches any of its
    clocks already past due, so the action sees and records the true state.
    """
    pack_key, policy = policies.load(contact.policy_version_id)
    ctx = ContactContext(tenant=tenant, contact=contact, policy=policy,
                         hooks=manager().hooks_for(pack_key),
                         calendar=clocks.calendar_for(tenant, policy), at=at or clock.now())
    if evaluate:
        clocks.evaluate(ctx)
    return ctx
