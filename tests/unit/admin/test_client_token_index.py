"""The client token index's one-off build (admin/client_token_index.py): the pure plan, and runs over the in-memory
backend (tests/contract holds it to DynamoDB's semantics)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.admin.client_token_index import ClientTokenIndex, Step, plan
from chalicelib.clock import FixedClock
from chalicelib.oauth.refresh_tokens import Family
from chalicelib.storage.memory import InMemoryStorage
from chalicelib.storage.memory.table import Delete

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def test_the_first_run_starts_the_wait_and_the_scan_starts_an_hour_later():
    assert plan(None, T0) == Step({"state": "waiting", "since": T0.isoformat()})
    waiting = {"state": "waiting", "since": T0.isoformat()}
    assert plan(waiting, T0 + HOUR - timedelta(seconds=1)) == Step(None)
    assert plan(waiting, T0 + HOUR) == Step(None, scan=True, scan_from=None)


def test_a_scan_resumes_at_its_cursor_and_a_finished_index_does_nothing():
    assert plan({"state": "scanning", "cursor": {"pk": "x"}}, T0) == Step(None, scan=True, scan_from={"pk": "x"})
    assert plan({"state": "ready"}, T0) == Step(None)


def test_an_unreadable_or_naive_wait_starts_again_rather_than_being_trusted():
    for since in ("yesterday", None, "2026-01-01T10:00:00"):
        assert plan({"state": "waiting", "since": since}, T0) == Step({"state": "waiting", "since": T0.isoformat()})


def family(n: int) -> Family:
    return Family(id=f"f{n}", server_id=f"aus{n % 4}", client_id=f"0oa{n % 3}", user_id="00u1", scopes=("openid",),
                  auth_time=1, amr=("pwd",), grant_type="password", lifetime_minutes=600, window_minutes=60,
                  created=T0, last_updated=T0, ends_at=T0 + 10 * HOUR, expires_at=T0 + 10 * HOUR, current_hash=f"h{n}")


def an_earlier_release_s_table(families: int) -> InMemoryStorage:
    """Families written with their index items, then the items and the state removed, as an earlier release left
    its table."""
    storage = InMemoryStorage()
    for n in range(families):
        f = family(n)
        storage.refresh_tokens.create(f)
    table = storage._tables[2]  # the grants table
    table.write([Delete(pk, sk, "index") for pk, sk in table.keys() if pk.startswith("RTA#")])
    return storage


def test_runs_index_every_older_family_in_stretches_and_then_the_index_is_used():
    storage, clock = an_earlier_release_s_table(12), FixedClock(T0)
    index = ClientTokenIndex(storage.client_servers, clock, items_per_run=10)
    assert index.servers("0oa1") is None  # not ready: the caller looks everywhere
    assert index.run().state == "waiting"
    clock.advance(hours=1)
    states = [index.run() for _ in range(8)]
    assert [r.state for r in states][:3] == ["scanning", "scanning", "scanning"]  # ~5 items per family
    assert states[-1].state == "ready" and not states[-1].scanned  # a finished index does nothing more
    assert index.servers("0oa1") == sorted({family(n).server_id for n in range(12) if n % 3 == 1})
    assert index.servers("0oa9") == []


def test_a_run_that_finds_the_state_moved_by_another_leaves_it_and_its_stretch_is_read_again():
    storage, clock = an_earlier_release_s_table(3), FixedClock(T0)
    index = ClientTokenIndex(storage.client_servers, clock, items_per_run=4)
    index.run()
    clock.advance(hours=1)
    index.run()
    store = storage.client_servers

    class AnotherRunFirst:
        """The store, with another run saving its state between this run's read and write."""

        def __getattr__(self, name):
            return getattr(store, name)

        def save_index_state(self, doc, version):
            store.save_index_state({**store.index_state()[0], "by": "another"}, version)
            return store.save_index_state(doc, version)

    report = ClientTokenIndex(AnotherRunFirst(), clock, items_per_run=4).run()
    assert report.scanned and store.index_state()[0]["by"] == "another"


def test_a_new_table_needs_no_run():
    storage = InMemoryStorage()
    index = ClientTokenIndex(storage.client_servers, FixedClock(T0))
    assert index.ready() and index.run().state == "ready"
    f = family(1)
    storage.refresh_tokens.create(f)
    assert index.servers(f.client_id) == [f.server_id]
