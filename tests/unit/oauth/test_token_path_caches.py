"""The owner of the token path's caches (chalicelib.oauth.token_path_caches): the documented staleness bounds are
checked when it is built, and ``clear`` makes every cache read its source again."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest

from chalicelib.errors import NotFoundError
from chalicelib.changes import LOG_TRUST
from chalicelib.keys.lifecycle import DEFAULT_RETENTION
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS
from chalicelib.oauth.configuration import DefaultServerId
from chalicelib.oauth.token_path_caches import MAX_TTL, CacheBoundError, CacheSources, TokenPathCaches, check_bounds
from chalicelib.clock import FixedClock
from tests.unit.oauth.oauthfakes import (
    NOW,
    FakeConfigLoader,
    FakeFetcher,
    client_rsa_jwk,
    rsa_key,
    server_config,
)

TTL = timedelta(seconds=30)
JWKS_URI = "https://client.example/jwks"


class Counting:
    """A source that answers ``value`` and counts how often it was asked."""

    def __init__(self, value) -> None:
        self.value = value
        self.calls = 0

    def __call__(self, *_args):
        self.calls += 1
        return self.value


@dataclass(frozen=True)
class StoredClient:
    client_id: str
    secret_hash: str

    @property
    def active_secret_hashes(self) -> tuple[str, ...]:
        return (self.secret_hash,)


class Clients:
    """``ClientSource``: one client, ``svc``, whose secret is ``right`` (stored as itself: no hashing needed)."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.client = StoredClient("svc", "right")

    def get_for_token(self, client_id, consistent=False):
        self.reads.append(client_id)
        return self.client if client_id == "svc" else None

    def verify_secret(self, client, presented):
        return presented == client.secret_hash


class Holders:
    def __init__(self) -> None:
        self.recorded: list[tuple[str, str]] = []

    def record_holder(self, server_id, client_id, until):
        self.recorded.append((server_id, client_id))


class Fakes:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.configs = FakeConfigLoader(server_config("aus_default", rsa_key("server-default"), default=True))
        self.default_id = Counting("aus_default")
        self.clients = Clients()
        self.keys = Counting(rsa_key("server-default"))
        self.holders = Holders()
        self.fetch = FakeFetcher({JWKS_URI: {"keys": [client_rsa_jwk(rsa_key("client"), "k1")]}})
        self.plans_built: list[str] = []

    def caches(self, ttl: timedelta = TTL, **bounds) -> TokenPathCaches:
        sources = CacheSources(configs=self.configs, default_server_id=self.default_id, clients=self.clients,
                               signing_keys=self.keys, holders=self.holders, jwks_fetch=self.fetch)
        return TokenPathCaches(sources, ttl, self.clock.now, **bounds)


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


# -- bounds -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 1, 30, 299, 300])
def test_every_cache_period_the_settings_allow_is_accepted(fakes, seconds):
    caches = fakes.caches(timedelta(seconds=seconds))
    assert caches.ttl == timedelta(seconds=seconds)
    assert caches.signer.max_staleness == DEFAULT_MAX_STALENESS


@pytest.mark.parametrize("ttl, staleness, retention, says", [
    (timedelta(seconds=-1), DEFAULT_MAX_STALENESS, DEFAULT_RETENTION, "between 0 and"),
    (MAX_TTL + timedelta(seconds=1), timedelta(minutes=10), DEFAULT_RETENTION + timedelta(minutes=5),
     "between 0 and"),
    (timedelta(seconds=30), timedelta(0), DEFAULT_RETENTION, "must be positive"),
    (timedelta(seconds=121), timedelta(seconds=120), DEFAULT_RETENTION, "exceeds the signer's max staleness"),
    (timedelta(seconds=30), DEFAULT_MAX_STALENESS, DEFAULT_RETENTION - timedelta(seconds=1), "key retention"),
    (timedelta(seconds=30), LOG_TRUST + timedelta(minutes=1), DEFAULT_RETENTION, "key retention"),
])
def test_a_combination_that_breaks_a_documented_bound_is_refused(fakes, ttl, staleness, retention, says):
    with pytest.raises(CacheBoundError, match=says):
        check_bounds(ttl, staleness, retention)
    with pytest.raises(CacheBoundError, match=says):
        fakes.caches(ttl, signer_staleness=staleness, key_retention=retention)


def test_a_longer_signer_staleness_is_fine_when_retention_covers_it(fakes):
    caches = fakes.caches(MAX_TTL, signer_staleness=timedelta(minutes=10),
                          key_retention=DEFAULT_RETENTION + timedelta(minutes=5))
    assert caches.signer.max_staleness == timedelta(minutes=10)


def test_the_ttl_may_equal_the_signer_staleness_because_the_cache_serves_only_younger_reads(fakes):
    caches = fakes.caches(MAX_TTL)
    config, read_at = caches.configs.active("default")
    fakes.clock.advance(seconds=MAX_TTL.total_seconds() - 1)
    assert caches.configs.active("default") == (config, read_at)
    caches.signer.get("aus_default", "kid", kid_read_at=read_at)  # still accepted
    fakes.clock.advance(seconds=1)
    assert caches.configs.active("default")[1] == fakes.clock.now()  # re-read at the TTL, never older


# -- clear --------------------------------------------------------------------------------------------------------


def warm(caches: TokenPathCaches, fakes: Fakes) -> None:
    """Use every cache twice: each source is asked once."""
    for _ in range(2):
        caches.configs.active("default")
        client = caches.clients.find("svc")
        caches.signer.get("aus_default", "kid")
        caches.plans.get(("aus_default", "svc", None), fakes.configs.configs["aus_default"], client,
                         lambda: fakes.plans_built.append("plan") or "plan")
        caches.holders.note("aus_default", "svc")
        caches.remote_jwks.keys(JWKS_URI, "k1")


