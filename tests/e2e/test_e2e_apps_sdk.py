"""The Applications API through the official Okta SDK against the running local stack (issue 15): an
``OpenIdConnectApplication`` created, read, listed with paging, replaced, deactivated and deleted; its client secrets
rotated and its client JWKs managed. Every response must be one the SDK deserializes into its own models (and the
OpenAPI check validates the recorded traffic against Okta's spec when the reference directory is configured)."""
from __future__ import annotations

import asyncio
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from okta import models
from okta.pagination import paginate_all

from e2e_support import call, causes, enum_value, expect, expect_error, not_found_summary

# The operations of Okta's spec these tests drive; the OpenAPI check fails if the session recorded none of one.
OKTA_SPEC_OPERATIONS = {
    "listApplications", "createApplication", "getApplication", "replaceApplication", "deleteApplication",
    "activateApplication", "deactivateApplication", "listOAuth2ClientSecrets", "createOAuth2ClientSecret",
    "getOAuth2ClientSecret", "deleteOAuth2ClientSecret", "deactivateOAuth2ClientSecret", "listJwk",
    "getJwk", "deletejwk", "deactivateOAuth2ClientJsonWebKey", "listOAuth2TokensForApplication",
    "revokeOAuth2TokensForApplication", "listScopeConsentGrants", "grantConsentToScope", "getScopeConsentGrant",
    "revokeScopeConsentGrant",
}  # not addJwk: the SDK cannot send an RSA key (see test_the_sdk_manages_client_jwks)


def lifecycle(coro) -> None:
    """An app lifecycle call: Okta's spec documents 200 without content, which the SDK hands back as no data."""
    result = call(coro)
    assert result.error is None and result.status == 200 and not result.raw, result


def oidc_app(label: str, **settings) -> models.OpenIdConnectApplication:
    return models.OpenIdConnectApplication.from_dict({
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": label,
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic", "autoKeyRotation": True,
                                        "pkce_required": False}},
        "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code"],
                                     "response_types": ["code"], "redirect_uris": ["https://app.example/cb"],
                                     "consent_method": "TRUSTED", **settings}}})


def remove(okta_client, app_id: str) -> None:
    lifecycle(okta_client.deactivate_application(app_id))
    expect(204, okta_client.delete_application(app_id))


def test_the_sdk_manages_an_oidc_app(okta_client):
    label = f"sdk-app-{uuid.uuid4().hex[:8]}"
    created = expect(200, okta_client.create_application(oidc_app(label)))
    try:
        assert isinstance(created, models.OpenIdConnectApplication)
        assert (created.label, enum_value(created.status), enum_value(created.sign_on_mode)) == (
            label, "ACTIVE", "OPENID_CONNECT")
        oauth = created.credentials.oauth_client
        assert oauth.client_id == created.id and oauth.client_secret
        assert enum_value(created.settings.oauth_client.consent_method) == "TRUSTED"

        got = expect(200, okta_client.get_application(created.id))
        assert isinstance(got, models.OpenIdConnectApplication) and got.credentials.oauth_client.client_secret is None

        lifecycle(okta_client.deactivate_application(created.id))
        assert enum_value(expect(200, okta_client.get_application(created.id)).status) == "INACTIVE"
        lifecycle(okta_client.activate_application(created.id))

        changed = models.OpenIdConnectApplication.from_dict({**got.to_dict(), "label": label + "-v2"})
        replaced = expect(200, okta_client.replace_application(created.id, changed))
        assert replaced.label == label + "-v2"
        assert replaced.settings.oauth_client.redirect_uris == ["https://app.example/cb"]

        found = expect(200, okta_client.list_applications(q=label, filter='status eq "ACTIVE"'))
        assert [a.id for a in found] == [created.id]
    finally:
        remove(okta_client, created.id)
    err = expect_error(404, "E0000007", okta_client.get_application(created.id))
    assert err.error_summary == not_found_summary(created.id, "AppInstance")


def test_the_sdk_pages_through_apps(okta_client):
    tag = uuid.uuid4().hex[:8]
    ids = [expect(200, okta_client.create_application(oidc_app(f"page-{tag}-{i}"))).id for i in range(3)]
    try:
        async def every() -> list[str]:
            return [a.id async for a in paginate_all(okta_client.list_applications, q=f"page-{tag}", limit=2)]

        seen = asyncio.run(every())
        assert sorted(seen) == sorted(ids) and len(seen) == 3
    finally:
        for app_id in ids:
            remove(okta_client, app_id)


