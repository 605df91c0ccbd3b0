"""The System Log's table (``TOKENMINT_LOG_TABLE``): one item per event, keyed as ``audit/log_keys.py`` says,
``doc`` a batch of LogEvents (a JSON array), ``version`` 1, ``expiresAt`` the table's TTL (the retention). Written in batches
(BatchWriteItem, 25 items, no conditions: keys are unique), read one partition at a time by sort-key range."""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Sequence

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..audit.log_keys import LogItem
from ..errors import StorageUnavailableError
from .models import Item

UNAVAILABLE = "the log table is unavailable"
ATTEMPTS = 3
BACKOFF = 0.05  # seconds, times the attempt


class LogEventRepository:
    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def append(self, items: Sequence[LogItem]) -> None:
        """One BatchWriteItem (at most 25 items), the items in DynamoDB's wire form: the event's JSON is already
        made (pynamodb's model would build an object and serialize the document again for each, ~100 us an item).
        Unprocessed items (throttling) are sent again, a few times, then the batch counts as failed."""
        pending = [{"PutRequest": {"Item": {
            "pk": {"S": entry.partition}, "sk": {"S": entry.sort_key}, "doc": {"S": entry.document},
            "expiresAt": {"N": str(entry.expires_at)}, "version": {"N": "1"}}}} for entry in items]
        table = self._model.Meta.table_name
        try:
            for attempt in range(ATTEMPTS):
                if not pending:
                    return
                answer = self._connection.client.batch_write_item(RequestItems={table: pending})
                unprocessed = answer["UnprocessedItems"] if "UnprocessedItems" in answer else {}
                pending = unprocessed[table] if table in unprocessed else []
                if pending:
                    time.sleep(BACKOFF * (attempt + 1))
        except (BotoCoreError, ClientError):
            raise StorageUnavailableError(UNAVAILABLE) from None
        if pending:
            raise StorageUnavailableError(UNAVAILABLE)

    def read(self, partition: str, low: str | None, high: str | None, descending: bool, limit: int,
             now: datetime) -> list[tuple[str, list[dict[str, Any]]]]:
        if low is not None and high is not None and low > high:
            return []
        sk = self._model.sk
        if low is not None and high is not None:
            condition = sk.between(low, high)
        elif low is not None:
            condition = sk >= low
        elif high is not None:
            condition = sk <= high
        else:
            condition = None
        out: list[tuple[str, list[dict[str, Any]]]] = []
        expired = int(now.timestamp())
        try:
            for entry in self._model.query(partition, range_key_condition=condition, scan_index_forward=not descending,
                                           limit=limit, page_size=limit):
                if entry.expiresAt is not None and int(entry.expiresAt) <= expired:
                    continue
                events = entry.doc if isinstance(entry.doc, list) else []
                out.append((entry.sk, [e for e in events if isinstance(e, dict)]))
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return out
