"""Password hashing at OWASP strength: argon2id (argon2-cffi defaults: t=3, m=64 MiB, p=4)."""
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password):
    return _hasher.hash(password)


@functools.cache
def _dummy_hash():
    """A hash of the current parameters that no password matches in practice: checked for
    unknown names so that they cost what a known name costs (no user names by timing)."""
    return _hasher.hash("no such account: equal work for unknown names")


def verify(stored, password):
    """``(ok, new_hash)``: whether ``password`` matches ``stored``, and a fresh hash when it
    does but ``stored`` was made with other parameters (else None) for the caller to keep.

    An empty ``stored`` (no account, or no password set yet) is checked against the dummy
    hash and never matches: the same work either way."""
    try:
        ok = _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not stored or not ok:
        return False, None
    return True, (hash_password(password) if _hasher.check_needs_rehash(stored) else None)


def check_password(stored, password):
    return verify(stored, password)[0]
