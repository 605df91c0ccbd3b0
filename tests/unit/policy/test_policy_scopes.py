"""policy.evaluate: requested and default scopes, wildcard, OIDC scopes, unknown scopes, scope_denied versus
no_scope_allowed, grants that cannot carry a scope, and consent."""
from __future__ import annotations

import pytest

from chalicelib.policy import OIDC_SCOPES, AccessRequest, Outcome, Reason, evaluate, rule_allows_scope
from tests.unit.policy.policy_support import (
    USER_GRANTS,
    cc,
    config,
    default_config,
    for_user,
    policy,
    rule,
    scope,
    standard_scopes,
)

P = policy
R = rule

NO_DEFAULTS_TEXT = ("The authorization server resource does not have any configured default scopes, 'scope' must be "
                    "provided.")
UNKNOWN_TEXT = "One or more scopes are not configured for the authorization server resource."
OPENID_CC_TEXT = "Cannot request 'openid' scopes using client credentials."
ALL_REJECTED_TEXT = "Policy evaluation succeeded, but all the requested scopes were rejected."


def scopes_with(*changed) -> list:
    """The standard scopes with ``changed`` replacing those of the same name, moved last in the order given (the
    server's scope order decides the order of default scopes)."""
    names = {s.name for s in changed}
    return [s for s in standard_scopes() if s.name not in names] + list(changed)


# -- requested scopes: what is granted -------------------------------------------------------------------------------

# (id, rule scopes, request, reason, granted, denied)
GRANT_CASES = [
    ("wildcard allows any custom scope, in the order requested", ("*",), cc("api:write", "api:read"),
     Reason.GRANTED, ("api:write", "api:read"), ()),
    ("duplicates are granted once", ("*",), cc("api:read", "api:write", "api:read"),
     Reason.GRANTED, ("api:read", "api:write"), ()),
    ("listed scopes are allowed", ("api:read", "api:write"), cc("api:read"), Reason.GRANTED, ("api:read",), ()),
    ("some requested scopes not allowed: scope_denied", ("api:read",), cc("api:read", "api:write", "api:admin"),
     Reason.SCOPE_DENIED, (), ("api:write", "api:admin")),
    ("no requested scope allowed: no_scope_allowed", ("api:read",), cc("api:write", "api:admin"),
     Reason.NO_SCOPE_ALLOWED, (), ("api:write", "api:admin")),
    ("OIDC scopes need not be listed", ("api:read",), for_user("openid", "profile", "email", "api:read"),
     Reason.GRANTED, ("openid", "profile", "email", "api:read"), ()),
    ("every OIDC scope is allowed by a rule naming none", ("api:read",), for_user(*OIDC_SCOPES),
     Reason.GRANTED, OIDC_SCOPES, ()),
    ("a rule with no scope list allows the OIDC scopes", (), for_user("openid", "offline_access"),
     Reason.GRANTED, ("openid", "offline_access"), ()),
    ("a rule with no scope list allows no custom scope", (), for_user("openid", "api:read"),
     Reason.SCOPE_DENIED, (), ("api:read",)),
    ("a rule naming OIDC scopes is an allow list for them", ("openid", "email"), for_user("openid", "profile"),
     Reason.SCOPE_DENIED, (), ("profile",)),
    ("a rule naming OIDC scopes allows those", ("openid", "email", "api:read"), for_user("email", "openid", "api:read"),
     Reason.GRANTED, ("email", "openid", "api:read"), ()),
    ("wildcard allows OIDC scopes", ("*",), for_user("phone", "address"), Reason.GRANTED, ("phone", "address"), ()),
]


@pytest.mark.parametrize("rule_scopes, request_, reason, granted, denied",
                         [c[1:] for c in GRANT_CASES], ids=[c[0] for c in GRANT_CASES])
