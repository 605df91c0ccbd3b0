"""Okta's error objects on the wire (okta-api.md 1.2), as the SDK parses them and as plain HTTP sees them."""
from __future__ import annotations

import re

import pytest
from okta.errors.okta_api_error import OktaAPIError

from e2e_support import call, causes, expect, expect_error, not_found_summary, policy_body, rule_body, scope_body

ERROR_ID = re.compile(r"^oae[A-Za-z0-9]{22}$")
ERROR_KEYS = {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}


def _okta_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["errorCode"] == body["errorLink"] == code
    assert ERROR_ID.match(body["errorId"])
    assert isinstance(body["errorCauses"], list)
    return body


def test_not_found_names_the_missing_object_and_its_type(okta_client, server):
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
    missing = {
        "AuthorizationServer": ("ausMissing0000000000", okta_client.get_authorization_server("ausMissing0000000000")),
        "OAuth2Scope": ("scpMissing0000000000", okta_client.get_o_auth2_scope(server.id, "scpMissing0000000000")),
        "OAuth2Claim": ("oclMissing0000000000", okta_client.get_o_auth2_claim(server.id, "oclMissing0000000000")),
        "AuthorizationServerPolicy": ("00pMissing0000000000", okta_client.get_authorization_server_policy(
            server.id, "00pMissing0000000000")),
        "AuthorizationServerPolicyRule": ("0prMissing0000000000", okta_client.get_authorization_server_policy_rule(
            server.id, policy.id, "0prMissing0000000000")),
    }
    for resource_type, (resource_id, coro) in missing.items():
        err = expect_error(404, "E0000007", coro)
        assert err.error_summary == not_found_summary(resource_id, resource_type)
        assert err.error_causes == []
        assert err.message.startswith(f"Okta HTTP 404 E0000007 Not found: Resource not found: {resource_id}")


def test_void_methods_return_two_values_on_error_and_three_on_success(okta_client, server):
    """The SDK's quirk (clients.md 2.2) that every helper here normalises: pin it, so a change is noticed."""
    assert call(okta_client.delete_o_auth2_scope(server.id, "scpMissing0000000000")).shape == 2
    assert call(okta_client.get_o_auth2_scope(server.id, "scpMissing0000000000")).shape == 3
    scope = expect(201, okta_client.create_o_auth2_scope(server.id, scope_body("shape:test")))
    assert call(okta_client.delete_o_auth2_scope(server.id, scope.id)).shape == 3


def test_validation_error_lists_its_causes(okta_client):
    from okta import models

    err = expect_error(400, "E0000001", okta_client.create_authorization_server(
        models.AuthorizationServer(description="no name, no audience")))
    assert err.error_summary == "Api validation failed: authorizationServer"
    assert causes(err) == ["name: The field cannot be left blank.", "audiences: The field cannot be left blank."]
    assert "name: The field cannot be left blank." in err.message


def test_validation_error_on_nested_objects(okta_client, server):
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
    err = expect_error(400, "E0000001", okta_client.create_authorization_server_policy_rule(
        server.id, policy.id, rule_body(access_minutes=2000)))
    assert causes(err) == ["actions.token.accessTokenLifetimeMinutes: Must be between 5 and 1440."]


def test_a_bad_token_is_refused_with_401(okta_client_with_bad_token):
    err = expect_error(401, "E0000011", okta_client_with_bad_token.list_authorization_servers())
    assert err.error_summary == "Invalid token provided"
    expect_error(401, "E0000011", okta_client_with_bad_token.get_authorization_server("default"))
    expect_error(401, "E0000011", okta_client_with_bad_token.delete_authorization_server("default"))


@pytest.mark.parametrize("authorization", [None, "SSWS", "SSWS not-a-valid-token-at-all-000000", "Bearer x.y.z",
                                           "Basic dXNlcjpwYXNz"])
def test_plain_http_without_a_valid_token_gets_401(http, stack, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{stack.base_url}/api/v1/authorizationServers", headers=headers)
    body = _okta_error(response, 401, "E0000011")
    assert body["errorSummary"] == "Invalid token provided"
    assert stack.token not in response.text


def test_unknown_api_path_without_a_token_is_okta_401_E0000011(http, stack):
    """No route discovery without credentials (issue 12): existing path or not, the answer is 401."""
    for method in ("GET", "POST", "DELETE"):
        response = http.request(method, f"{stack.base_url}/api/v1/no-such-thing")
        _okta_error(response, 401, "E0000011")
    assert http.get(f"{stack.base_url}/api/v1/apps").status_code == 401


def test_unknown_path_outside_the_api_is_okta_404_E0000008(http, stack):
    response = http.get(f"{stack.base_url}/no-such-thing")
    body = _okta_error(response, 404, "E0000008")
    assert body["errorSummary"] == "The requested path was not found"


def test_unknown_path_with_a_token_is_okta_404_E0000008(http, stack, admin_headers):
    response = http.get(f"{stack.base_url}/api/v1/no-such-thing", headers=admin_headers)
    assert stack.token not in response.text
    _okta_error(response, 404, "E0000008")


def test_sdk_sees_unknown_resources_as_okta_errors(okta_client):
    result = call(okta_client.get_o_auth2_claim("ausMissing0000000000", "oclMissing0000000000"))
    assert isinstance(result.error, OktaAPIError) and result.error.status == 404
    assert result.error.error_summary == not_found_summary("ausMissing0000000000", "AuthorizationServer")
