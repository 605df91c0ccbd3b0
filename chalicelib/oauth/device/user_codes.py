"""User codes of the device flow (RFC 8628 6.1): easy to type, hard to guess.

Eight characters from the 20 consonants ``BCDFGHJKLMNPQRSTVWXZ`` (no vowels, so no words; no digits, so nothing to
confuse with ``O``/``0`` or ``I``/``1``), shown as ``XXXX-XXXX``: 20^8 = 2.56e10 codes, about 34.5 bits, enough with
the rate limits of ``authorizations.py`` (RFC 8628 5.1; docs/security-cases/device.md DEV-01). Entry is normalised:
case, dashes, spaces and other separators are ignored, so ``bcdf ghjk`` and ``BCDF-GHJK`` are one code; anything
left that is not of the alphabet makes the entry invalid (it can never match, and it is not looked up).
"""
from __future__ import annotations

import secrets

ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
LENGTH = 8
# Characters a person may type between the groups (ignored on entry).
_SEPARATORS = frozenset(" -_.\t\u2010\u2011\u2012\u2013\u2014\u2212")
MAX_ENTRY = 64  # longer input is not a code (never normalised further)


def generate() -> str:
    """A new user code, normalised (eight letters of ``ALPHABET``, no dash), from the system's CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``BCDFGHJK`` -> ``BCDF-GHJK`` (what the device shows and the pages echo)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalise(entry: str | None) -> str | None:
    """What a person typed, as a normalised code; None when it cannot be one (wrong length, other letters)."""
    if not isinstance(entry, str) or len(entry) > MAX_ENTRY:
        return None
    letters = "".join(c for c in entry if c not in _SEPARATORS).upper()
    if len(letters) != LENGTH or any(c not in ALPHABET for c in letters):
        return None
    return letters
