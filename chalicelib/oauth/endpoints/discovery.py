"""Discovery documents under each issuer (RFC 8414, OpenID Connect Discovery 1.0; okta-api.md 7.10;
security-checklist DISC-01..04).

Both documents are built from one description of what this deployment really implements, so they agree with each
other and never advertise an endpoint or grant that does not exist (members that would be empty are left out).
Custom scopes appear in ``scopes_supported`` only with ``metadataPublish: ALL_CLIENTS``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...domain import ServerConfig
from ..context import OAuthRequest, OAuthResponse, OAuthServices
from ..rendered import RenderedDocuments
from ..issuer import endpoints_base, issuer

OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
ASSERTION_ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
ACCESS_TOKEN_CLAIMS = ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"]
# Grants that only make sense without a user are not listed in the OpenID document (Okta does the same).
NOT_OIDC_GRANTS = {"client_credentials"}


# Okta's order of grant types in discovery (okta-api.md 7.10).
GRANT_ORDER = ("authorization_code", "implicit", "refresh_token", "password", "client_credentials")
# OIDC scope claims and the ID token's own claims (okta-api.md 7.10, openid-configuration).
ID_TOKEN_CLAIMS = ["iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name",
                   "nickname", "preferred_username", "given_name", "middle_name", "family_name", "email",
                   "email_verified", "profile", "zoneinfo", "locale", "address", "phone_number", "picture",
                   "website", "gender", "birthdate", "updated_at", "at_hash", "c_hash"]


@dataclass(frozen=True)
class Capabilities:
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...] = ()
    authorization_endpoint: bool = False
    userinfo_endpoint: bool = False
    end_session_endpoint: bool = False
    response_modes: tuple[str, ...] = ()
    # RFC 9126 5: the PAR endpoint; RFC 9101 / OIDC Discovery: the ``request`` parameter's signing algorithms.
    pushed_authorization_requests: bool = False
    request_object_algs: tuple[str, ...] = ()
    # RFC 9449 5.1: the algorithms DPoP proofs may use; empty when DPoP is not offered.
    dpop_algs: tuple[str, ...] = ()
    device_authorization_endpoint: bool = False

    def with_front_channel(self) -> "Capabilities":
        """What the front channel (oauth/authorize) adds: the authorize endpoint with Okta's response types and
        the modes this server delivers (no okta_post_message), RFC 9207's iss parameter, PKCE S256, the implicit
        grant (tokens from the authorize endpoint) and RP-initiated logout."""
        return replace(self, authorization_endpoint=True, end_session_endpoint=True,
                       response_types=("code", "token", "id_token", "code id_token", "code token", "id_token token",
                                       "code id_token token"),
                       response_modes=("query", "fragment", "form_post"))


def _scopes(config: ServerConfig) -> list[str]:
    published = [s.name for s in config.scopes if s.metadata_publish == "ALL_CLIENTS"]
    custom = [s for s in published if s not in OIDC_SCOPES]
    return custom + [s for s in OIDC_SCOPES if s in published]


def document(config: ServerConfig, base: str, capabilities: Capabilities, openid: bool) -> dict[str, Any]:
    iss = issuer(config.server, base)
    at = endpoints_base(config.server, base)  # the issuer, but {base}/oauth2 for the org server
    offered = set(capabilities.grant_types)
    if capabilities.authorization_endpoint and any("token" in t.split(" ") for t in capabilities.response_types):
        offered.add("implicit")  # tokens straight from the authorize endpoint
    ordered = [g for g in GRANT_ORDER if g in offered] + [g for g in capabilities.grant_types if g not in GRANT_ORDER]
    grants = [g for g in ordered if not (openid and g in NOT_OIDC_GRANTS)]
    doc: dict[str, Any] = {"issuer": iss}
    if capabilities.authorization_endpoint:
        doc["authorization_endpoint"] = f"{at}/v1/authorize"
    doc["token_endpoint"] = f"{at}/v1/token"
    if capabilities.device_authorization_endpoint:
        doc["device_authorization_endpoint"] = f"{at}/v1/device/authorize"  # RFC 8628 4
    if openid and capabilities.userinfo_endpoint:
        doc["userinfo_endpoint"] = f"{at}/v1/userinfo"
    doc["registration_endpoint"] = f"{base}/oauth2/v1/clients"
    doc["jwks_uri"] = f"{at}/v1/keys"
    if capabilities.response_types:
        # Both documents list the same response types (DISC-01; Okta's OpenID document leaves out plain "token").
        doc["response_types_supported"] = list(capabilities.response_types)
    if capabilities.response_modes:
        doc["response_modes_supported"] = list(capabilities.response_modes)
    if grants:
        doc["grant_types_supported"] = grants
    doc["subject_types_supported"] = ["public"]
    scopes = _scopes(config)
    if scopes:  # DISC-03: a member that would be an empty array is left out
        doc["scopes_supported"] = scopes
    doc["token_endpoint_auth_methods_supported"] = AUTH_METHODS
    doc["token_endpoint_auth_signing_alg_values_supported"] = ASSERTION_ALGS
    # With user flows both token kinds are issued: both documents list the claims of both (they must agree,
    # DISC-01; Okta's two documents list one kind each).
    doc["claims_supported"] = ACCESS_TOKEN_CLAIMS + [c for c in ID_TOKEN_CLAIMS if c not in ACCESS_TOKEN_CLAIMS] \
        if capabilities.authorization_endpoint else ACCESS_TOKEN_CLAIMS
    if capabilities.authorization_endpoint:
        doc["code_challenge_methods_supported"] = ["S256"]
    doc["introspection_endpoint"] = f"{at}/v1/introspect"
    doc["introspection_endpoint_auth_methods_supported"] = AUTH_METHODS
    doc["revocation_endpoint"] = f"{at}/v1/revoke"
    doc["revocation_endpoint_auth_methods_supported"] = AUTH_METHODS
    if capabilities.end_session_endpoint:
        doc["end_session_endpoint"] = f"{at}/v1/logout"
    if capabilities.authorization_endpoint:
        doc["authorization_response_iss_parameter_supported"] = True  # RFC 9207 (ISS-02)
    if capabilities.request_object_algs:
        doc["request_parameter_supported"] = True
        doc["request_object_signing_alg_values_supported"] = list(capabilities.request_object_algs)
        # OIDC Discovery's default is true; only our own PAR request_uris are taken, no URL is ever fetched.
        doc["request_uri_parameter_supported"] = False
    if capabilities.pushed_authorization_requests:
        doc["pushed_authorization_request_endpoint"] = f"{at}/v1/par"
        # Required per client (its require_pushed_authorization_requests), not by the server for all (RFC 9126 5).
        doc["require_pushed_authorization_requests"] = False
    if openid:
        doc["id_token_signing_alg_values_supported"] = ["RS256"]
    if capabilities.dpop_algs:
        doc["dpop_signing_alg_values_supported"] = list(capabilities.dpop_algs)
    return doc


def discovery(services: OAuthServices, capabilities: Capabilities, request: OAuthRequest,
              openid: bool, rendered: RenderedDocuments | None = None) -> OAuthResponse:
    """``rendered``: where documents are kept per cached configuration object (None: rendered every time)."""
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    base = request.base_url
    body: Any = document(config, base, capabilities, openid) if rendered is None else \
        rendered.get(config, ("discovery", base, openid, capabilities),
                     lambda: document(config, base, capabilities, openid))
    return OAuthResponse(200, body, {"Cache-Control": "max-age=300"})
