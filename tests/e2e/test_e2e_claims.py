"""Claims through the official Okta SDK (okta-api.md 5): the 19 system claims, CRUD, reserved names, and what may
change on a system claim."""
from __future__ import annotations

import re

from e2e_support import call, causes, claim_body, enum_value, expect, expect_error, not_found_summary, scope_body

OKTA_SPEC_OPERATIONS = {
    "listOAuth2Claims", "createOAuth2Claim", "getOAuth2Claim", "replaceOAuth2Claim", "deleteOAuth2Claim",
}

CLAIM_ID = re.compile(r"^ocl[A-Za-z0-9]{17}$")
SUB_EXPRESSION = "(appuser != null) ? appuser.userName : app.clientId"
# okta-api.md 5.3: (scope that releases it, alwaysIncludeInToken)
SYSTEM_IDENTITY_CLAIMS = {
    "name": ("profile", True), "preferred_username": ("profile", True), "email": ("email", True),
    "email_verified": ("email", False), "address": ("address", False), "phone_number": ("phone", False),
    **{n: ("profile", False) for n in ("middle_name", "zoneinfo", "website", "updated_at", "profile", "picture",
                                       "nickname", "locale", "given_name", "gender", "family_name", "birthdate")},
}


def _by_name(claims):
    return {c.name: c for c in claims}


def test_a_new_server_has_the_19_system_claims(okta_client, server):
    claims = expect(200, okta_client.list_o_auth2_claims(server.id))
    assert len(claims) == 19
    by_name = _by_name(claims)
    assert set(by_name) == {"sub", *SYSTEM_IDENTITY_CLAIMS}
    sub = by_name["sub"]
    assert (enum_value(sub.claim_type), enum_value(sub.value_type), sub.value) == (
        "RESOURCE", "EXPRESSION", SUB_EXPRESSION)
    assert sub.conditions.scopes == [] and sub.always_include_in_token is True
    for name, (scope, always) in SYSTEM_IDENTITY_CLAIMS.items():
        claim = by_name[name]
        assert (enum_value(claim.claim_type), enum_value(claim.value_type), claim.value) == (
            "IDENTITY", "SYSTEM", None), name
        assert (claim.conditions.scopes, claim.always_include_in_token) == ([scope], always), name
    for claim in claims:
        assert CLAIM_ID.match(claim.id) and claim.system is True and enum_value(claim.status) == "ACTIVE"
    # Okta leaves `value` out of SYSTEM claims altogether (okta-api.md 5.3).
    raw = {c["name"]: c for c in call(okta_client.list_o_auth2_claims(server.id)).json()}
    assert "value" not in raw["email"] and raw["sub"]["value"] == SUB_EXPRESSION


def test_claim_crud(okta_client, stack, server):
    expect(201, okta_client.create_o_auth2_scope(server.id, scope_body("read:departments")))
    created = expect(201, okta_client.create_o_auth2_claim(server.id, claim_body(
        "department", value="user.department", scopes=["read:departments"])))
    assert CLAIM_ID.match(created.id)
    assert (created.name, enum_value(created.claim_type), enum_value(created.value_type), created.value) == (
        "department", "RESOURCE", "EXPRESSION", "user.department")
    assert created.conditions.scopes == ["read:departments"]
    assert created.system is False and created.always_include_in_token is True
    assert enum_value(created.status) == "ACTIVE"
    assert created.links.var_self.href == (
        f"{stack.base_url}/api/v1/authorizationServers/{server.id}/claims/{created.id}")

    fetched = expect(200, okta_client.get_o_auth2_claim(server.id, created.id))
    assert fetched.to_dict() == created.to_dict()

    fetched.value = "user.department + '-x'"
    fetched.status = "INACTIVE"
    fetched.conditions.scopes = []
    replaced = expect(200, okta_client.replace_o_auth2_claim(server.id, created.id, fetched))
    assert (replaced.id, replaced.value, enum_value(replaced.status)) == (
        created.id, "user.department + '-x'", "INACTIVE")
    assert replaced.conditions.scopes == []

    assert "department" in _by_name(expect(200, okta_client.list_o_auth2_claims(server.id)))
    expect(204, okta_client.delete_o_auth2_claim(server.id, created.id))
    err = expect_error(404, "E0000007", okta_client.get_o_auth2_claim(server.id, created.id))
    assert err.error_summary == not_found_summary(created.id, "OAuth2Claim")
    assert "department" not in _by_name(expect(200, okta_client.list_o_auth2_claims(server.id)))


