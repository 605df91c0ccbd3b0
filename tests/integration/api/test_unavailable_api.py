"""When AWS cannot be reached, admin calls answer 503 in Okta's error format with the headers Okta's SDK needs to
retry (``Date``, ``X-Rate-Limit-Reset``), fast, and without a stack trace or internal detail."""
from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime

import pytest

from tests.integration.api.apisupport import (
    assert_error,
    claim_body,
    policy_body,
    scope_body,
    server_body,
    test_settings,
)

OPERATOR_TOKEN = "00" + "operator-token-" * 3
NOWHERE = "http://127.0.0.1:9"  # the discard port: connections are refused at once


@pytest.fixture
def unreachable():
    """A container whose every AWS client points at a closed port (no moto here: nothing answers at all)."""
    from chalice.test import Client

    from app import app
    from chalicelib.container import Container, set_container

    settings = test_settings(AWS_ENDPOINT_URL=NOWHERE, TOKENMINT_ADMIN_TOKEN=OPERATOR_TOKEN)
    set_container(Container.build(settings))
    try:
        with Client(app) as client:
            yield client
    finally:
        set_container(None)


def call(client, method: str, path: str, token: str = OPERATOR_TOKEN, body=None):
    headers = {"Authorization": f"SSWS {token}", "Content-Type": "application/json"}
    started = time.monotonic()
    response = getattr(client.http, method.lower())(path, headers=headers,
                                                    body=json.dumps(body).encode() if body is not None else b"")
    return response, time.monotonic() - started


def assert_unavailable(response, elapsed: float) -> None:
    body = assert_error(response, 503, "E0000009", "Service temporarily unavailable. Please try again later.", [])
    text = response.body.decode()
    for leak in ("127.0.0.1", "Traceback", "pynamodb", "botocore", "Exception", "store"):
        assert leak not in text, leak
    date = parsedate_to_datetime(response.headers["Date"]).timestamp()
    reset = int(response.headers["X-Rate-Limit-Reset"])
    assert abs(date - time.time()) < 5
    assert reset > date
    assert response.headers["Retry-After"] == "1"
    assert "X-Okta-Request-Id" in response.headers
    assert elapsed < 10, f"a dead dependency must fail fast, took {elapsed:.1f}s"
    assert body["errorLink"] == "E0000009"


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/authorizationServers", None),
    ("GET", "/api/v1/authorizationServers/default", None),
    ("POST", "/api/v1/authorizationServers", server_body()),
    ("PUT", "/api/v1/authorizationServers/default", server_body()),
    ("DELETE", "/api/v1/authorizationServers/ausSOME", None),
    ("GET", "/api/v1/authorizationServers/default/scopes", None),
    ("POST", "/api/v1/authorizationServers/default/scopes", scope_body()),
    ("POST", "/api/v1/authorizationServers/default/claims", claim_body()),
    ("POST", "/api/v1/authorizationServers/default/policies", policy_body()),
    ("POST", "/api/v1/authorizationServers/default/lifecycle/deactivate", None),
    ("GET", "/api/v1/api-tokens", None),
    ("POST", "/api/v1/api-tokens", {"name": "ci"}),
])
def test_admin_calls_answer_503_when_dynamodb_is_unreachable(unreachable, method, path, body):
    assert_unavailable(*call(unreachable, method, path, body=body))


def test_a_stored_token_cannot_be_checked_so_the_answer_is_503_not_401(unreachable):
    assert_unavailable(*call(unreachable, "GET", "/api/v1/authorizationServers", token="00" + "x" * 40))


def test_requests_without_a_token_are_still_refused_without_touching_aws(unreachable):
    response = unreachable.http.get("/api/v1/authorizationServers")
    assert_error(response, 401, "E0000011", "Invalid token provided", [])


def test_bad_input_is_still_reported_before_any_aws_call(unreachable):
    response, _elapsed = call(unreachable, "POST", "/api/v1/authorizationServers", body={"name": ""})
    assert_error(response, 400, "E0000001")