def test_the_sdk_rotates_client_secrets(okta_client):
    app = expect(200, okta_client.create_application(oidc_app(f"sdk-secrets-{uuid.uuid4().hex[:8]}")))
    try:
        [first] = expect(200, okta_client.list_o_auth2_client_secrets(app.id))
        assert enum_value(first.status) == "ACTIVE" and first.secret_hash
        second = expect(201, okta_client.create_o_auth2_client_secret(app.id))
        assert second.client_secret and enum_value(second.status) == "ACTIVE"
        err = expect_error(400, "E0000001", okta_client.create_o_auth2_client_secret(app.id))
        assert any("at most 2" in c for c in causes(err))
        off = expect(200, okta_client.deactivate_o_auth2_client_secret(app.id, first.id))
        assert enum_value(off.status) == "INACTIVE"
        expect(204, okta_client.delete_o_auth2_client_secret(app.id, first.id))
        [left] = expect(200, okta_client.list_o_auth2_client_secrets(app.id))
        assert left.id == second.id
        assert expect(200, okta_client.get_o_auth2_client_secret(app.id, second.id)).id == second.id
        # the app's refresh tokens at every server: none yet; revoking them all is fine
        assert expect(200, okta_client.list_o_auth2_tokens_for_application(app.id)) == []
        expect(204, okta_client.revoke_o_auth2_tokens_for_application(app.id))
    finally:
        remove(okta_client, app.id)


def test_the_sdk_manages_client_jwks(okta_client, http, stack, admin_headers):
    """The SDK's ``add_jwk`` cannot carry an RSA key (okta 3.4.6's request models drop ``n`` and ``e``: an SDK
    defect that real Okta would refuse too), so the key is added with plain HTTP; the SDK does the rest."""
    public = jwt.algorithms.RSAAlgorithm.to_jwk(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), as_dict=True)
    app = expect(200, okta_client.create_application(oidc_app(f"sdk-jwks-{uuid.uuid4().hex[:8]}")))
    try:
        added = http.post(f"{stack.base_url}/api/v1/apps/{app.id}/credentials/jwks", headers=admin_headers,
                          json={"kty": "RSA", "kid": "sdk-1", "e": public["e"], "n": public["n"], "alg": "RS256",
                                "use": "sig", "status": "ACTIVE"})
        assert added.status_code == 201, added.text
        key_id = added.json()["id"]
        listed = expect(200, okta_client.list_jwk(app.id))
        assert [getattr(k, "actual_instance", k).id for k in listed] == [key_id]
        got = expect(200, okta_client.get_jwk(app.id, key_id)).actual_instance
        assert (got.kid, enum_value(got.status)) == ("sdk-1", "ACTIVE")
        off = expect(200, okta_client.deactivate_o_auth2_client_json_web_key(app.id, key_id))
        assert enum_value(getattr(off, "actual_instance", off).status) == "INACTIVE"
        expect(204, okta_client.deletejwk(app.id, key_id))
        assert expect(200, okta_client.list_jwk(app.id)) == []
    finally:
        remove(okta_client, app.id)


def test_the_sdk_grants_an_app_okta_scopes(okta_client, stack):
    app = expect(200, okta_client.create_application(oidc_app(f"sdk-grants-{uuid.uuid4().hex[:8]}")))
    try:
        body = models.OAuth2ScopeConsentGrant.from_dict({"issuer": stack.base_url, "scopeId": "okta.apps.read"})
        made = expect(201, okta_client.grant_consent_to_scope(app.id, body))
        assert (made.scope_id, enum_value(made.source), made.client_id) == ("okta.apps.read", "ADMIN", app.id)
        assert [g.id for g in expect(200, okta_client.list_scope_consent_grants(app.id))] == [made.id]
        assert expect(200, okta_client.get_scope_consent_grant(app.id, made.id)).scope_id == "okta.apps.read"
        expect(204, okta_client.revoke_scope_consent_grant(app.id, made.id))
        assert expect(200, okta_client.list_scope_consent_grants(app.id)) == []
    finally:
        remove(okta_client, app.id)


def test_secret_rotation_end_to_end_at_the_token_endpoint(okta_client, http, stack, admin_headers):
    """Create a second secret, both work at /v1/token, deactivate the first: only the new one works."""
    scopes = f"{stack.base_url}/api/v1/authorizationServers/default/scopes"
    name = f"rotation:{uuid.uuid4().hex[:8]}"
    scope = http.post(scopes, headers=admin_headers, json={"name": name, "consent": "IMPLICIT",
                                                           "metadataPublish": "NO_CLIENTS"})
    assert scope.status_code == 201, scope.text
    service = models.OpenIdConnectApplication.from_dict({
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": f"sdk-rotation-{uuid.uuid4().hex[:8]}",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"],
                                     "response_types": ["token"]}}})
    app = expect(200, okta_client.create_application(service))
    first = app.credentials.oauth_client.client_secret

    def token(secret: str) -> int:
        return http.post(f"{stack.base_url}/oauth2/default/v1/token", auth=(app.id, secret),
                         data={"grant_type": "client_credentials", "scope": name}).status_code

    try:
        assert token(first) == 200
        second = expect(201, okta_client.create_o_auth2_client_secret(app.id))
        assert token(first) == 200 and token(second.client_secret) == 200
        [old] = [s for s in expect(200, okta_client.list_o_auth2_client_secrets(app.id)) if s.id != second.id]
        expect(200, okta_client.deactivate_o_auth2_client_secret(app.id, old.id))
        assert token(first) == 401 and token(second.client_secret) == 200
    finally:
        remove(okta_client, app.id)
        http.delete(f"{scopes}/{scope.json()['id']}", headers=admin_headers)
