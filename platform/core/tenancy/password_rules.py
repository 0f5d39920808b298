"""How strong a new password must be: one rule for sign-up, set-password links and operators.

zxcvbn (Dropbox's estimator, the Python port) scores how many guesses a password takes,
knowing common passwords, names, dictionary words, dates, keyboard walks and l33t
substitutions.  A password passes with at least 10 characters (OWASP ASVS 2.1.1 asks 12
for a single factor, NIST SP 800-63B at least 8; 10 is a reception-desk compromise that
zxcvbn then backs up) and a score of 3 or more ("safely unguessable: moderate protection
from offline slow-hash scenario", about 10^8 guesses, which argon2id makes slow), and
must not contain the user name, the organisation's address or its name.  The messages
are English message ids; the web layer translates them (tenants/web/admin_text.py).
"""
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 200           # argon2 hashes anything, but a form field needs a bound
MIN_SCORE = 3

TOO_SHORT = "Use at least 10 characters."            # MIN_LENGTH
TOO_LONG = "Use at most 200 characters."              # MAX_LENGTH
CONTAINS_NAME = "Must not contain your user name or the organisation's address or name."
GUESSABLE = ("Too easy to guess. Avoid common passwords, names, dates and keyboard patterns; "
             "a few unrelated words or a long phrase work well.")
MISMATCH = "The two passwords differ."


def problems(password, *personal):
    """A list of message ids (English); empty when the password is acceptable.

    ``personal`` are words the password must not contain (user name, slug, names).
    """
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    lowered = password.lower()
    words = [w.strip().lower() for w in personal if w and len(w.strip()) >= 3]
    if any(w in lowered for w in words):
        return [CONTAINS_NAME]
    # zxcvbn's time grows with length; the first 100 characters say enough.
    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_SCORE:
        return [GUESSABLE]
    return []


def check(password, confirmation, *personal):
    """Like :func:`problems`, also comparing the confirmation."""
    found = problems(password, *personal)
    if not found and password != confirmation:
        found = [MISMATCH]
    return found
