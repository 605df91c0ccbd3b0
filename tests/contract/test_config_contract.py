"""ports.ConfigStore on both backends: versions, uniqueness markers, parents, all-or-nothing transactions."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import (
    AuthorizationServer,
    Claim,
    Ordered,
    Policy,
    Rule,
    RuleConditions,
    Scope,
    ServerConfig,
    TokenActions,
    TrustedServer,
)
from chalicelib.keys.lifecycle import ACTIVE, NEXT, KeyRecord
from chalicelib.ports import L_NAME, L_ORDER, L_POLICY, L_SERVER, L_VERSION, WriteConflict

from tests.contract.conftest import T0


def server(sid: str, created=T0, **changes) -> AuthorizationServer:
    return replace(AuthorizationServer(id=sid, name=f"name {sid}", description=None, audiences=("api://x",),
                                       issuer_mode="ORG_URL", status="ACTIVE", created=created, last_updated=created,
                                       rotation_mode="AUTO"), **changes)


def scope(sid: str, name: str) -> Scope:
    return Scope(id=sid, name=name, display_name=None, description=None, system=False, metadata_publish="NO_CLIENTS",
                 consent="IMPLICIT", optional=False, default=False)


def claim(cid: str, name: str, claim_type: str = "RESOURCE") -> Claim:
    return Claim(id=cid, name=name, status="ACTIVE", claim_type=claim_type, value_type="EXPRESSION",
                 value="user.email", group_filter_type=None, scopes=(), system=False, always_include_in_token=True)


def policy(pid: str) -> Policy:
    return Policy(id=pid, name=f"policy {pid}", description=None, status="ACTIVE", system=False,
                  clients=("ALL_CLIENTS",), created=T0, last_updated=T0)


def rule(rid: str, pid: str) -> Rule:
    return Rule(id=rid, policy_id=pid, name=f"rule {rid}", status="ACTIVE", system=False,
                conditions=RuleConditions(grant_types=("client_credentials",), scopes=("*",)),
                actions=TokenActions(), created=T0, last_updated=T0)


def key(kid: str, status: str) -> KeyRecord:
    return KeyRecord(kid=kid, status=status, created=T0, activated=T0 if status == ACTIVE else None,  # type: ignore[arg-type]
                     expired=None, public_jwk={"kty": "RSA", "kid": kid, "e": "AQAB", "n": "abc"})


def labels_of(call) -> list[str]:
    with pytest.raises(WriteConflict) as raised:
        call()
    return raised.value.labels


@pytest.fixture
def config(storage):
    store = storage.config
    store.create_server(ServerConfig(server=server("aus1"), scopes=[scope("scp1", "read")],
                                     claims=[claim("ocl1", "email")], keys=[key("k1", ACTIVE), key("k2", NEXT)]),
                        alias="default")
    return store


def test_a_created_server_loads_whole_at_version_1(config):
    loaded = config.load("aus1")
    assert loaded.server.id == "aus1" and loaded.server.version == 1
    assert [(s.name, s.version) for s in loaded.scopes] == [("read", 1)]
    assert [(c.name, c.version) for c in loaded.claims] == [("email", 1)]
    assert sorted(k.kid for k in loaded.keys) == ["k1", "k2"] and loaded.key_versions == {"k1": 1, "k2": 1}
    assert config.resolve_alias("default") == "aus1"
    assert config.get_server("aus1").version == 1
    assert config.load("nope") is None and config.get_server("nope") is None and config.resolve_alias("x") is None


def test_a_taken_alias_fails_the_whole_creation(config):
    assert L_NAME in labels_of(lambda: config.create_server(ServerConfig(server=server("aus2")), alias="default"))
    assert config.get_server("aus2") is None and config.load("aus2") is None


def test_servers_list_in_creation_order(config):
    config.create_server(ServerConfig(server=server("aus0", created=T0 + timedelta(hours=1))))
    config.create_server(ServerConfig(server=server("aus9", created=T0 - timedelta(hours=1))))
    assert [s.id for s in config.list_servers()] == ["aus9", "aus1", "aus0"]


def test_saving_a_server_is_conditional_on_its_version(config):
    current = config.get_server("aus1")
    saved = config.save_server(replace(current, name="renamed"))
    assert saved.version == 2 and config.get_server("aus1").name == "renamed"
    assert labels_of(lambda: config.save_server(replace(current, name="stale"))) == [L_VERSION]
    assert config.get_server("aus1").name == "renamed"


def test_scope_names_are_unique_per_server_and_move_on_rename(config):
    assert L_NAME in labels_of(lambda: config.create_scope("aus1", scope("scp2", "read")))
    assert [s.id for s in config.load("aus1").scopes] == ["scp1"]  # nothing of the failed creation was written
    old = config.load("aus1").scopes[0]
    renamed = config.replace_scope("aus1", old, replace(old, name="write"))
    assert renamed.version == 2
    config.create_scope("aus1", scope("scp2", "read"))  # the old name is free again
    assert L_NAME in labels_of(lambda: config.create_scope("aus1", scope("scp3", "write")))
    assert labels_of(lambda: config.replace_scope("aus1", old, replace(old, description="stale"))) == [L_VERSION]


def test_writes_under_a_missing_server_fail_with_the_server_label(config):
    assert L_SERVER in labels_of(lambda: config.create_scope("gone", scope("scp9", "x")))
    assert L_SERVER in labels_of(lambda: config.create_claim("gone", claim("ocl9", "x")))
    assert L_SERVER in labels_of(lambda: config.save_policy("gone", policy("pol1"), None))


def test_claim_names_are_unique_per_claim_type(config):
    assert L_NAME in labels_of(lambda: config.create_claim("aus1", claim("ocl2", "email")))
    config.create_claim("aus1", claim("ocl3", "email", claim_type="IDENTITY"))
    current = next(c for c in config.load("aus1").claims if c.id == "ocl1")
    config.delete_claim("aus1", current)
    config.create_claim("aus1", claim("ocl4", "email"))  # deleting frees the name
    assert sorted(c.id for c in config.load("aus1").claims) == ["ocl3", "ocl4"]


def test_policies_rules_and_orders(config):
    created = config.save_policy("aus1", policy("pol1"), Ordered(("pol1",)))
    assert created.version == 1
    loaded = config.load("aus1")
    assert loaded.policy_order.ids == ("pol1",) and loaded.policy_order.version == 1
    assert labels_of(lambda: config.save_policy("aus1", policy("pol2"), Ordered(("pol2", "pol1")))) == [L_ORDER]
    assert [p.id for p in config.load("aus1").policies] == ["pol1"]
    assert L_POLICY in labels_of(lambda: config.save_rule("aus1", rule("rul1", "nope"), None))
    config.save_rule("aus1", rule("rul1", "pol1"), Ordered(("rul1",)))
    loaded = config.load("aus1")
    assert [r.id for r in loaded.rules] == ["rul1"] and loaded.rule_orders["pol1"].ids == ("rul1",)
    config.delete_policy("aus1", loaded.policies[0], Ordered((), loaded.policy_order.version), loaded.rules,
                         loaded.rule_orders["pol1"])
    loaded = config.load("aus1")
    assert loaded.policies == [] and loaded.rules == [] and "pol1" not in loaded.rule_orders
    assert loaded.policy_order.ids == () and loaded.policy_order.version == 2


def test_key_steps_are_atomic_and_version_checked(config):
    loaded = config.load("aus1")
    versions = dict(loaded.key_versions)
    new_active = replace(next(k for k in loaded.keys if k.kid == "k2"), status=ACTIVE)
    saved = config.save_keys(replace(loaded.server, signing_kid="k2"), [new_active], [key("k3", NEXT)], ["k1"],
                             versions)
    assert saved.version == 2
    after = config.load("aus1")
    assert sorted(k.kid for k in after.keys) == ["k2", "k3"] and after.key_versions == {"k2": 2, "k3": 1}
    # A second run that read the same state loses as a whole.
    assert L_VERSION in labels_of(lambda: config.save_keys(loaded.server, [], [key("k4", NEXT)], [], versions))
    assert sorted(k.kid for k in config.load("aus1").keys) == ["k2", "k3"]


def test_deleting_a_server_removes_it_for_every_reader(config):
    current = config.get_server("aus1")
    assert labels_of(lambda: config.delete_server(replace(current, version=7))) == [L_VERSION]
    config.delete_server(current)
    assert config.get_server("aus1") is None and config.load("aus1") is None and config.list_servers() == []


def test_trusted_servers_are_items_of_the_partition_added_at_once_and_removed_by_version(config):
    """Token exchange's trusted servers (Okta's associated servers): ``TRUST#{id}`` items loaded with the server."""
    config.create_server(ServerConfig(server=server("aus2")))
    config.add_trusted_servers("aus1", [TrustedServer("aus2", T0), TrustedServer("aus3", T0)])
    loaded = config.load("aus1")
    assert sorted((t.id, t.version) for t in loaded.trusted_servers) == [("aus2", 1), ("aus3", 1)]
    assert loaded.trusted_server_ids == {"aus2", "aus3"} and config.load("aus2").trusted_servers == []
    # One already trusted fails the whole write: nothing of it is stored.
    assert L_VERSION in labels_of(lambda: config.add_trusted_servers(
        "aus1", [TrustedServer("aus4", T0), TrustedServer("aus2", T0)]))
    assert config.load("aus1").trusted_server_ids == {"aus2", "aus3"}
    assert L_SERVER in labels_of(lambda: config.add_trusted_servers("gone", [TrustedServer("aus2", T0)]))
    aus2 = next(t for t in loaded.trusted_servers if t.id == "aus2")
    assert labels_of(lambda: config.remove_trusted_server("aus1", replace(aus2, version=5))) == [L_VERSION]
    config.remove_trusted_server("aus1", aus2)
    assert config.load("aus1").trusted_server_ids == {"aus3"}
    assert L_VERSION in labels_of(lambda: config.remove_trusted_server("aus1", aus2))  # gone already
