"""The System Log's table in memory (``ports.LogEventStore``), with the DynamoDB backend's order and expiry."""
from __future__ import annotations

import bisect
import json
import threading
from datetime import datetime
from typing import Any, Sequence

from ...audit.log_keys import LogItem


class MemoryLogEvents:
    def __init__(self) -> None:
        self._partitions: dict[str, list[tuple[str, str, int]]] = {}  # sorted (sk, json, expiresAt)
        self._lock = threading.Lock()

    def append(self, items: Sequence[LogItem]) -> None:
        with self._lock:
            for entry in items:
                rows = self._partitions.setdefault(entry.partition, [])
                row = (entry.sort_key, entry.document, entry.expires_at)
                at = bisect.bisect_left(rows, (entry.sort_key,))
                if at < len(rows) and rows[at][0] == entry.sort_key:
                    rows[at] = row
                else:
                    rows.insert(at, row)

    def read(self, partition: str, low: str | None, high: str | None, descending: bool, limit: int,
             now: datetime) -> list[tuple[str, list[dict[str, Any]]]]:
        expired = int(now.timestamp())
        with self._lock:
            rows = list(self._partitions.get(partition, ()))
        selected = [(sk, doc) for sk, doc, expires in rows
                    if (low is None or sk >= low) and (high is None or sk <= high) and expires > expired]
        if descending:
            selected.reverse()
        return [(sk, json.loads(doc)) for sk, doc in selected[:limit]]

    def snapshot(self) -> object:
        with self._lock:
            return {k: list(v) for k, v in self._partitions.items()}

    def restore(self, snapshot: object) -> None:
        with self._lock:
            self._partitions = {k: list(v) for k, v in snapshot.items()}  # type: ignore[attr-defined]