def asked(fakes: Fakes) -> dict[str, int]:
    return {"configs": len(fakes.configs.loads), "default id": fakes.default_id.calls,
            "clients": len(fakes.clients.reads), "signing keys": fakes.keys.calls, "plans": len(fakes.plans_built),
            "holders": len(fakes.holders.recorded), "jwks": len(fakes.fetch.calls)}


def test_clear_makes_every_cache_read_its_source_again(fakes):
    caches = fakes.caches()
    warm(caches, fakes)
    assert set(asked(fakes).values()) == {1}
    caches.clear()
    warm(caches, fakes)
    assert asked(fakes) == {name: 2 for name in asked(fakes)}


def test_clear_forgets_the_secret_recheck_times(fakes):
    caches = fakes.caches()
    cached = caches.clients.find("svc")
    assert not caches.clients.verify_secret(cached, "wrong")  # re-checked against a fresh read
    assert not caches.clients.verify_secret(cached, "wrong")  # not again within the interval
    assert fakes.clients.reads == ["svc", "svc"]
    caches.clear()
    cached = caches.clients.find("svc")
    assert fakes.clients.reads == ["svc"] * 3
    assert not caches.clients.verify_secret(cached, "wrong")
    assert fakes.clients.reads == ["svc"] * 4  # the interval no longer holds the re-check back


def test_the_default_server_resolves_through_the_shared_cell(fakes):
    caches = fakes.caches()
    assert caches.configs.active("default")[0].server.id == "aus_default"
    assert caches.default_server_id.get() == "aus_default"
    assert fakes.default_id.calls == 1


# -- DefaultServerId ----------------------------------------------------------------------------------------------


def test_default_server_id_is_read_until_it_exists_then_kept():
    load = Counting(None)
    cell = DefaultServerId(load)
    assert cell.get() is None
    assert cell.get() is None
    assert load.calls == 2  # absence is not cached: the default server may be created later
    load.value = "aus_default"
    assert cell.get() == "aus_default"
    load.value = "aus_other"
    assert cell.get() == "aus_default"
    assert load.calls == 3


def test_default_server_id_resolves_only_the_alias():
    load = Counting(None)
    cell = DefaultServerId(load)
    assert cell.resolve("aus_x") == "aus_x"
    assert load.calls == 0
    with pytest.raises(NotFoundError) as raised:
        cell.resolve("default")
    assert raised.value.resource_id == "default"
    load.value = "aus_default"
    assert cell.resolve("default") == "aus_default"


# -- reading ahead (a cold container's first token) ---------------------------------------------------------------


class BlockingAlias:
    """The alias's source: signals when a read starts, and holds it until ``release`` is set."""

    def __init__(self, value: str | None = "aus_default") -> None:
        self.value = value
        self.started = threading.Event()
        self.release = threading.Event()
        self.reads = 0
        self.fail = False

    def __call__(self):
        self.reads += 1
        self.started.set()
        assert self.release.wait(5)
        if self.fail:
            raise RuntimeError("dynamodb down")
        return self.value


def test_prefetch_reads_the_alias_on_another_thread_and_get_waits_for_it():
    alias = BlockingAlias()
    cell = DefaultServerId(alias, background=True)
    thread = cell.prefetch()
    assert thread is not None and alias.started.wait(5)
    assert cell.prefetch() is None  # once: no second reader
    got = []
    waiting = threading.Thread(target=lambda: got.append(cell.resolve("default")))
    waiting.start()
    alias.release.set()
    thread.join(5)
    waiting.join(5)
    assert got == ["aus_default"] and alias.reads == 1
    assert cell.prefetch() is None  # known: nothing to read


def test_prefetch_does_nothing_unless_built_for_the_background():
    alias = BlockingAlias()
    assert DefaultServerId(alias).prefetch() is None
    assert alias.reads == 0


def test_a_failed_prefetch_is_read_again_by_the_request_which_reports_it():
    alias = BlockingAlias()
    alias.fail = True
    alias.release.set()
    cell = DefaultServerId(alias, background=True)
    cell.prefetch().join(5)
    with pytest.raises(RuntimeError, match="dynamodb down"):
        cell.resolve("default")
    assert cell.prefetch() is None  # once per container: an absent or failing alias costs a request one read
    alias.fail = False
    assert cell.resolve("default") == "aus_default" and alias.reads == 3
    cell.clear()  # as a new container
    cell.prefetch().join(5)
    assert alias.reads == 4


def test_a_cold_lookup_of_default_reads_the_alias_while_it_reads_the_change_log(fakes):
    """The alias never changes once it exists, so it needs no change log read before it; a record does, and the
    configuration is still read after the log (its Query needs the alias's answer anyway)."""
    alias = BlockingAlias()
    seen: list[str] = []

    def changes():
        seen.append("alias read under way" if alias.started.wait(5) else "alias not started")
        alias.release.set()
        return {}

    sources = CacheSources(configs=fakes.configs, default_server_id=alias, clients=fakes.clients,
                           signing_keys=fakes.keys, holders=fakes.holders, changes=changes, read_ahead=True)
    caches = TokenPathCaches(sources, TTL, fakes.clock.now)
    config, _read_at = caches.configs.active("default")
    assert config.server.id == "aus_default"
    assert seen == ["alias read under way"] and alias.reads == 1
    caches.configs.active("aus_default")  # another id: no alias read
    caches.configs.active("default")  # known: no alias read
    assert alias.reads == 1
