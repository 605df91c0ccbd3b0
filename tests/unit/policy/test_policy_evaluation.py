"""policy.evaluate: policies and rules in priority order, inactive ones skipped, client include lists, fall-through,
the people condition ("no user", users and groups, EVERYONE), request-level refusals and the trace."""
from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from chalicelib.admin.policies import ordered_policies
from chalicelib.admin.rules import ordered_rules
from chalicelib.domain import INACTIVE, Ordered
from chalicelib.policy import AccessRequest, Outcome, Reason, evaluate, in_priority_order
from tests.unit.policy.policy_support import (
    USER_GRANTS,
    cc,
    config,
    default_config,
    for_user,
    policy,
    rule,
)

P = policy
R = rule


# -- which policy and rule decide ------------------------------------------------------------------------------------

# (id, config, request, reason, policy id, rule id)
SELECTION_CASES = [
    ("first policy by priority wins",
     config((P("p1"), [R("r1")]), (P("p2"), [R("r2")])), cc("api:read"), Reason.GRANTED, "p1", "r1"),
    ("inactive policy is skipped",
     config((P("p1", status=INACTIVE), [R("r1")]), (P("p2"), [R("r2")])), cc("api:read"), Reason.GRANTED, "p2",
     "r2"),
    ("policy for other clients is skipped",
     config((P("p1", clients=("other",)), [R("r1")]), (P("p2"), [R("r2")])), cc("api:read"), Reason.GRANTED, "p2",
     "r2"),
    ("policy naming the client applies",
     config((P("p1", clients=("other", "client1")), [R("r1")]), (P("p2"), [R("r2")])), cc("api:read"),
     Reason.GRANTED, "p1", "r1"),
    ("ALL_CLIENTS applies to any client",
     config((P("p1"), [R("r1")])), cc("api:read", client="0oaSomethingElse"), Reason.GRANTED, "p1", "r1"),
    ("applying policy without a matching rule falls through to the next policy",
     config((P("p1"), [R("r1", grants=("password",))]), (P("p2"), [R("r2")])), cc("api:read"), Reason.GRANTED,
     "p2", "r2"),
    ("applying policy without any rule falls through",
     config((P("p1"), []), (P("p2"), [R("r2")])), cc("api:read"), Reason.GRANTED, "p2", "r2"),
    ("first rule by priority wins",
     config((P("p1"), [R("r1"), R("r2")])), cc("api:read"), Reason.GRANTED, "p1", "r1"),
    ("inactive rule is skipped",
     config((P("p1"), [R("r1", status=INACTIVE), R("r2")])), cc("api:read"), Reason.GRANTED, "p1", "r2"),
    ("rule without the grant type is skipped",
     config((P("p1"), [R("r1", grants=USER_GRANTS), R("r2", grants=("client_credentials",))])), cc("api:read"),
     Reason.GRANTED, "p1", "r2"),
    ("no policy includes the client",
     config((P("p1", clients=("other",)), [R("r1")])), cc("api:read"), Reason.NO_MATCHING_POLICY, None, None),
    ("all policies inactive",
     config((P("p1", status=INACTIVE), [R("r1")])), cc("api:read"), Reason.NO_MATCHING_POLICY, None, None),
    ("no policies at all",
     config(), cc("api:read"), Reason.NO_MATCHING_POLICY, None, None),
    ("policies apply but no rule matches the grant type",
     config((P("p1"), [R("r1", grants=USER_GRANTS)])), cc("api:read"), Reason.NO_MATCHING_RULE, None, None),
    ("policy applies but has no rule",
     config((P("p1"), [])), cc("api:read"), Reason.NO_MATCHING_RULE, None, None),
    ("only inactive rules",
     config((P("p1"), [R("r1", status=INACTIVE)])), cc("api:read"), Reason.NO_MATCHING_RULE, None, None),
    ("refresh_token is not a rule grant type (callers pass the original grant)",
     default_config(), for_user("openid", grant="refresh_token"), Reason.NO_MATCHING_RULE, None, None),
    ("inactive policy's rules are never considered",
     config((P("p1", status=INACTIVE), [R("r1")]), (P("p2", clients=("other",)), [R("r2")])), cc("api:read"),
     Reason.NO_MATCHING_POLICY, None, None),
]


@pytest.mark.parametrize("cfg, request_, reason, policy_id, rule_id",
                         [case[1:] for case in SELECTION_CASES], ids=[case[0] for case in SELECTION_CASES])
