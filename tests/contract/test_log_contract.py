"""ports.LogEventStore on both backends: batches of events written as items, read back one partition at a time by
inclusive sort-key bounds, in either order, paged by ``limit``, expired items left out, a repeated write harmless."""
from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.audit.log_keys import LogItem, item, partition, time_key

from tests.contract.conftest import T0

PART = partition(T0, 0)


def at(minute: int, *names: str, expires: timedelta = timedelta(days=90)) -> LogItem:
    """An item of ``names`` in PART, recorded ``minute`` minutes after T0."""
    when = T0 + timedelta(minutes=minute)
    return LogItem(partition=PART, sort_key=f"{time_key(when)}#{minute:012d}#{'0' * 36}",
                   document=json.dumps([{"uuid": n, "eventType": n} for n in names]), count=len(names),
                   expires_at=int((when + expires).timestamp()))


def read(store, low=None, high=None, descending=False, limit=100, now=T0) -> list[tuple[int, list[str]]]:
    """(minute, event types) of each item read."""
    return [(int(sk.split("#")[1]), [e["eventType"] for e in events])
            for sk, events in store.read(PART, low, high, descending, limit, now)]


def test_items_come_back_in_sort_key_order_each_with_its_events_in_order(storage):
    store = storage.log_events
    store.append([at(2, "d"), at(1, "a", "b", "c")])
    assert read(store) == [(1, ["a", "b", "c"]), (2, ["d"])]
    assert read(store, descending=True) == [(2, ["d"]), (1, ["a", "b", "c"])]
    assert store.read(partition(T0, 1), None, None, False, 10, T0) == []


def test_bounds_are_inclusive_and_limit_pages(storage):
    store = storage.log_events
    store.append([at(m, f"e{m}") for m in range(10)])
    store.append([at(m, f"e{m}") for m in range(10, 30)])
    key = {m: at(m).sort_key for m in range(30)}
    assert [m for m, _ in read(store, key[3], key[5])] == [3, 4, 5]
    assert [m for m, _ in read(store, key[27], None)] == [27, 28, 29]
    assert [m for m, _ in read(store, None, key[2], descending=True)] == [2, 1, 0]
    assert [m for m, _ in read(store, limit=4)] == [0, 1, 2, 3]
    assert [m for m, _ in read(store, time_key(T0 + timedelta(minutes=5)), time_key(T0 + timedelta(minutes=7)))] \
        == [5, 6]  # a time bound sorts before every key of its instant
    assert read(store, key[9], key[2]) == []


def test_expired_items_are_left_out(storage):
    store = storage.log_events
    store.append([at(0, "short", expires=timedelta(hours=1)), at(1, "long")])
    assert read(store, now=T0 + timedelta(hours=2)) == [(1, ["long"])]


def test_writing_the_same_item_again_is_harmless(storage):
    store = storage.log_events
    store.append([at(0, "once")])
    store.append([at(0, "once")])
    assert read(store) == [(0, ["once"])]


def test_items_made_by_the_recorder_land_in_their_day_and_shard(storage):
    made = item([json.dumps({"uuid": "u", "eventType": "x"})], T0, 7, timedelta(days=90))
    storage.log_events.append([made])
    assert made.partition.startswith("LOG#2026-01-01#") and made.count == 1
    assert storage.log_events.read(made.partition, None, None, False, 10, T0) == [
        (made.sort_key, [{"uuid": "u", "eventType": "x"}])]
