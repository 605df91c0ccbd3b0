"""policy.evaluate against a tiny reference evaluator written straight from okta-api.md 6.4 (security-checklist
POL-08, with seeded random cases instead of hypothesis), and the error catalogue of every reason code."""
from __future__ import annotations

import random
import re

import pytest

from chalicelib.domain import ACTIVE, INACTIVE, ServerConfig
from chalicelib.policy import CATALOGUE, CONSENT_REQUIRED_CLIENT_CREDENTIALS, AccessRequest, Outcome, Reason, evaluate
from tests.unit.policy.policy_support import (
    CUSTOM,
    cc,
    config,
    default_config,
    for_user,
    policy,
    rule,
    scope,
    standard_scopes,
)

CLIENTS = ("c1", "c2", "c3")
USERS = ("u1", "u2", "u3")
GROUPS = ("g1", "g2")
GRANTS = ("client_credentials", "authorization_code", "password")


def random_config(rng: random.Random) -> ServerConfig:
    policies = []
    for p in range(rng.randint(0, 4)):
        clients = ("ALL_CLIENTS",) if rng.random() < 0.4 else tuple(rng.sample(CLIENTS, rng.randint(1, 2)))
        rules = []
        for r in range(rng.randint(0, 3)):
            scopes = ("*",) if rng.random() < 0.3 else tuple(rng.sample(CUSTOM, rng.randint(0, 2)))
            rules.append(rule(
                f"p{p}r{r}", grants=tuple(rng.sample(GRANTS, rng.randint(1, 3))), scopes=scopes,
                users_include=tuple(rng.sample(USERS, rng.randint(0, 1))),
                users_exclude=tuple(rng.sample(USERS, rng.randint(0, 1))),
                groups_include=tuple(rng.sample(GROUPS + ("EVERYONE",), rng.randint(0, 2))),
                groups_exclude=tuple(rng.sample(GROUPS, rng.randint(0, 1))),
                status=ACTIVE if rng.random() < 0.85 else INACTIVE))
        policies.append((policy(f"p{p}", clients=clients, status=ACTIVE if rng.random() < 0.85 else INACTIVE),
                         rules))
    return config(*policies)


def random_request(rng: random.Random) -> AccessRequest:
    scopes = tuple(rng.sample(CUSTOM, rng.randint(1, 3)))
    client = rng.choice(CLIENTS)
    if rng.random() < 0.4:
        return cc(*scopes, client=client)
    return for_user(*scopes, client=client, user=rng.choice(USERS), grant=rng.choice(GRANTS[1:]),
                    groups=tuple(rng.sample(GROUPS, rng.randint(0, 2))))


def reference(cfg: ServerConfig, req: AccessRequest) -> tuple[str | None, str]:
    """(matched rule id, reason) by okta-api.md 6.4, with fall-through and first-scope-blame as documented."""
    by_id = {p.id: p for p in cfg.policies}
    applied, blamed = False, None
    for pid in cfg.policy_order.ids:
        pol = by_id[pid]
        if pol.status != ACTIVE or not ("ALL_CLIENTS" in pol.clients or req.client_id in pol.clients):
            continue
        applied = True
        rules = {r.id: r for r in cfg.rules if r.policy_id == pid}
        for rid in cfg.rule_orders[pid].ids:
            c = rules[rid].conditions
            if rules[rid].status != ACTIVE or req.grant_type not in c.grant_types:
                continue
            if req.user_id is not None:
                groups = set(req.user_group_ids) | {"EVERYONE"}
                if req.user_id in c.users_exclude or groups & set(c.groups_exclude):
                    continue
                if req.user_id not in c.users_include and not groups & set(c.groups_include):
                    continue
            allowed = [s for s in req.requested_scopes if "*" in c.scopes or s in c.scopes]
            if len(allowed) == len(req.requested_scopes):
                return rid, Reason.GRANTED
            if blamed is None:
                blamed = Reason.SCOPE_DENIED if allowed else Reason.NO_SCOPE_ALLOWED
    if blamed:
        return None, blamed
    return None, Reason.NO_MATCHING_RULE if applied else Reason.NO_MATCHING_POLICY


