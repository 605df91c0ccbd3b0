"""``POST /api/v1/internal/authorizationServers/{as}/claims/validate`` (a tokenmint extension, api/claim_validation.py):
the admin console's live check of a claim's value. It answers what creating the claim would answer (200
``{"valid": true}`` or Okta's 400 E0000001 with the creation's very causes), writes nothing, and takes bearer tokens
only with ``okta.authorizationServers.manage`` and a role that may write."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.oauth import minting
from chalicelib.oauth.access_token import access_token_claims
from chalicelib.oauth.issuer import ORG_SERVER_ID
from tests.integration.api.apisupport import (
    SERVERS,
    assert_error,
    assert_not_found,
    assert_validation,
    causes_of,
    claim_body,
    nothing_changes,
)

BASE = "https://tokenmint.test"
VALIDATE = "/api/v1/internal/authorizationServers/{}/claims/validate"
DEFAULT = VALIDATE.format("default")
CLAIMS = f"{SERVERS}/default/claims"


def test_a_claim_the_collection_would_accept_is_valid_and_nothing_is_written(api):
    with nothing_changes():
        for body in (claim_body(), claim_body(value="user.firstName + \" \" + user.lastName", claimType="IDENTITY"),
                     claim_body(valueType="GROUPS", value="admins", group_filter_type="STARTS_WITH")):
            response = api.post(DEFAULT, body)
            assert (response.status_code, response.data) == (200, {"valid": True}), (body, response.data)
            assert response.headers["Cache-Control"] == "no-store"
    assert "department" not in {c["name"] for c in api.get(CLAIMS).data}


def test_a_bad_expression_gets_the_cause_creation_gives_next_to_value(api):
    body = claim_body(value="user.department +")
    with nothing_changes():
        checked = api.post(DEFAULT, body)
    causes = assert_validation(checked, "claim", "value")
    assert causes[0].startswith("value: Invalid Okta Expression Language expression:"), causes
    created = api.post(CLAIMS, body)
    assert created.status_code == 400 and causes_of(created) == causes_of(checked)


@pytest.mark.parametrize("overrides, fields", [
    ({"value": "String.len("}, {"value"}),
    ({"name": "groups"}, {"name"}),  # reserved for access tokens
    ({"claimType": "ACCESS"}, {"claimType"}),
    ({"valueType": "GROUPS", "value": "admins"}, {"group_filter_type"}),
    ({"conditions": {"scopes": ["nope:read"]}}, {"conditions.scopes"}),
    ({"value": "", "name": "bad name"}, {"value", "name"}),
])
def test_each_cause_is_the_one_creation_gives(api, overrides, fields):
    body = claim_body(**overrides)
    checked = api.post(DEFAULT, body)
    assert_validation(checked, "claim", *fields)
    created = api.post(CLAIMS, body)
    assert created.status_code == 400 and causes_of(created) == causes_of(checked)


def test_name_may_be_left_out_while_the_form_is_filled_in(api):
    body = claim_body()
    del body["name"]
    assert api.post(DEFAULT, body).data == {"valid": True}
    body["value"] = "user.("
    assert_validation(api.post(DEFAULT, body), "claim", "value")


def test_a_duplicate_name_is_refused_except_for_the_claim_being_edited(api):
    made = api.post(CLAIMS, claim_body()).data
    duplicate = api.post(DEFAULT, claim_body(value="user.email"))
    assert_error(duplicate, 400, "E0000001", "Api validation failed: claim",
                 ["name: A RESOURCE claim named 'department' already exists on this authorization server."])
    assert api.post(DEFAULT, claim_body(claimType="IDENTITY")).data == {"valid": True}  # per claim type
    edited = api.post(DEFAULT, {**made, "value": "user.email"})
    assert (edited.status_code, edited.data) == (200, {"valid": True})


def test_a_system_claim_is_checked_as_its_replacement_would_be(api):
    sub = next(c for c in api.get(CLAIMS).data if c["name"] == "sub")
    assert api.post(DEFAULT, {**sub, "value": "app.clientId"}).data == {"valid": True}
    assert_validation(api.post(DEFAULT, {**sub, "value": "app.("}), "claim", "value")
    assert_validation(api.post(DEFAULT, {**sub, "name": "subject"}), "claim", "name")


def test_an_unknown_server_is_404_and_a_body_that_is_not_json_is_400(api):
    assert_not_found(api.post(VALIDATE.format("ausnope0000000000000"), claim_body()),
                     "ausnope0000000000000", "AuthorizationServer")
    assert_not_found(api.post(VALIDATE.format(ORG_SERVER_ID), claim_body()), ORG_SERVER_ID, "AuthorizationServer")
    malformed = api.post(DEFAULT, raw=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(malformed, 400, "E0000003")


def test_only_post_is_served(api):
    assert_error(api.get(DEFAULT), 405, "E0000022")


def test_without_credentials_it_is_401(client):
    response = client.http.post(DEFAULT, headers={"Content-Type": "application/json"},
                                body=json.dumps(claim_body()).encode())
    assert_error(response, 401, "E0000011")


# -- bearer tokens of the org authorization server ------------------------------------------------------------------


def _token(container, client_id: str, scopes: tuple[str, ...], user: dict | None = None) -> str:
    services = container.oauth.services
    config, read_at = services.configs.active(ORG_SERVER_ID, org_route=True)
    claims = access_token_claims(issuer=BASE, audience=BASE, client_id=client_id, scopes=scopes, now=services.now(),
                                 lifetime=timedelta(hours=1), subject=user["profile"]["login"] if user else client_id,
                                 custom={}, user_id=user["id"] if user else None)
    return minting.sign(services, config, read_at, claims)


def _bearer(api, token: str, body: dict):
    response = api._client.http.post(DEFAULT, headers={"Authorization": f"Bearer {token}",
                                                       "Content-Type": "application/json"},
                                     body=json.dumps(body).encode())
    response.data = json.loads(response.body) if response.body else None
    return response


@pytest.fixture
def app_id(api) -> str:
    made = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "validator",
                                     "settings": {"oauthClient": {"application_type": "service",
                                                                  "grant_types": ["client_credentials"]}}})
    assert made.status_code == 200, made.data
    for scope in ("okta.authorizationServers.read", "okta.authorizationServers.manage"):
        granted = api.post(f"/api/v1/apps/{made.data['id']}/grants", {"issuer": BASE, "scopeId": scope})
        assert granted.status_code == 201, granted.data
    return made.data["id"]


def _person(api, role: str) -> dict:
    login = f"{role.lower()}@example.com"
    user = api.post("/api/v1/users?activate=true", {
        "profile": {"login": login, "email": login, "firstName": "V", "lastName": "Alidator"},
        "credentials": {"password": {"value": "Quiet-Harb0ur-42x"}}}).data
    assert api.post(f"/api/v1/users/{user['id']}/roles", {"type": role}).status_code == 201
    return user


def test_a_bearer_token_needs_the_manage_scope(api, container, app_id):
    manage = _token(container, app_id, ("okta.authorizationServers.manage",))
    assert _bearer(api, manage, claim_body()).data == {"valid": True}
    read = _token(container, app_id, ("okta.authorizationServers.read",))
    refused = _bearer(api, read, claim_body())
    assert_error(refused, 403, "E0000006")
    assert 'scope="okta.authorizationServers.manage"' in refused.headers["WWW-Authenticate"]


def test_a_read_only_admin_is_refused_and_an_api_access_management_admin_is_not(api, container, app_id):
    scopes = ("okta.authorizationServers.read", "okta.authorizationServers.manage")
    reader = _token(container, app_id, scopes, _person(api, "READ_ONLY_ADMIN"))
    assert_error(_bearer(api, reader, claim_body()), 403, "E0000006")
    writer = _token(container, app_id, scopes, _person(api, "API_ACCESS_MANAGEMENT_ADMIN"))
    assert _bearer(api, writer, claim_body()).data == {"valid": True}
