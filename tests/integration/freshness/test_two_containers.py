"""Issue 12: two warm Lambda instances of one deployment (two containers over one moto DynamoDB, one clock). A
write through A is seen by A's next request at once and by B's within the one-second bound of the change log
(docs/ARCHITECTURE.md "Staleness bound"); the clock is advanced, nothing sleeps."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.changes import LOG_TRUST
from chalicelib.container import Container
from chalicelib.errors import StorageUnavailableError
from chalicelib.storage.dynamodb import DynamoStorage

from tests.integration.freshness.freshness_support import active_kid, cc_token, kid_of, on, setup_server
from tests.integration.refresh.refresh_support import World

pytestmark = pytest.mark.dynamodb

SERVER = "/api/v1/authorizationServers/default"
JUST_UNDER_A_SECOND = 0.999


@pytest.fixture
def a(container):
    return container


@pytest.fixture
def b(moto_world, clock, a):
    """Another container of the same deployment: its own caches, the same tables and the same time."""
    return moto_world.container(clock)


@pytest.fixture
def world(api, a) -> World:
    return World(api, a)


@pytest.fixture
def ready(world, a, b):
    setup = setup_server(world)
    for container in (a, b):
        with on(container):
            assert cc_token(world, setup["app"]).status_code == 200  # both have it all cached
    return setup


def test_a_deleted_client_is_refused_by_a_at_once_and_by_b_within_the_bound(world, a, b, ready, clock):
    with on(a):
        assert world.api.delete(f"/oauth2/v1/clients/{ready['app'].client_id}").status_code == 204
        assert cc_token(world, ready["app"]).status_code == 401
    clock.advance(seconds=JUST_UNDER_A_SECOND)
    with on(b):
        assert cc_token(world, ready["app"]).status_code == 200  # B has not looked at the change log yet
    clock.advance(seconds=1 - JUST_UNDER_A_SECOND)
    with on(b):
        refused = cc_token(world, ready["app"])
    assert (refused.status_code, refused.data["error"]) == (401, "invalid_client")


def test_a_deactivated_server_is_refused_everywhere_within_the_bound(world, a, b, ready, clock):
    with on(a):
        assert world.api.post(f"{SERVER}/lifecycle/deactivate").status_code == 204
        assert cc_token(world, ready["app"]).status_code == 404
    clock.advance(seconds=1)
    with on(b):
        assert cc_token(world, ready["app"]).status_code == 404


def test_a_deactivated_rule_is_refused_everywhere_within_the_bound(world, a, b, ready, clock):
    with on(a):
        path = f"{SERVER}/policies/{ready['policy']}/rules/{ready['rule']}/lifecycle/deactivate"
        assert world.api.post(path).status_code == 204
        assert cc_token(world, ready["app"]).status_code == 401
    clock.advance(seconds=1)
    with on(b):
        assert cc_token(world, ready["app"]).data["error"] == "access_denied"


def test_after_key_rotation_both_sign_with_the_new_key_which_was_already_published(world, a, b, ready, clock):
    with on(a):
        before = active_kid(world)
        assert world.api.post(f"{SERVER}/credentials/lifecycle/keyRotate", {"use": "sig"}).status_code == 200
        after = active_kid(world)
        assert kid_of(cc_token(world, ready["app"]).data["access_token"]) == after != before
    with on(b):
        published = [k["kid"] for k in world._oauth("GET", "/oauth2/default/v1/keys", {}).data["keys"]]
        assert {before, after} <= set(published)  # B's JWKS lists the new key before B signs with it
        assert kid_of(cc_token(world, ready["app"]).data["access_token"]) == before  # inside the bound
    clock.advance(seconds=1)
    with on(b):
        assert kid_of(cc_token(world, ready["app"]).data["access_token"]) == after


class CountedLog:
    """The change log of a container, counting its reads."""

    def __init__(self, inner, clock) -> None:
        self._inner = inner
        self._clock = clock
        self.reads = []

    def read(self):
        self.reads.append(self._clock.now())
        return self._inner.read()

    def write(self, stamps, version):
        self._inner.write(stamps, version)


class UnwritableLog(CountedLog):
    def write(self, stamps, version):
        raise StorageUnavailableError("the configuration store is unavailable")


def container_with_log(moto_world, clock, log_type):
    """A container of the deployment whose change log store is wrapped (injected at the storage boundary)."""
    storage = DynamoStorage(moto_world.settings)
    storage.changes = log_type(storage.changes, clock)
    return Container.build(moto_world.settings, clock, storage=storage)


def test_the_change_log_is_read_once_per_second_not_per_token(world, ready, moto_world, clock):
    c = container_with_log(moto_world, clock, CountedLog)
    with on(c):
        for _ in range(50):  # 5 s at 10 tokens per second
            assert cc_token(world, ready["app"]).status_code == 200
            clock.advance(seconds=0.1)
    assert [read - c.storage.changes.reads[0] for read in c.storage.changes.reads] == \
        [timedelta(seconds=n) for n in range(5)]


def test_when_the_change_log_cannot_be_written_the_write_stands_and_the_hour_bounds_b(world, ready, b, moto_world,
                                                                                     clock, caplog):
    c = container_with_log(moto_world, clock, UnwritableLog)
    with on(c):
        assert world.api.delete(f"/oauth2/v1/clients/{ready['app'].client_id}").status_code == 204
        assert cc_token(world, ready["app"]).status_code == 401  # the writer still reads its own write
    assert "could not record a change" in caplog.text
    clock.advance(seconds=1)
    with on(b):
        assert cc_token(world, ready["app"]).status_code == 200  # B cannot know...
    clock.advance(seconds=moto_world.settings.cache_seconds)
    with on(b):
        # ...and while B reads the log, the log vouches for its entry past the cache period...
        assert cc_token(world, ready["app"]).status_code == 200
    for _ in range(2):
        clock.advance(minutes=29)  # B keeps reading the log (a gap of an hour would make it forget everything)
        with on(b):
            assert cc_token(world, ready["app"]).status_code == 200
    clock.advance(seconds=LOG_TRUST.total_seconds() - 58 * 60 - moto_world.settings.cache_seconds - 1)
    with on(b):
        assert cc_token(world, ready["app"]).status_code == 401  # ...until its entry is an hour old