@pytest.mark.parametrize("seed", range(20))
def test_decisions_equal_the_reference_evaluator(seed):
    rng = random.Random(seed)
    seen = set()
    for _ in range(100):
        cfg, req = random_config(rng), random_request(rng)
        decision = evaluate(cfg, req)
        rule_id, reason = reference(cfg, req)
        assert decision.reason == reason, decision.trace
        if reason == Reason.GRANTED:
            assert decision.rule_id == rule_id
            assert decision.granted_scopes == req.requested_scopes
        seen.add(reason)
        # The trace names one step per policy and rule considered and ends with the decision.
        assert decision.steps[-1].subject == "decision" and decision.steps[-1].outcome == reason
        considered = [s for s in decision.steps if s.subject == "policy" and s.outcome != Outcome.NO_RULE_MATCHED]
        assert [s.id for s in considered] == list(cfg.policy_order.ids[:len(considered)])
    assert Reason.GRANTED in seen and len(seen) >= 3


# -- the catalogue ---------------------------------------------------------------------------------------------------

DESCRIPTION_CHARS = re.compile(r"^[\x20\x21\x23-\x5b\x5d-\x7e]*$")  # RFC 6749 5.2 error_description


def test_every_refusing_reason_has_an_okta_error():
    assert set(CATALOGUE) == set(Reason.ALL) - {Reason.GRANTED}
    for reason, oauth in CATALOGUE.items():
        expected = 401 if reason in (Reason.NO_MATCHING_POLICY, Reason.NO_MATCHING_RULE) else 400
        assert oauth.http_status == expected, reason
        assert oauth.error in ("access_denied", "invalid_scope", "invalid_request", "consent_required")
        for text in (oauth.describe(("api:read", "api:write")), CONSENT_REQUIRED_CLIENT_CREDENTIALS.describe(("a",))):
            assert DESCRIPTION_CHARS.match(text), text
            assert "{" not in text


def test_reason_and_outcome_codes_are_unique_snake_case():
    codes = [*Reason.ALL, *Outcome.REQUEST, *Outcome.SCOPES, *Outcome.POLICY, *Outcome.RULE]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)


# One request per reason code: each must be reachable.
REACHABLE = [
    (Reason.GRANTED, default_config(), cc("api:read")),
    (Reason.SERVER_INACTIVE, default_config(server_status=INACTIVE), cc("api:read")),
    (Reason.NO_SCOPES_REQUESTED, default_config(), cc()),
    (Reason.NO_DEFAULT_SCOPES, default_config(), cc(none=True)),
    (Reason.UNKNOWN_SCOPE, default_config(), cc("nope")),
    (Reason.OPENID_WITH_CLIENT_CREDENTIALS, default_config(), cc("openid")),
    (Reason.USER_NOT_ASSIGNED, default_config(), for_user("openid", assigned=False)),
    (Reason.NO_MATCHING_POLICY, config(), cc("api:read")),
    (Reason.NO_MATCHING_RULE, config((policy("p"), [])), cc("api:read")),
    (Reason.NO_SCOPE_ALLOWED, config((policy("p"), [rule("r", scopes=("api:read",))])), cc("api:write")),
    (Reason.SCOPE_DENIED, config((policy("p"), [rule("r", scopes=("api:read",))])), cc("api:read", "api:write")),
    (Reason.CONSENT_REQUIRED, default_config(scopes=standard_scopes(scope("api:secret", consent="REQUIRED"))),
     cc("api:secret")),
]


def test_the_reachability_table_covers_every_reason():
    assert {r[0] for r in REACHABLE} == set(Reason.ALL)


@pytest.mark.parametrize("reason, cfg, request_", REACHABLE, ids=[r[0] for r in REACHABLE])
def test_every_reason_is_reachable(reason, cfg, request_):
    decision = evaluate(cfg, request_)
    assert decision.reason == reason
    if reason != Reason.GRANTED:
        oauth = CATALOGUE[reason]
        assert (decision.error, decision.http_status) == (oauth.error, oauth.http_status)
