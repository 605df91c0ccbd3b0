"""The change log's pure part (chalicelib/changes.py): keys, stamps, and what one write leaves in the record."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.changes import (
    EVERYTHING,
    PRUNE_MARGIN,
    changed_keys,
    client_key,
    marked,
    new_stamp,
    server_key,
    stamped_at,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
TTL = timedelta(seconds=30)


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
    recent = new_stamp(NOW - TTL)
    record = marked({"server:a": recent}, ["server:b", "client:c"], "S", NOW, TTL)
    assert record == {"server:a": recent, "server:b": "S", "client:c": "S"}


def test_a_write_prunes_stamps_older_than_the_ttl_and_margin():
    old = new_stamp(NOW - TTL - PRUNE_MARGIN - timedelta(seconds=1))
    edge = new_stamp(NOW - TTL - PRUNE_MARGIN)
    record = marked({"server:old": old, "server:edge": edge, "server:odd": "unreadable"}, ["client:c"], "S", NOW, TTL)
    assert record == {"server:edge": edge, "server:odd": "unreadable", "client:c": "S"}


def test_the_same_key_written_again_gets_the_new_stamp():
    assert marked({"server:a": new_stamp(NOW)}, ["server:a"], "S2", NOW, TTL) == {"server:a": "S2"}


def test_too_many_keys_collapse_into_one_everything_stamp():
    current = {f"client:{i}": new_stamp(NOW) for i in range(4)}
    assert marked(current, ["client:new"], "S", NOW, TTL, max_keys=4) == {EVERYTHING: "S"}
    assert len(marked(current, ["client:0"], "S", NOW, TTL, max_keys=4)) == 4


def test_the_everything_stamp_is_never_pruned():
    everything = new_stamp(NOW - timedelta(days=1))
    assert marked({EVERYTHING: everything}, ["server:a"], "S", NOW, TTL) == {EVERYTHING: everything, "server:a": "S"}


def test_changed_keys_are_new_or_restamped_ones_never_pruned_ones():
    seen = {"server:a": "1", "server:b": "1", "client:c": "1"}
    current = {"server:a": "1", "server:b": "2", "client:d": "1"}
    assert changed_keys(seen, current) == {"server:b", "client:d"}
    assert changed_keys({}, current) == set(current)
