"""Management writes announce themselves (chalicelib/admin/change_notices.py): this container drops the key at once,
the change log records it for the others; races on the log are retried; a log that cannot be written never undoes
or fails the write."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.admin.change_notices import ATTEMPTS, ChangeNotices, NotifyingClientStore, NotifyingConfigStore
from chalicelib.changes import FLOOR, client_key, server_key, stamped_at
from chalicelib.clock import FixedClock
from chalicelib.domain import OAuthClient
from chalicelib.errors import StorageUnavailableError
from chalicelib.ports import ConfigStore, WriteConflict
from chalicelib.storage.memory import InMemoryStorage
from chalicelib.storage.memory.change_log import MemoryChangeLog
from chalicelib.storage.memory.table import Table
from tests.unit.oauth.oauthfakes import NOW, fake_client

TTL = timedelta(seconds=30)


class Racing(MemoryChangeLog):
    """A change log another writer writes to between our read and our write, ``races`` times."""

    def __init__(self, races: int) -> None:
        super().__init__(Table())
        self.races = races
        self.writes = 0

    def write(self, stamps, version):
        self.writes += 1
        if self.races:
            self.races -= 1
            current, stored = self.read()
            super().write({**current, "server:other": f"race{self.races}"}, stored)
        super().write(stamps, version)


class Down:
    def read(self):
        raise StorageUnavailableError("the configuration store is unavailable")

    def write(self, stamps, version):
        raise AssertionError("never reached")


def notices_over(log, dropped: list) -> ChangeNotices:
    return ChangeNotices(log, lambda key, stamp: dropped.append((key, stamp)), FixedClock(NOW).now,
                         sleep=lambda _s: None, jitter=lambda: 0.5)


def test_a_change_is_dropped_here_first_and_then_recorded_with_the_same_stamp():
    log, dropped = MemoryChangeLog(Table()), []
    notices_over(log, dropped).changed([server_key("a"), client_key("b")])
    stamps, version = log.read()
    assert [key for key, _ in dropped] == ["server:a", "client:b"]
    assert {k: v for k, v in stamps.items() if k != FLOOR} == {key: stamp for key, stamp in dropped}
    assert stamped_at(stamps["server:a"]) == NOW and version == 1


def test_a_lost_race_on_the_log_is_retried_and_keeps_the_other_writers_stamp():
    log, dropped = Racing(races=2), []
    notices_over(log, dropped).changed([server_key("a")])
    stamps, _ = log.read()
    assert stamps["server:a"] == dropped[0][1]
    assert stamps["server:other"] == "race0"
    assert log.writes == 3


def test_a_log_that_keeps_losing_gives_up_after_the_attempts_and_the_write_stands(caplog):
    log, dropped = Racing(races=ATTEMPTS), []
    notices_over(log, dropped).changed([server_key("a")])
    assert "server:a" not in log.read()[0]
    assert dropped and log.writes == ATTEMPTS
    assert "could not record a change" in caplog.text


def test_an_unavailable_log_still_drops_here_and_only_warns(caplog):
    dropped = []
    notices_over(Down(), dropped).changed([server_key("a")])
    assert [key for key, _ in dropped] == ["server:a"]
    assert "could not record a change of server:a" in caplog.text


# -- the stores announce their writes --------------------------------------------------------------------------------


def client(version: int | None = None, name: str = "App") -> OAuthClient:
    return replace(fake_client("0oa1", client_name=name), version=version)


def test_client_writes_are_announced_and_conflicts_are_not():
    storage, dropped = InMemoryStorage(), []
    store = NotifyingClientStore(storage.clients, notices_over(storage.changes, dropped))
    created = store.create(client())
    replaced = store.replace(created, client(created.version, "Renamed"))
    with pytest.raises(WriteConflict) as conflict:
        store.replace(created, client(created.version, "Again"))  # stale: nothing written, nothing announced
    store.delete(replaced)
    assert conflict.value.labels
    assert [key for key, _ in dropped] == ["client:0oa1"] * 3
    assert store.get("0oa1") is None


def test_a_write_that_failed_unavailable_may_have_written_and_is_announced():
    class Failing:
        def create(self, client):
            raise StorageUnavailableError("the directory is unavailable")

    dropped = []
    store = NotifyingClientStore(Failing(), notices_over(MemoryChangeLog(Table()), dropped))
    with pytest.raises(StorageUnavailableError):
        store.create(client())
    assert [key for key, _ in dropped] == ["client:0oa1"]


def test_every_write_of_the_configuration_store_names_its_server():
    """Each write method of ports.ConfigStore announces ``server:<id>`` of the server it was given."""
    calls = []

    class Recording:
        def __getattr__(self, name):
            return lambda *args: calls.append(name)

    class Server:
        id = "aus1"

    class Config:
        server = Server()

    dropped = []
    store = NotifyingConfigStore(Recording(), notices_over(MemoryChangeLog(Table()), dropped))
    s, x = Server(), object()
    store.create_server(Config())
    store.save_server(s)
    store.delete_server(s)
    store.save_keys(s, [], [], [], {})
    for write in (store.create_scope, store.delete_scope, store.create_claim, store.delete_claim):
        write("aus1", x)
    store.delete_rule("aus1", x, x)
    store.replace_scope("aus1", x, x)
    store.replace_claim("aus1", x, x)
    store.save_policy("aus1", x, None)
    store.delete_policy("aus1", x, x, [], None)
    store.save_rule("aus1", x, None)
    store.add_trusted_servers("aus1", [x])
    store.remove_trusted_server("aus1", x)
    reads = {"resolve_alias", "get_server", "list_servers", "load"}
    writes = {name for name in vars(ConfigStore) if not name.startswith("_")} - reads
    assert sorted(calls) == sorted(writes)
    assert [key for key, _ in dropped] == ["server:aus1"] * len(writes)


def test_a_change_that_could_not_be_recorded_is_recorded_with_the_next_one(caplog):
    class Flaky(MemoryChangeLog):
        down = True

        def read(self):
            if self.down:
                raise StorageUnavailableError("the configuration store is unavailable")
            return super().read()

    log, dropped = Flaky(Table()), []
    notices = notices_over(log, dropped)
    notices.changed([server_key("a")])
    log.down = False
    notices.changed([client_key("b")])
    stamps, _ = log.read()
    assert {"server:a", "client:b"} <= set(stamps)


def test_a_stamp_is_not_written_later_than_the_write_window():
    from chalicelib.changes import WRITE_WINDOW

    clock = FixedClock(NOW)

    class Slow(Racing):
        def read(self):
            clock.advance(seconds=WRITE_WINDOW.total_seconds())  # each attempt takes the whole window
            return super().read()

    log, dropped = Slow(races=1), []
    ChangeNotices(log, lambda key, stamp: dropped.append((key, stamp)), clock.now, sleep=lambda _s: None,
                  jitter=lambda: 0.5).changed([server_key("a")])
    assert log.writes == 1 and "server:a" not in log.read()[0]
