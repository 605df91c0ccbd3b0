"""``/api/v1/api-tokens``: the secret is shown once and stored only as its SHA-256; revocation takes effect at once."""
from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.integration.api.apisupport import (
    BASE,
    DIRECTORY_TABLE,
    assert_error,
    assert_no_content,
    assert_not_found,
    assert_validation,
    nothing_changes,
    raw_scan,
)

# On DynamoDB (moto): reads the directory table's items as DynamoDB stores them (the secret's hash only).
pytestmark = pytest.mark.dynamodb

TOKENS = "/api/v1/api-tokens"
T0 = "2026-01-01T12:00:00.000Z"


def create(api, name: str = "ci") -> dict:
    response = api.post(TOKENS, {"name": name})
    assert response.status_code == 201, response.data
    return response.data


def as_token(api, secret: str):
    """The same client, authenticating with another token."""
    return lambda method, path, **kw: api.call(method, path, headers={"Authorization": f"SSWS {secret}"}, **kw)


def test_create_shows_the_secret_once(api):
    response = api.post(TOKENS, {"name": "ci"})
    assert response.status_code == 201
    body = response.data
    assert re.fullmatch(r"00T[A-Za-z0-9]{17}", body["id"])
    assert list(body) == ["id", "name", "userId", "clientName", "created", "lastUpdated", "expiresAt", "tokenWindow",
                          "network", "_links", "token"]
    assert (body["name"], body["clientName"], body["created"], body["lastUpdated"]) == ("ci", "tokenmint", T0, T0)
    assert body["_links"]["self"] == {"href": f"{BASE}{TOKENS}/{body['id']}", "hints": {"allow": ["GET", "DELETE"]}}
    secret = body["token"]
    assert re.fullmatch(r"00[A-Za-z0-9_-]{40}", secret)

    got = api.get(f"{TOKENS}/{body['id']}")
    assert got.status_code == 200
    assert got.data == {k: v for k, v in body.items() if k != "token"}
    listed = api.get(TOKENS)
    assert listed.status_code == 200
    assert sorted(t["name"] for t in listed.data) == ["ci", "tests"]
    for response in (got, listed):
        assert secret not in response.body.decode()
    assert all("token" not in record for record in [got.data, *listed.data])


def test_the_secret_is_stored_only_as_its_sha256(api):
    secret = create(api)["token"]
    items = raw_scan(DIRECTORY_TABLE)
    dumped = json.dumps(items)
    assert secret not in dumped
    assert secret[2:] not in dumped and secret[:-2] not in dumped  # not even most of it
    digest = hashlib.sha256(secret.encode()).hexdigest()
    assert f"APITOKEN#{digest}" in [i["pk"]["S"] for i in items]
    stored = next(i for i in items if i["pk"]["S"] == f"APITOKEN#{digest}")
    assert json.loads(stored["doc"]["S"])["tokenHash"] == digest


def test_a_new_token_works_and_stops_working_once_revoked(api):
    created = create(api)
    call = as_token(api, created["token"])
    assert call("GET", "/api/v1/authorizationServers").status_code == 200

    assert_no_content(api.delete(f"{TOKENS}/{created['id']}"))
    assert_error(call("GET", "/api/v1/authorizationServers"), 401, "E0000011", "Invalid token provided", [])
    assert_not_found(api.get(f"{TOKENS}/{created['id']}"), created["id"], "ApiToken")
    assert [t["name"] for t in api.get(TOKENS).data] == ["tests"]
    assert api.get("/api/v1/authorizationServers").status_code == 200  # other tokens are untouched


def test_revoking_the_current_token(api):
    created = create(api)
    call = as_token(api, created["token"])
    assert_no_content(call("DELETE", f"{TOKENS}/current"))
    assert_error(call("GET", TOKENS), 401, "E0000011")
    assert [t["name"] for t in api.get(TOKENS).data] == ["tests"]


def test_unknown_token_is_404(api):
    with nothing_changes():
        assert_not_found(api.get(f"{TOKENS}/00TNOPE"), "00TNOPE", "ApiToken")
        assert_not_found(api.delete(f"{TOKENS}/00TNOPE"), "00TNOPE", "ApiToken")


@pytest.mark.parametrize("body, fields", [
    ({}, ["name"]), ({"name": ""}, ["name"]), ({"name": None}, ["name"]), ({"name": 5}, ["name"]),
    ({"name": "x" * 101}, ["name"]),
])
def test_bad_create_is_400_and_creates_nothing(api, body, fields):
    with nothing_changes():
        response = api.post(TOKENS, body)
    assert_validation(response, "apiToken", *fields)


@pytest.mark.parametrize("raw", ["{", '["ci"]', '"ci"'])
def test_malformed_create_is_400_e0000003(api, raw):
    with nothing_changes():
        response = api.post(TOKENS, raw=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


def test_the_operator_token_works_but_cannot_be_revoked_through_the_api(container, client):
    """``TOKENMINT_ADMIN_TOKEN`` is accepted besides stored tokens and is known only by its hash."""
    from chalicelib.container import Container, set_container
    from tests.integration.api.apisupport import test_settings

    operator = "00" + "operator-secret-" * 3
    settings = test_settings(TOKENMINT_KMS_KEY_ID=container.settings.kms_key_id, TOKENMINT_ADMIN_TOKEN=operator)
    set_container(Container.build(settings, container.clock))
    try:
        headers = {"Authorization": f"SSWS {operator}"}
        assert client.http.get(TOKENS, headers=headers).status_code == 200
        with nothing_changes():
            response = client.http.delete(f"{TOKENS}/current", headers=headers)
        assert_error(response, 403, "E0000006", "You do not have permission to perform the requested action")
        assert client.http.get(TOKENS, headers=headers).status_code == 200
    finally:
        set_container(container)
