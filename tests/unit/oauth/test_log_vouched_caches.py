"""How long the token path keeps a configuration or client record (oauth/cache.py, oauth/change_watch.py,
changes.py): past ``TOKENMINT_CACHE_SECONDS`` while the change log is read successfully, until the log names it or it
is ``LOG_TRUST`` old; back to the short TTL after a failed read; everything forgotten when stamps may have been missed;
and the signer measures staleness from the log's last confirmation."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.changes import (
    FLOOR,
    LOG_TRUST,
    PRUNE_MARGIN,
    RETENTION,
    client_key,
    marked,
    new_stamp,
    server_key,
)
from chalicelib.clock import FixedClock
from chalicelib.errors import StorageUnavailableError
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS, StaleActiveKidError
from chalicelib.oauth.change_watch import POLL_INTERVAL
from chalicelib.oauth.token_path_caches import CacheSources, TokenPathCaches
from tests.unit.oauth.oauthfakes import NOW, FakeConfigLoader, rsa_key, server_config

TTL = timedelta(seconds=30)
SECOND = POLL_INTERVAL


class Log:
    """The change log's record as the store answers it; ``write`` plans a write as ``ChangeNotices`` does."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.record: dict[str, str] = {}
        self.down = False
        self.reads = 0

    def __call__(self) -> dict[str, str]:
        self.reads += 1
        if self.down:
            raise StorageUnavailableError("the configuration store is unavailable")
        return dict(self.record)

    def write(self, *keys: str, max_keys: int = 500) -> None:
        now = self.clock.now()
        self.record = marked(self.record, keys, new_stamp(now), now, max_keys=max_keys)


class Clients:
    def __init__(self) -> None:
        self.reads: list[str] = []

    def get_for_token(self, client_id: str, consistent: bool = False) -> object:
        self.reads.append(client_id)
        return {"client_id": client_id, "read": len(self.reads)}

    def verify_secret(self, client: object, presented: str) -> bool:
        return False


class Holders:
    def record_holder(self, server_id: str, client_id: str, until: object) -> None:
        return None


class World:
    def __init__(self, ttl: timedelta = TTL) -> None:
        self.clock = FixedClock(NOW)
        self.key = rsa_key("server-a")
        self.configs = FakeConfigLoader(server_config("aus_a", self.key))
        self.clients = Clients()
        self.log = Log(self.clock)
        self.log.write(server_key("aus_other"))  # a record with a floor, as any deployment has after one write
        self.caches = TokenPathCaches(
            CacheSources(configs=self.configs, default_server_id=lambda: None, clients=self.clients,
                         signing_keys=lambda _server, _kid: self.key, holders=Holders(), changes=self.log),
            ttl, self.clock.now)

    def config(self):
        return self.caches.configs.active("aus_a")

    def client(self):
        return self.caches.clients.find("svc")

    def pass_time(self, total: timedelta, step: timedelta = SECOND) -> None:
        """Requests once per ``step`` for ``total``: the log is polled as a busy container polls it."""
        end = self.clock.now() + total
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + step))
            self.caches.watch.poll()  # type: ignore[union-attr]


@pytest.fixture
def w() -> World:
    return World()


def test_an_entry_stays_past_the_ttl_while_the_log_is_read_and_hands_out_the_logs_confirmation(w):
    config, read_at = w.config()
    w.client()
    w.pass_time(timedelta(minutes=50))
    again, confirmed_at = w.config()
    assert again is config and w.configs.loads == ["aus_a"]
    assert w.clients.reads == ["svc"] and w.client()["read"] == 1
    assert read_at == NOW and confirmed_at == w.clock.now()  # the last read of the log, not the fetch


def test_an_entry_the_log_names_is_read_again(w):
    w.config(), w.client()
    w.pass_time(timedelta(minutes=10))
    w.log.write(server_key("aus_a"), client_key("svc"))
    w.pass_time(SECOND)
    w.config(), w.client()
    assert w.configs.loads == ["aus_a", "aus_a"] and w.clients.reads == ["svc", "svc"]


def test_an_entry_is_read_again_at_the_hard_bound_even_while_the_log_is_read(w):
    w.config()
    w.pass_time(LOG_TRUST - SECOND)
    w.config()
    assert w.configs.loads == ["aus_a"]
    w.pass_time(SECOND)
    w.config()
    assert w.configs.loads == ["aus_a", "aus_a"]


def test_after_a_failed_read_the_ttl_applies_and_the_next_good_read_restores_the_entry(w):
    w.config()
    w.pass_time(timedelta(minutes=5))
    w.log.down = True
    w.pass_time(SECOND)
    _config, read_at = w.config()  # older than the TTL and the log cannot vouch: read again
    assert w.configs.loads == ["aus_a", "aus_a"] and read_at == w.clock.now()
    w.pass_time(TTL - SECOND)
    w.config()
    assert len(w.configs.loads) == 2  # within the TTL of that read
    w.pass_time(SECOND)
    w.config()
    assert len(w.configs.loads) == 3  # the log is still down: the TTL is the bound
    w.log.down = False
    w.pass_time(timedelta(minutes=5))
    w.config()
    assert len(w.configs.loads) == 3  # vouched for again


