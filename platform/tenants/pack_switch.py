"""Switching a tenant to another sector pack: a preview of what changes, then the switch.

The switch is a new policy version under the new pack (``policies.create_version``, the one
place every policy change goes), so contacts registered before keep their version and rules.
The tenant's overrides are carried over where they still make sense: each one is tried
against the new pack and those that no longer validate are dropped, with the reason.
Departments the new pack's rules refer to (escalation chain, copies, coordinator) and that
the tenant lacks can be created in the same step.
"""
import copy
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import select

from core.extensions import db
from core.policy import versions as policies
from core.policy.diff import diff
from core.policy.plugins import manager
from core.policy.schema import effective_policy
from core.tenancy.models import Department
from tenants.policy_editor import MISSING

# Sections the preview compares, in the order people read them.
COMPARED = ("matter_types", "deadlines", "escalation", "transfer", "callback", "wording",
            "penalties", "assessment", "calendar")
# When a problem cannot be traced to one override, these sections' overrides are dropped
# first: the other sections refer to them (department codes, role keys, matter types).
REFERENCED = ("departments", "roles", "matter_types", "channels")


@dataclass
class Dropped:
    path: tuple
    value: object
    reason: list          # the validation messages that made it inapplicable


@dataclass
class Preview:
    pack: object                      # core.rules.Pack
    overrides: dict                   # the overrides carried over
    dropped: list                     # [Dropped]
    document: dict                    # the effective policy after the switch
    changes: dict = field(default_factory=dict)       # section -> [Change]
    missing_departments: list = field(default_factory=list)   # department docs to offer


def _paths(messages, path=()):
    """Every path a (nested) marshmallow message dict points at, with its messages."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            key = int(key) if isinstance(key, str) and key.isdigit() else key
            yield from _paths(value, path + ((key,) if key not in ("_key", "_schema") else ()))
    else:
        yield path, messages if isinstance(messages, list) else [messages]


def _pop(overrides, path):
    """Remove the longest prefix of ``path`` present in ``overrides``; returns (prefix, value)."""
    node, found = overrides, None
    for i, key in enumerate(path):
        if isinstance(node, dict) and key in node:
            found = (path[:i + 1], node)
            node = node[key]
        else:
            break
    if found is None:
        return None
    prefix, parent = found
    value = parent.pop(prefix[-1])
    _prune_empty(overrides, prefix[:-1])
    return prefix, value


def _prune_empty(overrides, path):
    while path:
        parent = overrides
        for key in path[:-1]:
            parent = parent[key]
        if parent.get(path[-1]) == {}:
            parent.pop(path[-1])
            path = path[:-1]
        else:
            return


def carry_over(pack_policy, overrides):
    """``(kept overrides, [Dropped])``: the overrides that still validate with ``pack_policy``."""
    kept, dropped = copy.deepcopy(overrides or {}), []
    fallback = [s for s in REFERENCED] + list(COMPARED) + ["reminders"]
    for _ in range(200):           # every round drops at least one override
        try:
            effective_policy(pack_policy, kept)
            return kept, dropped
        except ValidationError as err:
            removed = False
            for path, messages in _paths(err.messages):
                popped = _pop(kept, path)
                if popped is not None:
                    dropped.append(Dropped(popped[0], popped[1], messages))
                    removed = True
            if not removed:                 # caused by an override elsewhere (a reference)
                section = next((s for s in fallback if s in kept), None)
                if section is None:
                    break
                dropped.append(Dropped((section,), kept.pop(section),
                                       [m for _, ms in _paths(err.messages) for m in ms]))
    return {}, dropped + [Dropped((k,), v, []) for k, v in kept.items()]


def _existing_codes():
    return set(db.session.scalars(select(Department.code)))


def preview(current, pack_key):
    """What switching from the ``current`` version to ``pack_key`` would do."""
    pack = manager().get(pack_key)
    kept, dropped = carry_over(pack.policy, current.overrides)
    document = effective_policy(pack.policy, kept)
    changes = {}
    for section in COMPARED:
        found = diff({section: current.document.get(section, {})},
                     {section: document.get(section, {})})
        if section == "matter_types":     # names of types gained or lost, not their insides
            found = [c for c in found if len(c.path) == 2 and MISSING in (c.old, c.new)]
        if found:
            changes[section] = found
    codes = _existing_codes()
    missing = [d for d in document["departments"] if d["code"] not in codes]
    return Preview(pack, kept, dropped, document, changes, missing)


def switch(tenant, by, pack_key, note="", create_departments=()):
    """Switch to ``pack_key``: a new version with the overrides that carry over, and the
    chosen missing departments created.  Returns ``(version, [created Department])``."""
    current = policies.latest_for_change(tenant)      # a second switch at once waits here
    if pack_key == tenant.pack_key:
        raise ValidationError({"pack": ["This is already the current pack."]})
    try:
        manager().get(pack_key)
    except LookupError:
        raise ValidationError({"pack": ["Unknown pack."]}) from None
    found = preview(current, pack_key)
    version = policies.create_version(tenant, found.overrides, by=by, note=note,
                                      pack_key=pack_key)
    created = []
    wanted = set(create_departments)
    for dept in found.missing_departments:
        if dept["code"] in wanted:
            row = Department(tenant_id=tenant.id, code=dept["code"], name_zh=dept["name"]["zh"],
                             name_en=dept["name"]["en"],
                             duties_zh=(dept.get("duties") or {}).get("zh", ""),
                             duties_en=(dept.get("duties") or {}).get("en", ""),
                             matter_types=dept.get("matter_types", []),
                             location=dept.get("location", ""), phone=dept.get("phone", ""))
            db.session.add(row)
            created.append(row)
    db.session.flush()
    return version, created


__all__ = ["preview", "switch", "carry_over"]
