"""The warm-container signing-key cache (chalicelib.keys.signer): loads once per cold start / rotation."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.clock import FixedClock
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS, SigningKeyCache, StaleActiveKidError

T0 = datetime(2025, 3, 13, tzinfo=timezone.utc)


class FakeLoader:
    """Stands in for KeyMaterialStore.load; returns a distinct object per (server, kid) and counts calls."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.fail = False
        self.entered = threading.Event()
        self.release: threading.Event | None = None
        self.blocking_server: str | None = None  # None: every load waits for release
        self._lock = threading.Lock()

    def __call__(self, auth_server_id: str, kid: str):
        with self._lock:
            self.calls[(auth_server_id, kid)] += 1
        if self.blocking_server in (None, auth_server_id):
            self.entered.set()
        if self.release is not None and self.blocking_server in (None, auth_server_id):
            assert self.release.wait(5)
        if self.fail:
            raise RuntimeError("secrets manager down")
        return ("private-key", auth_server_id, kid)


@pytest.fixture
def loader() -> FakeLoader:
    return FakeLoader()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def cache(loader, clock) -> SigningKeyCache:
    return SigningKeyCache(loader, clock.now, DEFAULT_MAX_STALENESS)


def test_cold_cache_loads_once_then_warm_calls_make_no_load(cache, loader):
    first = cache.get("aus1", "kidA")
    assert first.kid == "kidA" and first.private_key == ("private-key", "aus1", "kidA")
    assert first.loaded_at == T0
    for _ in range(100):
        assert cache.get("aus1", "kidA") is first
    assert loader.calls == Counter({("aus1", "kidA"): 1})


def test_a_changed_active_kid_loads_the_new_key_once(cache, loader):
    cache.get("aus1", "kidA")
    rotated = cache.get("aus1", "kidB")
    cache.get("aus1", "kidB")
    assert rotated.kid == "kidB"
    assert loader.calls == Counter({("aus1", "kidA"): 1, ("aus1", "kidB"): 1})


def test_servers_are_cached_independently(cache, loader):
    cache.get("aus1", "kidA")
    cache.get("aus2", "kidX")
    cache.get("aus1", "kidA")
    cache.get("aus2", "kidX")
    assert loader.calls == Counter({("aus1", "kidA"): 1, ("aus2", "kidX"): 1})


def test_a_failed_load_caches_nothing_and_keeps_the_previous_key(cache, loader):
    previous = cache.get("aus1", "kidA")
    loader.fail = True
    with pytest.raises(RuntimeError):
        cache.get("aus1", "kidB")
    assert cache.get("aus1", "kidA") is previous
    loader.fail = False
    assert cache.get("aus1", "kidB").kid == "kidB"
    assert loader.calls[("aus1", "kidB")] == 2


def test_evict_forces_a_reload(cache, loader):
    cache.get("aus1", "kidA")
    cache.evict("aus1")
    cache.evict("never-seen")
    cache.get("aus1", "kidA")
    assert loader.calls[("aus1", "kidA")] == 2


def test_concurrent_first_calls_for_one_server_load_once(cache, loader):
    loader.release = threading.Event()
    results = []
    start = threading.Barrier(16)

    def worker():
        start.wait()
        results.append(cache.get("aus1", "kidA"))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    assert loader.entered.wait(5)
    # Give the other fifteen threads time to queue behind the loading one; correctness does not
    # depend on it (late threads take the warm path), only how much contention is exercised.
    threading.Event().wait(0.05)
    loader.release.set()
    for t in threads:
        t.join(5)
    assert len(results) == 16 and all(r is results[0] for r in results)
    assert loader.calls == Counter({("aus1", "kidA"): 1})


