"""The System Log's table (``TOKENMINT_LOG_TABLE``): one item per event, keyed as ``audit/log_keys.py`` says,
``doc`` the LogEvent, ``expiresAt`` the table's TTL (the retention). Written in batches (BatchWriteItem, 25 items,
no conditions: keys are unique), read one partition at a time by sort-key range."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..audit.log_keys import LogItem
from ..errors import StorageUnavailableError
from .models import Item

UNAVAILABLE = "the log table is unavailable"


class LogEventRepository:
    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def append(self, items: Sequence[LogItem]) -> None:
        try:
            with self._model.batch_write() as batch:
                for entry in items:
                    batch.save(self._model(entry.partition, entry.sort_key, doc=dict(entry.event),
                                           expiresAt=entry.expires_at, version=1))
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None

    def read(self, partition: str, after: str | None, before: str | None, descending: bool, limit: int,
             now: datetime) -> list[tuple[str, dict[str, Any]]]:
        if after is not None and before is not None and after >= before:
            return []
        sk = self._model.sk
        if after is not None and before is not None:
            condition = sk.between(after, before)
        elif after is not None:
            condition = sk > after
        elif before is not None:
            condition = sk < before
        else:
            condition = None
        out: list[tuple[str, dict[str, Any]]] = []
        expired = int(now.timestamp())
        try:
            # ``between`` includes both bounds, which are exclusive here: ask for two more and drop them.
            for entry in self._model.query(partition, range_key_condition=condition, scan_index_forward=not descending,
                                           limit=limit + 2, page_size=limit + 2):
                if entry.sk in (after, before) or (entry.expiresAt is not None and int(entry.expiresAt) <= expired):
                    continue
                out.append((entry.sk, dict(entry.doc or {})))
                if len(out) >= limit:
                    break
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return out
