"""How log events are keyed in their table (docs/ARCHITECTURE.md "System Log", data model).

One item holds the events one container wrote together (up to ``EVENTS_PER_ITEM``, ``ITEM_BYTES``), in the order
they were recorded: ``doc`` is their JSON array. One write per batch of events rather than one item per event: a
DynamoDB call costs the token path ~2 ms of CPU (request signing and serialization), a hundred tokens' worth of event
building; write units are per KB either way.

``pk = LOG#{yyyy-mm-dd}#{shard}``, ``sk = {recorded}#{sequence}#{uuid}``: the day and the time the batch was
*recorded* (its write started), not when its events were published. Polling reads in recording order, so an event
that waited in a container's buffer is read after the events recorded before it, never skipped (okta-next.md 2.2:
Okta orders polling by persistence time too). A day's batches are spread over ``SHARDS`` partitions so that a busy
deployment's writes never meet one partition's limit; readers merge them by ``sk``. A position in the log is
``(sk, index in the item)``. ``expiresAt`` is the table's TTL.
"""
from __future__ import annotations

import uuid as uuids
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator, Sequence

SHARDS = 4
EVENTS_PER_ITEM = 100
ITEM_BYTES = 300_000  # under DynamoDB's 400 KB item limit, with room for the keys
_TIME = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True)
class LogItem:
    """One batch of events as stored: its keys, the events as a JSON array (each serialized once, for its log line
    and the table), how many, and when the table may drop it."""

    partition: str
    sort_key: str
    document: str
    count: int
    expires_at: int  # epoch seconds


def time_key(at: datetime) -> str:
    """The sort-key prefix of an instant: sorts with the keys of events recorded then (fixed width)."""
    return at.astimezone(timezone.utc).strftime(_TIME)


def partition(day: datetime, shard: int) -> str:
    return f"LOG#{day.astimezone(timezone.utc):%Y-%m-%d}#{shard}"


def item(documents: Sequence[str], recorded: datetime, sequence: int, retention: timedelta) -> LogItem:
    """The item of events (``documents``: the JSON of each, in recording order) written at ``recorded``."""
    unique = str(uuids.uuid4())
    shard = zlib.crc32(unique.encode()) % SHARDS
    return LogItem(partition=partition(recorded, shard), sort_key=f"{time_key(recorded)}#{sequence:012d}#{unique}",
                   document="[" + ",".join(documents) + "]", count=len(documents),
                   expires_at=int((recorded + retention).timestamp()))


def batches(documents: Sequence[str]) -> Iterator[list[str]]:
    """``documents`` cut into items' worth: at most EVENTS_PER_ITEM events and ITEM_BYTES of JSON each."""
    chunk: list[str] = []
    size = 0
    for document in documents:
        if chunk and (len(chunk) >= EVENTS_PER_ITEM or size + len(document) > ITEM_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(document)
        size += len(document) + 1
    if chunk:
        yield chunk


def days(lower: datetime, upper: datetime, descending: bool) -> Iterator[datetime]:
    """Every UTC day from ``lower``'s to ``upper``'s, in reading order."""
    first = lower.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    last = upper.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    count = (last - first).days
    order = range(count, -1, -1) if descending else range(count + 1)
    for offset in order:
        yield first + timedelta(days=offset)


def recorded_at(sort_key: str) -> datetime:
    """The recording time of a sort key (or of a time-key prefix)."""
    return datetime.strptime(sort_key.split("#", 1)[0], _TIME).replace(tzinfo=timezone.utc)
