"""``/api/v1/authorizationServers/{as}/claims`` (okta-api.md 5): CRUD, system claims, reserved and duplicate names,
bad input."""
from __future__ import annotations

import re

import pytest

from tests.integration.api.apisupport import (
    ALWAYS_INCLUDED,
    BASE,
    DELETE,
    IDENTITY_SCOPES,
    SERVERS,
    SUB_EXPRESSION,
    assert_error,
    assert_no_content,
    assert_not_found,
    assert_validation,
    claim_body,
    etag_version,
    nothing_changes,
    with_path,
)

CLAIMS = f"{SERVERS}/default/claims"


def create(api, path: str = CLAIMS, **overrides) -> dict:
    response = api.post(path, claim_body(**overrides))
    assert response.status_code == 201, response.data
    return response.data


def system_claim(api, name: str) -> dict:
    return next(c for c in api.get(CLAIMS).data if c["name"] == name and c["system"])


# -- system claims -------------------------------------------------------------------------------------------------


def test_the_default_server_has_the_nineteen_system_claims(api):
    claims = {c["name"]: c for c in api.get(CLAIMS).data}
    assert len(claims) == 19
    sub = claims.pop("sub")
    assert (sub["claimType"], sub["valueType"], sub["value"], sub["conditions"], sub["alwaysIncludeInToken"]) == \
        ("RESOURCE", "EXPRESSION", SUB_EXPRESSION, {"scopes": []}, True)
    assert set(claims) == set(IDENTITY_SCOPES)
    for name, claim in claims.items():
        assert (claim["claimType"], claim["valueType"], claim["status"], claim["system"]) == \
            ("IDENTITY", "SYSTEM", "ACTIVE", True)
        assert "value" not in claim  # Okta omits value on SYSTEM claims
        assert "group_filter_type" not in claim
        assert claim["conditions"] == {"scopes": [IDENTITY_SCOPES[name]]}
        assert claim["alwaysIncludeInToken"] is (name in ALWAYS_INCLUDED)
        assert re.fullmatch(r"ocl[A-Za-z0-9]{17}", claim["id"])


def test_system_claims_cannot_be_deleted(api):
    for name in ("sub", "email"):
        claim = system_claim(api, name)
        with nothing_changes():
            response = api.delete(f"{CLAIMS}/{claim['id']}")
        assert_error(response, 403, "E0000006", "You do not have permission to perform the requested action",
                     [f"'{name}' is a system claim and cannot be deleted."])


def test_the_sub_claim_accepts_a_new_value_only(api):
    sub = system_claim(api, "sub")
    path = f"{CLAIMS}/{sub['id']}"
    response = api.put(path, {**sub, "value": "user.login"})
    assert response.status_code == 200, response.data
    assert (response.data["value"], response.data["name"], response.data["system"]) == ("user.login", "sub", True)
    assert api.get(path).data == response.data

    for change, field in (({"name": "subject"}, "name"), ({"claimType": "IDENTITY"}, "claimType"),
                          ({"valueType": "GROUPS"}, "valueType"), ({"status": "INACTIVE"}, "status"),
                          ({"conditions": {"scopes": ["profile"]}}, "conditions.scopes")):
        with nothing_changes():
            bad = api.put(path, {**response.data, **change})
        causes = assert_validation(bad, "claim", field)
        assert causes == [f"{field}: 'sub' is a system claim: only value can be changed."]

    with nothing_changes():
        assert_validation(api.put(path, {**response.data, "value": None}), "claim", "value")


@pytest.mark.parametrize("scopes", [5, True, "openid", {"scopes": []}, [5]])
def test_a_system_claim_refuses_conditions_scopes_that_are_not_its_list(api, scopes):
    # Not a list at all (a number, true) was a TypeError, i.e. a 500; now the same 400 as any other change.
    for name, editable in (("sub", "value"), ("email", "alwaysIncludeInToken")):
        claim = system_claim(api, name)
        with nothing_changes():
            bad = api.put(f"{CLAIMS}/{claim['id']}", {**claim, "conditions": {"scopes": scopes}})
        causes = assert_validation(bad, "claim", "conditions.scopes")
        assert causes == [f"conditions.scopes: '{name}' is a system claim: only {editable} can be changed."]


def test_an_identity_system_claim_accepts_always_include_in_token_only(api):
    email = system_claim(api, "email")
    path = f"{CLAIMS}/{email['id']}"
    response = api.put(path, {**email, "alwaysIncludeInToken": False})
    assert response.status_code == 200, response.data
    assert response.data["alwaysIncludeInToken"] is False
    assert response.headers["ETag"] == 'W/"2"'
    assert {k: v for k, v in response.data.items() if k != "alwaysIncludeInToken"} == \
        {k: v for k, v in email.items() if k != "alwaysIncludeInToken"}

    for change, field in (({"value": "user.email"}, "value"), ({"name": "mail"}, "name"),
                          ({"claimType": "RESOURCE"}, "claimType"), ({"valueType": "EXPRESSION"}, "valueType"),
                          ({"conditions": {"scopes": ["profile"]}}, "conditions.scopes"),
                          ({"alwaysIncludeInToken": "no"}, "alwaysIncludeInToken")):
        with nothing_changes():
            bad = api.put(path, {**response.data, **change})
        assert_validation(bad, "claim", field)
    assert api.get(path).data == response.data


