"""The four built-in sector policy packs (hotel, property, government, bank).

Each sub-package is a pluggy plugin registered through the ``shouwen.policy_packs``
entry-point group, exactly as a third-party pack would be.
"""