def test_selection(cfg, request_, reason, policy_id, rule_id):
    decision = evaluate(cfg, request_)
    assert decision.reason == reason
    assert decision.allowed is (reason == Reason.GRANTED)
    assert (decision.policy_id, decision.rule_id) == (policy_id, rule_id)
    if decision.allowed:
        assert decision.error is None and decision.error_description is None and decision.http_status == 200
        assert decision.error_body() is None
    else:
        assert decision.actions is None and decision.granted_scopes == ()


def test_the_order_lists_decide_not_the_order_objects_are_stored_in():
    cfg = config((P("p1"), [R("r1"), R("r2")]), (P("p2"), [R("r3")]))
    cfg.policy_order = Ordered(ids=("p2", "p1"))
    assert evaluate(cfg, cc("api:read")).rule_id == "r3"
    cfg.policy_order = Ordered(ids=("p1", "p2"))
    cfg.rule_orders["p1"] = Ordered(ids=("r2", "r1"))
    assert evaluate(cfg, cc("api:read")).rule_id == "r2"


def test_objects_missing_from_the_order_lists_are_never_evaluated():
    cfg = config((P("p1"), [R("r1")]), (P("p2"), [R("r2")]))
    cfg.policy_order = Ordered(ids=("ghost", "p2"))  # p1 not listed, "ghost" has no object
    decision = evaluate(cfg, cc("api:read"))
    assert decision.policy_id == "p2"
    assert decision.steps[1].priority == 2  # priority is the position in the order list, as the admin API shows
    cfg.rule_orders["p2"] = Ordered()
    assert evaluate(cfg, cc("api:read")).reason == Reason.NO_MATCHING_RULE


def test_priority_order_selection_matches_the_admin_helpers():
    cfg = config((P("p1"), [R("r1"), R("r2")]), (P("p2"), [R("r3")]), (P("p3"), []))
    cfg.policy_order = Ordered(ids=("p3", "gone", "p1", "p2"))
    cfg.rule_orders["p1"] = Ordered(ids=("r2", "x", "r1"))
    assert [p for _, p in in_priority_order(cfg.policies, cfg.policy_order)] == ordered_policies(cfg)
    rules_p1 = [r for r in cfg.rules if r.policy_id == "p1"]
    assert [r for _, r in in_priority_order(rules_p1, cfg.rule_orders["p1"])] == ordered_rules(cfg, "p1")


def test_the_matched_rule_lifetimes_are_returned():
    cfg = config((P("p1"), [R("r1", access_minutes=15), R("r2", access_minutes=30)]))
    decision = evaluate(cfg, cc("api:read"))
    assert decision.actions == cfg.rules[0].actions
    assert decision.actions.access_token_lifetime_minutes == 15
    assert (decision.policy_name, decision.rule_name) == ("p1", "r1")


# -- the people condition --------------------------------------------------------------------------------------------

# (id, rule people kwargs, request, expected rule step outcome)
PEOPLE_CASES = [
    ("EVERYONE includes any user", dict(groups_include=("EVERYONE",)), for_user("openid"), Outcome.RULE_MATCHED),
    ("EVERYONE is implicit even when the caller leaves it out", dict(groups_include=("EVERYONE",)),
     for_user("openid", groups=("g1",)), Outcome.RULE_MATCHED),
    ("included by group", dict(groups_include=("g1", "g2")), for_user("openid", groups=("g2",)),
     Outcome.RULE_MATCHED),
    ("not in an included group", dict(groups_include=("g1",)), for_user("openid", groups=("g2",)),
     Outcome.USER_NOT_INCLUDED),
    ("included by user id", dict(groups_include=(), users_include=("user1",)), for_user("openid"),
     Outcome.RULE_MATCHED),
    ("another user id", dict(groups_include=(), users_include=("user2",)), for_user("openid"),
     Outcome.USER_NOT_INCLUDED),
    ("no people at all includes nobody", dict(groups_include=()), for_user("openid"), Outcome.USER_NOT_INCLUDED),
    ("excluded user beats EVERYONE", dict(users_exclude=("user1",)), for_user("openid"), Outcome.USER_EXCLUDED),
    ("excluded user beats inclusion by id", dict(users_include=("user1",), users_exclude=("user1",)),
     for_user("openid"), Outcome.USER_EXCLUDED),
    ("excluded group beats EVERYONE", dict(groups_exclude=("contractors",)),
     for_user("openid", groups=("contractors",)), Outcome.GROUP_EXCLUDED),
    ("excluded group beats inclusion by id", dict(users_include=("user1",), groups_exclude=("g9",)),
     for_user("openid", groups=("g9",)), Outcome.GROUP_EXCLUDED),
    ("excluded group the user is not in", dict(groups_exclude=("g9",)), for_user("openid", groups=("g1",)),
     Outcome.RULE_MATCHED),
    ("excluding EVERYONE (refused by the admin API) would exclude every user", dict(groups_exclude=("EVERYONE",)),
     for_user("openid"), Outcome.GROUP_EXCLUDED),
    ("no user: client_credentials always has no user", dict(groups_include=(), users_include=("user9",)),
     cc("api:read"), Outcome.RULE_MATCHED),
    ("no user: client_credentials ignores exclusions", dict(users_exclude=("user1",), groups_exclude=("g1",)),
     cc("api:read"), Outcome.RULE_MATCHED),
    ("no user with a grant that acts for a user",
     dict(), AccessRequest(client_id="client1", grant_type="password", requested_scopes=("openid",)),
     Outcome.USER_REQUIRED),
]


