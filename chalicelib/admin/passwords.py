"""User passwords: a slow, salted, memory-hard hash, Okta's default password rules, and constant-time verification
(docs/ARCHITECTURE.md "Directory", "Password storage").

New hashes are Argon2id at OWASP's recommended parameters (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1),
in the PHC string format argon2-cffi writes, which names its own parameters::

    $argon2id$v=19$m=19456,t=2,p=1$<salt>$<32-byte hash>

Hashes written before (``scrypt$ln=15,r=8,p=1$<salt>$<key>``, N = 2**15: below OWASP's N = 2**17) still verify, and
``needs_rehash`` makes the next successful sign-in store an Argon2id hash instead, so stored hashes move to today's
parameters without a reset. Argon2id at these parameters costs ~20 ms of one core per check, a quarter of what
scrypt at N = 2**15 cost and a twentieth of scrypt at N = 2**17 (``make bench``, "Sign-in"), for the strength
OWASP rates equal. Nothing here logs, and neither the password nor the hash ever appears in an exception message.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: "a minimum configuration of 19 MiB of memory, an iteration count of
# 2, and 1 degree of parallelism".
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASH_BYTES = 32
SALT_BYTES = 16
# Cost parameters a stored hash may carry: anything outside these bounds is refused rather than computed (a
# tampered item must not turn one sign-in into gigabytes of memory or minutes of CPU).
MAX_MEMORY_KIB = 256 * 1024
MAX_TIME_COST = 10
MAX_PARALLELISM = 4
MAX_LOG2_N = 20
MAX_R = 16
MAX_P = 4

MIN_LENGTH = 8
# Argon2 hashes any length, but a multi-megabyte "password" is a cheap way to burn CPU: cap what we accept.
MAX_LENGTH = 256
REQUIREMENTS = ("Password requirements were not met. Password requirements: at least 8 characters, a lowercase "
                "letter, an uppercase letter, a number, no parts of your username.")

_LEGACY = re.compile(r"^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    """The Argon2id hasher at the parameters above. argon2-cffi (a C extension) is imported here, on first use:
    only sign-ins and password changes need it, and importing it at module level added to every cold start."""
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, hash_len=HASH_BYTES,
                          salt_len=SALT_BYTES, type=Type.ID)


def hash_password(password: str) -> str:
    """A fresh salted Argon2id hash of ``password`` (PHC string)."""
    return _hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy() -> str:
    """Verified against when the user has no usable hash, so that "no such password" costs what a wrong one does
    (made on first use: hashing at import would slow every cold start)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _argon2_usable(stored: str) -> bool:
    from argon2 import Type, exceptions, extract_parameters

    try:
        params = extract_parameters(stored)
    except (exceptions.InvalidHashError, ValueError):
        return False
    return (params.type == Type.ID and 8 <= params.memory_cost <= MAX_MEMORY_KIB
            and 1 <= params.time_cost <= MAX_TIME_COST and 1 <= params.parallelism <= MAX_PARALLELISM)


def _legacy(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    match = _LEGACY.match(stored)
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


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_argon2(stored: str, candidate: str) -> bool:
    from argon2 import exceptions

    try:
        return _hasher().verify(stored, candidate.encode("utf-8", "surrogatepass"))
    except (exceptions.VerificationError, exceptions.InvalidHashError):  # a mismatch, or a hash it cannot use
        return False


def _verify_legacy(parsed: tuple[int, int, int, bytes, bytes], candidate: str) -> bool:
    log2_n, r, p, salt, key = parsed
    n = 2 ** log2_n
    try:
        # maxmem: scrypt needs 128 * N * r bytes (plus a little); leave headroom over the default 32 MiB limit.
        computed = hashlib.scrypt(candidate.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(key),
                                  maxmem=256 * n * r + 1024 * 1024)
    except (UnicodeEncodeError, ValueError, MemoryError):
        return False
    return hmac.compare_digest(computed, key)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def verify_password(stored: str | None, presented: object) -> bool:
    """True when ``presented`` is the password ``stored`` was made from. Always does one hash computation (on a
    dummy Argon2id hash when ``stored`` is missing or unusable, or ``presented`` is not a usable password);
    comparisons are constant-time (argon2's own, ``hmac.compare_digest`` for legacy scrypt)."""
    # A lone surrogate is no password anyone can type (and not valid UTF-8): refused, after the same work.
    usable_password = isinstance(presented, str) and 0 < len(presented) <= MAX_LENGTH and _encodable(presented)
    candidate = presented if usable_password and isinstance(presented, str) else secrets.token_urlsafe(16)
    if stored and stored.startswith("$argon2") and _argon2_usable(stored):
        return _verify_argon2(stored, candidate) and usable_password
    legacy = _legacy(stored or "")
    if legacy is not None:
        return _verify_legacy(legacy, candidate) and usable_password
    _verify_argon2(_dummy(), candidate)  # spend the time: the answer is False either way
    return False


def needs_rehash(stored: str | None) -> bool:
    """True unless ``stored`` is Argon2id with today's parameters (rehash it after a successful sign-in)."""
    if not stored or not stored.startswith("$argon2id$"):
        return True
    from argon2 import exceptions

    try:
        return _hasher().check_needs_rehash(stored)
    except (exceptions.InvalidHashError, ValueError):
        return True


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
