"""ConfigRepository on moto: one partition per server, whole-partition loads and deletes, version-checked writes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain import Scope
from chalicelib.oauth.issuer import ORG_SERVER_ID
from chalicelib.storage.config_repository import L_NAME, L_ORDER, L_POLICY, L_SERVER, L_VERSION, server_pk
from chalicelib.storage.transactions import WriteConflict
from tests.integration.api.apisupport import claim_body, policy_body, raw_items, rule_body, scope_body, server_body

# On DynamoDB (moto): DynamoDB's items and semantics are what these tests prove.
pytestmark = pytest.mark.dynamodb


def partition(container, server_id: str) -> dict[str, object]:
    return {item.sk: item for item in raw_items(container, server_pk(server_id))}


def test_load_returns_everything_in_the_partition(container, repo, default_ids):
    items = partition(container, default_ids["server"])
    config = repo.load(default_ids["server"])

    assert config.server.id == default_ids["server"] and config.server.default is True
    expected = {"SERVER"}
    expected |= {f"SCOPE#{s.id}" for s in config.scopes} | {f"NAME#SCOPE#{s.name}" for s in config.scopes}
    expected |= {f"CLAIM#{c.id}" for c in config.claims}
    expected |= {f"NAME#CLAIM#{c.claim_type}#{c.name}" for c in config.claims}
    expected |= {f"POLICY#{p.id}" for p in config.policies} | {"ORDER#POLICIES"}
    expected |= {f"RULE#{r.policy_id}#{r.id}" for r in config.rules}
    expected |= {f"ORDER#RULES#{policy_id}" for policy_id in config.rule_orders}
    expected |= {f"KEY#{k.kid}" for k in getattr(config, "keys", [])}
    assert set(items) == expected  # every stored item is part of what load() returns, and nothing else

    assert (len(config.scopes), len(config.claims), len(config.policies), len(config.rules)) == (7, 19, 1, 1)
    assert config.policy_order.ids == (default_ids["policy"],)
    assert config.rule_orders[default_ids["policy"]].ids == (default_ids["rule"],)
    # Versions come back with the objects: everything bootstrap wrote is at version 1.
    assert {config.server.version, *(s.version for s in config.scopes), *(c.version for c in config.claims),
            *(p.version for p in config.policies), *(r.version for r in config.rules),
            config.policy_order.version} == {1}


def test_load_of_an_unknown_server_is_none(repo):
    assert repo.load("ausNOPE") is None
    assert repo.get_server("ausNOPE") is None


def test_objects_added_later_are_loaded_too(container, repo, default_ids):
    scope = container.scopes.create("default", scope_body())
    claim = container.claims.create("default", claim_body())
    policy, _ = container.policies.create("default", policy_body())
    rule, _ = container.rules.create("default", policy.id, rule_body())
    config = repo.load(default_ids["server"])
    assert scope in config.scopes and claim in config.claims
    assert policy in config.policies and rule in config.rules
    assert config.policy_order.ids == (default_ids["policy"], policy.id)
    assert config.rule_orders[policy.id].ids == (rule.id,)
    assert config.policy_order.version == 2


def test_delete_server_removes_every_item_of_its_partition_and_nothing_else(container, repo, default_ids):
    server = container.servers.create(server_body())
    container.scopes.create(server.id, scope_body())
    container.claims.create(server.id, claim_body())
    policy, _ = container.policies.create(server.id, policy_body())
    container.rules.create(server.id, policy.id, rule_body())
    assert len(partition(container, server.id)) > 50
    default_before = {sk: item.doc for sk, item in partition(container, default_ids["server"]).items()}

    repo.delete_server(container.servers.get(server.id))

    assert partition(container, server.id) == {}
    assert repo.load(server.id) is None and repo.get_server(server.id) is None
    assert server.id not in [s.id for s in repo.list_servers()]
    assert {sk: item.doc for sk, item in partition(container, default_ids["server"]).items()} == default_before


def test_delete_server_is_version_checked(container, repo):
    server = container.servers.create(server_body())
    container.servers.replace(server.id, server_body(name="Changed"))  # now at version 2
    with pytest.raises(WriteConflict) as raised:
        repo.delete_server(server)  # still at version 1
    assert raised.value.labels == [L_VERSION]
    assert repo.get_server(server.id) is not None
    assert len(partition(container, server.id)) > 50


def test_list_servers_in_creation_order(container, repo, clock, default_ids):
    clock.advance(seconds=1)
    first = container.servers.create(server_body(name="First"))
    clock.advance(seconds=1)
    second = container.servers.create(server_body(name="Second"))
    # The org authorization server is stored like the others (created with `default`), shown by no admin route.
    listed = [s.id for s in repo.list_servers() if s.id != ORG_SERVER_ID]
    assert listed == [default_ids["server"], first.id, second.id]
    assert ORG_SERVER_ID in {s.id for s in repo.list_servers()}


# -- version-checked writes ----------------------------------------------------------------------------------------


def test_replacing_with_a_stale_version_is_a_write_conflict(container, repo, default_ids):
    sid = default_ids["server"]
    scope = container.scopes.create("default", scope_body())
    claim = container.claims.create("default", claim_body())
    policy, _ = container.policies.create("default", policy_body())
    rule, _ = container.rules.create("default", policy.id, rule_body())
    server = container.servers.get("default")

    # Someone else saves each of them first.
    container.scopes.replace("default", scope.id, scope_body(description="theirs"))
    container.claims.replace("default", claim.id, claim_body(value="user.theirs"))
    container.policies.replace("default", policy.id, policy_body(description="theirs"))
    container.rules.replace("default", policy.id, rule.id, rule_body(name="theirs"))
    container.servers.replace("default", server_body(description="theirs", audiences=["api://default"]))

    stale_writes = {
        "scope": lambda: repo.replace_scope(sid, scope, replace(scope, description="mine")),
        "claim": lambda: repo.replace_claim(sid, claim, replace(claim, value="user.mine")),
        "policy": lambda: repo.save_policy(sid, replace(policy, description="mine"), None),
        "rule": lambda: repo.save_rule(sid, replace(rule, name="mine"), None),
        "server": lambda: repo.save_server(replace(server, description="mine")),
        "scope delete": lambda: repo.delete_scope(sid, scope),
        "claim delete": lambda: repo.delete_claim(sid, claim),
    }
    for label, write in stale_writes.items():
        with pytest.raises(WriteConflict) as raised:
            write()
        assert raised.value.labels == [L_VERSION], label

    config = repo.load(sid)
    assert next(s for s in config.scopes if s.id == scope.id).description == "theirs"
    assert next(c for c in config.claims if c.id == claim.id).value == "user.theirs"
    assert next(p for p in config.policies if p.id == policy.id).description == "theirs"
    assert next(r for r in config.rules if r.id == rule.id).name == "theirs"
    assert config.server.description == "theirs"


def test_a_stale_order_list_is_a_write_conflict(container, repo, default_ids):
    sid = default_ids["server"]
    stale_order = repo.load(sid).policy_order
    policy, _ = container.policies.create("default", policy_body())  # moves the order to version 2
    mine = replace(policy, id="00pMINEMINEMINEMINE1")
    with pytest.raises(WriteConflict) as raised:
        repo.save_policy(sid, replace(mine, version=None), replace(stale_order, ids=stale_order.ids + (mine.id,)))
    assert raised.value.labels == [L_ORDER]
    assert [p.id for p in repo.load(sid).policies if p.id == mine.id] == []


def test_a_taken_name_is_a_write_conflict_on_the_name(container, repo, default_ids):
    scope = container.scopes.create("default", scope_body())
    copy = replace(scope, id="scpCOPYCOPYCOPYCOPY1", version=None)
    with pytest.raises(WriteConflict) as raised:
        repo.create_scope(default_ids["server"], copy)
    assert raised.value.labels == [L_NAME]


def test_writes_under_a_missing_parent_are_labelled(container, repo, default_ids):
    scope = replace(container.scopes.create("default", scope_body()), id="scpORPHANORPHANORPH1", name="orphan",
                    version=None)
    with pytest.raises(WriteConflict) as raised:
        repo.create_scope("ausGONE", scope)
    assert raised.value.labels == [L_SERVER]
    rule, _ = container.rules.create("default", default_ids["policy"], rule_body())
    with pytest.raises(WriteConflict) as raised:
        repo.save_rule(default_ids["server"], replace(rule, id="0prORPHAN", policy_id="00pGONE", version=None), None)
    assert raised.value.labels == [L_POLICY]


def test_a_query_filtering_on_a_key_attribute_is_refused_as_dynamodb_refuses_it(container, default_ids):
    """tests/dynamodb_rules.py, installed for the whole suite: moto would answer this Query; DynamoDB refuses it
    (a filter expression cannot name the partition or sort key), and so do the tests' clients."""
    from tests.dynamodb_rules import RefusedByDynamoDB, filter_names

    model = container.config_model
    key = server_pk(default_ids["server"])
    with pytest.raises(RefusedByDynamoDB, match="sk"):
        list(model.query(key, filter_condition=~model.sk.startswith("NAME#")))
    with pytest.raises(RefusedByDynamoDB, match="gsi1sk"):
        list(model.gsi1.query("SERVER", filter_condition=model.gsi1sk.startswith("2")))
    assert len(list(model.query(key, filter_condition=model.doc.exists()))) > 20  # a non-key attribute: fine
    assert filter_names({"FilterExpression": "attribute_exists(#d.x) AND NOT begins_with(#1, :p) OR size(v) > :n",
                         "ExpressionAttributeNames": {"#d": "doc", "#1": "sk"}}) == {"doc", "sk", "v"}


def test_a_partition_larger_than_a_query_page_is_loaded_whole(container, repo, default_ids):
    """DynamoDB answers a Query 1 MB at a time: load() follows every page (moto pages as DynamoDB does)."""
    server_id = default_ids["server"]
    base = repo.load(server_id)
    added = [Scope(id=f"scp{i:04d}", name=f"bulk:{i:04d}", display_name=None, description="d" * 30_000,
                   system=False, metadata_publish="NO_CLIENTS", consent="IMPLICIT", optional=False, default=False)
             for i in range(40)]
    for scope in added:
        repo.create_scope(server_id, scope)
    pages = container.storage.config_model._get_connection().query(server_pk(server_id), consistent_read=True)
    assert "LastEvaluatedKey" in pages  # more than one page
    config = repo.load(server_id)
    assert {s.name for s in config.scopes} == {s.name for s in base.scopes} | {s.name for s in added}
    assert [s for s in config.scopes if s.name.startswith("bulk:")] == [replace(s, version=1) for s in added]
    assert config.policies == base.policies and config.rules == base.rules
