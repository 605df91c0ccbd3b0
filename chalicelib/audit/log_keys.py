"""How log events are keyed in their table (docs/ARCHITECTURE.md "System Log", data model).

``pk = LOG#{yyyy-mm-dd}#{shard}``, ``sk = {recorded}#{sequence}#{uuid}``: the day and the time an event was
*recorded* (written to the table), not published. Polling reads events in recording order, so an event that waited
in a container's buffer is still read after the events recorded before it, never skipped (okta-next.md 2.2: Okta
orders polling by persistence time too). A day's events are spread over ``SHARDS`` partitions so that a busy
deployment's writes never meet one partition's limit; readers merge them by ``sk``. ``expiresAt`` is the table's TTL.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Mapping

SHARDS = 4
_TIME = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True)
class LogItem:
    """One event as stored: its keys, the event and when the table may drop it."""

    partition: str
    sort_key: str
    event: Mapping[str, Any]
    expires_at: int  # epoch seconds


def time_key(at: datetime) -> str:
    """The sort-key prefix of an instant: sorts with the keys of events recorded then (fixed width)."""
    return at.astimezone(timezone.utc).strftime(_TIME)


def partition(day: datetime, shard: int) -> str:
    return f"LOG#{day.astimezone(timezone.utc):%Y-%m-%d}#{shard}"


def item(event: Mapping[str, Any], recorded: datetime, sequence: int, retention: timedelta) -> LogItem:
    uuid = str(event["uuid"])
    shard = zlib.crc32(uuid.encode()) % SHARDS
    return LogItem(partition=partition(recorded, shard),
                   sort_key=f"{time_key(recorded)}#{sequence:012d}#{uuid}",
                   event=event, expires_at=int((recorded + retention).timestamp()))


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