def test_identity_and_groups_claims(okta_client, server):
    groups = expect(201, okta_client.create_o_auth2_claim(server.id, claim_body(
        "groups", claim_type="IDENTITY", value_type="GROUPS", value="Engineering", group_filter_type="STARTS_WITH",
        scopes=["profile"], always_include_in_token=False)))
    assert (enum_value(groups.value_type), enum_value(groups.group_filter_type), groups.value) == (
        "GROUPS", "STARTS_WITH", "Engineering")
    assert groups.always_include_in_token is False
    assert call(okta_client.get_o_auth2_claim(server.id, groups.id)).json()["group_filter_type"] == "STARTS_WITH"

    # the same name is fine for the other token type, not twice for the same one
    expect(201, okta_client.create_o_auth2_claim(server.id, claim_body("team", claim_type="IDENTITY")))
    expect(201, okta_client.create_o_auth2_claim(server.id, claim_body("team", claim_type="RESOURCE")))
    err = expect_error(400, "E0000001", okta_client.create_o_auth2_claim(server.id, claim_body("team")))
    assert causes(err) == ["name: A RESOURCE claim named 'team' already exists on this authorization server."]


def test_reserved_claim_names_are_refused(okta_client, server):
    for name, claim_type in (("cid", "RESOURCE"), ("scp", "RESOURCE"), ("iss", "RESOURCE"), ("nonce", "IDENTITY"),
                             ("email", "IDENTITY")):
        err = expect_error(400, "E0000001", okta_client.create_o_auth2_claim(
            server.id, claim_body(name, claim_type=claim_type)))
        assert err.error_summary == "Api validation failed: claim"
        assert causes(err) == [f"name: '{name}' is a reserved claim name for {claim_type} claims."]


def test_claim_validation_lists_every_bad_field(okta_client, server):
    err = expect_error(400, "E0000001", okta_client.create_o_auth2_claim(server.id, claim_body(
        "with space", value_type="GROUPS", value="", scopes=["no:such:scope"])))
    assert set(causes(err)) >= {
        "name: Must not contain whitespace.",
        "value: The field cannot be left blank.",
        "group_filter_type: The field cannot be left blank.",
        "conditions.scopes: 'no:such:scope' is not a scope of this authorization server.",
    }


def test_sub_system_claim_only_value_can_change(okta_client, server):
    sub = _by_name(expect(200, okta_client.list_o_auth2_claims(server.id)))["sub"]

    sub.value = "app.clientId"
    changed = expect(200, okta_client.replace_o_auth2_claim(server.id, sub.id, sub))
    assert changed.value == "app.clientId" and changed.system is True and changed.name == "sub"

    changed.name = "subject"
    err = expect_error(400, "E0000001", okta_client.replace_o_auth2_claim(server.id, sub.id, changed))
    assert causes(err) == ["name: 'sub' is a system claim: only value can be changed."]
    assert expect(200, okta_client.get_o_auth2_claim(server.id, sub.id)).name == "sub"


def test_identity_system_claim_only_always_include_can_change(okta_client, server):
    email = _by_name(expect(200, okta_client.list_o_auth2_claims(server.id)))["email"]
    assert email.always_include_in_token is True

    email.always_include_in_token = False  # GET-modify-PUT of a SYSTEM claim (no `value` on the wire)
    changed = expect(200, okta_client.replace_o_auth2_claim(server.id, email.id, email))
    assert changed.always_include_in_token is False
    assert (enum_value(changed.value_type), changed.conditions.scopes) == ("SYSTEM", ["email"])

    for field, value, cause in (
        ("claim_type", "RESOURCE", "claimType: 'email' is a system claim: only alwaysIncludeInToken can be changed."),
        ("status", "INACTIVE", "status: 'email' is a system claim: only alwaysIncludeInToken can be changed."),
    ):
        attempt = expect(200, okta_client.get_o_auth2_claim(server.id, email.id))
        setattr(attempt, field, value)
        err = expect_error(400, "E0000001", okta_client.replace_o_auth2_claim(server.id, email.id, attempt))
        assert causes(err) == [cause]

    attempt = expect(200, okta_client.get_o_auth2_claim(server.id, email.id))
    attempt.conditions.scopes = ["profile"]
    expect_error(400, "E0000001", okta_client.replace_o_auth2_claim(server.id, email.id, attempt))


def test_system_claims_cannot_be_deleted(okta_client, server):
    sub = _by_name(expect(200, okta_client.list_o_auth2_claims(server.id)))["sub"]
    err = expect_error(403, "E0000006", okta_client.delete_o_auth2_claim(server.id, sub.id))
    assert causes(err) == ["'sub' is a system claim and cannot be deleted."]
    assert len(expect(200, okta_client.list_o_auth2_claims(server.id))) == 19


def test_claims_of_an_unknown_server(okta_client):
    err = expect_error(404, "E0000007", okta_client.list_o_auth2_claims("ausNoSuchServer00000"))
    assert err.error_summary == not_found_summary("ausNoSuchServer00000", "AuthorizationServer")
