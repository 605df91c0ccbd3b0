"""The custom claims of one token (okta-api.md 5.2, 8.2, 8.3).

``build_claims`` takes the server's claims in stored order and returns ``{name: value}`` for those that apply:

1. only ``ACTIVE`` claims of the requested type (``RESOURCE``: access token, ``IDENTITY``: ID token);
2. only when ``conditions.scopes`` is empty or shares a scope with the granted scopes;
3. ``SYSTEM`` claims are skipped: the ID-token path fills the OIDC profile claims itself (and decides
   ``alwaysIncludeInToken``, which is not this function's business);
4. ``EXPRESSION`` claims: the value is parsed (cached by text) and evaluated. A claim that fails at runtime (or a
   stored expression that no longer parses) is left out and logged at WARNING with the claim's name and the
   error, never with any value. The token is still issued;
5. ``GROUPS`` claims: ``filter_groups`` over the user's groups. More than 100 matches raise
   ``TooManyGroupsError``, which is *not* caught: the token request must fail with HTTP 400 ``server_error`` /
   ``too_many_groups_in_groups_claim``. An unusable filter (unsafe regex stored before validation) is logged
   and the claim left out;
6. a claim whose value is null, or an empty array, is omitted (Okta: "claims that evaluate to null values will
   not be included in tokens", which its support article also says of ``{}``).

``explain_claims`` (token preview) walks the same claims through the same per-claim function, ``_evaluate``, and
says for each one whether it is included and, if not, why (a ``ClaimReason`` code). ``build_claims`` is
``explain_claims`` minus the explanations: both call ``_evaluate``, so they cannot disagree. Both hold the
included claims to one budget of JSON bytes (``limits.MAX_CLAIMS_BYTES``): a claim that would overflow it is left
out and reported as an expression error.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..domain import ACTIVE, Claim
from .context import EvalContext
from .errors import ExpressionEvaluationError, ExpressionSyntaxError, TooManyGroupsError
from .expression import parse
from .groups import GroupFilterError, filter_groups
from .limits import MAX_CLAIMS_BYTES

ClaimType = Literal["RESOURCE", "IDENTITY"]

_MAX_JSON_DEPTH = 32


def _json_value(value: Any, depth: int = 0) -> Any:
    """Context values may be read-only mappings or tuples: give the token plain JSON types."""
    if depth > _MAX_JSON_DEPTH:
        raise ExpressionEvaluationError("The value is nested too deeply")
    if isinstance(value, Mapping):
        return {str(k): _json_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v, depth + 1) for v in value]
    return value


class ClaimReason:
    """Why a claim is or is not in a token: stable codes (token preview clients rely on them; never rename one).

    ``explain_claims`` gives the first eight; the token preview adds the ones about the token as a whole."""

    INCLUDED = "included"
    # The claim is INACTIVE.
    INACTIVE = "inactive"
    # The claim belongs to the other token (RESOURCE: access token; IDENTITY: ID token).
    WRONG_TOKEN_TYPE = "wrong_token_type"
    # The claim's ``conditions.scopes`` share no scope with the granted scopes.
    SCOPES_NOT_GRANTED = "scopes_not_granted"
    # A SYSTEM claim: the ID-token path fills it from the user's profile (``oauth/minting.scope_claims``).
    SYSTEM_CLAIM = "system_claim"
    # The expression failed to parse or to evaluate; ``message`` holds the error (never a value).
    EXPRESSION_ERROR = "expression_error"
    # A GROUPS claim whose filter cannot be applied (unsafe stored regular expression, unknown filter type).
    GROUP_FILTER_ERROR = "group_filter_error"
    # The value is null or an empty array.
    NULL_VALUE = "null_value"
    # A GROUPS claim matched more than 100 groups: the whole token request fails (``TooManyGroupsError``).
    TOO_MANY_GROUPS = "too_many_groups"

    # Added by the token preview (admin/token_preview/).
    # A SYSTEM profile claim without alwaysIncludeInToken, in an ID token issued together with an access token.
    NOT_ALWAYS_INCLUDED = "not_always_included"
    # A claim the token sets itself (``sub``, ``iss``, ...) has the same name and keeps its own value.
    RESERVED_NAME = "reserved_name"
    # The token is not issued at all (``message`` says why), or the request is refused.
    TOKEN_NOT_ISSUED = "token_not_issued"
    REQUEST_DENIED = "request_denied"

    ALL = (INCLUDED, INACTIVE, WRONG_TOKEN_TYPE, SCOPES_NOT_GRANTED, SYSTEM_CLAIM, EXPRESSION_ERROR,
           GROUP_FILTER_ERROR, NULL_VALUE, TOO_MANY_GROUPS, NOT_ALWAYS_INCLUDED, RESERVED_NAME, TOKEN_NOT_ISSUED,
           REQUEST_DENIED)


@dataclass(frozen=True)
class ClaimExplanation:
    """One claim's fate in one token: ``included`` with ``value``, or left out for ``reason`` (``message`` says
    it in words; for errors it is the error's text, which never carries a claim value)."""

    claim: Claim
    reason: str
    message: str
    value: Any = None
    error: Exception | None = None

    @property
    def included(self) -> bool:
        return self.reason == ClaimReason.INCLUDED


