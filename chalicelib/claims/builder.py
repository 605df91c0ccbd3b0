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
"""
from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

from ..domain import ACTIVE, Claim
from .context import EvalContext
from .errors import ExpressionEvaluationError, ExpressionSyntaxError
from .expression import parse
from .groups import GroupFilterError, filter_groups

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


def _applies(claim: Claim, claim_type: str, granted: frozenset[str]) -> bool:
    if claim.status != ACTIVE or claim.claim_type != claim_type:
        return False
    return not claim.scopes or not granted.isdisjoint(claim.scopes)


def build_claims(claims: Sequence[Claim], claim_type: ClaimType, granted_scopes: Collection[str],
                 context: EvalContext, log: logging.Logger | logging.LoggerAdapter[Any]) -> dict[str, Any]:
    granted = frozenset(granted_scopes)
    out: dict[str, Any] = {}
    for claim in claims:
        if not _applies(claim, claim_type, granted):
            continue
        try:
            if claim.value_type == "EXPRESSION":
                value = parse(claim.value or "").evaluate(context)
            elif claim.value_type == "GROUPS":
                value = filter_groups(context.groups, claim.group_filter_type, claim.value, claim.name)
            else:  # SYSTEM: filled by the ID-token path
                continue
            value = _json_value(value)
        except (ExpressionSyntaxError, ExpressionEvaluationError, GroupFilterError) as exc:
            log.warning("Claim %r (%s) left out of the token: %s", claim.name, claim.id, exc)
            continue
        if value is None or value == []:
            continue
        out[claim.name] = value
    return out
