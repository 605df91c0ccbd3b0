"""JWT access tokens in Okta's shape (okta-api.md 8.2; RFC 9068 as far as Okta follows it).

Header ``{"kid", "alg": "RS256"}`` (Okta sets no ``typ``; its verifiers ignore it). Claims in Okta's order:
``ver, jti, iss, aud, sub, iat, exp, cid, uid, scp`` (``cnf`` for a DPoP-bound token) then the custom claims of the
matched scopes.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Mapping

# Claims the token itself owns: a custom claim can never replace them (reserved names are refused at save too).
OWN_CLAIMS = frozenset({"ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "uid", "scp", "auth_time", "cnf"})


def new_jti() -> str:
    return "AT." + secrets.token_urlsafe(32)


def access_token_claims(*, issuer: str, audience: str, client_id: str, scopes: tuple[str, ...], now: datetime,
                        lifetime: timedelta, subject: str, custom: Mapping[str, Any], user_id: str | None = None,
                        auth_time: int | None = None, jti: str | None = None, jkt: str | None = None
                        ) -> dict[str, Any]:
    """``jkt``: the DPoP key the token is bound to (RFC 9449 6.1: ``cnf: {"jkt": ...}``), or None."""
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "ver": 1,
        "jti": jti or new_jti(),
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": iat,
        "exp": iat + int(lifetime.total_seconds()),
        "cid": client_id,
    }
    if user_id:
        claims["uid"] = user_id
    claims["scp"] = list(scopes)
    if auth_time is not None:
        claims["auth_time"] = auth_time
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}
    for name, value in custom.items():
        if name not in OWN_CLAIMS:
            claims[name] = value
    return claims
