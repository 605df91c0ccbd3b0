"""The per-container TTL cache of the token path (chalicelib.oauth.cache) and the two caches built on it
(server configurations, client records): an injected clock, misses cached too, bounded size."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import FixedClock
from chalicelib.errors import NotFoundError
from chalicelib.oauth.cache import TTLCache
from chalicelib.oauth.clients import CachedClients
from chalicelib.oauth.configuration import ServerConfigs
from tests.unit.oauth.oauthfakes import NOW, FakeConfigLoader, fake_client, rsa_key, server_config, verify_secret

TTL = timedelta(seconds=30)


class Loads:
    def __init__(self, value=None) -> None:
        self.value = value
        self.count = 0

    def __call__(self):
        self.count += 1
        return self.value


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def test_miss_then_hit_returns_value_and_read_time(clock):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)
    load = Loads("v1")
    assert cache.get("k", load) == ("v1", NOW)
    clock.advance(seconds=29)
    load.value = "v2"
    assert cache.get("k", load) == ("v1", NOW)  # still the value read at NOW, and says so
    assert load.count == 1


@pytest.mark.parametrize("age, reloaded", [(29, False), (30, True), (31, True), (3600, True)])
def test_entry_expires_after_ttl(clock, age, reloaded):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)
    load = Loads("old")
    cache.get("k", load)
    clock.advance(seconds=age)
    load.value = "new"
    value, read_at = cache.get("k", load)
    assert value == ("new" if reloaded else "old")
    assert read_at == (clock.now() if reloaded else NOW)
    assert load.count == (2 if reloaded else 1)


def test_none_is_cached_like_any_value(clock):
    cache: TTLCache[str, object] = TTLCache(TTL, clock.now)
    load = Loads(None)
    for _ in range(5):
        assert cache.get("unknown-client", load) == (None, NOW)
    assert load.count == 1


def test_keys_are_independent(clock):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)
    assert cache.get("a", lambda: "A")[0] == "A"
    assert cache.get("b", lambda: "B")[0] == "B"
    assert cache.get("a", lambda: "X")[0] == "A"


def test_eviction_at_max_entries_drops_the_oldest_insert(clock):
    cache: TTLCache[int, int] = TTLCache(TTL, clock.now, max_entries=3)
    for key in (1, 2, 3):
        cache.get(key, lambda key=key: key * 10)
    cache.get(4, lambda: 40)  # evicts 1
    loads = Loads(99)
    assert cache.get(2, loads)[0] == 20
    assert cache.get(3, loads)[0] == 30
    assert cache.get(4, loads)[0] == 40
    assert loads.count == 0
    assert cache.get(1, loads)[0] == 99
    assert loads.count == 1
    assert len(cache._entries) <= 3


def test_invalidate_forces_a_reload_and_ignores_unknown_keys(clock):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)
    load = Loads("v1")
    cache.get("k", load)
    cache.invalidate("k")
    cache.invalidate("never-there")
    load.value = "v2"
    assert cache.get("k", load)[0] == "v2"
    assert load.count == 2


def test_a_failing_load_caches_nothing(clock):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)

    def boom():
        raise RuntimeError("storage down")

    with pytest.raises(RuntimeError):
        cache.get("k", boom)
    assert cache.get("k", lambda: "ok")[0] == "ok"


# -- CachedClients ------------------------------------------------------------------------------------------------


class Source:
    def __init__(self) -> None:
        self.reads: list[str] = []
        self.clients = {"svc": fake_client("svc", secret="s")}

    def get_for_token(self, client_id, consistent=False):
        self.reads.append(client_id)
        return self.clients.get(client_id)

    def verify_secret(self, client, presented):
        return verify_secret(client, presented)


def test_cached_clients_read_once_per_ttl_including_misses(clock):
    source = Source()
    clients = CachedClients(source, TTL, clock.now)
    assert clients.find("svc").client_id == "svc"
    assert clients.find("svc").client_id == "svc"
    assert clients.find("nobody") is None
    assert clients.find("nobody") is None
    assert source.reads == ["svc", "nobody"]
    clock.advance(seconds=30)
    clients.find("svc")
    assert source.reads == ["svc", "nobody", "svc"]
    assert clients.verify_secret(source.clients["svc"], "s")


@pytest.mark.parametrize("client_id", ["", "x" * 101])
def test_cached_clients_never_read_empty_or_oversized_ids(clock, client_id):
    source = Source()
    assert CachedClients(source, TTL, clock.now).find(client_id) is None
    assert source.reads == []


# -- ServerConfigs ------------------------------------------------------------------------------------------------


def test_server_configs_cache_one_read_and_report_read_time(clock):
    loader = FakeConfigLoader(server_config("aus_a", rsa_key("server-a")))
    configs = ServerConfigs(loader, loader.resolve, TTL, clock.now)
    config, read_at = configs.active("aus_a")
    clock.advance(seconds=10)
    assert configs.active("aus_a") == (config, NOW)
    assert loader.loads == ["aus_a"]


@pytest.mark.parametrize("server_id", ["aus_unknown", "aus_off", "default"])
def test_unknown_inactive_and_missing_default_servers_look_the_same(clock, server_id):
    loader = FakeConfigLoader(server_config("aus_off", rsa_key("server-a"), status="INACTIVE"))
    configs = ServerConfigs(loader, loader.resolve, TTL, clock.now)
    with pytest.raises(NotFoundError) as raised:
        configs.active(server_id)
    assert raised.value.resource_id == server_id