@pytest.mark.parametrize("people, request_, outcome", [c[1:] for c in PEOPLE_CASES], ids=[c[0] for c in PEOPLE_CASES])
def test_people_condition(people, request_, outcome):
    cfg = config((P("p1"), [R("r1", **people)]))
    decision = evaluate(cfg, request_)
    rule_steps = [s for s in decision.steps if s.subject == "rule"]
    assert [s.outcome for s in rule_steps] == [outcome]
    if outcome == Outcome.RULE_MATCHED:
        assert decision.reason == Reason.GRANTED
    else:
        assert decision.reason == Reason.NO_MATCHING_RULE
        assert decision.http_status == 401


def test_a_user_skipped_by_one_rule_can_match_the_next():
    cfg = config((P("p1"), [R("admins", groups_include=("admins",), access_minutes=120),
                            R("everyone", users_exclude=("banned",), access_minutes=10)]))
    assert evaluate(cfg, for_user("openid", groups=("admins",))).rule_id == "admins"
    assert evaluate(cfg, for_user("openid", groups=("staff",))).rule_id == "everyone"
    assert evaluate(cfg, for_user("openid", user="banned")).reason == Reason.NO_MATCHING_RULE


# -- request-level refusals ------------------------------------------------------------------------------------------

def test_an_inactive_server_answers_like_an_unknown_one():
    decision = evaluate(default_config(server_status=INACTIVE), cc("api:read"))
    assert (decision.allowed, decision.reason, decision.http_status) == (False, Reason.SERVER_INACTIVE, 400)
    assert decision.error_body() == {"error": "invalid_request",
                                     "error_description": "The authorization server id is invalid."}
    assert [s.subject for s in decision.steps] == ["request", "decision"]


def test_a_user_not_assigned_to_the_client_is_refused_before_any_policy():
    decision = evaluate(default_config(), for_user("openid", assigned=False))
    assert (decision.reason, decision.error, decision.http_status) == (Reason.USER_NOT_ASSIGNED, "access_denied", 400)
    assert decision.error_description == "User is not assigned to the client application."
    assert not any(s.subject == "policy" for s in decision.steps)
    assert "user user1 is not assigned to client client1" in decision.trace


def test_assignment_is_irrelevant_without_a_user():
    request = replace(cc("api:read"), user_assigned=False)
    assert evaluate(default_config(), request).allowed


@pytest.mark.parametrize("reason", [Reason.NO_MATCHING_POLICY, Reason.NO_MATCHING_RULE])
def test_no_match_is_okta_no_matching_policy_401(reason):
    clients = ("other",) if reason == Reason.NO_MATCHING_POLICY else ("ALL_CLIENTS",)
    decision = evaluate(config((P("p1", clients=clients), [R("r1", grants=USER_GRANTS)])), cc("api:read"))
    assert decision.reason == reason
    assert decision.http_status == 401
    assert decision.error_body() == {
        "error": "access_denied",
        "error_description": "Policy evaluation failed for this request, please check the policy configurations."}


# -- the trace -------------------------------------------------------------------------------------------------------

