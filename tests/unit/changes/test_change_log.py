"""The change log's pure part (chalicelib/changes.py): keys, stamps, and what one write leaves in the record."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.changes import (
    EVERYTHING,
    FLOOR,
    LOG_TRUST,
    MAX_KEYS,
    PRUNE_MARGIN,
    RETENTION,
    WRITE_WINDOW,
    floor_of,
    vouches,
    changed_keys,
    client_key,
    marked,
    new_stamp,
    server_key,
    stamped_at,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
FLOOR_STAMP = new_stamp(NOW - RETENTION)


def test_keys_name_what_a_cache_holds():
    assert server_key("aus1") == "server:aus1"
    assert client_key("0oa1") == "client:0oa1"
    assert server_key("x") != client_key("x")


def test_stamps_carry_their_time_and_never_repeat():
    stamps = {new_stamp(NOW) for _ in range(200)}
    assert len(stamps) == 200
    assert {stamped_at(s) for s in stamps} == {NOW}


def test_a_stamp_this_version_cannot_read_has_no_time():
    assert stamped_at("garbage") is None


def test_a_write_sets_the_stamps_of_what_it_changed_and_keeps_recent_ones():
    recent = new_stamp(NOW - LOG_TRUST)
    record = marked({"server:a": recent, FLOOR: FLOOR_STAMP}, ["server:b", "client:c"], "S", NOW)
    assert record == {"server:a": recent, "server:b": "S", "client:c": "S", FLOOR: FLOOR_STAMP}


def test_stamps_are_kept_as_long_as_a_cache_entry_may_live_on_the_logs_word_plus_the_margin():
    assert RETENTION == LOG_TRUST + PRUNE_MARGIN
    assert PRUNE_MARGIN > WRITE_WINDOW  # a stamp reaches the log well inside the margin


def test_a_write_prunes_stamps_older_than_the_retention_and_raises_the_floor_past_them():
    old = new_stamp(NOW - RETENTION - timedelta(seconds=1))
    edge = new_stamp(NOW - RETENTION)
    record = marked({"server:old": old, "server:edge": edge, "server:odd": "unreadable",
                     FLOOR: new_stamp(NOW - timedelta(days=1))}, ["client:c"], "S", NOW)
    assert {k: v for k, v in record.items() if k != FLOOR} == {"server:edge": edge, "server:odd": "unreadable",
                                                                "client:c": "S"}
    assert floor_of(record) == NOW - RETENTION - timedelta(seconds=1)


def test_the_floor_changes_whenever_a_stamp_is_pruned_even_if_not_in_time():
    early = new_stamp(NOW - RETENTION - timedelta(hours=2))
    record = marked({"server:old": early, FLOOR: new_stamp(NOW - RETENTION)}, ["client:c"], "S", NOW)
    assert floor_of(record) == NOW - RETENTION
    assert record[FLOOR] != new_stamp(NOW - RETENTION) and "server:old" not in record


def test_a_write_that_prunes_nothing_keeps_the_floor():
    assert marked({FLOOR: FLOOR_STAMP}, ["server:a"], "S", NOW)[FLOOR] == FLOOR_STAMP


def test_the_first_write_sets_a_floor_older_than_anything_it_keeps():
    record = marked({}, ["server:a"], "S", NOW)
    assert floor_of(record) == NOW - RETENTION
    assert vouches(record) and vouches({})


def test_a_record_written_by_a_version_without_a_floor_gets_one_at_the_writers_time():
    """Those versions pruned after the cache TTL: whatever they pruned is older than now."""
    record = marked({"server:a": new_stamp(NOW)}, ["server:b"], "S", NOW)
    assert floor_of(record) == NOW
    assert not vouches({"server:a": new_stamp(NOW)})


def test_the_same_key_written_again_gets_the_new_stamp():
    assert marked({"server:a": new_stamp(NOW), FLOOR: FLOOR_STAMP}, ["server:a"], "S2", NOW) == \
        {"server:a": "S2", FLOOR: FLOOR_STAMP}


def test_beyond_max_keys_the_oldest_stamps_go_and_the_floor_rises_to_the_newest_of_them():
    current = {f"client:{i}": new_stamp(NOW - timedelta(seconds=10 - i)) for i in range(4)}
    record = marked({**current, FLOOR: FLOOR_STAMP}, ["client:new"], "S", NOW, max_keys=3)
    assert set(record) == {"client:2", "client:3", "client:new", FLOOR}
    assert floor_of(record) == NOW - timedelta(seconds=9)
    assert marked({**current, FLOOR: FLOOR_STAMP}, ["client:0"], "S", NOW, max_keys=4)[FLOOR] == FLOOR_STAMP


def test_the_record_stays_small_whatever_the_writes():
    record: dict[str, str] = {}
    for i in range(3 * MAX_KEYS):
        record = marked(record, [client_key(f"0oa{i:017d}")], new_stamp(NOW), NOW)
    assert len(record) == MAX_KEYS + 1  # the keys and the floor
    item_bytes = sum(len(k) + len(v) for k, v in record.items())
    assert item_bytes < 35 * 1024


def test_the_everything_stamp_is_never_pruned():
    everything = new_stamp(NOW - timedelta(days=1))
    record = marked({EVERYTHING: everything, FLOOR: FLOOR_STAMP}, ["server:a"], "S", NOW)
    assert {k: v for k, v in record.items() if k != FLOOR} == {EVERYTHING: everything, "server:a": "S"}


def test_changed_keys_are_new_or_restamped_ones_never_pruned_ones():
    seen = {"server:a": "1", "server:b": "1", "client:c": "1"}
    current = {"server:a": "1", "server:b": "2", "client:d": "1"}
    assert changed_keys(seen, current) == {"server:b", "client:d"}
    assert changed_keys({}, current) == set(current)
    assert changed_keys({}, {FLOOR: "x"}) == set()  # the floor is not a change key
