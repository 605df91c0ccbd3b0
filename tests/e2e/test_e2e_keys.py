"""Signing keys through the official Okta SDK (okta-api.md 3): list, get, manual rotation, and the public JWKS."""
from __future__ import annotations

import re

from okta import models

from e2e_support import causes, enum_value, expect, expect_error, not_found_summary

OKTA_SPEC_OPERATIONS = {
    "listAuthorizationServerKeys", "getAuthorizationServerKey", "rotateAuthorizationServerKeys",
}

KID = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _statuses(keys) -> dict[str, str]:
    return {k.kid: k.status for k in keys}


def test_a_new_server_has_an_active_and_a_next_key(okta_client, stack, server):
    keys = expect(200, okta_client.list_authorization_server_keys(server.id))
    by_status = {k.status: k for k in keys}
    assert sorted(by_status) == ["ACTIVE", "NEXT"]
    for key in keys:
        assert KID.match(key.kid)
        assert (key.kty, key.alg, key.use, key.e) == ("RSA", "RS256", "sig", "AQAB")
        assert len(key.n) > 300  # a 2048-bit modulus or more, base64url
        assert key.links.var_self.href == (
            f"{stack.base_url}/api/v1/authorizationServers/{server.id}/credentials/keys/{key.kid}")
    assert server.credentials.signing.kid == by_status["ACTIVE"].kid

    one = expect(200, okta_client.get_authorization_server_key(server.id, by_status["NEXT"].kid))
    assert one.to_dict() == by_status["NEXT"].to_dict()


def test_rotation_promotes_next_and_expires_active(okta_client, stack, server, http):
    before = _statuses(expect(200, okta_client.list_authorization_server_keys(server.id)))
    active = next(k for k, s in before.items() if s == "ACTIVE")
    upcoming = next(k for k, s in before.items() if s == "NEXT")

    after = expect(200, okta_client.rotate_authorization_server_keys(server.id, models.JwkUse(use="sig")))
    statuses = _statuses(after)
    assert statuses[upcoming] == "ACTIVE" and statuses[active] == "EXPIRED"
    fresh = [k for k, s in statuses.items() if s == "NEXT"]
    assert len(fresh) == 1 and fresh[0] not in before
    assert _statuses(expect(200, okta_client.list_authorization_server_keys(server.id))) == statuses

    rotated = expect(200, okta_client.get_authorization_server(server.id))
    assert rotated.credentials.signing.kid == upcoming
    assert rotated.credentials.signing.last_rotated >= server.credentials.signing.last_rotated

    # The public JWKS publishes the same keys, without status or links (okta-api.md 3.4); not an Okta-spec path.
    jwks = http.get(f"{stack.base_url}/oauth2/{server.id}/v1/keys", timeout=10)
    assert jwks.status_code == 200 and jwks.headers["Content-Type"] == "application/json"
    published = jwks.json()["keys"]
    assert {k["kid"] for k in published} == set(statuses)
    assert all("status" not in k and "_links" not in k for k in published)


def test_rotation_needs_use_sig(okta_client, server):
    err = expect_error(400, "E0000001", okta_client.rotate_authorization_server_keys(server.id, models.JwkUse()))
    assert err.error_summary == "Api validation failed: rotateKeys"
    assert causes(err) == ["Invalid value specified for key 'use' parameter."]


def test_keys_of_the_default_server_and_unknown_keys(okta_client, stack):
    keys = expect(200, okta_client.list_authorization_server_keys("default"))
    assert "ACTIVE" in {k.status for k in keys}
    assert all(k.links.var_self.href.startswith(f"{stack.base_url}/api/v1/authorizationServers/default/")
               for k in keys)
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_key("default", "no-such-kid"))
    assert err.error_summary == not_found_summary("no-such-kid", "AuthorizationServerJsonWebKey")
    err = expect_error(404, "E0000007", okta_client.list_authorization_server_keys("ausNoSuchServer00000"))
    assert err.error_summary == not_found_summary("ausNoSuchServer00000", "AuthorizationServer")


def test_server_credentials_follow_rotation_mode(okta_client, server):
    signing = server.credentials.signing
    assert enum_value(signing.rotation_mode) == "AUTO"
    assert signing.next_rotation is not None and signing.last_rotated is not None
    fetched = expect(200, okta_client.get_authorization_server(server.id))
    fetched.credentials.signing.rotation_mode = "MANUAL"
    manual = expect(200, okta_client.replace_authorization_server(server.id, fetched))
    assert enum_value(manual.credentials.signing.rotation_mode) == "MANUAL"
    assert manual.credentials.signing.next_rotation is None  # only AUTO servers have one (okta-api.md 2.3)
