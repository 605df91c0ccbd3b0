"""Issue 12: no route discovery without credentials. Every /api/v1 path, existing or not, answers 401 E0000011
without a valid API token; an authenticated request for a path that does not exist is 404 E0000008. In AWS the
greedy route /api/v1/{proxy+} (api/unknown_paths.py) receives them; this drives it with API Gateway's event."""
from __future__ import annotations

import json

import pytest

from tests.integration.api.apisupport import assert_error

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def gateway_event(method: str, path: str, headers: dict[str, str]) -> dict:
    """The REST API proxy event API Gateway sends for a path matched by the greedy resource."""
    return {
        "resource": "/api/v1/{proxy+}", "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": {"proxy": path.removeprefix("/api/v1/")},
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/api/v1/{proxy+}", "httpMethod": method, "path": f"/api{path}",
                           "stage": "api", "requestId": "r", "identity": {"sourceIp": "203.0.113.9"}},
    }


class Answer:
    def __init__(self, raw: dict) -> None:
        self.status_code = raw["statusCode"]
        self.headers = raw["headers"]
        self.body = raw["body"].encode()


def call(method: str, path: str, headers: dict[str, str]) -> Answer:
    from app import app
    from bench.apigw import LambdaContext

    return Answer(app(gateway_event(method, path, headers), LambdaContext()))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ["/api/v1/apps", "/api/v1/no/such/thing", "/api/v1/authorizationServers/x/y/z/w"])
def test_an_unknown_path_without_a_token_is_401(container, method, path):
    assert_error(call(method, path, {}), 401, "E0000011")
    assert_error(call(method, path, {"Authorization": "SSWS not-a-token"}), 401, "E0000011")


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_path_with_a_valid_token_is_404(container, admin_token, method):
    response = call(method, "/api/v1/no/such/thing", {"Authorization": f"SSWS {admin_token}"})
    body = assert_error(response, 404, "E0000008", "The requested path was not found")
    assert admin_token not in json.dumps(body)


def test_a_known_path_with_an_unsupported_method_is_401_before_405(client, admin_token):
    assert_error(client.http.patch("/api/v1/authorizationServers"), 401, "E0000011")
    response = client.http.patch("/api/v1/authorizationServers", headers={"Authorization": f"SSWS {admin_token}"})
    assert_error(response, 405, "E0000022")
