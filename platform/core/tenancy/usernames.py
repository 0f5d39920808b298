"""One rule for user names, applied wherever a name is stored, looked up or counted.

``normalise`` is Unicode NFKC, surrounding white space removed, then case-folded (and NFKC
again, as case folding can undo it): " HR", "hr\\t", "Ｈｒ" (full-width) and "HR" are all
"hr".  The rule is case-insensitive because people type their name with a stray capital
and a sign-in limit must count those tries against the one account they reach.  Stored
names are already lower-case ASCII (``tenants.admin_schemas.USERNAME``), so the rule only
changes what is typed, never whom a stored name means.
"""
import unicodedata

MAX_LENGTH = 64          # the column's width: a longer name names nobody


def normalise(raw):
    text = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "")
    return unicodedata.normalize("NFKC", text.strip().casefold())


def plausible(name):
    """Could ``name`` (normalised) be stored at all?  Over-long names and control, format or
    surrogate characters (a NUL answers 500 on PostgreSQL) name nobody: no look-up."""
    return 0 < len(name) <= MAX_LENGTH and \
        not any(unicodedata.category(ch).startswith("C") for ch in name)
