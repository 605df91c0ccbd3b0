"""User passwords: a slow, salted hash (scrypt from the standard library), Okta's default password rules, and
constant-time verification (docs/ARCHITECTURE.md "Directory").

A hash is stored as one self-describing string, so the cost can be raised later without breaking older hashes::

    scrypt$ln=15,r=8,p=1$<salt, base64url>$<32-byte key, base64url>

``ln`` is log2 of scrypt's CPU/memory cost N. N = 2**15, r = 8, p = 1 needs 32 MiB and takes ~0.1-0.2 s per hash
(OWASP's minimum is N = 2**17 with r = 8 / p = 1 or an equivalent trade; 2**15 keeps a sign-in inside a small
Lambda's budget, and ``needs_rehash`` lets a deployment raise it). The salt is 16 random bytes per hash. Nothing
here logs, and neither the password nor the hash ever appears in an exception message.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ALGORITHM = "scrypt"
LOG2_N = 15
R = 8
P = 1
KEY_BYTES = 32
SALT_BYTES = 16
# Cost parameters a stored hash may carry: anything outside these bounds is refused rather than computed (a
# tampered item must not turn one sign-in into gigabytes of memory or minutes of CPU).
MAX_LOG2_N = 20
MAX_R = 16
MAX_P = 4

MIN_LENGTH = 8
# scrypt hashes any length, but a multi-megabyte "password" is a cheap way to burn CPU: cap what we accept.
MAX_LENGTH = 256
REQUIREMENTS = ("Password requirements were not met. Password requirements: at least 8 characters, a lowercase "
                "letter, an uppercase letter, a number, no parts of your username.")

_FORMAT = re.compile(r"^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 2 ** log2_n
    # maxmem: scrypt needs 128 * N * r bytes (plus a little); leave headroom over the default 32 MiB limit.
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES,
                          maxmem=256 * n * r + 1024 * 1024)


def hash_password(password: str) -> str:
    """A fresh salted scrypt hash of ``password`` in the self-describing format above."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, LOG2_N, R, P)
    return f"{ALGORITHM}$ln={LOG2_N},r={R},p={P}${_b64(salt)}${_b64(key)}"


# Verified against when the user has no usable hash, so that "no such password" costs what a wrong one does
# (random salt and key: nothing matches it; no hashing at import, which would slow every cold start).
_DUMMY = (LOG2_N, R, P, secrets.token_bytes(SALT_BYTES), secrets.token_bytes(KEY_BYTES))


def _parse(stored: str | None) -> tuple[int, int, int, bytes, bytes] | None:
    match = _FORMAT.match(stored or "")
    if not match:
        return None
    log2_n, r, p = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if not (1 <= log2_n <= MAX_LOG2_N and 1 <= r <= MAX_R and 1 <= p <= MAX_P):
        return None
    try:
        salt, key = _unb64(match.group(4)), _unb64(match.group(5))
    except ValueError:
        return None
    return log2_n, r, p, salt, key


def verify_password(stored: str | None, presented: object) -> bool:
    """True when ``presented`` is the password ``stored`` was made from. Always does one scrypt computation (on a
    dummy hash when ``stored`` is missing or unusable) and compares with ``hmac.compare_digest``."""
    parsed = _parse(stored)
    usable = parsed is not None
    log2_n, r, p, salt, key = parsed if parsed is not None else _DUMMY
    if not isinstance(presented, str) or not presented or len(presented) > MAX_LENGTH:
        candidate = secrets.token_urlsafe(16)  # still spend the time: the answer is False either way
        usable = False
    else:
        candidate = presented
    try:
        computed = _scrypt(candidate, salt, log2_n, r, p)
    except (UnicodeEncodeError, ValueError, MemoryError):
        return False
    return hmac.compare_digest(computed, key) and usable


def needs_rehash(stored: str | None) -> bool:
    """True when ``stored`` was made with other parameters than today's (rehash it after a successful sign-in)."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (LOG2_N, R, P)


def _username_parts(login: str) -> list[str]:
    """Parts of the username a password may not contain: the login split on anything not a letter or digit, parts
    of three characters or more (Okta's "no parts of your username")."""
    return [part for part in re.split(r"[^0-9a-z]+", login.casefold()) if len(part) >= 3]


def password_problem(password: object, login: str | None) -> str | None:
    """Why ``password`` does not meet Okta's default password policy, or None."""
    if not isinstance(password, str):
        return "Must be a string."
    if len(password) > MAX_LENGTH:
        return f"Must be at most {MAX_LENGTH} characters long."
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in password):
        return "Must not contain control characters."
    too_weak = (
        len(password) < MIN_LENGTH
        or not any(c.islower() for c in password)
        or not any(c.isupper() for c in password)
        or not any(c.isdigit() for c in password)
        or (login is not None and any(part in password.casefold() for part in _username_parts(login)))
    )
    return REQUIREMENTS if too_weak else None
