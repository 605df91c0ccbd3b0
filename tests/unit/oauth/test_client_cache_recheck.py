"""CachedClients: a secret replaced by newSecret works at once; wrong secrets cause at most one re-read per
client per interval (oauth/clients.py)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from chalicelib.clock import FixedClock
from chalicelib.oauth.clients import CachedClients


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class FakeClient:
    client_id: str
    secret_hash: str

    @property
    def active_secret_hashes(self) -> tuple[str, ...]:
        return (self.secret_hash,)


class Directory:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.reads = 0

    def get_for_token(self, client_id: str, consistent: bool = False) -> FakeClient | None:
        self.reads += 1
        return self.client if client_id == self.client.client_id else None

    def verify_secret(self, client: FakeClient, presented: str) -> bool:
        return hmac.compare_digest(client.secret_hash, _hash(presented))


def _cache(directory: Directory) -> tuple[CachedClients, FixedClock]:
    from datetime import timedelta

    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    return CachedClients(directory, timedelta(seconds=30), clock.now), clock


def test_a_new_secret_works_at_once_and_the_old_one_until_the_cache_expires():
    directory = Directory(FakeClient("0oaAAAAAAAAAAAAAAAAA", _hash("old")))
    clients, clock = _cache(directory)
    cached = clients.find("0oaAAAAAAAAAAAAAAAAA")
    directory.client = replace(directory.client, secret_hash=_hash("new"))  # newSecret
    assert clients.verify_secret(cached, "new")
    assert clients.find("0oaAAAAAAAAAAAAAAAAA").secret_hash == _hash("new")
    assert not clients.verify_secret(clients.find("0oaAAAAAAAAAAAAAAAAA"), "old")


def test_wrong_secrets_cause_at_most_one_reread_per_interval():
    directory = Directory(FakeClient("0oaAAAAAAAAAAAAAAAAA", _hash("right")))
    clients, clock = _cache(directory)
    cached = clients.find("0oaAAAAAAAAAAAAAAAAA")
    assert directory.reads == 1
    for _ in range(20):
        assert not clients.verify_secret(cached, "wrong")
    assert directory.reads == 2
    clock.advance(seconds=6)
    assert not clients.verify_secret(cached, "wrong")
    assert directory.reads == 3
    assert clients.verify_secret(cached, "right")
