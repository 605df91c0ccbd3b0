"""Issue 13, item 1 through the API: an expression that can be shown to produce too much is refused when saved, and
one that depends on the token's subject is capped when the token is minted (the token stays small and is issued;
the claim is left out, as any claim whose expression fails). security-checklist.md 10 (claims)."""
from __future__ import annotations

import base64

import jwt

from tests.integration.api.apisupport import assert_error, nothing_changes

CLAIMS = "/api/v1/authorizationServers/default/claims"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def nested_replace(levels: int, inner: str) -> str:
    for _ in range(levels):
        inner = f"String.replace({inner}, 'a', 'aaaaaaaaaa')"
    return inner


def claim_body(value: str) -> dict:
    return {"name": "boom", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": value,
            "status": "ACTIVE", "alwaysIncludeInToken": True, "conditions": {"scopes": []}}


def test_a_constant_expression_that_grows_too_large_is_refused_at_save(api):
    with nothing_changes():
        response = api.post(CLAIMS, claim_body(nested_replace(7, "'a'")))
    body = assert_error(response, 400, "E0000001", "Api validation failed: claim")
    [cause] = [c["errorSummary"] for c in body["errorCauses"]]
    assert cause.startswith("value: Invalid Okta Expression Language expression: String.replace would produce a "
                            "string longer than 8192 characters")


def test_an_expression_on_the_subject_is_capped_when_the_token_is_minted(api):
    value = nested_replace(7, "String.append(app.clientId, 'a')")  # a client id holds no 'a' to rely on
    assert api.post(CLAIMS, claim_body(value)).status_code == 201
    assert api.post(CLAIMS, {**claim_body("'small'"), "name": "fine"}).status_code == 201
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": "size:read"}).status_code == 201
    created = api.post("/oauth2/v1/clients", {"client_name": "sized", "application_type": "service"}).data
    basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode()).decode()
    response = api.call("POST", "/oauth2/default/v1/token", headers={**FORM, "Authorization": f"Basic {basic}"},
                        raw="grant_type=client_credentials&scope=size:read")
    assert response.status_code == 200, response.body
    token = response.data["access_token"]
    assert len(token) < 4096
    claims = jwt.decode(token, options={"verify_signature": False})
    assert "boom" not in claims and claims["fine"] == "small"