def test_a_change_written_while_the_log_could_not_be_read_is_seen_at_the_next_good_read(w):
    w.config()
    w.pass_time(timedelta(minutes=5))
    w.log.down = True
    w.pass_time(SECOND)
    w.config()  # read again under the TTL
    w.log.down = False  # readable again, but this container has not polled yet
    w.log.write(server_key("aus_a"))
    w.pass_time(SECOND)
    w.config()
    assert len(w.configs.loads) == 3


def test_a_container_whose_reads_are_an_hour_apart_forgets_everything_first(w):
    w.config(), w.client()
    w.clock.set(w.clock.now() + LOG_TRUST)  # frozen: no request, no read
    w.config(), w.client()
    assert len(w.configs.loads) == 2 and len(w.clients.reads) == 2


def test_a_container_idle_for_less_than_the_retention_still_sees_a_change_made_meanwhile(w):
    w.config()
    w.pass_time(SECOND)
    w.log.write(server_key("aus_a"))
    for _ in range(58):  # other writes every minute prune what is older than the retention
        w.clock.set(w.clock.now() + timedelta(minutes=1))
        w.log.write(client_key("other"))
    w.pass_time(SECOND)
    w.config()
    assert w.configs.loads == ["aus_a", "aus_a"]


def test_a_floor_raised_past_the_previous_read_makes_the_container_forget_everything(w):
    w.config(), w.client()
    w.pass_time(timedelta(minutes=2))
    w.clock.set(w.clock.now() + timedelta(seconds=90))  # idle for a moment, then a burst of writes
    for i in range(4):
        w.log.write(client_key(f"burst{i}"), max_keys=3)  # the oldest stamps are pruned early
    w.pass_time(SECOND)
    w.config(), w.client()
    assert len(w.configs.loads) == 2 and len(w.clients.reads) == 2


def test_a_floor_raised_over_stamps_this_container_had_seen_forgets_nothing(w):
    w.config()
    w.pass_time(PRUNE_MARGIN + timedelta(minutes=1))
    for i in range(4):
        w.log.write(client_key(f"k{i}"))
        w.pass_time(SECOND)  # the container reads the log between the writes: it saw every stamp
    w.pass_time(PRUNE_MARGIN + SECOND)  # and kept reading it: the pruned stamps are older than the margin
    w.log.write(client_key("k9"), max_keys=3)
    w.pass_time(SECOND)
    w.config()
    assert w.configs.loads == ["aus_a"]


def test_a_record_without_a_floor_cannot_vouch(w):
    w.config()
    w.log.record = {server_key("aus_other"): new_stamp(w.clock.now())}  # written by a version that keeps none
    w.pass_time(TTL)
    w.config()
    assert len(w.configs.loads) == 2
    assert FLOOR not in w.log.record


def test_a_ttl_of_zero_caches_nothing_even_with_the_log():
    w = World(ttl=timedelta(0))
    w.config()
    w.pass_time(SECOND)
    w.config()
    assert len(w.configs.loads) == 2


def test_the_signer_accepts_a_kid_the_log_confirmed_long_after_the_read(w):
    config, _read_at = w.config()
    w.pass_time(DEFAULT_MAX_STALENESS * 3)
    config, confirmed_at = w.config()
    assert w.configs.loads == ["aus_a"]
    assert w.caches.signer.get("aus_a", config.server.signing_kid or "", kid_read_at=confirmed_at).kid


def test_the_signer_refuses_a_kid_the_log_stopped_confirming_longer_ago_than_its_bound(w):
    config, _ = w.config()
    w.pass_time(timedelta(minutes=10))
    _, confirmed_at = w.config()
    w.log.down = True
    w.clock.set(w.clock.now() + DEFAULT_MAX_STALENESS + SECOND)
    with pytest.raises(StaleActiveKidError):
        w.caches.signer.get("aus_a", config.server.signing_kid or "", kid_read_at=confirmed_at)


def test_a_rotation_reaches_the_signer_at_the_next_read_of_the_log(w):
    config, _ = w.config()
    w.pass_time(timedelta(minutes=10))
    rotated = replace(config, server=replace(config.server, signing_kid="new-kid"))
    w.configs.configs["aus_a"] = rotated
    w.log.write(server_key("aus_a"))  # a rotation writes the server's change key
    w.pass_time(SECOND)
    fresh, read_at = w.config()
    assert fresh.server.signing_kid == "new-kid" and read_at == w.clock.now()


def test_the_log_keeps_stamps_as_long_as_an_entry_may_live_on_its_word():
    assert RETENTION >= LOG_TRUST + PRUNE_MARGIN
