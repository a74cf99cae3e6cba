"""Receipt codes: 28 characters from Crockford's base32 alphabet (no I, L, O or U), drawn by
``secrets``: 140 bits, read aloud as four groups of seven.

The code itself is never stored. A report keeps an HMAC-SHA256 lookup key (peppered with a key
derived from ``SECRET_KEY``, so a dump alone cannot test guesses against it) and an Argon2 hash
that a look-up verifies. Every look-up runs exactly one Argon2 verification, against a dummy
hash when no report has the key, so a miss takes as long as a hit.
"""

import hashlib
import hmac
import secrets
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 4
GROUP_LENGTH = 7
LENGTH = GROUPS * GROUP_LENGTH
BITS = LENGTH * 5
# What people type for the characters the alphabet leaves out (Crockford's decoding).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_PEPPER_SALT = b"zhengdun.integrity.portal.receipt"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def groups(code: str) -> list[str]:
    return [code[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH)]


def formatted(code: str) -> str:
    return "-".join(groups(code))


def normalize(text: str) -> str | None:
    """The code as typed (any case, spaces or hyphens, full-width characters, O for 0) in its
    canonical form; None when it cannot be a code."""
    text = unicodedata.normalize("NFKC", text or "").upper().translate(_READ_AS)
    code = "".join(ch for ch in text if not (ch.isspace() or ch in "-_–—.·"))
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def _pepper(secret: str) -> bytes:
    return hashlib.sha256(_PEPPER_SALT + b"\x00" + secret.encode()).digest()


def lookup_key(code: str, secret: str | None = None) -> str:
    secret = settings.SECRET_KEY if secret is None else secret
    return hmac.new(_pepper(secret), code.encode(), hashlib.sha256).hexdigest()


def lookup_keys(code: str) -> list[str]:
    """The key under the current secret first, then under each fallback secret (a rotated
    ``SECRET_KEY`` keeps old receipts working while it is listed in the fallbacks)."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [lookup_key(code, secret) for secret in secrets_]


def prefix_key(code: str) -> str:
    """A short peppered tag of the first group, for throttling guesses at one receipt: a
    reporter who mistypes a later group is slowed down on their own code only."""
    return lookup_key(code[:GROUP_LENGTH])[:16]


def _params() -> tuple[tuple[str, int], ...]:
    return tuple(sorted(getattr(settings, "ZHENGDUN_PORTAL_ARGON2", {}).items()))


def hasher() -> PasswordHasher:
    return PasswordHasher(**dict(_params()))


def slow_hash(code: str) -> str:
    return hasher().hash(code)


@cache
def _dummy_hash(params: tuple[tuple[str, int], ...]) -> str:
    return PasswordHasher(**dict(params)).hash(secrets.token_urlsafe(24))


def verify(stored_hash: str | None, code: str) -> bool:
    """Verify a code against a report's hash; with no report, verify against a dummy hash all
    the same (and fail), so both cases cost one Argon2 verification."""
    params = _params()
    target = stored_hash or _dummy_hash(params)
    try:
        matched = PasswordHasher(**dict(params)).verify(target, code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matched) and stored_hash is not None
