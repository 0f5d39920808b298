"""Storing an edited policy: the minimal overrides against the pack default, as a new version.

"Reset to default" in the editor is just the default value put back, which drops the override;
an override equal to the default is never stored, so a later change of the pack's default
reaches the tenant unless it really chose otherwise.
"""
import copy

from marshmallow import ValidationError

from core.policy import versions as policies
from core.policy.schema import effective_policy, validate_policy
from tenants.policy_editor import EDITOR_SECTIONS, MISSING


def pack_default(pack_key):
    """The pack's default document, normalised like a stored version (so they compare)."""
    from core.policy.plugins import manager
    return validate_policy(copy.deepcopy(manager().get(pack_key).policy))


def diff_overrides(default, proposed):
    """The minimal overrides that turn ``default`` into ``proposed`` (dicts merge, the rest
    replaces; a key the default has and the proposal lacks cannot be expressed and is kept)."""
    out = {}
    for key, value in proposed.items():
        base = default.get(key, MISSING) if isinstance(default, dict) else MISSING
        if isinstance(value, dict) and isinstance(base, dict) and not _is_rule(value):
            sub = diff_overrides(base, value)
            if sub:
                out[key] = sub
        elif base is MISSING or value != base:
            out[key] = copy.deepcopy(value)
    return out


def _is_rule(value):
    return set(value) == {"amount", "unit"}      # a deadline rule is replaced whole


def overrides_for(current_overrides, proposed, default, sections):
    """New overrides: the sections edited here from the proposal, the others as they were."""
    kept = {k: v for k, v in (current_overrides or {}).items() if k not in sections}
    changed = diff_overrides({s: default.get(s) for s in sections},
                             {s: proposed.get(s) for s in sections})
    return {**kept, **changed}


class NothingChanged(Exception):
    """The proposal equals the current version: no new version is made."""


def save(tenant, by, proposed, sections=EDITOR_SECTIONS, note="", raw_errors=None):
    """Validate the proposal and store it as a new policy version (through
    ``policies.create_version``, the one place every policy change goes).

    Raises ``ValidationError`` (messages keyed by path, nothing saved) or
    :class:`NothingChanged`.
    """
    current = policies.latest_for_change(tenant)
    default = pack_default(current.pack_key)
    overrides = overrides_for(current.overrides, proposed, default, sections)
    try:
        document = effective_policy(default, overrides)
    except ValidationError as err:
        raise ValidationError(_merge_messages(err.messages, raw_errors or {})) from None
    if raw_errors:
        raise ValidationError(raw_errors)
    if document == current.document:
        raise NothingChanged()
    return policies.create_version(tenant, overrides, by=by, note=note)


def _merge_messages(a, b):
    out = copy.deepcopy(a) if isinstance(a, dict) else {"_schema": a}
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_messages(out[key], value)
        else:
            out[key] = value
    return out

