"""A faster local DynamoDB for the benches: moto's base-table Query reads the key's own partition, not the table.

moto (5.x) keeps a table's items by partition: ``Table.items[hash_key]`` is a dict ``range_key -> Item`` for a
table with a range key, the ``Item`` itself for a table without one. Its ``Table.query`` nevertheless takes the
candidates of a base-table Query (no ``IndexName``) from ``self.all_items()``, which lists and *sorts* every item of
the table, then keeps those whose hash key matches: each Query costs O(n log n) in the table's size. bench/scale.py
holds 61,000 configuration items at 1,000 servers and its children make thousands of Queries against moto's server
(which runs in the bench's process, on its threads), so moto, not the container under test, set the pace of the run.

``install`` wraps ``Table.query``: a base-table Query with a hash key runs moto's own ``query`` on a *view* of the
table, a shallow copy of the ``Table`` object whose ``items`` holds the one partition the key names (or nothing).
Everything else is moto's code, unchanged: ``all_items`` lists (and sorts) the partition, the hash-key match, the
sort on the range key, ``ScanIndexForward``, ``ExclusiveStartKey``, ``Limit``, the 1 MB page, range conditions,
filters and projections. The partition is the very set the original would keep (items are filed under their own hash
key, ``DynamoType`` hashes and compares by type and value), in the same order (``all_items`` sorts by hash then
range key), so the answer is the same; tests/unit/bench/test_fast_moto.py runs the same Queries with and without
the speed-up and compares them. The view shares the partition's dict and items (nothing is copied but the table's
attribute dict), so it needs no lock beyond what moto has, and it is thrown away when the Query returns.

Queries on an index (``IndexName``) are left to moto: its index branch also walks every item, but an index is
keyed by other attributes and moto keeps no map for it, and the token path makes none (the configuration and
client reads are GetItem and base-table Queries; bench/awscalls.py's counters show them per operation).

For benches only: it patches the third-party library in the bench's own process, never tokenmint's code.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_MARK = "_bench_fast_moto"


def partition_view(table: Table, hash_key: DynamoType) -> Table:
    """The table seen through one partition: a shallow copy of ``table`` whose ``items`` holds only the items filed
    under ``hash_key`` (``{}`` when there are none; ``items.get``, not ``items[...]``, so that the defaultdict of
    the real table does not grow an empty partition)."""
    view: Table = object.__new__(type(table))
    view.__dict__.update(table.__dict__)
    partition = table.items.get(hash_key)
    view.items = {} if partition is None else {hash_key: partition}  # type: ignore[assignment]
    return view


def installed() -> bool:
    return getattr(Table.query, _MARK, False) is True


def install() -> None:
    """Wrap ``Table.query`` (once; a second call does nothing). Call before moto's server serves a Query."""
    if installed():
        return
    original: Callable[..., Any] = Table.query
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
        # moto's backend passes ``index_name`` by position; binding finds it wherever it is.
        index_name = signature.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        if index_name or not isinstance(hash_key, DynamoType) or not self.hash_key_attr:
            return original(self, hash_key, *args, **kwargs)
        return original(partition_view(self, hash_key), hash_key, *args, **kwargs)

    setattr(query, _MARK, True)
    setattr(query, "_bench_original", original)
    Table.query = query  # type: ignore[method-assign]


def uninstall() -> None:
    """Put moto's own ``Table.query`` back (for tests that compare the two)."""
    if installed():
        Table.query = getattr(Table.query, "_bench_original")  # type: ignore[method-assign]
