"""Okta-shaped identifiers: 20 characters, a type prefix, then random base62 (okta-api.md section 1)."""
from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

AUTHORIZATION_SERVER = "aus"
SCOPE = "scp"
CLAIM = "ocl"
POLICY = "00p"
RULE = "0pr"
API_TOKEN = "00T"
TRUSTED_ORIGIN = "tos"


def new_id(prefix: str, length: int = 20) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length - len(prefix)))


def organization_id(base_url: str) -> str:
    """The deployment's org id (``00o…``), stable for its base URL (``/.well-known/okta-organization``)."""
    import hashlib

    return "00o" + hashlib.sha256(base_url.encode()).hexdigest()[:17]


def new_error_id() -> str:
    """Okta's ``errorId``: ``oae`` followed by 22 characters."""
    return new_id("oae", 25)
