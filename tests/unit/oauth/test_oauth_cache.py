"""The per-container TTL cache of the token path (chalicelib.oauth.cache) and the two caches built on it
(server configurations, client records): an injected clock, misses cached too, bounded by memory, least recently
used evicted first."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import FixedClock
from chalicelib.errors import NotFoundError
from chalicelib.oauth.cache import TTLCache, estimate_size
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


def sized(budget: int, clock) -> TTLCache:
    """A cache where every value costs its own number of bytes."""
    return TTLCache(TTL, clock.now, budget=budget, size_of=lambda value: value)


def test_the_least_recently_used_entry_goes_first_when_the_budget_is_full(clock):
    cache = sized(30, clock)
    for key in (1, 2, 3):
        cache.get(key, lambda: 10)
    cache.get(1, Loads(99))  # a hit: 1 is now the most recently used
    cache.get(4, lambda: 10)  # over budget: evicts 2, the least recently used, not 1, the oldest insert
    loads = Loads(10)
    for key in (1, 3, 4):
        cache.get(key, loads)
    assert loads.count == 0
    cache.get(2, loads)
    assert loads.count == 1
    stats = cache.stats()
    assert (stats.evictions, stats.entries, stats.bytes, stats.budget) == (2, 3, 30, 30)


def test_a_large_entry_evicts_as_many_as_it_needs(clock):
    cache = sized(30, clock)
    for key in (1, 2, 3):
        cache.get(key, lambda: 10)
    cache.get(4, lambda: 25)
    assert cache.stats().entries == 1 and cache.stats().bytes == 25


def test_an_entry_larger_than_the_budget_is_handed_out_but_not_kept(clock):
    cache = sized(30, clock)
    cache.get(1, lambda: 10)
    assert cache.get(2, lambda: 31) == (31, NOW)
    loads = Loads(31)
    cache.get(2, loads)
    assert loads.count == 1
    assert cache.stats().entries == 1 and cache.get(1, Loads(0))[0] == 10


def test_hits_and_misses_are_counted(clock):
    cache = sized(100, clock)
    cache.get("a", lambda: 1)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 1)
    clock.advance(seconds=TTL.total_seconds())
    cache.get("a", lambda: 1)  # expired: a miss
    stats = cache.stats()
    assert (stats.hits, stats.misses) == (1, 3)
    assert stats.hit_rate == 0.25


def test_a_load_that_raced_a_drop_is_handed_out_but_not_stored(clock):
    cache: TTLCache[str, str] = TTLCache(TTL, clock.now)

    def load_while_a_change_lands() -> str:
        cache.invalidate("k")  # the change's drop arrives while this read is under way
        return "maybe-old"

    assert cache.get("k", load_while_a_change_lands)[0] == "maybe-old"
    assert cache.get("k", lambda: "new")[0] == "new"


def test_sizes_are_estimated_from_what_an_entry_holds():
    small = estimate_size(fake_client("a"))
    config = server_config("aus_a", rsa_key("a"))
    assert 0 < small < estimate_size(config)
    assert estimate_size({"k": "x" * 10_000}) > 10_000
    assert estimate_size(None) > 0


def test_a_negative_budget_is_refused(clock):
    with pytest.raises(ValueError):
        TTLCache(TTL, clock.now, budget=-1)


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


def test_published_serves_an_inactive_servers_configuration_from_the_cache(clock):
    """``/v1/keys`` publishes an inactive server's keys (they still verify what it issued), and like every lookup
    it reads the server once per cache period."""
    loader = FakeConfigLoader(server_config("aus_off", rsa_key("server-a"), status="INACTIVE"))
    configs = ServerConfigs(loader, loader.resolve, TTL, clock.now)
    config = configs.published("aus_off")
    assert config.server.id == "aus_off" and config.server.status == "INACTIVE"
    assert configs.published("aus_off") is config
    with pytest.raises(NotFoundError):
        configs.active("aus_off")  # the token path still refuses it, from the same cached entry
    assert loader.loads == ["aus_off"]


def test_published_refuses_an_unknown_server_without_reading_it_again(clock):
    loader = FakeConfigLoader(server_config("aus_a", rsa_key("server-a")))
    configs = ServerConfigs(loader, loader.resolve, TTL, clock.now)
    for _ in range(3):
        with pytest.raises(NotFoundError) as raised:
            configs.published("aus_nosuch")
        assert raised.value.resource_id == "aus_nosuch"
    assert loader.loads == ["aus_nosuch"]  # its absence is cached: a scanner costs one read per cache period
    with pytest.raises(NotFoundError):
        configs.published("aus_a", org_route=True)  # only the org server is found by the org routes
    assert configs.published("aus_a").server.id == "aus_a"