def test_trace_explains_every_policy_and_rule_considered_in_order():
    cfg = config(
        (P("p-off", name="Off", status=INACTIVE), [R("r0")]),
        (P("p-other", name="Other apps", clients=("other",)), [R("r00")]),
        (P("p-main", name="Main"), [
            R("r-off", name="Disabled", status=INACTIVE),
            R("r-pwd", name="Password only", grants=("password",)),
            R("r-admins", name="Admins", groups_include=("admins",)),
            R("r-banned", name="Not banned", users_exclude=("user1",)),
            R("r-g9", name="Not g9", groups_exclude=("g9",)),
            R("r-read", name="Read only", scopes=("api:read",)),
        ]),
        (P("p-last", name="Last"), [R("r-ok", name="Anything", access_minutes=5)]),
    )
    decision = evaluate(cfg, for_user("api:write", groups=("g9",)))
    assert decision.allowed and decision.rule_id == "r-ok"
    assert decision.trace == (
        "scopes requested: api:write",
        "policy 'Off' (priority 1) skipped: inactive",
        "policy 'Other apps' (priority 2) skipped: client client1 not included",
        "policy 'Main' (priority 3) applies: all clients",
        "rule 'Disabled' (priority 1) skipped: inactive",
        "rule 'Password only' (priority 2) skipped: grant type authorization_code not included",
        "rule 'Admins' (priority 3) skipped: user user1 not included (neither by user id nor by group)",
        "rule 'Not banned' (priority 4) skipped: user user1 excluded",
        "rule 'Not g9' (priority 5) skipped: user user1 is in excluded group(s) g9",
        "rule 'Read only' (priority 6) skipped: scope(s) api:write not allowed",
        "policy 'Main' (priority 3): no rule matched, evaluation continues with the next policy",
        "policy 'Last' (priority 4) applies: all clients",
        "rule 'Anything' (priority 1) matched: grant type authorization_code, user user1 included by EVERYONE "
        "(any user), scopes api:write",
        "decision: granted api:write by policy 'Last' rule 'Anything' (access token 5 min)",
    )
    assert [(s.subject, s.outcome, s.id, s.priority) for s in decision.steps] == [
        ("request", Outcome.SCOPES_REQUESTED, None, None),
        ("policy", Outcome.POLICY_INACTIVE, "p-off", 1),
        ("policy", Outcome.CLIENT_NOT_INCLUDED, "p-other", 2),
        ("policy", Outcome.POLICY_APPLIES, "p-main", 3),
        ("rule", Outcome.RULE_INACTIVE, "r-off", 1),
        ("rule", Outcome.GRANT_TYPE_NOT_INCLUDED, "r-pwd", 2),
        ("rule", Outcome.USER_NOT_INCLUDED, "r-admins", 3),
        ("rule", Outcome.USER_EXCLUDED, "r-banned", 4),
        ("rule", Outcome.GROUP_EXCLUDED, "r-g9", 5),
        ("rule", Outcome.SCOPE_NOT_ALLOWED, "r-read", 6),
        ("policy", Outcome.NO_RULE_MATCHED, "p-main", 3),
        ("policy", Outcome.POLICY_APPLIES, "p-last", 4),
        ("rule", Outcome.RULE_MATCHED, "r-ok", 1),
        ("decision", Reason.GRANTED, None, None),
    ]
    assert all(s.policy_id == "p-main" for s in decision.steps if s.subject == "rule" and s.id != "r-ok")
    assert all(s.name for s in decision.steps if s.subject in ("policy", "rule"))


@pytest.mark.parametrize("request_, fragment", [
    (cc("api:read"), "matched: grant type client_credentials, no user (client acting on its own behalf), "
                     "scopes api:read"),
    (for_user("openid", groups=("g1",)), "included by group g1"),
    (for_user("openid", user="u7"), "user u7 included by user id"),
])
def test_trace_says_how_the_people_condition_held(request_, fragment):
    cfg = config((P("p1"), [R("r1", groups_include=("g1",), users_include=("u7",), grants=("client_credentials",
                                                                                              "authorization_code"))]))
    decision = evaluate(cfg, request_)
    assert decision.allowed
    assert any(fragment in line for line in decision.trace)


def test_trace_of_a_refusal_ends_with_the_reason_and_okta_text():
    decision = evaluate(config((P("p1", clients=("x",)), [R("r1")])), cc("api:read"))
    assert decision.trace[-1] == ("decision: no_matching_policy: access_denied (401) Policy evaluation failed for "
                                  "this request, please check the policy configurations.")
    assert decision.steps[-1].subject == "decision" and decision.steps[-1].outcome == Reason.NO_MATCHING_POLICY
    assert decision.trace == tuple(s.message for s in decision.steps)


def test_no_user_step_for_a_user_grant_is_explained():
    request = AccessRequest(client_id="client1", grant_type="password", requested_scopes=("openid",))
    decision = evaluate(default_config(), request)
    assert "rule 'default-rule' (priority 1) skipped: grant type password acts for a user but the request has none" \
        in decision.trace


# -- purity ----------------------------------------------------------------------------------------------------------

def test_evaluation_is_deterministic_and_leaves_its_inputs_alone():
    cfg = config((P("p1"), [R("r1", scopes=("api:read",)), R("r2")]), (P("p2"), [R("r3")]))
    before = dataclasses.asdict(cfg)
    request = for_user("api:write", "openid", "api:write", groups=("g1",))
    first = evaluate(cfg, request)
    assert evaluate(cfg, request) == first
    assert dataclasses.asdict(cfg) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.allowed = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.user_id = "x"  # type: ignore[misc]
