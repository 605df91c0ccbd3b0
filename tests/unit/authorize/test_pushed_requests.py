"""Pushed authorization requests waiting for ``/v1/authorize`` (chalicelib.oauth.authorize.pushed; RFC 9126 2.2, 4;
PAR-01..PAR-03 in docs/security-cases/par.md). Pure: an in-memory store with the storage contract's semantics."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.clock import FixedClock
from chalicelib.oauth.authorize.pushed import LIFETIME, URN_PREFIX, PushedRequests, reference
from chalicelib.oauth.sessions import hash_secret

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


class Store:
    def __init__(self) -> None:
        self.items: dict[str, tuple[dict[str, Any], datetime]] = {}

    def create_pushed_request(self, id_hash: str, record: dict[str, Any], expires_at: datetime) -> bool:
        if id_hash in self.items:
            return False
        self.items[id_hash] = (record, expires_at)
        return True

    def take_pushed_request(self, id_hash: str, now: datetime) -> dict[str, Any] | None:
        found = self.items.pop(id_hash, None)
        return found[0] if found is not None and found[1] > now else None


def test_par02_request_uris_are_256_random_bits_stored_only_as_a_hash():
    store, clock = Store(), FixedClock(T0)
    pushed = PushedRequests(store, clock.now)
    uri, expires_in = pushed.push("aus1", "0oa1", {"state": ("s",)})
    assert expires_in == 60 == LIFETIME.total_seconds()
    ref = reference(uri)
    assert uri.startswith(URN_PREFIX) and ref is not None and len(ref) == 43
    assert list(store.items) == [hash_secret(ref)]
    assert ref not in repr(store.items)
    assert pushed.push("aus1", "0oa1", {})[0] != uri


def test_par01_par03_taken_once_and_not_after_its_lifetime():
    store, clock = Store(), FixedClock(T0)
    pushed = PushedRequests(store, clock.now)
    uri, _ = pushed.push("aus1", "0oa1", {"state": ("s",), "scope": ("openid",)})
    got = pushed.take(uri)
    assert got is not None and got.server_id == "aus1" and got.client_id == "0oa1"
    assert got.params == {"state": ("s",), "scope": ("openid",)}
    assert pushed.take(uri) is None
    late, _ = pushed.push("aus1", "0oa1", {})
    clock.advance(seconds=60)
    assert pushed.take(late) is None


def test_only_our_own_urns_are_references():
    assert reference(None) is None and reference("") is None
    assert reference("https://client.example/request.jwt") is None
    assert reference(URN_PREFIX + "x" * 42) is None and reference(URN_PREFIX + "x" * 44) is None
    assert reference(URN_PREFIX + "a" * 43) == "a" * 43


def test_a_damaged_record_is_no_request():
    store, clock = Store(), FixedClock(T0)
    pushed = PushedRequests(store, clock.now)
    store.items[hash_secret("b" * 43)] = ({"serverId": "aus1"}, T0.replace(year=2027))
    assert pushed.take(URN_PREFIX + "b" * 43) is None
