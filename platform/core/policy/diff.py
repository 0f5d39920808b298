"""Differences between two policy documents, for the version history and the pack-switch
preview: changed paths with their old and new values (words are the web layer's job)."""
from dataclasses import dataclass

MISSING = object()   # a value absent on one side (also the editor's "no default")


@dataclass
class Change:
    path: tuple
    old: object           # MISSING when the value is new
    new: object           # MISSING when the value is gone

    @property
    def added(self):
        """Items added to a list of plain values (phrases, departments copied ...)."""
        if isinstance(self.old, list) and isinstance(self.new, list):
            return [v for v in self.new if v not in self.old and not isinstance(v, (dict, list))]
        return []

    @property
    def removed(self):
        if isinstance(self.old, list) and isinstance(self.new, list):
            return [v for v in self.old if v not in self.new and not isinstance(v, (dict, list))]
        return []

    @property
    def name(self):
        return ".".join(str(p) for p in self.path)


def _leaf(value):
    return not isinstance(value, dict) or set(value) == {"amount", "unit"}


def diff(old, new, path=()):
    """The changed values from ``old`` to ``new``, as :class:`Change` s in document order.

    Dicts are compared key by key (a deadline rule is one value); lists as a whole."""
    if not _leaf(old) and not _leaf(new):
        out = []
        for key in list(old) + [k for k in new if k not in old]:
            out.extend(diff(old.get(key, MISSING), new.get(key, MISSING), path + (key,)))
        return out
    if old is MISSING and isinstance(new, dict) and not _leaf(new):
        return [c for k, v in new.items() for c in diff(MISSING, v, path + (k,))] \
            if path and path[0] != "matter_types" else [Change(path, old, new)]
    if new is MISSING and isinstance(old, dict) and not _leaf(old):
        return [c for k, v in old.items() for c in diff(v, MISSING, path + (k,))] \
            if path and path[0] != "matter_types" else [Change(path, old, new)]
    return [] if old == new else [Change(path, old, new)]


def version_diff(version, previous):
    """What a version changed against its predecessor (everything is new for version 1)."""
    return diff(previous.document if previous is not None else {}, version.document)