_Outcome = tuple[str, Any, "Exception | None"]  # (ClaimReason, value when included, error when one failed)
_INCLUDED = ClaimReason.INCLUDED
_INACTIVE: _Outcome = (ClaimReason.INACTIVE, None, None)
_WRONG_TOKEN_TYPE: _Outcome = (ClaimReason.WRONG_TOKEN_TYPE, None, None)
_SCOPES_NOT_GRANTED: _Outcome = (ClaimReason.SCOPES_NOT_GRANTED, None, None)
_SYSTEM_CLAIM: _Outcome = (ClaimReason.SYSTEM_CLAIM, None, None)


def _evaluate(claim: Claim, claim_type: str, granted: frozenset[str], context: EvalContext) -> _Outcome:
    """The one per-claim decision of ``build_claims`` and ``explain_claims``: a plain tuple, since it runs for
    every claim of every token. Raises ``TooManyGroupsError``."""
    if claim.status != ACTIVE:
        return _INACTIVE
    if claim.claim_type != claim_type:
        return _WRONG_TOKEN_TYPE
    if claim.scopes and granted.isdisjoint(claim.scopes):
        return _SCOPES_NOT_GRANTED
    try:
        if claim.value_type == "EXPRESSION":
            value = parse(claim.value or "").evaluate(context)
        elif claim.value_type == "GROUPS":
            value = filter_groups(context.groups, claim.group_filter_type, claim.value, claim.name)
        else:  # SYSTEM: filled by the ID-token path
            return _SYSTEM_CLAIM
        value = _json_value(value)
    except (ExpressionSyntaxError, ExpressionEvaluationError) as exc:
        return ClaimReason.EXPRESSION_ERROR, None, exc
    except GroupFilterError as exc:
        return ClaimReason.GROUP_FILTER_ERROR, None, exc
    if value is None or value == []:
        return ClaimReason.NULL_VALUE, value, None
    return _INCLUDED, value, None


def _message(claim: Claim, reason: str, value: Any, error: Exception | None) -> str:
    if error is not None:
        return str(error)
    if reason == ClaimReason.INACTIVE:
        return "the claim is inactive"
    if reason == ClaimReason.WRONG_TOKEN_TYPE:
        where = "access token" if claim.claim_type == "RESOURCE" else "ID token"
        return f"{claim.claim_type} claims go into the {where} only"
    if reason == ClaimReason.SCOPES_NOT_GRANTED:
        return f"included only with scope(s) {', '.join(claim.scopes)}, none of them granted"
    if reason == ClaimReason.SYSTEM_CLAIM:
        return "a system claim: filled from the user's profile by the ID token"
    if reason == ClaimReason.NULL_VALUE:
        return "the value is null" if value is None else "the value is an empty array"
    return "included"


class _Budget:
    """The bytes of JSON a token's custom claims may still take (``limits.MAX_CLAIMS_BYTES``): a claim that would
    overflow it is left out, as one whose expression failed."""

    def __init__(self) -> None:
        self.left = MAX_CLAIMS_BYTES

    def admit(self, claim: Claim, evaluated: tuple[str, Any, Exception | None]) -> tuple[str, Any, Exception | None]:
        reason, value, _error = evaluated
        if reason != _INCLUDED:
            return evaluated
        size = len(claim.name) + len(json.dumps(value, separators=(",", ":"))) + 4  # "name": value,
        if size > self.left:
            return ClaimReason.EXPRESSION_ERROR, None, ExpressionEvaluationError(
                f"The token's custom claims would exceed {MAX_CLAIMS_BYTES} bytes")
        self.left -= size
        return evaluated


def build_claims(claims: Sequence[Claim], claim_type: ClaimType, granted_scopes: Collection[str],
                 context: EvalContext, log: logging.Logger | logging.LoggerAdapter[Any]) -> dict[str, Any]:
    granted = frozenset(granted_scopes)
    out: dict[str, Any] = {}
    budget = _Budget()
    for claim in claims:
        reason, value, error = budget.admit(claim, _evaluate(claim, claim_type, granted, context))
        if error is not None:
            log.warning("Claim %r (%s) left out of the token: %s", claim.name, claim.id, error)
        elif reason == _INCLUDED:
            out[claim.name] = value
    return out


def explain_claims(claims: Sequence[Claim], claim_type: ClaimType, granted_scopes: Collection[str],
                   context: EvalContext) -> list[ClaimExplanation]:
    """Every claim, in the order given, with what ``build_claims`` does with it: the value when included, else the
    reason. Never raises ``TooManyGroupsError``: the claim at fault is reported as ``too_many_groups`` (the token
    request would fail; ``build_claims`` raises). Nothing is logged."""
    granted = frozenset(granted_scopes)
    out: list[ClaimExplanation] = []
    budget = _Budget()
    for claim in claims:
        try:
            reason, value, error = budget.admit(claim, _evaluate(claim, claim_type, granted, context))
        except TooManyGroupsError as exc:
            out.append(ClaimExplanation(claim, ClaimReason.TOO_MANY_GROUPS, str(exc), error=exc))
            continue
        out.append(ClaimExplanation(claim, reason, _message(claim, reason, value, error),
                                    value if reason == ClaimReason.INCLUDED else None, error))
    return out