def test_a_slow_cold_load_for_one_server_does_not_block_another(cache, loader):
    loader.release = threading.Event()
    loader.blocking_server = "aus1"
    slow = threading.Thread(target=cache.get, args=("aus1", "kidA"))
    slow.start()
    assert loader.entered.wait(5)
    other_done = threading.Event()
    other = threading.Thread(target=lambda: (cache.get("aus2", "kidX"), other_done.set()))
    other.start()
    served = other_done.wait(5)
    loader.release.set()
    slow.join(5)
    other.join(5)
    assert served, "aus2 waited for aus1's load"


def test_a_kid_read_within_max_staleness_is_accepted(cache, clock):
    read_at = clock.now()
    clock.set(read_at + DEFAULT_MAX_STALENESS)
    assert cache.get("aus1", "kidA", kid_read_at=read_at).kid == "kidA"


def test_a_kid_read_longer_ago_than_max_staleness_is_refused(cache, clock, loader):
    read_at = clock.now()
    clock.set(read_at + DEFAULT_MAX_STALENESS + timedelta(seconds=1))
    with pytest.raises(StaleActiveKidError):
        cache.get("aus1", "kidA", kid_read_at=read_at)
    assert not loader.calls


def test_max_staleness_is_exposed_and_validated(loader, clock):
    assert SigningKeyCache(loader, clock.now, timedelta(minutes=2)).max_staleness == timedelta(minutes=2)
    with pytest.raises(ValueError):
        SigningKeyCache(loader, clock.now, timedelta(0))


def test_loaded_key_repr_never_shows_the_private_key(cache):
    assert "private-key" not in repr(cache.get("aus1", "kidA"))


# -- a cold container's first token: the loader prepared, the key loaded while the request decides ------------------

def test_prepare_runs_only_while_no_key_is_held(loader, clock):
    prepared = []
    cache = SigningKeyCache(loader, clock.now, prepare=lambda: prepared.append(1))
    cache.prepare()
    cache.get("aus1", "kidA")
    cache.prepare()
    assert prepared == [1]
    SigningKeyCache(loader, clock.now).prepare()  # no hook: nothing to do


def test_prefetch_loads_on_another_thread_and_get_takes_that_key(loader, clock):
    cache = SigningKeyCache(loader, clock.now, background=True)
    loader.release = threading.Event()
    thread = cache.prefetch("aus1", "kidA")
    assert thread is not None and loader.entered.wait(5)
    got: list = []
    waiting = threading.Thread(target=lambda: got.append(cache.get("aus1", "kidA")))
    waiting.start()  # the request's get waits for the load in progress rather than loading again
    loader.release.set()
    thread.join(5)
    waiting.join(5)
    assert got[0].private_key == ("private-key", "aus1", "kidA")
    assert loader.calls == Counter({("aus1", "kidA"): 1})
    assert cache.prefetch("aus1", "kidA") is None  # cached: nothing to do


def test_prefetch_does_nothing_unless_built_for_the_background(cache, loader):
    assert cache.prefetch("aus1", "kidA") is None
    assert loader.calls == Counter()


def test_a_failed_prefetch_is_loaded_again_by_the_request_once_per_kid(loader, clock):
    """The failure is the request's to answer (its own load raises it); later requests are not prefetched again, so
    an outage costs each request one load, not two."""
    cache = SigningKeyCache(loader, clock.now, background=True)
    loader.fail = True
    cache.prefetch("aus1", "kidA").join(5)
    with pytest.raises(RuntimeError, match="secrets manager down"):
        cache.get("aus1", "kidA")
    assert cache.prefetch("aus1", "kidA") is None
    assert loader.calls == Counter({("aus1", "kidA"): 2})
    loader.fail = False
    assert cache.get("aus1", "kidA").kid == "kidA"
    cache.prefetch("aus1", "kidB").join(5)  # a rotated kid is prefetched once too
    assert cache.get("aus1", "kidB").kid == "kidB"
    assert loader.calls[("aus1", "kidB")] == 1
    cache.clear()  # as a new container: prefetched again
    cache.prefetch("aus1", "kidB").join(5)
    assert loader.calls[("aus1", "kidB")] == 2
