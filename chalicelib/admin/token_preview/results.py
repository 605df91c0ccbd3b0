"""What a token preview answers (stable shapes: the API renders them, clients rely on the codes): the request as
read, the tokens, the refresh token, one ``ClaimLine`` per claim and token, and the reason codes the preview adds
to the policy evaluator's ``Reason`` and ``Outcome`` (docs/ARCHITECTURE.md "Token preview").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...claims.builder import ClaimReason
from ...domain import Claim
from ...policy import Decision, Step

# ``ClaimLine.token``: which token a line is about.
ACCESS_TOKEN = "accessToken"
ID_TOKEN = "idToken"


class PreviewReason:
    """``TokenPreview.reason`` values beyond the policy evaluator's ``Reason`` codes (stable)."""

    # The client is INACTIVE: the token endpoint refuses to authenticate it.
    CLIENT_INACTIVE = "client_inactive"
    # The user is not ACTIVE: the user cannot sign in.
    USER_NOT_ACTIVE = "user_not_active"
    # A GROUPS claim matches more than 100 groups: the token request fails.
    TOO_MANY_GROUPS = "too_many_groups"
    # /v1/authorize: an ID token, or an OpenID Connect scope, without the openid scope.
    OPENID_REQUIRED = "openid_required"


class PreviewOutcome:
    """``Step.outcome`` values the preview adds to the evaluator's steps (stable)."""

    CLIENT_INACTIVE = PreviewReason.CLIENT_INACTIVE
    USER_NOT_ACTIVE = PreviewReason.USER_NOT_ACTIVE
    # Consent page: the scopes listed would be asked for; the preview continues as if the user allowed.
    CONSENT_ASSUMED = "consent_assumed"
    TOO_MANY_GROUPS = PreviewReason.TOO_MANY_GROUPS
    OPENID_REQUIRED = PreviewReason.OPENID_REQUIRED


class RefreshReason:
    """``RefreshTokenPreview.reason`` (stable)."""

    ISSUED = "issued"
    GRANT_TYPE = "grant_type_issues_no_refresh_token"
    OFFLINE_ACCESS_NOT_GRANTED = "offline_access_not_granted"
    CLIENT_NOT_REGISTERED = "client_not_registered_for_refresh_token"


@dataclass(frozen=True)
class PreviewRequest:
    client_id: str
    grant_type: str
    user_id: str | None
    scopes: tuple[str, ...] | None  # None: the server's default scopes
    response_types: tuple[str, ...]  # what the flow returns: ("token",), ("id_token",) or both


@dataclass(frozen=True)
class PreviewToken:
    header: dict[str, Any]
    payload: dict[str, Any]
    lifetime_minutes: int


@dataclass(frozen=True)
class RefreshTokenPreview:
    issued: bool
    reason: str
    message: str
    lifetime_minutes: int | None = None  # 0: unlimited (the rule's refreshTokenLifetimeMinutes)
    window_minutes: int | None = None


@dataclass(frozen=True)
class ClaimLine:
    """One claim of the server for one token (``accessToken`` or ``idToken``)."""

    token: str
    claim: Claim
    reason: str
    message: str
    value: Any = None

    @property
    def included(self) -> bool:
        return self.reason == ClaimReason.INCLUDED


@dataclass(frozen=True)
class TokenPreview:
    """The outcome. ``allowed``: the tokens (``access_token`` / ``id_token`` / ``refresh_token``); otherwise
    ``error``, ``error_description`` and ``http_status`` are what the real flow answers. ``steps`` and ``claims``
    explain either way; ``reason`` is the evaluator's ``Reason`` or a ``PreviewReason``."""

    request: PreviewRequest
    allowed: bool
    reason: str
    steps: tuple[Step, ...]
    claims: tuple[ClaimLine, ...]
    decision: Decision | None = None
    granted_scopes: tuple[str, ...] = ()
    consent_scopes: tuple[str, ...] = ()
    access_token: PreviewToken | None = None
    id_token: PreviewToken | None = None
    refresh_token: RefreshTokenPreview | None = None
    error: str | None = None
    error_description: str | None = None
    http_status: int = 200

    @property
    def policy(self) -> tuple[str, str] | None:
        d = self.decision
        return (d.policy_id, d.policy_name or "") if d is not None and d.policy_id else None

    @property
    def rule(self) -> tuple[str, str] | None:
        d = self.decision
        return (d.rule_id, d.rule_name or "") if d is not None and d.rule_id else None

