"""The change log store (ports.ChangeLogStore) on both backends: one record, written only over the version read."""
from __future__ import annotations

import pytest

from chalicelib.ports import L_VERSION, WriteConflict


def test_an_empty_log_reads_as_no_record(storage):
    assert storage.changes.read() == ({}, None)


def test_a_write_is_read_back_with_a_new_version(storage):
    storage.changes.write({"server:a": "s1"}, None)
    assert storage.changes.read() == ({"server:a": "s1"}, 1)
    storage.changes.write({"server:a": "s2", "client:b": "s2"}, 1)
    assert storage.changes.read() == ({"server:a": "s2", "client:b": "s2"}, 2)


def test_a_write_replaces_the_whole_record(storage):
    storage.changes.write({"server:a": "s1", "server:b": "s1"}, None)
    storage.changes.write({"*": "s2"}, 1)
    assert storage.changes.read()[0] == {"*": "s2"}


@pytest.mark.parametrize("stale", [None, 1, 3])
def test_a_write_over_a_version_that_is_not_current_writes_nothing(storage, stale):
    storage.changes.write({"server:a": "s1"}, None)
    storage.changes.write({"server:a": "s2"}, 1)
    with pytest.raises(WriteConflict) as conflict:
        storage.changes.write({"server:a": "lost"}, stale)
    assert conflict.value.labels == [L_VERSION]
    assert storage.changes.read() == ({"server:a": "s2"}, 2)


def test_the_log_does_not_disturb_the_servers_of_the_configuration_table(storage):
    storage.changes.write({"server:a": "s1"}, None)
    assert storage.config.list_servers() == []
    assert storage.config.load("CHANGES") is None
