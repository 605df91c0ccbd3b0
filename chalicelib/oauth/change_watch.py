"""How a warm container learns that the management API changed what it caches, and how long the change log may
vouch for its caches (docs/ARCHITECTURE.md "Staleness bound"; the change log itself is ``chalicelib/changes.py``).

Before the token path reads a cached configuration or client record, it calls ``poll``. At most once per
``interval`` (1 s) that reads the change log, one small strongly consistent read, and hands every change key whose
stamp moved since the last read to ``changed`` (drop it, and load it consistently next time). Every other call is
one clock read and one comparison, so the warm path pays one read per second per container, not one per token.

``vouched`` is what lets the caches keep an entry past ``TOKENMINT_CACHE_SECONDS`` (``oauth/cache.py``): the start of
the last successful read, while that read is recent (``2 * interval``: a read in progress elsewhere does not stretch
it), its record keeps its stamps for ``changes.RETENTION`` (it has a floor) and no read failed since. A stamp written
before that moment has been handed to ``changed``, so an entry the log has not named was still current then.

What makes the log unable to vouch:

* a failed read: until the next successful one, every entry expires after ``TOKENMINT_CACHE_SECONDS``, the fallback
  bound (the next successful read still hands on every stamp written meanwhile: the record keeps them);
* reads further apart than ``changes.LOG_TRUST`` (a Lambda frozen for an hour), or a floor that moved past the
  previous read (stamps this container never saw may have been pruned): everything is forgotten before the caches
  are trusted again;
* a container whose first reads failed cannot know what changed before it first read the log, so it drops
  everything once when it finally does.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..changes import FLOOR, LOG_TRUST, PRUNE_MARGIN, changed_keys, stamped_at, vouches
from ..errors import StorageUnavailableError

log = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(seconds=1)


class ChangeWatch:
    def __init__(self, read: Callable[[], Mapping[str, str]], changed: Callable[[str], None],
                 forget_all: Callable[[], None], now: Callable[[], datetime],
                 interval: timedelta = POLL_INTERVAL, trust: timedelta = LOG_TRUST) -> None:
        self._read = read
        self._changed = changed
        self._forget_all = forget_all
        self._now = now
        self._interval = interval
        self._fresh_for = 2 * interval
        self._trust = trust
        self._seen: dict[str, str] = {}
        self._checked_at: datetime | None = None
        self._read_at: datetime | None = None  # start of the last successful read
        self._vouched_at: datetime | None = None  # the same while the log may vouch for the caches, else None
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
                self._vouched_at = None
                log.warning("could not read the change log; caches fall back to their TTL")
                return
            if self._missed or self._lost_stamps(current, now):
                self._forget_all()
                self._missed = False
            moved = changed_keys(self._seen, current)
            self._seen = current
            self._read_once = True
            for key in sorted(moved):
                self._changed(key)
            self._read_at = now
            # Last: a request on another thread may use the new confirmation only once the drops are done.
            self._vouched_at = now if vouches(current) else None
        finally:
            self._lock.release()

    def _lost_stamps(self, current: Mapping[str, str], now: datetime) -> bool:
        """Whether a stamp this container never saw may have left the record since its previous read."""
        previous = self._read_at
        if previous is None:
            return False  # the first read: every stamp in the record is handed on, nothing was cached before it
        if now - previous >= self._trust:
            return True
        floor = current.get(FLOOR)
        if floor == self._seen.get(FLOOR):
            return False
        at = stamped_at(floor) if floor is not None else None
        return at is None or at > previous - PRUNE_MARGIN

    def vouched(self, now: datetime) -> datetime | None:
        """When the log last confirmed that no cached entry it has not named changed, if it may vouch for the caches
        at ``now``; None when they must rely on their TTL. Lock-free: read on every cache hit past the TTL."""
        vouched = self._vouched_at
        if vouched is None or now - vouched > self._fresh_for:
            return None
        return vouched

    def note(self, key: str, stamp: str) -> None:
        """This container made the change itself (and dropped the key already): the next read need not drop it
        again. Only what was read is noted, so a later stamp by another writer still counts as a change."""
        with self._lock:
            if self._read_once:
                self._seen[key] = stamp