def test_requested_scopes(rule_scopes, request_, reason, granted, denied):
    decision = evaluate(config((P("p1"), [R("r1", scopes=rule_scopes)])), request_)
    assert decision.reason == reason
    assert decision.granted_scopes == granted
    assert decision.denied_scopes == denied
    assert (decision.policy_id, decision.rule_id) == ("p1", "r1")  # matched, or blamed for the scopes
    if reason == Reason.GRANTED:
        assert decision.allowed and decision.actions is not None
    else:
        assert not decision.allowed and decision.actions is None
        assert (decision.error, decision.http_status) == ("access_denied", 400)


def test_scope_denied_names_the_denied_scopes_in_okta_text():
    decision = evaluate(config((P("p1"), [R("r1", scopes=("api:read",))])), cc("api:read", "api:write", "api:admin"))
    assert decision.error_body() == {
        "error": "access_denied",
        "error_description": "Some of the requested scopes were denied by the policy. Denied scopes: "
                             "[api:write, api:admin]."}
    assert "rule 'r1' (priority 1) skipped: scope(s) api:write, api:admin not allowed" in decision.trace


def test_no_scope_allowed_text():
    decision = evaluate(config((P("p1"), [R("r1", scopes=("api:read",))])), cc("api:write"))
    assert decision.error_description == ALL_REJECTED_TEXT


def test_a_scope_mismatch_falls_through_to_the_next_rule_and_policy():
    cfg = config((P("p1"), [R("read", scopes=("api:read",)), R("write", scopes=("api:write",))]),
                 (P("p2"), [R("admin", scopes=("api:admin", "api:write"))]))
    assert evaluate(cfg, cc("api:write")).rule_id == "write"
    decision = evaluate(cfg, cc("api:admin", "api:write"))
    assert (decision.reason, decision.policy_id, decision.rule_id) == (Reason.GRANTED, "p2", "admin")
    assert [s.outcome for s in decision.steps if s.subject == "rule"] == [
        Outcome.SCOPE_NOT_ALLOWED, Outcome.SCOPE_NOT_ALLOWED, Outcome.RULE_MATCHED]


@pytest.mark.parametrize("rule_order, reason, blamed, denied", [
    (("read", "admin"), Reason.SCOPE_DENIED, "read", ("api:write",)),
    (("admin", "read"), Reason.NO_SCOPE_ALLOWED, "admin", ("api:read", "api:write")),
])
def test_the_first_rule_that_failed_only_on_scopes_is_blamed(rule_order, reason, blamed, denied):
    rules = {"read": R("read", scopes=("api:read",)), "admin": R("admin", scopes=("api:admin",))}
    cfg = config((P("p1"), [rules[name] for name in rule_order]))
    decision = evaluate(cfg, cc("api:read", "api:write"))
    assert (decision.reason, decision.rule_id, decision.denied_scopes) == (reason, blamed, denied)


def test_a_rule_is_blamed_for_scopes_only_when_grant_type_and_people_matched():
    cfg = config((P("p1"), [R("admins", grants=USER_GRANTS, groups_include=("admins",), scopes=("api:read",)),
                            R("users", grants=USER_GRANTS, scopes=("api:read",))]))
    assert evaluate(cfg, cc("api:write")).reason == Reason.NO_MATCHING_RULE  # grant type matched nowhere
    decision = evaluate(cfg, for_user("api:read", "api:write"))  # "admins" fails on people, "users" on scopes
    assert (decision.reason, decision.rule_id, decision.denied_scopes) == (Reason.SCOPE_DENIED, "users",
                                                                           ("api:write",))


def test_a_scope_blame_in_one_policy_still_loses_to_a_full_match_in_a_later_one():
    cfg = config((P("p1"), [R("narrow", scopes=("api:read",))]), (P("p2", clients=("client1",)), [R("wide")]))
    assert evaluate(cfg, cc("api:write")).rule_id == "wide"
    assert evaluate(cfg, cc("api:write", client="client2")).reason == Reason.NO_SCOPE_ALLOWED


# -- request-level scope refusals ------------------------------------------------------------------------------------

