"""Discovery documents under each issuer (RFC 8414, OpenID Connect Discovery 1.0; okta-api.md 7.10;
security-checklist DISC-01..04).

Both documents are built from one description of what this deployment really implements, so they agree with each
other and never advertise an endpoint or grant that does not exist (members that would be empty are left out).
Custom scopes appear in ``scopes_supported`` only with ``metadataPublish: ALL_CLIENTS``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain import ServerConfig
from ..context import OAuthRequest, OAuthResponse, OAuthServices
from ..issuer import issuer

OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
ASSERTION_ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
ACCESS_TOKEN_CLAIMS = ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"]
# Grants that only make sense without a user are not listed in the OpenID document (Okta does the same).
NOT_OIDC_GRANTS = {"client_credentials"}


@dataclass(frozen=True)
class Capabilities:
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...] = ()
    authorization_endpoint: bool = False
    userinfo_endpoint: bool = False
    end_session_endpoint: bool = False


def _scopes(config: ServerConfig) -> list[str]:
    published = [s.name for s in config.scopes if s.metadata_publish == "ALL_CLIENTS"]
    custom = [s for s in published if s not in OIDC_SCOPES]
    return custom + [s for s in OIDC_SCOPES if s in published]


def document(config: ServerConfig, base: str, capabilities: Capabilities, openid: bool) -> dict[str, Any]:
    iss = issuer(config.server, base)
    grants = [g for g in capabilities.grant_types if not (openid and g in NOT_OIDC_GRANTS)]
    doc: dict[str, Any] = {"issuer": iss}
    if capabilities.authorization_endpoint:
        doc["authorization_endpoint"] = f"{iss}/v1/authorize"
    doc["token_endpoint"] = f"{iss}/v1/token"
    if openid and capabilities.userinfo_endpoint:
        doc["userinfo_endpoint"] = f"{iss}/v1/userinfo"
    doc["registration_endpoint"] = f"{base}/oauth2/v1/clients"
    doc["jwks_uri"] = f"{iss}/v1/keys"
    if capabilities.response_types:
        doc["response_types_supported"] = list(capabilities.response_types)
    if grants:
        doc["grant_types_supported"] = grants
    doc["subject_types_supported"] = ["public"]
    scopes = _scopes(config)
    if scopes:  # DISC-03: a member that would be an empty array is left out
        doc["scopes_supported"] = scopes
    doc["token_endpoint_auth_methods_supported"] = AUTH_METHODS
    doc["token_endpoint_auth_signing_alg_values_supported"] = ASSERTION_ALGS
    doc["claims_supported"] = ACCESS_TOKEN_CLAIMS
    if capabilities.authorization_endpoint:
        doc["code_challenge_methods_supported"] = ["S256"]
    doc["introspection_endpoint"] = f"{iss}/v1/introspect"
    doc["introspection_endpoint_auth_methods_supported"] = AUTH_METHODS
    doc["revocation_endpoint"] = f"{iss}/v1/revoke"
    doc["revocation_endpoint_auth_methods_supported"] = AUTH_METHODS
    if capabilities.end_session_endpoint:
        doc["end_session_endpoint"] = f"{iss}/v1/logout"
    if openid:
        doc["id_token_signing_alg_values_supported"] = ["RS256"]
    return doc


def discovery(services: OAuthServices, capabilities: Capabilities, request: OAuthRequest,
              openid: bool) -> OAuthResponse:
    config, _ = services.configs.active(request.server_id)
    return OAuthResponse(200, document(config, request.base_url, capabilities, openid),
                         {"Cache-Control": "max-age=300"})
