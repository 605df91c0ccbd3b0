"""One ``ClaimLine`` per claim of the server and token: why each claim is, or is not, in the previewed tokens.

The lines start from ``claims.builder.explain_claims`` (the per-claim function minting itself runs); where the
token decides instead, they are read off the real payload: a claim whose name the token sets itself keeps the
token's value (``reserved_name``), ``sub`` becomes the access token's subject, and the ID token's profile claims
follow ``oauth.minting.scope_claims`` (okta-api.md 8.3).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...claims.builder import ClaimExplanation, ClaimReason
from ...domain import ACTIVE, Claim
from ...oauth import minting
from ...oauth.access_token import OWN_CLAIMS
from .results import ACCESS_TOKEN, ID_TOKEN, ClaimLine, PreviewToken


def all_lines(claims: Sequence[Claim], reason: str, message: str) -> tuple[ClaimLine, ...]:
    """Every claim, in both tokens, for the same ``reason`` (a refused request: no token at all)."""
    return (*(ClaimLine(ACCESS_TOKEN, c, reason, message) for c in claims),
            *(ClaimLine(ID_TOKEN, c, reason, message) for c in claims))


def explained_lines(token: str, explained: list[ClaimExplanation], missing: str | None) -> list[ClaimLine]:
    """Lines straight from ``explain_claims``; when the token is not issued, the claims that would have been
    included say so (the others keep their reason: it holds whatever the token)."""
    out = []
    for e in explained:
        if missing is not None and (e.included or e.reason == ClaimReason.SYSTEM_CLAIM):
            out.append(ClaimLine(token, e.claim, ClaimReason.TOKEN_NOT_ISSUED, missing))
        else:
            out.append(ClaimLine(token, e.claim, e.reason, e.message, e.value if e.included else None))
    return out


def access_token_lines(explained: list[ClaimExplanation], token: PreviewToken | None,
                       missing: str | None) -> list[ClaimLine]:
    if token is None:
        return explained_lines(ACCESS_TOKEN, explained, missing)
    payload = token.payload
    out = []
    for e in explained:
        claim = e.claim
        if not e.included:
            out.append(ClaimLine(ACCESS_TOKEN, claim, e.reason, e.message))
        elif claim.name == "sub":
            # minting takes the value of the sub claim as the token's subject.
            out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.INCLUDED, "included: the token's subject",
                                 payload["sub"]))
        elif claim.name in OWN_CLAIMS or payload.get(claim.name) != e.value:
            out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.RESERVED_NAME,
                                 f"'{claim.name}' is a claim the access token sets itself"))
        else:
            out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.INCLUDED, "included", e.value))
    return out


def id_token_lines(explained: list[ClaimExplanation], payload: dict[str, Any], base: dict[str, Any],
                   profile: dict[str, Any], standard: dict[str, Any], granted: tuple[str, ...],
                   everything: bool) -> list[ClaimLine]:
    """The lines of an issued ID token: ``base`` is what the token sets before its custom claims (its own and the
    profile claims), ``profile`` what ``minting.scope_claims`` released, ``standard`` the user's profile claims."""
    out = []
    for e in explained:
        claim = e.claim
        if claim.value_type == "SYSTEM" and claim.claim_type == "IDENTITY":
            out.append(_system_line(claim, payload, profile, standard, granted, everything))
        elif not e.included:
            out.append(ClaimLine(ID_TOKEN, claim, e.reason, e.message))
        elif claim.name in base or payload.get(claim.name) != e.value:
            out.append(ClaimLine(ID_TOKEN, claim, ClaimReason.RESERVED_NAME,
                                 f"'{claim.name}' is a claim the ID token sets itself; it keeps its own value"))
        else:
            out.append(ClaimLine(ID_TOKEN, claim, ClaimReason.INCLUDED, "included", e.value))
    return out


def _system_line(claim: Claim, payload: dict[str, Any], profile: dict[str, Any], standard: dict[str, Any],
                 granted: tuple[str, ...], everything: bool) -> ClaimLine:
    """A profile claim (okta-api.md 8.3): included exactly when ``minting.scope_claims`` includes it; the
    reason otherwise is the first condition of that function that fails."""
    if claim.name in profile:
        return ClaimLine(ID_TOKEN, claim, ClaimReason.INCLUDED, "included: from the user's profile",
                         payload.get(claim.name))
    releasing = [scope for scope, names in minting.SCOPE_CLAIMS.items() if claim.name in names]
    if claim.status != ACTIVE:
        return ClaimLine(ID_TOKEN, claim, ClaimReason.INACTIVE, "the claim is inactive")
    if not any(scope in granted for scope in releasing):
        return ClaimLine(ID_TOKEN, claim, ClaimReason.SCOPES_NOT_GRANTED,
                         f"released by scope {', '.join(releasing) or '(none)'}, not granted")
    if claim.name not in standard:
        return ClaimLine(ID_TOKEN, claim, ClaimReason.NULL_VALUE, "the user's profile has no value for it")
    if not everything and not claim.always_include_in_token:
        return ClaimLine(ID_TOKEN, claim, ClaimReason.NOT_ALWAYS_INCLUDED,
                         "alwaysIncludeInToken is false: an ID token issued with an access token leaves it "
                         "out (the client reads it from /v1/userinfo)")
    return ClaimLine(ID_TOKEN, claim, ClaimReason.SYSTEM_CLAIM, "not a profile claim the ID token releases")