# (id, request, reason, denied, error_description)
INVALID_SCOPE_CASES = [
    ("an empty scope parameter", cc(), Reason.NO_SCOPES_REQUESTED, (), "No scopes were requested."),
    ("a scope not defined on the server", cc("api:read", "nope", "x:y"), Reason.UNKNOWN_SCOPE, ("nope", "x:y"),
     UNKNOWN_TEXT),
    ("'*' is not a scope", cc("*"), Reason.UNKNOWN_SCOPE, ("*",), UNKNOWN_TEXT),
    ("unknown scopes are reported before OIDC ones", cc("openid", "nope"), Reason.UNKNOWN_SCOPE, ("nope",),
     UNKNOWN_TEXT),
    ("openid with client credentials", cc("openid"), Reason.OPENID_WITH_CLIENT_CREDENTIALS, ("openid",),
     OPENID_CC_TEXT),
    ("any OIDC scope with client credentials", cc("api:read", "profile", "offline_access"),
     Reason.OPENID_WITH_CLIENT_CREDENTIALS, ("profile", "offline_access"), OPENID_CC_TEXT),
    ("device_sso with client credentials", cc("device_sso"), Reason.OPENID_WITH_CLIENT_CREDENTIALS, ("device_sso",),
     OPENID_CC_TEXT),
    ("unknown scope for a user grant", for_user("openid", "nope"), Reason.UNKNOWN_SCOPE, ("nope",), UNKNOWN_TEXT),
]


@pytest.mark.parametrize("request_, reason, denied, text",
                         [c[1:] for c in INVALID_SCOPE_CASES], ids=[c[0] for c in INVALID_SCOPE_CASES])
def test_invalid_scope(request_, reason, denied, text):
    decision = evaluate(default_config(), request_)
    assert (decision.allowed, decision.reason, decision.denied_scopes) == (False, reason, denied)
    assert decision.error_body() == {"error": "invalid_scope", "error_description": text}
    assert decision.http_status == 400
    assert not any(s.subject == "policy" for s in decision.steps)  # refused before any policy


def test_scope_refusals_come_before_policy_refusals():
    cfg = config((P("p1", clients=("other",)), [R("r1")]))
    assert evaluate(cfg, cc("nope")).reason == Reason.UNKNOWN_SCOPE
    assert evaluate(cfg, cc("api:read")).reason == Reason.NO_MATCHING_POLICY


def test_openid_is_fine_for_user_grants():
    for grant in USER_GRANTS:
        assert evaluate(default_config(), for_user("openid", grant=grant)).allowed


# -- default scopes (no scope parameter) -----------------------------------------------------------------------------

DEFAULTS = [scope("api:write", default=True), scope("api:read", default=True)]  # server order: write, then read


@pytest.mark.parametrize("rule_scopes, granted", [
    (("*",), ("api:write", "api:read")),
    (("api:read",), ("api:read",)),
    (("api:read", "api:write"), ("api:write", "api:read")),
])
def test_default_scopes_are_narrowed_to_what_the_rule_allows_in_server_order(rule_scopes, granted):
    cfg = config((P("p1"), [R("r1", scopes=rule_scopes)]), scopes=scopes_with(*DEFAULTS))
    decision = evaluate(cfg, cc(none=True))
    assert (decision.reason, decision.granted_scopes) == (Reason.GRANTED, granted)
    assert decision.trace[0] == "no scope parameter: using the server's default scopes api:write, api:read"


def test_a_rule_allowing_no_default_scope_does_not_match():
    cfg = config((P("p1"), [R("none", scopes=("api:admin",)), R("read", scopes=("api:read",))]),
                 scopes=scopes_with(*DEFAULTS))
    decision = evaluate(cfg, cc(none=True))
    assert (decision.rule_id, decision.granted_scopes) == ("read", ("api:read",))
    assert "rule 'none' (priority 1) skipped: none of the default scopes api:write, api:read allowed" in decision.trace


def test_default_scopes_allowed_by_no_rule():
    cfg = config((P("p1"), [R("none", scopes=("api:admin",))]), scopes=scopes_with(*DEFAULTS))
    decision = evaluate(cfg, cc(none=True))
    assert (decision.reason, decision.denied_scopes) == (Reason.NO_SCOPE_ALLOWED, ("api:write", "api:read"))
    assert decision.error_description == ALL_REJECTED_TEXT


