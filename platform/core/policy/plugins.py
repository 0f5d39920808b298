"""The plugin manager: packs found through entry points, plus the core defaults.

``pm`` holds every pack and the core default plugin.  Decision hooks are
asked per tenant through :func:`hooks_for`, a caller restricted to that
tenant's pack and the defaults (``PluginManager.subset_hook_caller``), so one
pack's answer never leaks into another tenant's decision.
"""
import importlib.metadata

import pluggy

from core import hookspecs
from core.policy import default_rules

GROUP = "shouwen.policy_packs"


class UnknownPack(LookupError):
    pass


class _PackHooks:
    """Attribute access to hook callers limited to one pack and the defaults."""

    def __init__(self, manager, key):
        self._manager, self._key = manager, key

    def __getattr__(self, name):
        others = [p for k, p in self._manager.pack_plugins.items() if k != self._key]
        caller = self._manager.pm.subset_hook_caller(name, remove_plugins=others)
        setattr(self, name, caller)
        return caller


class PackManager:
    def __init__(self, load_entry_points=True, extra=()):
        self.pm = pluggy.PluginManager("shouwen")
        self.pm.add_hookspecs(hookspecs)
        self.pm.register(default_rules, name="core.policy.default_rules")
        self.packs = {}          # key -> core.rules.Pack
        self.pack_plugins = {}   # key -> plugin object
        if load_entry_points:
            for ep in importlib.metadata.entry_points(group=GROUP):
                self.add(ep.load(), name=f"{GROUP}:{ep.name}")
        for plugin in extra:
            self.add(plugin)
        self._hooks = {}

    def add(self, plugin, name=None):
        """Register a pack plugin (used for entry points and by tests)."""
        if self.pm.is_registered(plugin):
            return
        self.pm.register(plugin, name=name)
        caller = self.pm.subset_hook_caller(
            "shouwen_pack", remove_plugins=[p for p in self.pm.get_plugins() if p is not plugin])
        for pack in caller():
            if pack is not None:
                self.packs[pack.key] = pack
                self.pack_plugins[pack.key] = plugin
        self._hooks = {}

    def get(self, key):
        try:
            return self.packs[key]
        except KeyError:
            raise UnknownPack(key) from None

    def hooks_for(self, key):
        """Hook callers for one tenant's pack (plus core defaults)."""
        self.get(key)
        if key not in self._hooks:
            self._hooks[key] = _PackHooks(self, key)
        return self._hooks[key]


_manager = None


def manager():
    """The process-wide pack manager (built on first use)."""
    global _manager
    if _manager is None:
        _manager = PackManager()
    return _manager