# -- CRUD ----------------------------------------------------------------------------------------------------------


def test_create_answers_201_with_okta_shape(api):
    response = api.post(CLAIMS, claim_body(alwaysIncludeInToken=False))
    assert response.status_code == 201
    assert response.headers["ETag"] == 'W/"1"'
    body = response.data
    assert re.fullmatch(r"ocl[A-Za-z0-9]{17}", body["id"])
    assert list(body) == ["id", "name", "status", "claimType", "valueType", "value", "conditions", "system",
                          "alwaysIncludeInToken", "apiResourceId", "_links"]
    assert body == {
        "id": body["id"], "name": "department", "status": "ACTIVE", "claimType": "RESOURCE",
        "valueType": "EXPRESSION", "value": "user.department", "conditions": {"scopes": []}, "system": False,
        "alwaysIncludeInToken": True,  # access-token claims are always included, whatever was sent
        "apiResourceId": None,
        "_links": {"self": {"href": f"{BASE}{CLAIMS}/{body['id']}", "hints": {"allow": ["GET", "PUT", "DELETE"]}}},
    }
    got = api.get(f"{CLAIMS}/{body['id']}")
    assert got.status_code == 200 and got.data == body


def test_groups_claim_carries_group_filter_type(api):
    body = create(api, name="groups_claim", claimType="IDENTITY", valueType="GROUPS", value="Everyone",
                  group_filter_type="STARTS_WITH", conditions={"scopes": ["profile"]}, alwaysIncludeInToken=False)
    assert body["group_filter_type"] == "STARTS_WITH"
    assert list(body)[-2:] == ["group_filter_type", "_links"]
    assert body["conditions"] == {"scopes": ["profile"]}
    assert body["alwaysIncludeInToken"] is False


def test_defaults(api):
    response = api.post(CLAIMS, {"name": "department", "claimType": "IDENTITY", "value": "user.department"})
    assert response.status_code == 201
    body = response.data
    assert (body["valueType"], body["status"], body["conditions"], body["alwaysIncludeInToken"]) == \
        ("EXPRESSION", "ACTIVE", {"scopes": []}, True)


def test_put_replaces_and_delete_removes(api):
    created = create(api)
    path = f"{CLAIMS}/{created['id']}"
    response = api.put(path, claim_body(name="dept", status="INACTIVE", value="user.dept",
                                         conditions={"scopes": ["email"]}))
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    assert (response.data["name"], response.data["status"], response.data["value"], response.data["conditions"]) == \
        ("dept", "INACTIVE", "user.dept", {"scopes": ["email"]})
    assert api.get(path).data == response.data
    assert create(api)["name"] == "department"  # the old name is free again

    assert_no_content(api.delete(path))
    assert_not_found(api.get(path), created["id"], "OAuth2Claim")
    assert_not_found(api.delete(path), created["id"], "OAuth2Claim")
    assert create(api, name="dept")["name"] == "dept"


def test_claims_are_reachable_through_the_real_id_of_the_default_server(api, default_ids):
    created = create(api)
    response = api.get(f"{SERVERS}/{default_ids['server']}/claims/{created['id']}")
    assert response.data == created
    assert "/authorizationServers/default/claims/" in created["_links"]["self"]["href"]


# -- names ---------------------------------------------------------------------------------------------------------


def test_duplicate_name_per_claim_type(api):
    create(api, name="department", claimType="RESOURCE")
    with nothing_changes():
        response = api.post(CLAIMS, claim_body(name="department", claimType="RESOURCE", value="user.other"))
    assert_error(response, 400, "E0000001", "Api validation failed: claim",
                 ["name: A RESOURCE claim named 'department' already exists on this authorization server."])
    # The same name is fine for the other claim type.
    assert create(api, name="department", claimType="IDENTITY")["claimType"] == "IDENTITY"


def test_renaming_onto_a_taken_name_is_400_and_changes_nothing(api):
    create(api, name="first")
    second = create(api, name="second")
    with nothing_changes():
        response = api.put(f"{CLAIMS}/{second['id']}", claim_body(name="first"))
    assert_error(response, 400, "E0000001", "Api validation failed: claim",
                 ["name: A RESOURCE claim named 'first' already exists on this authorization server."])
    assert api.get(f"{CLAIMS}/{second['id']}").data == second


