"""Races between writers, on moto: the loser of each race gets the error that says why, and nothing half-written
stays behind. Competing writes are placed between a service's read and its write by injecting a ``ServerService``
stand-in (``RacingServers``/``StaleServers``) into the service under test; no project code is patched."""
from __future__ import annotations

import threading

import pytest
from pynamodb.connection import Connection

from chalicelib.admin.claims import ClaimService
from chalicelib.admin.common import POLICY_TYPE, SERVER_TYPE
from chalicelib.admin.policies import PolicyService
from chalicelib.admin.rules import RuleService
from chalicelib.admin.scopes import ScopeService
from chalicelib.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.storage.config_repository import server_pk
from tests.integration.api.apisupport import (
    REGION,
    RacingServers,
    StaleServers,
    claim_body,
    policy_body,
    raw_items,
    rule_body,
    scope_body,
    server_body,
)

# On DynamoDB (moto): DynamoDB's conditional writes are what these tests prove.
pytestmark = pytest.mark.dynamodb

DUPLICATE = "name: A scope named 'race:me' already exists on this authorization server."


# moto's in-process DynamoDB is not thread-safe (concurrent calls fail with "dictionary changed size during
# iteration"), so the threaded test funnels every call into moto through this lock. The threads still read and
# decide concurrently; only the calls into the fake service are taken one at a time, which is what DynamoDB does
# with conflicting transactions anyway.
MOTO = threading.Lock()


class SerialConnection(Connection):
    def transact_write_items(self, *args, **kwargs):
        with MOTO:
            return super().transact_write_items(*args, **kwargs)


class BarrierServers(RacingServers):
    """Every thread reads, then waits until all threads have read: all of them decide on the same stale state."""

    def __init__(self, real, barrier: threading.Barrier) -> None:
        super().__init__(real, None)
        self._barrier = barrier

    def load(self, server_id):
        with MOTO:
            config = self._real.load(server_id)
        self._barrier.wait(timeout=10)
        return config


def scope_names(container) -> list[str]:
    return [s.name for s in container.servers.load("default").scopes]


def markers(container, default_ids, name: str) -> list[str]:
    return [i.sk for i in raw_items(container, server_pk(default_ids["server"])) if i.sk == f"NAME#SCOPE#{name}"]


# -- unique names --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serial_repo(world):
    from chalicelib.storage.config_repository import ConfigRepository

    return ConfigRepository(world.container.config_model, SerialConnection(region=REGION))


@pytest.mark.parametrize("threads", [2, 6])
def test_concurrent_creations_of_one_scope_name_leave_exactly_one(container, serial_repo, default_ids, threads):
    barrier = threading.Barrier(threads)
    service = ScopeService(serial_repo, BarrierServers(container.servers, barrier))
    outcomes: list[object] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        try:
            result: object = service.create("default", scope_body(name="race:me", description=f"writer {i}"))
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            result = exc
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=create, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) == threads
    assert len(winners) == 1, outcomes
    # Every loser hears "duplicate name" (400), never a generic conflict: the name marker's condition failed.
    assert all(isinstance(e, ValidationError) and e.causes == [DUPLICATE] for e in losers), losers
    assert scope_names(container).count("race:me") == 1
    assert markers(container, default_ids, "race:me") == ["NAME#SCOPE#race:me"]
    stored = next(s for s in container.servers.load("default").scopes if s.name == "race:me")
    assert stored.id == winners[0].id


def test_a_name_taken_between_read_and_write_is_a_duplicate_not_a_conflict(container, repo, default_ids):
    def someone_takes_the_name() -> None:
        container.scopes.create("default", scope_body(name="race:me", description="theirs"))

    service = ScopeService(repo, RacingServers(container.servers, someone_takes_the_name))
    with pytest.raises(ValidationError) as raised:
        service.create("default", scope_body(name="race:me", description="mine"))
    assert raised.value.causes == [DUPLICATE]
    scopes = [s for s in container.servers.load("default").scopes if s.name == "race:me"]
    assert [s.description for s in scopes] == ["theirs"]


def test_a_claim_name_taken_between_read_and_write_is_a_duplicate(container, repo):
    def someone_takes_the_name() -> None:
        container.claims.create("default", claim_body(value="user.theirs"))

    service = ClaimService(repo, RacingServers(container.servers, someone_takes_the_name))
    with pytest.raises(ValidationError) as raised:
        service.create("default", claim_body(value="user.mine"))
    assert raised.value.causes == [
        "name: A RESOURCE claim named 'department' already exists on this authorization server."]
    assert [c.value for c in container.claims.list("default") if c.name == "department"] == ["user.theirs"]


