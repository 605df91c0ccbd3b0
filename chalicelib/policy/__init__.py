"""Access-policy evaluation: one pure function shared by the token endpoint, the authorize endpoint and the token
preview. See ``evaluate.py`` for the evaluation order and the semantics chosen where Okta is silent."""
from __future__ import annotations

from .evaluate import (
    ALL_CLIENTS,
    ANY_SCOPE,
    CLIENT_CREDENTIALS,
    EVERYONE,
    OIDC_SCOPES,
    evaluate,
    in_priority_order,
    rule_allows_scope,
    user_consent_asked,
)
from .model import AccessRequest, Decision, Step
from .reasons import CATALOGUE, CONSENT_REQUIRED_CLIENT_CREDENTIALS, OAuthError, Outcome, Reason

__all__ = [
    "ALL_CLIENTS", "ANY_SCOPE", "CATALOGUE", "CLIENT_CREDENTIALS", "CONSENT_REQUIRED_CLIENT_CREDENTIALS", "EVERYONE",
    "OIDC_SCOPES", "AccessRequest", "Decision", "OAuthError", "Outcome", "Reason", "Step", "evaluate",
    "in_priority_order", "rule_allows_scope", "user_consent_asked",
]
