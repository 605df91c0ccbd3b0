"""Saving a claim refuses an Okta EL expression that does not parse (400 E0000001 naming the position)."""
from __future__ import annotations

import pytest

CLAIMS = "/api/v1/authorizationServers/default/claims"


def body(value: str, **extra) -> dict:
    return {"name": "department", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": value,
            "conditions": {"scopes": []}, **extra}


def causes(response) -> list[str]:
    return [c["errorSummary"] for c in response.data["errorCauses"]]


def test_a_broken_expression_is_refused_naming_the_position(api):
    response = api.post(CLAIMS, body("user.firstName + )"))
    assert response.status_code == 400
    assert response.data["errorCode"] == "E0000001"
    assert response.data["errorSummary"] == "Api validation failed: claim"
    assert causes(response) == [
        "value: Invalid Okta Expression Language expression: Unexpected ')' at position 17"]
    names = [c["name"] for c in api.get(CLAIMS).data]
    assert "department" not in names


@pytest.mark.parametrize("value, where", [
    ("String.nope(user.email)", "Unknown function String.nope at position 0"),
    ("zendesk.firstName", "Unknown variable zendesk at position 0"),
    ("'unterminated", "Unterminated string at position 0"),
    ("Groups.startsWith('OKTA', 'IT', 500)", "at position 32"),
])
def test_other_syntax_errors_are_refused(api, value, where):
    response = api.post(CLAIMS, body(value))
    assert response.status_code == 400 and response.data["errorCode"] == "E0000001"
    assert where in causes(response)[0]


def test_a_valid_expression_is_saved(api):
    response = api.post(CLAIMS, body("String.substringBefore(user.email, \"@\") + '-' + app.clientId"))
    assert response.status_code == 201, response.data
    assert response.data["value"] == "String.substringBefore(user.email, \"@\") + '-' + app.clientId"


def test_groups_claims_are_not_parsed_as_expressions(api):
    response = api.post(CLAIMS, {"name": "groups_claim", "claimType": "IDENTITY", "valueType": "GROUPS",
                                 "value": "Sales (EU", "group_filter_type": "STARTS_WITH"})
    assert response.status_code == 201, response.data


def test_replacing_a_claim_with_a_broken_expression_is_refused(api):
    created = api.post(CLAIMS, body("user.department"))
    assert created.status_code == 201
    response = api.put(f"{CLAIMS}/{created.data['id']}", body("user.department ? "))
    assert response.status_code == 400
    assert causes(response) == [
        "value: Invalid Okta Expression Language expression: Unexpected end of expression at position 18"]


def test_the_sub_system_claim_refuses_a_broken_expression(api):
    sub = next(c for c in api.get(CLAIMS).data if c["name"] == "sub")
    update = {k: sub[k] for k in ("name", "claimType", "valueType", "status", "conditions")}
    response = api.put(f"{CLAIMS}/{sub['id']}", {**update, "value": "(appuser != null ? appuser.userName"})
    assert response.status_code == 400
    assert causes(response) == [
        "value: Invalid Okta Expression Language expression: Unexpected end of expression at position 35"]
    ok = api.put(f"{CLAIMS}/{sub['id']}", {**update, "value": "app.clientId"})
    assert ok.status_code == 200, ok.data
