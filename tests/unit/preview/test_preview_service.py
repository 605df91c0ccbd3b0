"""admin/token_preview/ with in-memory fakes: the preview equals what the real path (policy.evaluate, then
oauth.minting) produces, explains every policy, rule and claim, validates its input, and never signs."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.admin.token_preview import (
    ACCESS_TOKEN,
    ID_TOKEN,
    PreviewOutcome,
    PreviewReason,
    RefreshReason,
)
from chalicelib.claims.builder import ClaimReason
from chalicelib.domain import INACTIVE, TokenActions
from chalicelib.errors import MalformedBodyError, NotFoundError, ValidationError
from chalicelib.oauth import minting
from chalicelib.policy import AccessRequest, Outcome, Reason, evaluate
from tests.unit.preview.preview_support import (
    ANN_ID,
    BASE,
    BOB_ID,
    ISSUER,
    KID,
    NATIVE_ID,
    SALES,
    SERVICE_ID,
    WEB_ID,
    RecordingSigner,
    claim,
    default_server,
    directory,
    policy,
    rule,
    scope,
    server_config,
    service,
    services,
    standard_scopes,
)

VOLATILE = {"jti", "iat", "exp", "auth_time"}


def strip(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k not in VOLATILE}


def run(cfg, body, d=None, svc=None):
    preview_service, d = service(cfg, d, svc)
    result = preview_service.preview("aus1", body, BASE)
    # Every preview ends with exactly one decision step, whose outcome is the preview's reason.
    assert [s.subject for s in result.steps].count("decision") == 1
    assert result.steps[-1].subject == "decision" and result.steps[-1].outcome == result.reason
    assert result.allowed == (result.http_status == 200)
    return result


def lines(result, token):
    return {line.claim.name: line for line in result.claims if line.token == token}


def subject_of(d, user_id):
    access = d.access(WEB_ID, user_id)
    return minting.Subject(user_id=user_id, profile=dict(access.user.profile),
                           groups=tuple((g.id, g.name) for g in access.groups),
                           updated_at=int(access.user.last_updated.timestamp()))


# -- client_credentials -----------------------------------------------------------------------------------------------


def test_client_credentials_equals_evaluate_then_minting():
    cfg = default_server(claims=[claim("tier", "'gold'"), claim("app", "app.clientId", scopes=("api:read",))])
    d = directory()
    result = run(cfg, {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read"]}, d)

    decision = evaluate(cfg, AccessRequest(client_id=SERVICE_ID, grant_type="client_credentials",
                                           requested_scopes=("api:read",), user_id=None))
    expected = minting.access_claims(services(), cfg, ISSUER, d.clients[SERVICE_ID], decision.granted_scopes,
                                     timedelta(minutes=60), None)
    assert result.allowed and result.http_status == 200 and result.reason == Reason.GRANTED
    assert result.access_token.header == {"kid": KID, "alg": "RS256"}
    assert strip(result.access_token.payload) == strip(expected)
    assert result.access_token.payload["exp"] - result.access_token.payload["iat"] == 3600
    assert result.access_token.payload["tier"] == "gold" and result.access_token.payload["app"] == SERVICE_ID
    assert result.id_token is None
    assert result.steps == decision.steps
    assert result.policy == ("default", "default") and result.rule == ("default-rule", "default-rule")
    assert result.granted_scopes == ("api:read",)
    assert (result.refresh_token.issued, result.refresh_token.reason) == (False, RefreshReason.GRANT_TYPE)


def test_lifetime_comes_from_the_matched_rule():
    from dataclasses import replace

    r = replace(rule("short"), actions=TokenActions(access_token_lifetime_minutes=5))
    cfg = server_config((policy("p"), [r]))
    result = run(cfg, {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read"]})
    payload = result.access_token.payload
    assert payload["exp"] - payload["iat"] == 300 and result.access_token.lifetime_minutes == 5


def test_absent_or_empty_scopes_mean_the_default_scopes():
    cfg = default_server(scopes=standard_scopes(scope("api:default", default=True)))
    for scopes in (None, []):
        body = {"clientId": SERVICE_ID, "grantType": "client_credentials"}
        if scopes is not None:
            body["scopes"] = scopes
        result = run(cfg, body)
        assert result.granted_scopes == ("api:default",)
        assert result.request.scopes is None
        assert result.steps[0].outcome == Outcome.DEFAULT_SCOPES


@pytest.mark.parametrize("setup, body_scopes, reason, status, error", [
    ("specific-other", ["api:read"], Reason.NO_MATCHING_POLICY, 401, "access_denied"),
    ("inactive-policy", ["api:read"], Reason.NO_MATCHING_POLICY, 401, "access_denied"),
    ("inactive-rule", ["api:read"], Reason.NO_MATCHING_RULE, 401, "access_denied"),
    ("user-grants-only", ["api:read"], Reason.NO_MATCHING_RULE, 401, "access_denied"),
    ("read-only", ["api:read", "api:write"], Reason.SCOPE_DENIED, 400, "access_denied"),
    ("read-only", ["api:write"], Reason.NO_SCOPE_ALLOWED, 400, "access_denied"),
    ("default", ["openid"], Reason.OPENID_WITH_CLIENT_CREDENTIALS, 400, "invalid_scope"),
    ("consent-required", ["api:consent"], Reason.CONSENT_REQUIRED, 400, "consent_required"),
])
def test_denials_are_the_evaluators(setup, body_scopes, reason, status, error):
    scopes = standard_scopes(scope("api:consent", consent="REQUIRED"))
    configs = {
        "specific-other": server_config((policy("p", clients=("0oaSomeoneElse000001",)), [rule("r")]),
                                        scopes=scopes),
        "inactive-policy": server_config((policy("p", status=INACTIVE), [rule("r")]), scopes=scopes),
        "inactive-rule": server_config((policy("p"), [rule("r", status=INACTIVE)]), scopes=scopes),
        "user-grants-only": server_config((policy("p"), [rule("r", grants=("authorization_code",))]),
                                          scopes=scopes),
        "read-only": server_config((policy("p"), [rule("r", scopes=("api:read",))]), scopes=scopes),
        "default": server_config((policy("p"), [rule("r")]), scopes=scopes),
        "consent-required": server_config((policy("p"), [rule("r")]), scopes=scopes),
    }
    cfg = configs[setup]
    result = run(cfg, {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": body_scopes})
    decision = evaluate(cfg, AccessRequest(client_id=SERVICE_ID, grant_type="client_credentials",
                                           requested_scopes=tuple(body_scopes)))
    assert not result.allowed
    assert (result.reason, result.http_status, result.error) == (reason, status, error)
    assert (result.error, result.error_description, result.http_status) == (
        decision.error, decision.error_description, decision.http_status)
    assert result.steps == decision.steps
    assert result.access_token is None and result.id_token is None and result.refresh_token is None
    assert {line.reason for line in result.claims} == {ClaimReason.REQUEST_DENIED}
    assert len(result.claims) == 2 * len(cfg.claims)


def test_trace_names_why_each_policy_and_rule_was_skipped():
    cfg = server_config(
        (policy("off", status=INACTIVE), [rule("r0")]),
        (policy("others", clients=("0oaSomeoneElse000001",)), [rule("r1")]),
        (policy("mine", clients=(SERVICE_ID,)), [rule("inactive", status=INACTIVE),
                                                  rule("code-only", grants=("authorization_code",)),
                                                  rule("narrow", scopes=("api:write",)),
                                                  rule("match", scopes=("api:read",))]),
    )
    result = run(cfg, {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read"]})
    assert [(s.subject, s.id, s.outcome) for s in result.steps] == [
        ("request", None, Outcome.SCOPES_REQUESTED),
        ("policy", "off", Outcome.POLICY_INACTIVE),
        ("policy", "others", Outcome.CLIENT_NOT_INCLUDED),
        ("policy", "mine", Outcome.POLICY_APPLIES),
        ("rule", "inactive", Outcome.RULE_INACTIVE),
        ("rule", "code-only", Outcome.GRANT_TYPE_NOT_INCLUDED),
        ("rule", "narrow", Outcome.SCOPE_NOT_ALLOWED),
        ("rule", "match", Outcome.RULE_MATCHED),
        ("decision", None, Reason.GRANTED),
    ]
    assert result.rule == ("match", "match")


# -- claims and their explanations ----------------------------------------------------------------------------------


def test_every_claim_is_explained_for_both_tokens():
    extra = [
        claim("tier", "'gold'"),
        claim("off", "'x'", status=INACTIVE),
        claim("scoped", "'s'", scopes=("api:write",)),
        claim("broken", "user.department"),  # no user with client_credentials: fails at runtime
        claim("nothing", "null"),
        claim("empty", "Arrays.clear({1})"),
        claim("unsafe", "(a+)+", value_type="GROUPS", group_filter_type="REGEX"),
        claim("idonly", "'i'", claim_type="IDENTITY"),
    ]
    cfg = default_server(claims=extra)
    result = run(cfg, {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read"]})
    at = lines(result, ACCESS_TOKEN)
    idt = lines(result, ID_TOKEN)
    assert len(at) == len(idt) == len(cfg.claims)
    assert (at["tier"].reason, at["tier"].value) == (ClaimReason.INCLUDED, "gold")
    assert at["sub"].included and at["sub"].value == SERVICE_ID == result.access_token.payload["sub"]
    assert at["off"].reason == ClaimReason.INACTIVE
    assert at["scoped"].reason == ClaimReason.SCOPES_NOT_GRANTED and "api:write" in at["scoped"].message
    assert at["broken"].reason == ClaimReason.EXPRESSION_ERROR
    assert at["broken"].message == "Cannot read property 'department' of null at position 5"
    assert at["nothing"].reason == at["empty"].reason == ClaimReason.NULL_VALUE
    assert at["unsafe"].reason == ClaimReason.GROUP_FILTER_ERROR
    assert at["idonly"].reason == ClaimReason.WRONG_TOKEN_TYPE
    assert at["email"].reason == ClaimReason.WRONG_TOKEN_TYPE
    # No ID token with client_credentials: the claims that would be in one say so; the others keep their reason.
    assert idt["idonly"].reason == ClaimReason.TOKEN_NOT_ISSUED and "client_credentials" in idt["idonly"].message
    assert idt["tier"].reason == ClaimReason.WRONG_TOKEN_TYPE
    # Included lines and the payload agree exactly.
    included = {name: line.value for name, line in at.items() if line.included}
    payload = result.access_token.payload
    assert included == {k: payload[k] for k in included}
    assert set(payload) - set(included) == {"ver", "jti", "iss", "aud", "iat", "exp", "cid", "scp"}


def test_user_claims_and_profile_claims_of_the_id_token():
    extra = [
        claim("dept", "user.department"),
        claim("groups", "Sa", claim_type="IDENTITY", value_type="GROUPS", group_filter_type="STARTS_WITH"),
        claim("all_groups", ".*", value_type="GROUPS", group_filter_type="REGEX"),
        claim("name", "'shadow'", claim_type="IDENTITY"),  # the profile claim of this name keeps its value
    ]
    cfg = default_server(claims=extra)
    d = directory()
    result = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                       "scopes": ["openid", "profile", "email", "phone", "api:read"]}, d)
    assert result.allowed
    at, idt = lines(result, ACCESS_TOKEN), lines(result, ID_TOKEN)
    assert at["dept"].value == "Sales" == result.access_token.payload["dept"]
    assert at["sub"].value == "ann@example.com" == result.access_token.payload["sub"]
    assert result.access_token.payload["uid"] == ANN_ID
    assert at["all_groups"].value == ["Everyone", "Sales"]
    id_payload = result.id_token.payload
    assert idt["groups"].value == ["Sales"] == id_payload["groups"]
    # Profile claims: alwaysIncludeInToken ones are in, the others are left for userinfo.
    assert idt["email"].included and id_payload["email"] == "ann@example.com"
    assert idt["preferred_username"].value == "ann@example.com"
    assert idt["given_name"].reason == ClaimReason.NOT_ALWAYS_INCLUDED and "given_name" not in id_payload
    assert idt["phone_number"].reason == ClaimReason.NOT_ALWAYS_INCLUDED
    assert idt["address"].reason == ClaimReason.SCOPES_NOT_GRANTED
    assert idt["nickname"].reason == ClaimReason.NULL_VALUE
    name_lines = [line for line in result.claims if line.token == ID_TOKEN and line.claim.name == "name"]
    assert {line.reason for line in name_lines} == {ClaimReason.INCLUDED, ClaimReason.RESERVED_NAME}
    assert id_payload["name"] == "Ann Tester"
    # Everything included is in the payload with that value, and vice versa for the server's claims.
    for token, payload in ((ACCESS_TOKEN, result.access_token.payload), (ID_TOKEN, id_payload)):
        for line in result.claims:
            if line.token == token and line.included:
                assert payload[line.claim.name] == line.value, (token, line.claim.name)


def test_too_many_groups_fails_like_the_token_request():
    from chalicelib.domain import OKTA_GROUP, Group

    d = directory()
    d.groups_of[ANN_ID] = [Group(id=f"00gTeam{i:013d}", name=f"team-{i:03d}", description=None,
                                 group_type=OKTA_GROUP, created=SALES.created, last_updated=SALES.created)
                           for i in range(101)]
    cfg = default_server(claims=[claim("teams", "team", value_type="GROUPS", group_filter_type="STARTS_WITH")])
    result = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                       "scopes": ["openid"]}, d)
    assert not result.allowed
    assert (result.reason, result.http_status, result.error, result.error_description) == (
        PreviewReason.TOO_MANY_GROUPS, 400, "server_error", "too_many_groups_in_groups_claim")
    assert lines(result, ACCESS_TOKEN)["teams"].reason == ClaimReason.TOO_MANY_GROUPS
    # The rule matched; the claims failed the request: one decision step, the last.
    assert [(s.subject, s.outcome) for s in result.steps[-3:]] == [
        ("rule", Outcome.RULE_MATCHED), ("claims", PreviewOutcome.TOO_MANY_GROUPS),
        ("decision", PreviewReason.TOO_MANY_GROUPS)]


# -- user grants ----------------------------------------------------------------------------------------------------


def test_authorization_code_equals_evaluate_then_minting_with_the_users_access():
    cfg = default_server(claims=[claim("dept", "user.department"),
                                 claim("g", ".*", claim_type="IDENTITY", value_type="GROUPS",
                                       group_filter_type="REGEX")])
    d = directory()
    body = {"clientId": WEB_ID, "grantType": "authorization_code", "userId": "ann@example.com",
            "scopes": ["openid", "profile", "offline_access", "api:read"]}
    result = run(cfg, body, d)

    access = d.access(WEB_ID, ANN_ID)
    decision = evaluate(cfg, AccessRequest(client_id=WEB_ID, grant_type="authorization_code",
                                           requested_scopes=tuple(body["scopes"]), user_id=ANN_ID,
                                           user_group_ids=frozenset(access.group_ids),
                                           user_assigned=access.assigned))
    subject = subject_of(d, ANN_ID)
    client = d.clients[WEB_ID]
    svc = services()
    expected_at = minting.access_claims(svc, cfg, ISSUER, client, decision.granted_scopes, timedelta(minutes=60),
                                        subject)
    expected_id = minting.id_token_claims(svc, cfg, ISSUER, client, subject, decision.granted_scopes,
                                          everything=False)
    assert result.allowed and result.request.user_id == ANN_ID
    assert result.steps == decision.steps
    assert strip(result.access_token.payload) == strip(expected_at)
    assert strip(result.id_token.payload) == strip(expected_id)
    assert result.id_token.header == {"kid": KID, "alg": "RS256"} and result.id_token.lifetime_minutes == 60
    assert result.id_token.payload["auth_time"] == result.id_token.payload["iat"]
    assert result.id_token.payload["g"] == ["Everyone", "Sales"]
    assert not {"nonce", "at_hash", "c_hash"} & set(result.id_token.payload)
    refresh = result.refresh_token
    assert (refresh.issued, refresh.reason, refresh.lifetime_minutes, refresh.window_minutes) == (
        True, RefreshReason.ISSUED, 0, 10080)


@pytest.mark.parametrize("client_id, scopes, reason", [
    (WEB_ID, ["openid", "api:read"], RefreshReason.OFFLINE_ACCESS_NOT_GRANTED),
    (NATIVE_ID, ["openid", "offline_access"], RefreshReason.CLIENT_NOT_REGISTERED),
])
def test_when_no_refresh_token_is_issued(client_id, scopes, reason):
    result = run(default_server(), {"clientId": client_id, "grantType": "authorization_code", "userId": ANN_ID,
                                    "scopes": scopes})
    assert result.allowed
    assert (result.refresh_token.issued, result.refresh_token.reason) == (False, reason)
    assert result.refresh_token.lifetime_minutes is None


def test_no_id_token_without_openid():
    result = run(default_server(), {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                                    "scopes": ["api:read"]})
    assert result.allowed and result.access_token is not None and result.id_token is None
    idt = lines(result, ID_TOKEN)
    assert idt["email"].reason == ClaimReason.SCOPES_NOT_GRANTED
    assert all(line.reason != ClaimReason.INCLUDED for line in idt.values())


def test_implicit_response_types():
    cfg = default_server()
    base = {"clientId": WEB_ID, "grantType": "implicit", "userId": ANN_ID,
            "scopes": ["openid", "profile", "offline_access"]}
    both = run(cfg, base)
    assert both.request.response_types == ("token", "id_token")
    assert both.access_token and both.id_token and "given_name" not in both.id_token.payload
    # offline_access is dropped for implicit: no refresh token, and the trace says so.
    assert both.granted_scopes == ("openid", "profile")
    assert Outcome.SCOPE_DROPPED in [s.outcome for s in both.steps]
    assert both.refresh_token.reason == RefreshReason.GRANT_TYPE

    alone = run(cfg, {**base, "responseType": "id_token"})
    assert alone.access_token is None
    # An ID token issued alone carries every profile claim its scopes release (everything=True).
    assert alone.id_token.payload["given_name"] == "Ann" and alone.id_token.payload["family_name"] == "Tester"
    assert lines(alone, ID_TOKEN)["given_name"].included
    assert lines(alone, ACCESS_TOKEN)["sub"].reason == ClaimReason.TOKEN_NOT_ISSUED

    token_only = run(cfg, {**base, "responseType": "token"})
    assert token_only.id_token is None and token_only.access_token is not None
    default_token = run(cfg, {**base, "scopes": ["api:read"]})
    assert default_token.request.response_types == ("token",) and default_token.id_token is None


def test_group_include_and_exclude():
    cfg = server_config((policy("p"), [rule("no-sales", groups_exclude=(SALES.id,)),
                                       rule("sales", groups_include=(SALES.id,), access_minutes=15)]))
    ann = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID, "scopes": ["api:read"]})
    assert [(s.id, s.outcome) for s in ann.steps if s.subject == "rule"] == [
        ("no-sales", Outcome.GROUP_EXCLUDED), ("sales", Outcome.RULE_MATCHED)]
    assert ann.access_token.lifetime_minutes == 15
    d = directory()
    d.group_assigned.add((WEB_ID, "00gEveryoneBuiltIn00"))
    bob = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": BOB_ID,
                    "scopes": ["api:read"]}, d)
    assert bob.rule == ("no-sales", "no-sales")


def test_unassigned_user_is_refused_as_by_the_flow():
    d = directory()
    d.group_assigned.clear()
    result = run(default_server(), {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                                    "scopes": ["openid"]}, d)
    assert (result.reason, result.error, result.http_status) == (Reason.USER_NOT_ASSIGNED, "access_denied", 400)


def test_consent_page_is_assumed_allowed_for_browser_grants_but_not_for_password():
    cfg = default_server(scopes=standard_scopes(scope("api:consent", consent="REQUIRED"),
                                                scope("api:also", consent="REQUIRED")))
    d = directory()
    d.consents[(ANN_ID, WEB_ID)] = {"api:also"}  # consented before: the page would not ask again
    code = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                     "scopes": ["openid", "api:consent", "api:also"]}, d)
    assert code.allowed and code.consent_scopes == ("api:consent",)
    assert code.granted_scopes == ("openid", "api:consent", "api:also")
    assert [s.outcome for s in code.steps[-2:]] == [PreviewOutcome.CONSENT_ASSUMED, Reason.GRANTED]
    assert f"consents {ANN_ID} {WEB_ID}" in d.calls
    password = run(cfg, {"clientId": NATIVE_ID, "grantType": "password", "userId": ANN_ID,
                         "scopes": ["openid", "api:consent"]})
    assert not password.allowed and password.reason == Reason.CONSENT_REQUIRED
    assert password.error == "consent_required"


def test_inactive_client_and_inactive_user_are_refused_before_the_policies():
    from dataclasses import replace

    d = directory()
    d.clients[SERVICE_ID] = replace(d.clients[SERVICE_ID], status=INACTIVE)
    result = run(default_server(), {"clientId": SERVICE_ID, "grantType": "client_credentials"}, d)
    assert (result.reason, result.error, result.http_status) == (PreviewReason.CLIENT_INACTIVE, "invalid_client", 401)
    assert [s.outcome for s in result.steps] == [PreviewReason.CLIENT_INACTIVE] * 2

    d = directory()
    d.users[ANN_ID] = replace(d.users[ANN_ID], status="SUSPENDED")
    result = run(default_server(), {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID}, d)
    assert (result.reason, result.error, result.http_status) == (PreviewReason.USER_NOT_ACTIVE, "invalid_grant", 400)
    assert "SUSPENDED" in result.steps[0].message


def test_inactive_server_is_the_evaluators_server_inactive():
    result = run(default_server(server_status=INACTIVE),
                 {"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read"]})
    assert (result.reason, result.error, result.http_status) == (Reason.SERVER_INACTIVE, "invalid_request", 400)


# -- never signs, never writes --------------------------------------------------------------------------------------


def test_nothing_is_signed_and_only_reads_are_made():
    signer = RecordingSigner()
    d = directory()
    result = run(default_server(), {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID,
                                    "scopes": ["openid", "offline_access"]}, d, services(signer=signer))
    assert result.allowed and result.refresh_token.issued
    assert signer.calls == 0
    assert d.calls == [f"client {WEB_ID}", f"user {ANN_ID}", f"access {WEB_ID} {ANN_ID}",
                       f"consents {ANN_ID} {WEB_ID}"]


def test_the_services_handed_to_minting_refuse_to_sign():
    preview_service, _ = service(default_server())
    svc = preview_service._oauth_services()
    with pytest.raises(AssertionError):
        svc.signer.get("aus1", KID)
    with pytest.raises(AssertionError):
        svc.holders.note("aus1", SERVICE_ID)


# -- bad input ------------------------------------------------------------------------------------------------------


def causes(body, cfg=None, d=None):
    with pytest.raises(ValidationError) as raised:
        run(cfg or default_server(), body, d)
    assert raised.value.target == "tokenPreview"
    return raised.value.causes


@pytest.mark.parametrize("body, expected", [
    ({}, ["clientId: The field cannot be left blank.", "grantType: The field cannot be left blank."]),
    ({"clientId": "0oaNobody00000000001", "grantType": "client_credentials"},
     ["clientId: '0oaNobody00000000001' is not an OAuth client."]),
    ({"clientId": SERVICE_ID, "grantType": "authorization_code"},
     ["grantType: The client is not registered for authorization_code (its grant types: client_credentials).",
      "userId: Required for the authorization_code grant type: the token is issued for a user."]),
    ({"clientId": SERVICE_ID, "grantType": "client_credentials", "userId": ANN_ID},
     ["userId: Must not be given for client_credentials: the client acts on its own behalf."]),
    ({"clientId": WEB_ID, "grantType": "authorization_code"},
     ["userId: Required for the authorization_code grant type: the token is issued for a user."]),
    ({"clientId": WEB_ID, "grantType": "authorization_code", "userId": "00uNobody00000000001"},
     ["userId: '00uNobody00000000001' is not a user."]),
    ({"clientId": WEB_ID, "grantType": "authorization_code", "userId": "nobody@example.com"},
     ["userId: 'nobody@example.com' is not a user."]),
    ({"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["api:read", "nope"]},
     ["scopes: 'nope' is not a scope of this authorization server."]),
    ({"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": "api:read"},
     ["scopes: Must be a list of non-empty strings."]),
    ({"clientId": SERVICE_ID, "grantType": "client_credentials", "scopes": ["bad scope"]},
     ["scopes: 'bad scope' is not a valid scope name."]),
    ({"clientId": SERVICE_ID, "grantType": "device_code"},
     ["grantType: Must be one of: authorization_code, implicit, password, client_credentials."]),
    ({"clientId": 7, "grantType": ["client_credentials"]},
     ["clientId: Must be a string.", "grantType: Must be a string."]),
    ({"clientId": SERVICE_ID, "grantType": "client_credentials", "responseType": "token"},
     ["responseType: Only for the implicit grant type."]),
    ({"clientId": WEB_ID, "grantType": "implicit", "userId": ANN_ID, "responseType": "code"},
     ["responseType: Must be one of: token, id_token, id_token token."]),
    ({"clientId": NATIVE_ID, "grantType": "authorization_code", "userId": ANN_ID, "responseType": "code"},
     ["responseType: Only for the implicit grant type."]),
])
def test_bad_input_names_the_field(body, expected):
    assert causes(body) == expected


def test_response_type_must_be_registered():
    from dataclasses import replace

    d = directory()
    d.clients[WEB_ID] = replace(d.clients[WEB_ID], response_types=("code", "id_token"))
    assert causes({"clientId": WEB_ID, "grantType": "implicit", "userId": ANN_ID, "responseType": "id_token token",
                   "scopes": ["openid"]}, d=d) == [
        "responseType: The client is not registered for the response type token (its response types: code, "
        "id_token)."]
    # Without responseType: what the client may get.
    result = run(default_server(), {"clientId": WEB_ID, "grantType": "implicit", "userId": ANN_ID,
                                    "scopes": ["openid"]}, d)
    assert result.request.response_types == ("id_token",) and result.access_token is None


@pytest.mark.parametrize("grant, body, why", [
    ("implicit", {"responseType": "id_token", "scopes": ["api:read"]}, "id_token without openid"),
    ("implicit", {"responseType": "id_token"}, "id_token with the default scopes"),
    ("authorization_code", {"scopes": ["profile", "api:read"]}, "profile without openid"),
    ("implicit", {"scopes": ["email"]}, "email without openid"),
])
def test_authorize_requests_need_openid_for_oidc(grant, body, why):
    result = run(default_server(), {"clientId": WEB_ID, "grantType": grant, "userId": ANN_ID, **body})
    assert not result.allowed, why
    assert (result.reason, result.error, result.http_status) == (PreviewReason.OPENID_REQUIRED, "invalid_scope", 400)
    assert result.error_description == ("Requests for ID tokens or access tokens with OpenID scopes require the "
                                        "'openid' scope.")


def test_implicit_id_token_when_openid_is_not_granted():
    cfg = server_config((policy("p"), [rule("no-openid", scopes=("api:read", "profile"))]))
    result = run(cfg, {"clientId": WEB_ID, "grantType": "implicit", "userId": ANN_ID,
                       "scopes": ["openid", "api:read"]})
    assert result.reason == Reason.SCOPE_DENIED  # the rule lists OIDC scopes without openid
    cfg = server_config((policy("p"), [rule("defaults", scopes=("api:read", "profile"))]),
                        scopes=standard_scopes(scope("api:read", default=True), scope("openid", default=True)))
    result = run(cfg, {"clientId": WEB_ID, "grantType": "authorization_code", "userId": ANN_ID})
    assert result.allowed and result.granted_scopes == ("api:read",) and result.id_token is None


def test_refresh_token_is_not_previewable():
    [cause] = causes({"clientId": WEB_ID, "grantType": "refresh_token", "userId": ANN_ID})
    assert cause.startswith("grantType: refresh_token cannot be previewed")


def test_every_bad_field_at_once():
    found = causes({"clientId": "0oaNobody00000000001", "grantType": "password", "scopes": ["nope"]})
    assert [c.split(":")[0] for c in found] == ["clientId", "userId", "scopes"]


def test_body_must_be_an_object_and_the_server_must_exist():
    preview_service, _ = service(default_server())
    with pytest.raises(MalformedBodyError):
        preview_service.preview("aus1", ["clientId"], BASE)
    with pytest.raises(NotFoundError):
        preview_service.preview("ausNope", {"clientId": SERVICE_ID, "grantType": "client_credentials"}, BASE)
