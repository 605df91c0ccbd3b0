"""How a warm container learns that the management API changed what it caches (docs/ARCHITECTURE.md "Staleness
bound"; the change log itself is ``chalicelib/changes.py``).

Before the token path reads a cached configuration or client record, it calls ``poll``. At most once per
``interval`` (1 s) that reads the change log, one small strongly consistent read, and hands every change key whose
stamp moved since the last read to ``changed`` (drop it, and load it consistently next time). Every other call is
one clock read and one comparison, so the warm path pays one read per second per container, not one per token.

When the change log cannot be read, the caches keep what they have: each entry still expires after
``TOKENMINT_CACHE_SECONDS``, the fallback bound. A container whose first reads failed cannot know what changed
before it first read the log, so it drops everything once when it finally does.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..changes import changed_keys
from ..errors import StorageUnavailableError

log = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(seconds=1)


class ChangeWatch:
    def __init__(self, read: Callable[[], Mapping[str, str]], changed: Callable[[str], None],
                 forget_all: Callable[[], None], now: Callable[[], datetime],
                 interval: timedelta = POLL_INTERVAL) -> None:
        self._read = read
        self._changed = changed
        self._forget_all = forget_all
        self._now = now
        self._interval = interval
        self._seen: dict[str, str] = {}
        self._checked_at: datetime | None = None
        self._missed = False  # a read failed before the first one that succeeded
        self._read_once = False
        self._lock = threading.Lock()

    def poll(self) -> None:
        """Apply what changed since the last read, if the last read is ``interval`` old (or there was none)."""
        now = self._now()
        checked = self._checked_at  # lock-free fast path: one attribute read per token
        if checked is not None and now - checked < self._interval:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread is reading the log right now; this request goes on with the caches
        try:
            if self._checked_at is not None and now - self._checked_at < self._interval:
                return
            self._checked_at = now
            try:
                current = dict(self._read())
            except StorageUnavailableError:
                self._missed = self._missed or not self._read_once
                log.warning("could not read the change log; caches fall back to their TTL")
                return
            if self._missed:
                self._forget_all()
                self._missed = False
            moved = changed_keys(self._seen, current)
            self._seen = current
            self._read_once = True
            for key in sorted(moved):
                self._changed(key)
        finally:
            self._lock.release()

    def note(self, key: str, stamp: str) -> None:
        """This container made the change itself (and dropped the key already): the next read need not drop it
        again. Only what was read is noted, so a later stamp by another writer still counts as a change."""
        with self._lock:
            if self._read_once:
                self._seen[key] = stamp