def test_changing_the_claim_type_frees_the_name_for_the_old_type(api):
    created = create(api, name="department", claimType="RESOURCE")
    moved = api.put(f"{CLAIMS}/{created['id']}", claim_body(name="department", claimType="IDENTITY"))
    assert moved.status_code == 200 and moved.data["claimType"] == "IDENTITY"
    assert create(api, name="department", claimType="RESOURCE")["claimType"] == "RESOURCE"
    with nothing_changes():
        assert_validation(api.post(CLAIMS, claim_body(name="department", claimType="IDENTITY")), "claim", "name")


def test_a_system_claim_name_is_taken(api):
    with nothing_changes():
        response = api.post(CLAIMS, claim_body(name="sub"))
    assert_validation(response, "claim", "name")


@pytest.mark.parametrize("claim_type, name", [
    ("RESOURCE", "cid"), ("RESOURCE", "uid"), ("RESOURCE", "scp"), ("RESOURCE", "iss"), ("RESOURCE", "exp"),
    ("RESOURCE", "groups"), ("IDENTITY", "nonce"), ("IDENTITY", "sub"), ("IDENTITY", "aud"), ("IDENTITY", "email"),
    ("IDENTITY", "amr"), ("IDENTITY", "ver"),
])
def test_reserved_names_are_refused(api, claim_type, name):
    with nothing_changes():
        response = api.post(CLAIMS, claim_body(name=name, claimType=claim_type))
    assert_error(response, 400, "E0000001", "Api validation failed: claim",
                 [f"name: '{name}' is a reserved claim name for {claim_type} claims."])


def test_a_name_reserved_for_one_claim_type_may_serve_the_other(api):
    assert create(api, name="email", claimType="RESOURCE")["name"] == "email"
    assert create(api, name="cid", claimType="IDENTITY")["name"] == "cid"


# -- bad input -----------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ({}, ["name", "claimType", "value"]),
    (with_path(claim_body(), "name", DELETE), ["name"]),
    (claim_body(name=""), ["name"]),
    (claim_body(name=3), ["name"]),
    (claim_body(name="x" * 101), ["name"]),
    (claim_body(name="two words"), ["name"]),
    (with_path(claim_body(), "claimType", DELETE), ["claimType"]),
    (claim_body(claimType="ACCESS"), ["claimType"]),
    (claim_body(valueType="SYSTEM"), ["valueType"]),
    (claim_body(valueType="NUMBER"), ["valueType"]),
    (with_path(claim_body(), "value", DELETE), ["value"]),
    (claim_body(value=""), ["value"]),
    (claim_body(value="x" * 1025), ["value"]),
    (claim_body(value=["a"]), ["value"]),
    (claim_body(valueType="GROUPS", value="Everyone"), ["group_filter_type"]),
    (claim_body(group_filter_type="EQUALS"), ["group_filter_type"]),
    (claim_body(valueType="GROUPS", group_filter_type="LIKE"), ["group_filter_type"]),
    (claim_body(conditions={"scopes": ["nope"]}), ["conditions.scopes"]),
    (claim_body(conditions={"scopes": "email"}), ["conditions.scopes"]),
    (claim_body(conditions={"scopes": [""]}), ["conditions.scopes"]),
    (claim_body(conditions="email"), ["conditions"]),
    (claim_body(status="ON"), ["status"]),
    (claim_body(alwaysIncludeInToken="yes"), ["alwaysIncludeInToken"]),
    (claim_body(name="", claimType="X", status="Y"), ["name", "claimType", "status"]),
]


@pytest.mark.parametrize("body, fields", BAD_BODIES)
def test_bad_create_is_400_and_creates_nothing(api, body, fields):
    with nothing_changes():
        response = api.post(CLAIMS, body)
    assert_validation(response, "claim", *fields)


def test_bad_replace_is_400_and_changes_nothing(api, subtests):
    created = create(api)
    path = f"{CLAIMS}/{created['id']}"
    for body, fields in BAD_BODIES[::3]:  # the same reader serves create and replace
        with subtests.test(fields=fields):
            with nothing_changes():
                response = api.put(path, body)
            assert_validation(response, "claim", *fields)
    after = api.get(path)
    assert after.data == created and etag_version(after) == 1


@pytest.mark.parametrize("raw", ["{", "[]", '[{"name": "x"}]', "true"])
def test_malformed_bodies_are_400_e0000003(api, raw):
    created = create(api)
    for method, path in (("POST", CLAIMS), ("PUT", f"{CLAIMS}/{created['id']}")):
        with nothing_changes():
            response = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


def test_unknown_server_and_claim_are_404(api):
    path = f"{SERVERS}/ausNOPE/claims"
    for response in (api.get(path), api.post(path, claim_body()), api.get(f"{path}/oclX"),
                     api.put(f"{path}/oclX", claim_body()), api.delete(f"{path}/oclX")):
        assert_not_found(response, "ausNOPE", "AuthorizationServer")
    with nothing_changes():
        for response in (api.get(f"{CLAIMS}/oclNOPE"), api.put(f"{CLAIMS}/oclNOPE", claim_body()),
                         api.delete(f"{CLAIMS}/oclNOPE")):
            assert_not_found(response, "oclNOPE", "OAuth2Claim")


