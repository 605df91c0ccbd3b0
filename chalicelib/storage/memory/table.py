"""An in-memory table with DynamoDB's semantics as tokenmint relies on them: items by partition and sort key,
a listing index, conditional writes on an item's ``version``, and transactions that write all or nothing and
name every failed condition. Documents are copied in and out as JSON, as a real store would, so no caller can
change a stored object by mutating what it read.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ...ports import WriteConflict

MAX_ITEMS = 100  # DynamoDB's limit per transaction: the in-memory backend refuses what DynamoDB would


@dataclass
class Record:
    doc: Any
    version: int
    gsi1: tuple[str, str] | None = None  # (gsi1pk, gsi1sk)
    expires: int | None = None


@dataclass(frozen=True)
class Put:
    """Write an item. ``version``: only if the stored version is this one (None: only if there is no item);
    ``overwrite``: unconditionally. The stored version becomes ``(version or 0) + 1``."""

    pk: str
    sk: str
    doc: Any
    label: str
    version: int | None = None
    overwrite: bool = False
    gsi1: tuple[str, str] | None = None
    expires: int | None = None


@dataclass(frozen=True)
class Delete:
    """Delete an item (absent: nothing to do). ``check_version``: only if the stored version is ``version``;
    ``when``: only if the item exists and satisfies it."""

    pk: str
    sk: str
    label: str
    version: int | None = None
    check_version: bool = False
    when: Callable[[Record], bool] | None = None


@dataclass(frozen=True)
class Require:
    """Fail unless the item exists."""

    pk: str
    sk: str
    label: str


Op = Put | Delete | Require


def _copy(doc: Any) -> Any:
    return None if doc is None else json.loads(json.dumps(doc))


@dataclass
class Table:
    _items: dict[tuple[str, str], Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- reads -----------------------------------------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> Record | None:
        with self._lock:
            found = self._items.get((pk, sk))
            return None if found is None else self._out(found)

    @staticmethod
    def _out(record: Record) -> Record:
        return Record(_copy(record.doc), record.version, record.gsi1, record.expires)

    def query(self, pk: str, prefix: str = "", after: str | None = None) -> list[tuple[str, Record]]:
        """Items of partition ``pk`` in sort-key order whose sort key starts with ``prefix`` and, with ``after``,
        is greater than ``after``."""
        with self._lock:
            found = sorted((sk, r) for (p, sk), r in self._items.items()
                           if p == pk and sk.startswith(prefix) and (after is None or sk > after))
            return [(sk, self._out(r)) for sk, r in found]

    def keys(self, after: tuple[str, str] | None = None, count: int | None = None) -> list[tuple[str, str]]:
        """Up to ``count`` item keys in key order after ``after`` (a Scan of keys; its order is DynamoDB's own)."""
        with self._lock:
            found = sorted(key for key in self._items if after is None or key > after)
            return found if count is None else found[:count]

    def index(self, gsi1pk: str, prefix: str = "", after: str | None = None) -> list[tuple[str, Record]]:
        """Items of the listing index partition ``gsi1pk`` in (gsi1sk, pk, sk) order, as the index holds them."""
        with self._lock:
            found = sorted((r.gsi1[1], key, r) for key, r in self._items.items()
                           if r.gsi1 is not None and r.gsi1[0] == gsi1pk and r.gsi1[1].startswith(prefix)
                           and (after is None or r.gsi1[1] > after))
            return [(gsk, self._out(r)) for gsk, _key, r in found]

    # -- writes ----------------------------------------------------------------------------------------------------

    def write(self, ops: Iterable[Op]) -> None:
        """Apply every operation or none; WriteConflict names the labels of all that failed."""
        ops = list(ops)
        if len(ops) > MAX_ITEMS:
            raise ValueError(f"transaction of {len(ops)} items exceeds DynamoDB's limit of {MAX_ITEMS}")
        with self._lock:
            failed = [op.label for op in ops if not self._holds(op)]
            if failed:
                raise WriteConflict(failed)
            for op in ops:
                if isinstance(op, Put):
                    self._items[(op.pk, op.sk)] = Record(_copy(op.doc), (op.version or 0) + 1, op.gsi1, op.expires)
                elif isinstance(op, Delete):
                    self._items.pop((op.pk, op.sk), None)

    def _holds(self, op: Op) -> bool:
        stored = self._items.get((op.pk, op.sk))
        if isinstance(op, Require):
            return stored is not None
        if isinstance(op, Put):
            if op.overwrite:
                return True
            return stored is None if op.version is None else stored is not None and stored.version == op.version
        if op.when is not None and (stored is None or not op.when(stored)):
            return False  # a condition on an attribute fails on an absent item, as in DynamoDB
        if op.check_version:
            return stored is None if op.version is None else stored is not None and stored.version == op.version
        return True

    def add(self, pk: str, sk: str, doc: Any, below: int | None = None) -> int | None:
        """Raise the item's version by one, creating it at 1, and set its document (an atomic counter). With
        ``below``: only while the version is below it (None, and nothing changed, otherwise)."""
        with self._lock:
            stored = self._items.get((pk, sk))
            if below is not None and (stored.version if stored else 0) >= below:
                return None
            version = (stored.version if stored else 0) + 1
            self._items[(pk, sk)] = Record(_copy(doc), version, stored.gsi1 if stored else None,
                                           stored.expires if stored else None)
            return version

    def snapshot(self) -> dict[tuple[str, str], Record]:
        with self._lock:
            return {key: self._out(r) for key, r in self._items.items()}

    def restore(self, items: dict[tuple[str, str], Record]) -> None:
        with self._lock:
            self._items = {key: self._out(r) for key, r in items.items()}

    def sweep(self, pk: str, keep: Callable[[str], bool] = lambda sk: False) -> list[str]:
        """Delete a partition (not atomically, like a batch write); the sort keys deleted."""
        with self._lock:
            gone = [sk for (p, sk) in self._items if p == pk and not keep(sk)]
            for sk in gone:
                del self._items[(pk, sk)]
            return sorted(gone)
