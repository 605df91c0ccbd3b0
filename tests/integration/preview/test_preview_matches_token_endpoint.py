"""The preview equals the real flow (issue 6, "Tests that must exist"): for a matrix of configurations, the
preview's access token has exactly the claims of the token ``/v1/token`` signs (except ``jti``/``iat``/``exp``), in
the same order, with the same header, scopes and lifetime, or the preview answers the same HTTP status, ``error``
and ``error_description``; and its ``evaluation`` names the right reason.

User grants: compared with the real ``password`` grant and the real browser flow (``/v1/authorize``, the sign-in
and consent pages, the code redeemed at ``/v1/token``); either test fails, saying so, if its flow is not wired.
Besides, a direct call of ``policy.evaluate`` and ``oauth.minting`` on the stored configuration, client and user
checks the preview's trace step by step and its claim reasons, for both user grants.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

import pytest

from chalicelib.oauth import minting
from chalicelib.oauth.issuer import issuer
from chalicelib.oauth.minting import subject_of
from chalicelib.policy import AccessRequest, evaluate
from tests.integration.preview.preview_api_support import (
    PASSWORD,
    add_claim,
    add_policy,
    add_rule,
    add_scope,
    assign_everyone,
    decode,
    native_client,
    new_group,
    new_server,
    new_user,
    preview,
    real_token,
    service_client,
    stable,
)

BASE = "https://tokenmint.test"


@dataclass
class Case:
    setup: Callable[[Any, str, str], None]  # (api, server id, client id)
    scopes: list[str] | None
    # (subject, id-or-name-label, outcome) of the policy and rule steps, names instead of ids.
    trace: list[tuple[str, str]]
    reason: str
    claims: dict[str, str] = field(default_factory=dict)  # access-token claim name -> reason


def _scopes(api, sid, *names, **extra):
    for name in names:
        add_scope(api, sid, name, **extra)


def all_clients(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "everyone"), "cc")


def specific_client(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "just me", clients=[cid]), "cc")


def other_client(api, sid, cid):
    _scopes(api, sid, "api:read")
    other, _ = service_client(api)
    add_rule(api, sid, add_policy(api, sid, "someone else", clients=[other]), "cc")


def inactive_policy(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "off", status="INACTIVE"), "short", minutes=5)
    add_rule(api, sid, add_policy(api, sid, "on"), "long", minutes=15)


def inactive_rule(api, sid, cid):
    _scopes(api, sid, "api:read")
    pid = add_policy(api, sid, "p")
    add_rule(api, sid, pid, "off", status="INACTIVE", minutes=5)
    add_rule(api, sid, pid, "on", minutes=20)


def everything_inactive(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "p"), "off", status="INACTIVE")


def no_policy(api, sid, cid):
    _scopes(api, sid, "api:read")


def user_grants_only(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "p"), "people", grants=["authorization_code"])


def no_rule_falls_through(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "first"), "people", grants=["password"])
    add_rule(api, sid, add_policy(api, sid, "second"), "cc", minutes=7)


def read_only(api, sid, cid):
    _scopes(api, sid, "api:read", "api:write")
    add_rule(api, sid, add_policy(api, sid, "p"), "read", scopes=["api:read"])


def defaults(api, sid, cid):
    _scopes(api, sid, "api:read", "api:write", default=True)
    add_rule(api, sid, add_policy(api, sid, "p"), "read", scopes=["api:read"])


def group_condition(api, sid, cid):
    """People conditions do not apply to client_credentials (no user)."""
    _scopes(api, sid, "api:read")
    gid = new_group(api)
    add_rule(api, sid, add_policy(api, sid, "p"), "cc for a group", groups=[gid])


def consent_required(api, sid, cid):
    _scopes(api, sid, "api:read", consent="REQUIRED")
    add_rule(api, sid, add_policy(api, sid, "p"), "cc")


def scoped_claims(api, sid, cid):
    _scopes(api, sid, "api:read", "api:write")
    add_rule(api, sid, add_policy(api, sid, "p"), "cc")
    add_claim(api, sid, "reader", "'yes'", scopes=["api:read"])
    add_claim(api, sid, "writer", "'yes'", scopes=["api:write"])
    add_claim(api, sid, "client", "app.clientId")
    add_claim(api, sid, "scopes", "access.scope")


def disabled_and_failing_claims(api, sid, cid):
    _scopes(api, sid, "api:read")
    add_rule(api, sid, add_policy(api, sid, "p"), "cc")
    add_claim(api, sid, "disabled", "'x'", status="INACTIVE")
    add_claim(api, sid, "dept", "user.department")  # no user: fails at runtime, the token is still issued
    add_claim(api, sid, "ratio", "1 / 0")
    add_claim(api, sid, "missing", "app.profile.nothing")
    add_claim(api, sid, "tier", "'gold'")
    add_claim(api, sid, "idonly", "'i'", claim_type="IDENTITY")


APPLIES = ("policy", "policy_applies")
MATCHED = ("rule", "rule_matched")

CASES = {
    "policy for all clients": Case(all_clients, ["api:read"], [APPLIES, MATCHED], "granted"),
    "policy for this client": Case(specific_client, ["api:read"], [APPLIES, MATCHED], "granted"),
    "policy for another client": Case(other_client, ["api:read"], [("policy", "client_not_included")],
                                      "no_matching_policy"),
    "inactive policy skipped": Case(inactive_policy, ["api:read"],
                                    [("policy", "policy_inactive"), APPLIES, MATCHED], "granted"),
    "inactive rule skipped": Case(inactive_rule, ["api:read"], [APPLIES, ("rule", "rule_inactive"), MATCHED],
                                  "granted"),
    "only inactive rules": Case(everything_inactive, ["api:read"],
                                [APPLIES, ("rule", "rule_inactive"), ("policy", "no_rule_matched")],
                                "no_matching_rule"),
    "no policy": Case(no_policy, ["api:read"], [], "no_matching_policy"),
    "grant type not in the rule": Case(user_grants_only, ["api:read"],
                                       [APPLIES, ("rule", "grant_type_not_included"), ("policy", "no_rule_matched")],
                                       "no_matching_rule"),
    "falls through to the next policy": Case(no_rule_falls_through, ["api:read"],
                                             [APPLIES, ("rule", "grant_type_not_included"),
                                              ("policy", "no_rule_matched"), APPLIES, MATCHED], "granted"),
    "scope list allows the scope": Case(read_only, ["api:read"], [APPLIES, MATCHED], "granted"),
    "scope list denies one scope": Case(read_only, ["api:read", "api:write"],
                                        [APPLIES, ("rule", "scope_not_allowed"), ("policy", "no_rule_matched")],
                                        "scope_denied"),
    "scope list denies every scope": Case(read_only, ["api:write"],
                                          [APPLIES, ("rule", "scope_not_allowed"), ("policy", "no_rule_matched")],
                                          "no_scope_allowed"),
    "default scopes narrowed": Case(defaults, None, [APPLIES, MATCHED], "granted"),
    "people conditions ignored": Case(group_condition, ["api:read"], [APPLIES, MATCHED], "granted"),
    "openid with client credentials": Case(all_clients, ["openid"], [], "openid_with_client_credentials"),
    "consent required": Case(consent_required, ["api:read"], [APPLIES, MATCHED], "consent_required"),
    "claims with scope conditions": Case(scoped_claims, ["api:read"], [APPLIES, MATCHED], "granted",
                                         {"reader": "included", "writer": "scopes_not_granted",
                                          "client": "included", "scopes": "included", "sub": "included"}),
    "disabled and failing claims": Case(disabled_and_failing_claims, ["api:read"], [APPLIES, MATCHED], "granted",
                                        {"disabled": "inactive", "dept": "expression_error",
                                         "ratio": "expression_error", "missing": "null_value",
                                         "tier": "included", "idonly": "wrong_token_type"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_client_credentials_preview_equals_the_token_endpoint(api, name):
    case = CASES[name]
    sid = new_server(api)
    cid, secret = service_client(api)
    case.setup(api, sid, cid)

    real = real_token(api, sid, cid, secret, case.scopes)
    body: dict[str, Any] = {"clientId": cid, "grantType": "client_credentials"}
    if case.scopes is not None:
        body["scopes"] = case.scopes
    shown = preview(api, sid, **body)

    assert shown.status_code == real.status_code, (shown.data, real.data)
    evaluation = shown.data["evaluation"]
    assert evaluation["reason"] == case.reason
    assert [(s["subject"], s["outcome"]) for s in evaluation["steps"] if s["subject"] in ("policy", "rule")] == \
        case.trace
    assert evaluation["steps"][-1]["subject"] == "decision"
    if real.status_code == 200:
        header, payload = decode(real.data["access_token"])
        token = shown.data["accessToken"]
        assert token["header"] == header
        assert stable(token["payload"]) == stable(payload)
        assert list(token["payload"]) == list(payload)  # same claims in the same order
        assert token["lifetimeMinutes"] * 60 == real.data["expires_in"] == payload["exp"] - payload["iat"]
        assert shown.data["scopes"] == real.data["scope"].split()
        assert shown.data["idToken"] is None and "id_token" not in real.data
        assert shown.data["refreshToken"]["issued"] is False and "refresh_token" not in real.data
        included = {c["name"]: c["value"] for c in evaluation["claims"]
                    if c["token"] == "accessToken" and c["included"]}
        assert included == {k: payload[k] for k in included}
    else:
        assert (shown.data["error"], shown.data["error_description"]) == (
            real.data["error"], real.data["error_description"])
        assert {c["reason"] for c in evaluation["claims"]} == {"request_denied"}
    reasons = {c["name"]: c["reason"] for c in evaluation["claims"] if c["token"] == "accessToken"}
    for claim_name, reason in case.claims.items():
        assert reasons[claim_name] == reason, claim_name


def test_failing_expression_names_the_error(api):
    sid = new_server(api)
    cid, _secret = service_client(api)
    disabled_and_failing_claims(api, sid, cid)
    shown = preview(api, sid, clientId=cid, grantType="client_credentials", scopes=["api:read"])
    messages = {c["name"]: c["message"] for c in shown.data["evaluation"]["claims"] if c["token"] == "accessToken"}
    assert messages["dept"] == "Cannot read property 'department' of null at position 5"
    assert messages["ratio"] == "Division by zero at position 2"


# -- user grants ------------------------------------------------------------------------------------------------------


@dataclass
class UserWorld:
    sid: str
    client_id: str
    secret: str
    users: dict[str, dict[str, Any]]
    groups: dict[str, str]


def user_world(api) -> UserWorld:
    """A server with two policies: 'Sales' (group include, minus an excluded group, 30 min, refresh) and a catch-all
    rule for one named user; claims for both tokens, one disabled, one failing, one scoped."""
    sid = new_server(api)
    _scopes(api, sid, "api:read", "api:write")
    _scopes(api, sid, "api:consent", consent="REQUIRED")
    ann = new_user(api, department="Sales", mobilePhone="+1 555 0100")
    bob = new_user(api)
    cat = new_user(api, department="Sales")
    dan = new_user(api)
    sales = new_group(api, ann["id"], cat["id"])
    blocked = new_group(api, cat["id"])
    cid, secret = native_client(api)
    assign_everyone(api, cid)
    sales_policy = add_policy(api, sid, "sales")
    add_rule(api, sid, sales_policy, "sales people", grants=["password", "authorization_code"], groups=[sales],
             groups_exclude=[blocked], minutes=30, refresh_minutes=600, window_minutes=120)
    named = add_policy(api, sid, "named")
    add_rule(api, sid, named, "bob only", grants=["password", "authorization_code"], groups=[], users=[bob["id"]],
             scopes=["api:read", "openid", "profile", "email", "offline_access"])
    add_claim(api, sid, "dept", "user.department")
    add_claim(api, sid, "writer", "'yes'", scopes=["api:write"])
    add_claim(api, sid, "off", "'x'", status="INACTIVE")
    add_claim(api, sid, "broken", "Convert.toInt(user.email)")
    add_claim(api, sid, "teams", ".*", claim_type="IDENTITY", value_type="GROUPS", group_filter_type="REGEX")
    add_claim(api, sid, "login", "user.login", claim_type="IDENTITY", scopes=["profile"])
    return UserWorld(sid, cid, secret, {"ann": ann, "bob": bob, "cat": cat, "dan": dan},
                     {"sales": sales, "blocked": blocked})


USER_CASES = {
    # user, scopes, reason, rule name
    "group include": ("ann", ["openid", "profile", "email", "phone", "offline_access", "api:read", "api:write"],
                      "granted", "sales people"),
    "group include, default scopes": ("ann", None, "no_default_scopes", None),
    "group exclude, then another rule": ("cat", ["api:read"], "no_matching_rule", None),
    "user include": ("bob", ["openid", "email", "api:read"], "granted", "bob only"),
    "user include, scope not allowed": ("bob", ["api:write"], "no_scope_allowed", "bob only"),
    "neither": ("dan", ["api:read"], "no_matching_rule", None),
}
# Where the flows differ: the browser flow has a consent page (the preview assumes "allow") and /v1/authorize's
# rule that OpenID Connect scopes need openid; the password grant has neither.
CODE_FLOW_CASES = {
    "consent page": ("ann", ["openid", "api:consent"], "granted", "sales people"),
    "profile without openid": ("ann", ["profile", "api:read"], "openid_required", None),
}
PASSWORD_CASES = {
    "consent required, no consent page": ("ann", ["openid", "api:consent"], "consent_required", "sales people"),
    "profile without openid": ("ann", ["profile", "api:read"], "granted", "sales people"),
}


def direct(container, world: UserWorld, user_id: str, scopes: list[str] | None, grant: str = "password"):
    """What the real grant does with the stored configuration: policy.evaluate with the user's access, then
    minting with the same arguments (the ID token issued with an access token: everything=False)."""
    config = container.servers.load(world.sid)
    client = container.clients.get_for_token(world.client_id)
    access = container.app_assignments.access(world.client_id, user_id)
    decision = evaluate(config, AccessRequest(
        client_id=world.client_id, grant_type=grant, requested_scopes=tuple(scopes) if scopes else None,
        user_id=user_id, user_group_ids=frozenset(access.group_ids), user_assigned=access.assigned))
    if not decision.allowed:
        return decision, None, None
    subject = subject_of(access, int(container.clock.now().timestamp()), ("pwd",))  # the user signs in now
    services = container.oauth.services
    iss = issuer(config.server, BASE)
    lifetime = timedelta(minutes=decision.actions.access_token_lifetime_minutes)
    at = minting.access_claims(services, config, iss, client, decision.granted_scopes, lifetime, subject)
    idt = minting.id_token_claims(services, config, iss, client, subject, decision.granted_scopes) \
        if "openid" in decision.granted_scopes else None
    return decision, at, idt


@pytest.mark.parametrize("name", list(USER_CASES))
@pytest.mark.parametrize("grant", ["password", "authorization_code"])
def test_user_grant_preview_equals_evaluate_and_minting(api, container, name, grant):
    who, scopes, reason, rule_name = USER_CASES[name]
    world = user_world(api)
    user_id = world.users[who]["id"]
    body: dict[str, Any] = {"clientId": world.client_id, "grantType": grant, "userId": user_id}
    if scopes is not None:
        body["scopes"] = scopes
    shown = preview(api, world.sid, **body)
    decision, at, idt = direct(container, world, user_id, scopes, grant)

    assert shown.data["evaluation"]["reason"] == reason == decision.reason
    assert [(s["subject"], s["outcome"], s["id"]) for s in shown.data["evaluation"]["steps"]] == \
        [(s.subject, s.outcome, s.id) for s in decision.steps]
    if not decision.allowed:
        assert shown.status_code == decision.http_status
        assert (shown.data["error"], shown.data["error_description"]) == (decision.error, decision.error_description)
        assert (shown.data["rule"] or {}).get("name") == rule_name
        return
    assert shown.status_code == 200 and shown.data["rule"]["name"] == rule_name
    assert stable(shown.data["accessToken"]["payload"]) == stable(at)
    assert list(shown.data["accessToken"]["payload"]) == list(at)
    assert (shown.data["idToken"] and stable(shown.data["idToken"]["payload"])) == (idt and stable(idt))
    claims = {(c["token"], c["name"]): c for c in shown.data["evaluation"]["claims"]}
    assert claims[("accessToken", "dept")]["reason"] == ("included" if who == "ann" else "null_value")
    assert claims[("accessToken", "off")]["reason"] == "inactive"
    assert claims[("accessToken", "broken")]["reason"] == "expression_error"
    assert "toInt" in claims[("accessToken", "broken")]["message"]
    writer = "included" if "api:write" in shown.data["scopes"] else "scopes_not_granted"
    assert claims[("accessToken", "writer")]["reason"] == writer
    if who == "ann":
        assert claims[("idToken", "teams")]["value"] == ["Everyone", world_group_names(api, world)]
        assert claims[("idToken", "phone_number")]["reason"] == "not_always_included"
        assert shown.data["refreshToken"] == {"issued": True, "lifetimeMinutes": 600, "windowMinutes": 120,
                                              "reason": "issued", "message": shown.data["refreshToken"]["message"]}
    else:
        assert claims[("idToken", "login")]["reason"] == "scopes_not_granted"
        assert shown.data["refreshToken"]["reason"] == "offline_access_not_granted"


def world_group_names(api, world: UserWorld) -> str:
    return api.get(f"/api/v1/groups/{world.groups['sales']}").data["profile"]["name"]


def test_user_grants_match_the_real_password_grant(api, container):
    """The password grant (``oauth/grants/password.py``) against the preview of ``password``."""
    # Asserted, not skipped: the grant is always registered, so an unwired grant is a regression to report, not
    # a reason to let this equivalence check pass silently.
    assert "password" in container.oauth.grants, "the password grant is not registered with the token endpoint"
    world = user_world(api)
    outcomes = {}
    cases = {**USER_CASES, **PASSWORD_CASES}
    for name, (who, scopes, _reason, _rule) in cases.items():
        user = world.users[who]
        container.clock.advance(seconds=1)
        real = real_token(api, world.sid, world.client_id, world.secret, scopes, grant_type="password",
                          username=user["profile"]["login"], password=PASSWORD)
        body: dict[str, Any] = {"clientId": world.client_id, "grantType": "password", "userId": user["id"]}
        if scopes is not None:
            body["scopes"] = scopes
        shown = preview(api, world.sid, **body)
        assert shown.status_code == real.status_code, (name, shown.data, real.data)
        outcomes[name] = shown.data["evaluation"]["reason"]
        if real.status_code != 200:
            assert (shown.data["error"], shown.data["error_description"]) == (
                real.data["error"], real.data["error_description"]), name
            continue
        header, payload = decode(real.data["access_token"])
        assert shown.data["accessToken"]["header"] == header, name
        assert stable(shown.data["accessToken"]["payload"]) == stable(payload), name
        if "id_token" in real.data:
            _h, id_payload = decode(real.data["id_token"])
            hashes = {"at_hash", "c_hash", "nonce"}
            assert {k: v for k, v in stable(shown.data["idToken"]["payload"]).items() if k not in hashes} == \
                {k: v for k, v in stable(id_payload).items() if k not in hashes}, name
        else:
            assert shown.data["idToken"] is None, name
        assert shown.data["refreshToken"]["issued"] == ("refresh_token" in real.data), name
    assert outcomes == {name: case[2] for name, case in cases.items()}


def test_user_grants_match_the_real_authorization_code_flow(api, client, container):
    """The browser flow (authorize, sign-in page, code, /v1/token) against the preview of authorization_code."""
    from urllib.parse import urlencode

    from tests.integration.authorize.authorize_support import Browser, callback, pkce_pair, through

    # Asserted, not skipped (see the password-grant test above).
    assert container.oauth.front is not None, "the front channel (/v1/authorize) is not wired"
    assert "authorization_code" in container.oauth.grants, "the authorization_code grant is not registered"
    world = user_world(api)
    redirect = "com.example.app:/callback"
    outcomes = {}
    cases = {**USER_CASES, **CODE_FLOW_CASES}
    for name, (who, scopes, _reason, _rule) in cases.items():
        user = world.users[who]
        container.clock.advance(seconds=1)
        browser = Browser(client)
        verifier, challenge = pkce_pair()
        params = {"client_id": world.client_id, "response_type": "code", "redirect_uri": redirect, "state": "s",
                  "code_challenge": challenge, "code_challenge_method": "S256"}
        if scopes is not None:
            params["scope"] = " ".join(scopes)
        page = browser.follow(browser.get(f"{BASE}/oauth2/{world.sid}/v1/authorize?{urlencode(params)}"))
        if page.status_code == 200:  # the sign-in page; otherwise refused before anyone signs in
            assert "Sign in" in page.text, page.text[:300]
            page = through(browser, browser.submit(page, username=user["profile"]["login"], password=PASSWORD))
        answer = callback(page)
        body: dict[str, Any] = {"clientId": world.client_id, "grantType": "authorization_code", "userId": user["id"]}
        if scopes is not None:
            body["scopes"] = scopes
        shown = preview(api, world.sid, **body)
        outcomes[name] = shown.data["evaluation"]["reason"]
        if "error" in answer:
            assert shown.status_code != 200, (name, shown.data)
            assert (shown.data["error"], shown.data["error_description"]) == (
                answer["error"], answer["error_description"]), name
            continue
        real = real_token(api, world.sid, world.client_id, world.secret, None, grant_type="authorization_code",
                          code=answer["code"], redirect_uri=redirect, code_verifier=verifier)
        assert real.status_code == 200 and shown.status_code == 200, (name, real.data, shown.data)
        header, payload = decode(real.data["access_token"])
        assert shown.data["accessToken"]["header"] == header, name
        assert stable(shown.data["accessToken"]["payload"]) == stable(payload), name
        assert list(shown.data["accessToken"]["payload"]) == list(payload), name
        assert shown.data["scopes"] == real.data["scope"].split(), name
        if "id_token" in real.data:
            _h, id_payload = decode(real.data["id_token"])
            hashes = {"at_hash", "c_hash", "nonce"}
            assert {k: v for k, v in stable(shown.data["idToken"]["payload"]).items() if k not in hashes} == \
                {k: v for k, v in stable(id_payload).items() if k not in hashes}, name
        else:
            assert shown.data["idToken"] is None, name
        assert shown.data["refreshToken"]["issued"] == ("refresh_token" in real.data), name
    assert outcomes == {name: case[2] for name, case in cases.items()}