def test_no_default_scopes_on_the_server():
    decision = evaluate(default_config(), cc(none=True))
    assert (decision.reason, decision.http_status) == (Reason.NO_DEFAULT_SCOPES, 400)
    assert decision.error_body() == {"error": "invalid_scope", "error_description": NO_DEFAULTS_TEXT}


def test_client_credentials_skips_default_oidc_scopes():
    scopes = scopes_with(scope("openid", default=True), scope("api:read", default=True))
    decision = evaluate(default_config(scopes=scopes), cc(none=True))
    assert (decision.reason, decision.granted_scopes) == (Reason.GRANTED, ("api:read",))
    assert decision.steps[0].outcome == Outcome.OIDC_DEFAULT_SKIPPED
    assert decision.trace[0] == ("default scope(s) openid skipped: OpenID Connect scopes cannot be requested with "
                                 "client credentials")


def test_client_credentials_with_only_oidc_defaults_has_no_default_scopes():
    decision = evaluate(default_config(scopes=scopes_with(scope("openid", default=True))), cc(none=True))
    assert decision.reason == Reason.NO_DEFAULT_SCOPES
    assert "no scope parameter and the server has no default scope usable with client credentials" in decision.trace


def test_user_grants_get_default_oidc_scopes():
    scopes = scopes_with(scope("openid", default=True), scope("api:read", default=True))
    decision = evaluate(default_config(scopes=scopes), for_user(none=True))
    assert decision.granted_scopes == ("openid", "api:read")


# -- scopes a grant type cannot carry --------------------------------------------------------------------------------

def test_implicit_drops_offline_access():
    decision = evaluate(default_config(), for_user("openid", "offline_access", grant="implicit"))
    assert (decision.allowed, decision.granted_scopes, decision.denied_scopes) == (
        True, ("openid",), ("offline_access",))
    assert "scope offline_access dropped: the implicit grant issues no refresh token" in decision.trace


def test_implicit_asking_only_for_offline_access_gets_no_scope_allowed():
    decision = evaluate(default_config(), for_user("offline_access", grant="implicit"))
    assert (decision.reason, decision.rule_id, decision.denied_scopes) == (
        Reason.NO_SCOPE_ALLOWED, "default-rule", ("offline_access",))
    assert decision.actions is not None  # the rule did match
    assert decision.error_description == ALL_REJECTED_TEXT


@pytest.mark.parametrize("grant", ["authorization_code", "password"])
def test_other_user_grants_keep_offline_access(grant):
    decision = evaluate(default_config(), for_user("openid", "offline_access", grant=grant))
    assert decision.granted_scopes == ("openid", "offline_access") and decision.denied_scopes == ()


# -- consent ---------------------------------------------------------------------------------------------------------

CONSENT_SCOPES = scopes_with(scope("api:admin", consent="REQUIRED"), scope("api:write", consent="FLEXIBLE"))

