"""A per-container cache for what the token path reads: server configuration and client records.

The warm path must make no AWS call (DESIGN.md "The warm path budget"), so each warm container keeps what it read.
A change made through the management API drops its entry: at once on the writing container, within a second
elsewhere (``change_watch.py``). How long an entry the change log has not named is kept:

* ``ttl`` (``TOKENMINT_CACHE_SECONDS``, 30 s by default) on its own;
* past ``ttl``, while ``vouch`` (``ChangeWatch.vouched``) says the log confirmed a moment ago that nothing it has not
  named changed, up to ``longest`` (``changes.LOG_TRUST``, one hour: the bound for a change whose announcement was
  lost or that bypassed the management API). The time handed out with such a hit is that confirmation, not the
  read: the signer's staleness check (``keys/signer.py``) measures how long ago the kid was known to be current.

So when the log cannot be read, ``ttl`` is the bound again at once. Misses are cached too, so a stream of requests
for an unknown client cannot turn into a stream of reads.

Sized by memory, not by count: a deployment's configurations differ by two orders of magnitude in size (a server
with a few scopes against one with hundreds of claims and rules), so a count would either waste a Lambda's memory or
overflow it. Each entry's size is estimated once, when it is stored (``estimate_size``), and the least recently
used entries go first when the budget is full, so a working set that fits stays whatever the traffic's order (the
count-bounded FIFO this replaced evicted the hottest entry as readily as a cold one). An entry larger than the whole
budget is handed out but not kept.

An entry loaded while any entry was dropped (a change landed during the read) is handed out but not stored: it may
hold what the change replaced. Drops are rare (management writes), so this costs next to nothing.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Generic, Hashable, TypeVar

from ..changes import LOG_TRUST

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_BUDGET = 16 * 1024 * 1024
_MAX_DEPTH = 12


def estimate_size(value: Any, _depth: int = 0) -> int:
    """Bytes a value holds, roughly as CPython counts them: the object itself plus what it refers to (strings,
    containers, dataclass fields), to a fixed depth. Deterministic and cheap enough to run once per cache miss."""
    size = sys.getsizeof(value)
    if _depth >= _MAX_DEPTH or isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(estimate_size(k, _depth + 1) + estimate_size(v, _depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return size + sum(estimate_size(item, _depth + 1) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return size + sum(estimate_size(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    return size


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    evictions: int
    entries: int
    bytes: int
    budget: int

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


Vouch = Callable[[datetime], "datetime | None"]


class TTLCache(Generic[K, V]):
    """Entries younger than ``ttl``, or younger than ``longest`` while ``vouch`` answers (module docstring); least
    recently used evicted first once ``budget`` bytes are held."""

    def __init__(self, ttl: timedelta, now: Callable[[], datetime], budget: int = DEFAULT_BUDGET,
                 size_of: Callable[[Any], int] = estimate_size, *, vouch: Vouch | None = None,
                 longest: timedelta = LOG_TRUST) -> None:
        if budget < 0:
            raise ValueError("a cache budget cannot be negative")
        self._ttl = ttl
        self._vouch = vouch
        self._longest = longest
        self._now = now
        self._budget = budget
        self._size_of = size_of
        self._entries: OrderedDict[K, tuple[datetime, V, int]] = OrderedDict()
        self._bytes = 0
        self._drops = 0  # invalidations and clears so far, to spot a load that raced a change
        self._lock = threading.Lock()
        self._hits = self._misses = self._evictions = 0

    def get(self, key: K, load: Callable[[], V]) -> tuple[V, datetime]:
        """The cached value (loading it when absent or expired) and when it was last known current: when it was read,
        or the change log's later confirmation."""
        now = self._now()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                age = now - entry[0]
                if age < self._ttl:
                    self._entries.move_to_end(key)
                    self._hits += 1
                    return entry[1], entry[0]
                if self._vouch is not None and age < self._longest:
                    vouched = self._vouch(now)
                    if vouched is not None:
                        self._entries.move_to_end(key)
                        self._hits += 1
                        return entry[1], max(entry[0], vouched)
            self._misses += 1
            drops_before = self._drops
        value = load()
        size = self._size_of(value)
        with self._lock:
            if self._drops != drops_before:
                return value, now  # dropped while this read was under way: it may predate the change
            self._remove(key)
            if size <= self._budget:
                self._entries[key] = (now, value, size)
                self._bytes += size
                while self._bytes > self._budget:
                    self._remove(next(iter(self._entries)))
                    self._evictions += 1
        return value, now

    def invalidate(self, key: K) -> None:
        with self._lock:
            self._remove(key)
            self._drops += 1

    def clear(self) -> None:
        with self._lock:
            self._drops += 1
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, self._evictions, len(self._entries), self._bytes,
                              self._budget)

    def _remove(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]