def test_renaming_onto_a_name_taken_meanwhile_is_a_duplicate(container, repo):
    mine = container.scopes.create("default", scope_body(name="mine"))

    def someone_takes_the_name() -> None:
        container.scopes.create("default", scope_body(name="race:me"))

    service = ScopeService(repo, RacingServers(container.servers, someone_takes_the_name))
    with pytest.raises(ValidationError) as raised:
        service.replace("default", mine.id, scope_body(name="race:me"))
    assert raised.value.causes == [DUPLICATE]
    assert container.scopes.get("default", mine.id) == mine


# -- lost updates --------------------------------------------------------------------------------------------------


def test_a_replace_that_read_a_stale_version_is_a_conflict(container, repo):
    scope = container.scopes.create("default", scope_body())

    def someone_saves_first() -> None:
        container.scopes.replace("default", scope.id, scope_body(description="theirs"))

    service = ScopeService(repo, RacingServers(container.servers, someone_saves_first))
    with pytest.raises(ConflictError):
        service.replace("default", scope.id, scope_body(description="mine"))
    current = container.scopes.get("default", scope.id)
    assert (current.description, current.version) == ("theirs", 2)


def test_a_rule_created_while_another_is_created_is_a_conflict(container, repo, clock, default_ids):
    def someone_adds_a_rule() -> None:
        container.rules.create("default", default_ids["policy"], rule_body(name="theirs"))

    service = RuleService(repo, RacingServers(container.servers, someone_adds_a_rule), clock)
    with pytest.raises(ConflictError):
        service.create("default", default_ids["policy"], rule_body(name="mine"))
    rules, order = container.rules.list("default", default_ids["policy"])
    assert [r.name for r in rules] == ["theirs", "Default Policy Rule"]
    assert len(order.ids) == 2


# -- writes under a parent that was deleted meanwhile -------------------------------------------------------------


def test_writes_under_a_deleted_server_are_not_found(container, repo, clock):
    server = container.servers.create(server_body())
    sid = server.id
    scope = container.scopes.create(sid, scope_body())
    claim = container.claims.create(sid, claim_body())
    policy, _ = container.policies.create(sid, policy_body())
    rule, _ = container.rules.create(sid, policy.id, rule_body())
    stale = StaleServers(container.servers, container.servers.load(sid))  # read before the delete...
    container.servers.delete(sid)                                          # ...which then happens

    scopes, claims = ScopeService(repo, stale), ClaimService(repo, stale)
    policies, rules = PolicyService(repo, stale, clock), RuleService(repo, stale, clock)
    writes = {
        "create scope": lambda: scopes.create(sid, scope_body(name="late")),
        "replace scope": lambda: scopes.replace(sid, scope.id, scope_body(description="late")),
        "delete scope": lambda: scopes.delete(sid, scope.id),
        "create claim": lambda: claims.create(sid, claim_body(name="late")),
        "replace claim": lambda: claims.replace(sid, claim.id, claim_body(value="user.late")),
        "delete claim": lambda: claims.delete(sid, claim.id),
        "create policy": lambda: policies.create(sid, policy_body()),
        "replace policy": lambda: policies.replace(sid, policy.id, policy_body(description="late")),
        "deactivate policy": lambda: policies.set_status(sid, policy.id, "INACTIVE"),
        "delete policy": lambda: policies.delete(sid, policy.id),
    }
    for label, write in writes.items():
        with pytest.raises(NotFoundError) as raised:
            write()
        assert (raised.value.resource_id, raised.value.resource_type) == (sid, SERVER_TYPE), label

    rule_writes = {
        "create rule": lambda: rules.create(sid, policy.id, rule_body(name="late")),
        "replace rule": lambda: rules.replace(sid, policy.id, rule.id, rule_body(name="late")),
        "deactivate rule": lambda: rules.set_status(sid, policy.id, rule.id, "INACTIVE"),
        "delete rule": lambda: rules.delete(sid, policy.id, rule.id),
    }
    for label, write in rule_writes.items():
        with pytest.raises(NotFoundError) as raised:
            write()
        assert (raised.value.resource_id, raised.value.resource_type) == (policy.id, POLICY_TYPE), label

    assert raw_items(container, server_pk(sid)) == []  # nothing was written back into the deleted partition


def test_rule_writes_under_a_policy_deleted_meanwhile_are_not_found(container, repo, clock):
    policy, _ = container.policies.create("default", policy_body())
    rule, _ = container.rules.create("default", policy.id, rule_body())
    stale = StaleServers(container.servers, container.servers.load("default"))
    container.policies.delete("default", policy.id)

    rules = RuleService(repo, stale, clock)
    for label, write in {
        "create": lambda: rules.create("default", policy.id, rule_body(name="late")),
        "replace": lambda: rules.replace("default", policy.id, rule.id, rule_body(name="late")),
        "delete": lambda: rules.delete("default", policy.id, rule.id),
    }.items():
        with pytest.raises(NotFoundError) as raised:
            write()
        assert (raised.value.resource_id, raised.value.resource_type) == (policy.id, POLICY_TYPE), label
    assert [r for r in container.servers.load("default").rules if r.policy_id == policy.id] == []
