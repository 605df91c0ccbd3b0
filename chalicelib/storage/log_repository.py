"""The System Log's table (``TOKENMINT_LOG_TABLE``): one item per batch of events, keyed as ``audit/log_keys.py``
says, ``docz`` the batch of LogEvents (a JSON array) compressed with zlib, ``version`` 1, ``expiresAt`` the table's TTL
(the retention). Written in batches (BatchWriteItem, 25 items, no conditions: keys are unique), read one partition at
a time by sort-key range.

Why compressed: a batch's events repeat almost every byte (the same client, server, scopes, policy and rule), and
DynamoDB bills writes and storage by the KB. A hundred client_credentials events are ~130 KB of JSON and ~11 KB
compressed (zlib level 1, ~3 us an event): about a tenth of the write units and storage of the busiest table
(docs/performance.md "System Log"). Items written before (``doc``, the JSON array as a string) are still read.
"""
from __future__ import annotations

import json
import time
import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..audit.log_keys import LogItem
from ..errors import StorageUnavailableError
from .models import LogRecord

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

UNAVAILABLE = "the log table is unavailable"
ATTEMPTS = 3
BACKOFF = 0.05  # seconds, times the attempt
# zlib's fastest level: within 10 % of the default level's size at half its CPU (the token path pays it).
LEVEL = 1


def compress(document: str) -> bytes:
    """A batch's JSON as stored in ``docz``."""
    return zlib.compress(document.encode(), LEVEL)


def wire_item(entry: LogItem) -> dict[str, dict[str, Any]]:
    """The item as written, in DynamoDB's wire form."""
    return {"pk": {"S": entry.partition}, "sk": {"S": entry.sort_key}, "docz": {"B": compress(entry.document)},
            "expiresAt": {"N": str(entry.expires_at)}, "version": {"N": "1"}}


def events_of(doc: Any, docz: bytes | None) -> list[dict[str, Any]]:
    """The events of an item, whichever way it was written; an unreadable item reads as no events (a log read never
    fails for one damaged item)."""
    if docz is not None:
        try:
            doc = json.loads(zlib.decompress(docz))
        except (zlib.error, ValueError):
            return []
    return [e for e in doc if isinstance(e, dict)] if isinstance(doc, list) else []


class LogEventRepository:
    def __init__(self, model: type[LogRecord], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def append(self, items: Sequence[LogItem]) -> None:
        """One BatchWriteItem (at most 25 items), the items in DynamoDB's wire form: the event's JSON is already
        made (pynamodb's model would build an object and serialize the document again for each, ~100 us an item).
        Unprocessed items (throttling) are sent again, a few times, then the batch counts as failed."""
        pending = [{"PutRequest": {"Item": wire_item(entry)}} for entry in items]
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
        condition: Condition | None
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
                out.append((entry.sk, events_of(entry.doc, entry.docz)))
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return out
