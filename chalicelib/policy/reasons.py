"""Stable codes of the access-policy evaluator and the Okta errors they map to (okta-api.md 7.9).

Two vocabularies, both stable (clients of the token preview API and tests rely on them; never rename a value):

* ``Reason``: why a request was granted or refused as a whole (``Decision.reason``).
* ``Outcome``: what happened to one step of the evaluation (``Step.outcome``): a policy or rule that was skipped,
  applied or matched, or a request-level check.

``CATALOGUE`` maps every refusing reason to the OAuth ``error``, HTTP status and ``error_description`` that Okta
sends for it. The texts are Okta's (``data/oauth2-error-codes.json`` of ``okta/okta-developer-docs``, release
2026.03.1, ``internalErrorCode`` named in each comment); ``{scopes}`` is replaced by the scope names joined with
``", "``, inside the brackets that Okta's template already has (the catalogue renders the placeholder as ``[en]``).
"""
from __future__ import annotations

from dataclasses import dataclass


class Reason:
    """``Decision.reason``: one value per way a request can end."""

    GRANTED = "granted"
    # The server is INACTIVE: it answers like an unknown server.
    SERVER_INACTIVE = "server_inactive"
    # A scope parameter was present but named no scope.
    NO_SCOPES_REQUESTED = "no_scopes_requested"
    # No scope parameter and the server has no usable default scope.
    NO_DEFAULT_SCOPES = "no_default_scopes"
    # A requested scope is not defined on the server.
    UNKNOWN_SCOPE = "unknown_scope"
    # An OpenID Connect scope was requested with the client_credentials grant.
    OPENID_WITH_CLIENT_CREDENTIALS = "openid_with_client_credentials"
    # The user is not assigned to the client application.
    USER_NOT_ASSIGNED = "user_not_assigned"
    # No ACTIVE policy includes the client.
    NO_MATCHING_POLICY = "no_matching_policy"
    # Policies include the client, but no ACTIVE rule in them matches grant type and people.
    NO_MATCHING_RULE = "no_matching_rule"
    # A rule applies to client, grant type and user, but none of the requested scopes is allowed.
    NO_SCOPE_ALLOWED = "no_scope_allowed"
    # A rule applies to client, grant type and user, but some of the requested scopes are not allowed.
    SCOPE_DENIED = "scope_denied"
    # Scopes need consent that was not given (or can never be given: client_credentials and consent REQUIRED).
    CONSENT_REQUIRED = "consent_required"

    ALL = (
        GRANTED, SERVER_INACTIVE, NO_SCOPES_REQUESTED, NO_DEFAULT_SCOPES, UNKNOWN_SCOPE,
        OPENID_WITH_CLIENT_CREDENTIALS, USER_NOT_ASSIGNED, NO_MATCHING_POLICY, NO_MATCHING_RULE, NO_SCOPE_ALLOWED,
        SCOPE_DENIED, CONSENT_REQUIRED,
    )


class Outcome:
    """``Step.outcome``: what one evaluation step found."""

    # Request-level steps (Step.subject == "request").
    SCOPES_REQUESTED = "scopes_requested"
    DEFAULT_SCOPES = "default_scopes"
    OIDC_DEFAULT_SKIPPED = "oidc_default_skipped"
    # Policy steps (Step.subject == "policy").
    POLICY_INACTIVE = "policy_inactive"
    CLIENT_NOT_INCLUDED = "client_not_included"
    POLICY_APPLIES = "policy_applies"
    NO_RULE_MATCHED = "no_rule_matched"
    # Rule steps (Step.subject == "rule").
    RULE_INACTIVE = "rule_inactive"
    GRANT_TYPE_NOT_INCLUDED = "grant_type_not_included"
    USER_REQUIRED = "user_required"
    USER_EXCLUDED = "user_excluded"
    GROUP_EXCLUDED = "group_excluded"
    USER_NOT_INCLUDED = "user_not_included"
    SCOPE_NOT_ALLOWED = "scope_not_allowed"
    RULE_MATCHED = "rule_matched"
    # After the matching rule (Step.subject == "scopes"): scopes the grant type can never carry.
    SCOPE_DROPPED = "scope_dropped"
    # The last step (Step.subject == "decision") carries the Reason as its outcome.

    REQUEST = (SCOPES_REQUESTED, DEFAULT_SCOPES, OIDC_DEFAULT_SKIPPED)
    SCOPES = (SCOPE_DROPPED,)
    POLICY = (POLICY_INACTIVE, CLIENT_NOT_INCLUDED, POLICY_APPLIES, NO_RULE_MATCHED)
    RULE = (RULE_INACTIVE, GRANT_TYPE_NOT_INCLUDED, USER_REQUIRED, USER_EXCLUDED, GROUP_EXCLUDED, USER_NOT_INCLUDED,
            SCOPE_NOT_ALLOWED, RULE_MATCHED)


@dataclass(frozen=True)
class OAuthError:
    error: str
    http_status: int
    description: str  # may contain "{scopes}"

    def describe(self, scopes: tuple[str, ...] = ()) -> str:
        return self.description.replace("{scopes}", ", ".join(scopes))


POLICY_EVALUATION_FAILED = OAuthError(  # no_matching_policy
    "access_denied", 401, "Policy evaluation failed for this request, please check the policy configurations.")

CATALOGUE: dict[str, OAuthError] = {
    # invalid_authorization_server
    Reason.SERVER_INACTIVE: OAuthError("invalid_request", 400, "The authorization server id is invalid."),
    # missing_scopes
    Reason.NO_SCOPES_REQUESTED: OAuthError("invalid_scope", 400, "No scopes were requested."),
    # no_default_scopes
    Reason.NO_DEFAULT_SCOPES: OAuthError(
        "invalid_scope", 400,
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided."),
    # no_matching_scope
    Reason.UNKNOWN_SCOPE: OAuthError(
        "invalid_scope", 400, "One or more scopes are not configured for the authorization server resource."),
    # openid_not_allowed_client_creds
    Reason.OPENID_WITH_CLIENT_CREDENTIALS: OAuthError(
        "invalid_scope", 400, "Cannot request 'openid' scopes using client credentials."),
    # user_not_assigned
    Reason.USER_NOT_ASSIGNED: OAuthError("access_denied", 400, "User is not assigned to the client application."),
    Reason.NO_MATCHING_POLICY: POLICY_EVALUATION_FAILED,
    Reason.NO_MATCHING_RULE: POLICY_EVALUATION_FAILED,
    # no_scope_allowed
    Reason.NO_SCOPE_ALLOWED: OAuthError(
        "access_denied", 400, "Policy evaluation succeeded, but all the requested scopes were rejected."),
    # scope_denied
    Reason.SCOPE_DENIED: OAuthError(
        "access_denied", 400, "Some of the requested scopes were denied by the policy. Denied scopes: [{scopes}]."),
    # consent_required
    Reason.CONSENT_REQUIRED: OAuthError(
        "consent_required", 400, "The following scopes require user consent: [{scopes}]."),
}

# consent_required_client_credentials: same reason and error, another text.
CONSENT_REQUIRED_CLIENT_CREDENTIALS = OAuthError(
    "consent_required", 400,
    "The following scopes require user consent and cannot be granted for the client credentials grant type: "
    "[{scopes}].")
