"""Keys of private_key_jwt clients registered with a jwks_uri (chalicelib.oauth.remote_jwks; RFC 7523 3, CAUTH-09):
cached per URI for ``ttl``, one refetch on an unknown kid at most once per ``refetch_interval``, no keys when the
fetch fails (the fetch itself: test_jwks_fetch.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import FixedClock
from chalicelib.oauth.remote_jwks import RemoteJwks
from tests.unit.oauth.oauthfakes import NOW, FakeFetcher

URI = "https://client.example/jwks"
OTHER = "https://other.example/jwks"
SET1 = {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}
SET2 = {"keys": [{"kty": "RSA", "kid": "k2", "n": "AQAB", "e": "AQAB"}]}
EMPTY = {"keys": []}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def fetcher() -> FakeFetcher:
    return FakeFetcher({URI: SET1, OTHER: SET2})


@pytest.fixture
def remote(clock, fetcher) -> RemoteJwks:
    return RemoteJwks(clock.now, fetcher, ttl=timedelta(minutes=5), refetch_interval=timedelta(minutes=1))


def test_first_use_fetches_then_the_set_is_cached_for_ttl(remote, fetcher, clock):
    assert remote.keys(URI, "k1") == SET1
    clock.advance(minutes=4, seconds=59)
    assert remote.keys(URI, "k1") == SET1
    assert remote.keys(URI, None) == SET1
    assert fetcher.calls == [URI]


def test_expired_cache_is_refetched(remote, fetcher, clock):
    remote.keys(URI, "k1")
    clock.advance(minutes=5)
    fetcher.documents[URI] = SET2
    assert remote.keys(URI, "k1") == SET2
    assert fetcher.calls == [URI, URI]


def test_each_uri_has_its_own_entry(remote, fetcher):
    assert remote.keys(URI, "k1") == SET1
    assert remote.keys(OTHER, "k2") == SET2
    assert remote.keys(URI, "k1") == SET1
    assert fetcher.calls == [URI, OTHER]


@pytest.mark.parametrize("wait, refetched", [
    (timedelta(seconds=0), False),
    (timedelta(seconds=59), False),
    (timedelta(seconds=60), True),
    (timedelta(minutes=4), True),
])
def test_unknown_kid_refetches_only_after_the_refetch_interval(remote, fetcher, clock, wait, refetched):
    remote.keys(URI, "k1")
    fetcher.documents[URI] = SET2
    clock.advance(seconds=wait.total_seconds())
    assert remote.keys(URI, "k2") == (SET2 if refetched else SET1)
    assert len(fetcher.calls) == (2 if refetched else 1)


def test_a_stream_of_unknown_kids_is_at_most_one_fetch_per_interval(remote, fetcher, clock):
    remote.keys(URI, "k1")
    for second in range(0, 180):
        clock.advance(seconds=1)
        remote.keys(URI, f"unknown-{second}")
    # 180 s of unknown kids: the first fetch plus one per minute.
    assert len(fetcher.calls) == 4


def test_a_refetch_resets_the_interval_even_when_the_kid_is_still_unknown(remote, fetcher, clock):
    remote.keys(URI, "k1")
    clock.advance(seconds=61)
    remote.keys(URI, "nope")
    clock.advance(seconds=30)
    remote.keys(URI, "nope")
    assert len(fetcher.calls) == 2


def test_fetch_failure_without_a_cached_set_means_no_keys(remote, fetcher):
    fetcher.error = TimeoutError("slow")
    assert remote.keys(URI, "k1") == EMPTY


@pytest.mark.parametrize("error", [OSError("refused"), ValueError("not a JWK set"), RuntimeError("boom")])
def test_any_fetch_error_is_contained(remote, fetcher, error):
    fetcher.error = error
    assert remote.keys(URI, None) == EMPTY


def test_failed_refetch_for_an_unknown_kid_keeps_the_fresh_set(remote, fetcher, clock):
    remote.keys(URI, "k1")
    clock.advance(seconds=90)
    fetcher.error = OSError("refused")
    assert remote.keys(URI, "k2") == SET1  # still fresh, and k2 is not in it anyway
    assert remote.keys(URI, "k1") == SET1


def test_failed_refetch_after_ttl_does_not_keep_using_the_stale_set(remote, fetcher, clock):
    """A client that removed a (compromised) key from its jwks_uri: once the cached set is older than ttl, a
    failing fetch must not extend its life."""
    remote.keys(URI, "k1")
    clock.advance(minutes=6)
    fetcher.error = OSError("refused")
    assert remote.keys(URI, "k1") == EMPTY


def test_failures_are_not_retried_more_than_once_per_interval(remote, fetcher, clock):
    fetcher.error = OSError("refused")
    for _ in range(10):
        assert remote.keys(URI, "k1") == EMPTY
        clock.advance(seconds=1)
    assert len(fetcher.calls) == 1
    clock.advance(seconds=60)
    fetcher.error = None
    assert remote.keys(URI, "k1") == SET1
    assert len(fetcher.calls) == 2


def test_a_set_with_junk_entries_does_not_raise(remote, fetcher, clock):
    fetcher.documents[URI] = {"keys": ["junk", 3, None, {"kid": "k1"}]}
    assert remote.keys(URI, "k1")["keys"][3] == {"kid": "k1"}
    assert remote.keys(URI, "other")["keys"][0] == "junk"  # cached; no exception on the kid lookup
