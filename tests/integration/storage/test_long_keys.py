"""Keys beyond DynamoDB's limits (storage/key_limits.py): an id, a server id or a search prefix longer than any key
can be is not found, never a 503. On moto, which tests/dynamodb_rules.py makes refuse such keys as DynamoDB does
(before, each of these was DynamoDB's ValidationException, taken for an unavailable store: 503)."""
from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests import dynamodb_rules
from tests.integration.api.apisupport import SERVERS, assert_error

pytestmark = pytest.mark.dynamodb

LONG = "a" * 2100  # over both limits (2,048 bytes for a partition key, 1,024 for a sort key)
MULTIBYTE = "\u00e9" * 600  # 600 characters, 1,200 bytes: over the sort key's limit by bytes only


@pytest.mark.parametrize("path, kind", [
    (f"/api/v1/users/{LONG}", "User"), (f"/api/v1/groups/{LONG}", "UserGroup"), (f"/api/v1/apps/{LONG}", "AppInstance"),
    (f"{SERVERS}/{LONG}", "AuthorizationServer"), (f"{SERVERS}/default/scopes/{LONG}", "OAuth2Scope"),
    (f"{SERVERS}/default/policies/{LONG}", "AuthorizationServerPolicy"), (f"/api/v1/trustedOrigins/{LONG}", None),
    (f"/api/v1/api-tokens/{LONG}", None), (f"/oauth2/v1/clients/{LONG}", None),
    (f"/api/v1/users/{MULTIBYTE}", "User"),
])
def test_an_id_longer_than_any_key_is_not_found(api, path, kind):
    response = api.get(path)
    body = assert_error(response, 404, "E0000007")
    if kind:
        assert kind in body["errorSummary"]


@pytest.mark.parametrize("collection", ["/api/v1/users", "/api/v1/groups", "/api/v1/apps", SERVERS,
                                        "/api/v1/trustedOrigins"])
def test_a_search_prefix_longer_than_any_key_finds_nothing(api, collection):
    response = api.get(f"{collection}?{urlencode({'q': LONG})}")
    assert response.status_code == 200, response.body
    assert response.data == []


def test_the_oauth_endpoints_of_a_server_id_longer_than_any_key_are_not_found(api):
    credentials = base64.b64encode(f"{LONG}:secret".encode()).decode()
    token = api.call("POST", f"/oauth2/{LONG}/v1/token", raw="grant_type=client_credentials",
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Authorization": f"Basic {credentials}"})
    assert token.status_code == 404, token.body
    keys = api.call("GET", f"/oauth2/{LONG}/v1/keys")
    assert keys.status_code == 404, keys.body


def test_a_client_id_longer_than_any_key_is_an_unknown_client(api):
    credentials = base64.b64encode(f"{LONG}:secret".encode()).decode()
    response = api.call("POST", "/oauth2/default/v1/token", raw="grant_type=client_credentials",
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "Authorization": f"Basic {credentials}"})
    assert response.status_code == 401 and json.loads(response.body)["error"] == "invalid_client", response.body


def test_the_rule_the_suite_enforces_is_dynamodb_s():
    # What tests/dynamodb_rules.py refuses: a key value over its limit in bytes, anywhere a request names one.
    assert dynamodb_rules.oversized_keys({"Key": {"pk": {"S": "a" * 2048}, "sk": {"S": "b" * 1024}}}) == []
    assert dynamodb_rules.oversized_keys({"Key": {"pk": {"S": "a" * 2049}, "sk": {"S": MULTIBYTE}}}) == ["pk", "sk"]
    assert dynamodb_rules.oversized_keys({"TransactItems": [{"Put": {"Item": {"gsi1sk": {"S": LONG}}}}]}) == \
        ["gsi1sk"]
    assert dynamodb_rules.oversized_keys({"KeyConditionExpression": "#0 = :0", "ExpressionAttributeNames": {
        "#0": "pk"}, "ExpressionAttributeValues": {":0": {"S": LONG}}}) == [":0"]
