"""Validation of our own access tokens, for introspection, revocation and token exchange (RFC 9068 4, RFC 8725 2.1/3.1;
security-checklist JAT-04..06).

Only RS256; the key is the published key named by ``kid`` (never "try every key"); ``iss`` and ``aud`` must be
this server's; ``exp``/``nbf``/``iat`` are checked against the injected clock with a small skew; ID tokens
(``jti`` ``ID.…``) are not access tokens.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

import jwt

CLOCK_SKEW = timedelta(seconds=30)


def verify_access_token(token: str, published: Sequence[Mapping[str, Any]], issuer: str, audience: str,
                        now: datetime) -> dict[str, Any] | None:
    """The token's claims when it is a valid, unexpired access token of this server; None otherwise."""
    claims, _reason = check_access_token(token, published, issuer, audience, now)
    return claims


VALID, INVALID, EXPIRED = "valid", "invalid", "expired"


def check_access_token(token: str, published: Sequence[Mapping[str, Any]], issuer: str, audience: str,
                       now: datetime) -> tuple[dict[str, Any] | None, str]:
    """``(claims, VALID)`` for a valid, unexpired access token of this server; ``(None, EXPIRED)`` for one that is
    valid in every respect but its expiry (token exchange answers that apart); ``(None, INVALID)`` otherwise."""
    # A compact JWS is ASCII (base64url and dots); anything else is no token of ours (and PyJWT would raise on text
    # UTF-8 cannot carry, not with its own error).
    if not token or len(token) > 16_384 or not token.isascii():
        return None, INVALID
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None, INVALID
    if header.get("alg") != "RS256":
        return None, INVALID
    jwk = next((k for k in published if k.get("kid") == header.get("kid")), None)
    if jwk is None:
        return None, INVALID
    try:
        key = jwt.PyJWK.from_dict(dict(jwk), algorithm="RS256").key
        claims: dict[str, Any] = jwt.decode(token, key=key, algorithms=["RS256"], audience=audience, issuer=issuer,
                                            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                                     "require": ["iss", "aud", "exp", "iat", "jti", "cid"]})
    except jwt.PyJWTError:
        return None, INVALID
    if not str(claims["jti"]).startswith("AT."):
        return None, INVALID
    stamp = now.timestamp()
    try:
        if int(claims.get("nbf", 0)) - CLOCK_SKEW.total_seconds() > stamp:
            return None, INVALID
        if int(claims["exp"]) + CLOCK_SKEW.total_seconds() <= stamp:
            return None, EXPIRED
    except (TypeError, ValueError, OverflowError):  # e.g. "exp": Infinity, which JSON parsers accept
        return None, INVALID
    return claims, VALID