# (id, request, reason, consent scopes)
CONSENT_CASES = [
    ("client credentials: REQUIRED can never be granted", cc("api:read", "api:admin"), Reason.CONSENT_REQUIRED,
     ("api:admin",)),
    ("client credentials: earlier consent does not count",
     AccessRequest(client_id="client1", grant_type="client_credentials", requested_scopes=("api:admin",),
                   consent_granted=frozenset({"api:admin"})), Reason.CONSENT_REQUIRED, ("api:admin",)),
    ("client credentials: FLEXIBLE is granted without consent", cc("api:read", "api:write"), Reason.GRANTED, ()),
    ("user: REQUIRED without consent", for_user("openid", "api:admin", "api:write"), Reason.CONSENT_REQUIRED,
     ("api:admin",)),
    ("user: REQUIRED with consent", for_user("openid", "api:admin", consent=("api:admin",)), Reason.GRANTED, ()),
    ("user: FLEXIBLE needs no consent without prompt=consent", for_user("api:write"), Reason.GRANTED, ()),
    ("user: FLEXIBLE with prompt=consent", for_user("api:write", "api:admin", prompt_consent=True),
     Reason.CONSENT_REQUIRED, ("api:write", "api:admin")),
    ("user: FLEXIBLE with prompt=consent and consent given",
     for_user("api:write", prompt_consent=True, consent=("api:write",)), Reason.GRANTED, ()),
    ("user: IMPLICIT never needs consent", for_user("openid", "api:read", prompt_consent=True), Reason.GRANTED, ()),
    ("password grant: same consent rule", for_user("api:admin", grant="password"), Reason.CONSENT_REQUIRED,
     ("api:admin",)),
    # okta-api.md 4.5: a TRUSTED app (Apps API default) asks only when the request says prompt=consent.
    ("trusted app: REQUIRED without prompt=consent is granted", for_user("openid", "api:admin", trusted=True),
     Reason.GRANTED, ()),
    ("trusted app: password grant likewise", for_user("api:admin", grant="password", trusted=True), Reason.GRANTED,
     ()),
    ("trusted app: prompt=consent asks REQUIRED and FLEXIBLE",
     for_user("api:admin", "api:write", "openid", prompt_consent=True, trusted=True), Reason.CONSENT_REQUIRED,
     ("api:admin", "api:write")),
    ("trusted app: client credentials still never get REQUIRED",
     AccessRequest(client_id="client1", grant_type="client_credentials", requested_scopes=("api:admin",),
                   client_trusted=True), Reason.CONSENT_REQUIRED, ("api:admin",)),
]


@pytest.mark.parametrize("request_, reason, consent_scopes",
                         [c[1:] for c in CONSENT_CASES], ids=[c[0] for c in CONSENT_CASES])
def test_consent(request_, reason, consent_scopes):
    decision = evaluate(default_config(scopes=CONSENT_SCOPES), request_)
    assert decision.reason == reason
    assert decision.consent_scopes == consent_scopes
    assert decision.rule_id == "default-rule" and decision.actions is not None
    if reason == Reason.CONSENT_REQUIRED:
        assert not decision.allowed
        assert (decision.error, decision.http_status) == ("consent_required", 400)
        assert decision.granted_scopes == tuple(dict.fromkeys(request_.requested_scopes))  # once consent is given


def test_consent_texts():
    cfg = default_config(scopes=CONSENT_SCOPES)
    assert evaluate(cfg, cc("api:admin")).error_description == (
        "The following scopes require user consent and cannot be granted for the client credentials grant type: "
        "[api:admin].")
    assert evaluate(cfg, for_user("api:write", "api:admin", prompt_consent=True)).error_description == (
        "The following scopes require user consent: [api:write, api:admin].")


def test_consent_applies_only_to_scopes_that_would_be_granted():
    scopes = scopes_with(scope("api:admin", consent="REQUIRED", default=True), scope("api:read", default=True))
    cfg = config((P("p1"), [R("r1", scopes=("api:read",))]), scopes=scopes)
    assert evaluate(cfg, cc(none=True)).granted_scopes == ("api:read",)


def test_policy_refusals_come_before_consent():
    cfg = config((P("p1", clients=("other",)), [R("r1")]), scopes=CONSENT_SCOPES)
    assert evaluate(cfg, cc("api:admin")).reason == Reason.NO_MATCHING_POLICY


# -- the scope condition on its own ----------------------------------------------------------------------------------

@pytest.mark.parametrize("rule_scopes, scope_name, allowed", [
    (("*",), "api:read", True),
    (("*",), "openid", True),
    (("api:read",), "api:read", True),
    (("api:read",), "api:write", False),
    (("api:read",), "openid", True),
    ((), "profile", True),
    ((), "api:read", False),
    (("openid",), "profile", False),
    (("openid",), "openid", True),
    (("offline_access", "api:read"), "email", False),
])
def test_rule_allows_scope(rule_scopes, scope_name, allowed):
    assert rule_allows_scope(rule_scopes, scope_name) is allowed
