"""Injectable clock and Okta's timestamp format.

Okta renders every timestamp as ISO-8601 UTC with a millisecond field that is always ``.000``
(okta-api.md section 1), so we keep second precision end to end.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock: timezone-aware UTC, truncated to whole seconds."""

    def __init__(self) -> None:
        self._last: tuple[int, datetime] = (0, datetime.fromtimestamp(0, timezone.utc))

    def now(self) -> datetime:
        # A token asks for the time several times (caches, claims); whole seconds change once a second, so the
        # datetime is built once per second and reused (datetimes are immutable; the tuple swap is atomic).
        second = int(time.time())
        last = self._last
        if last[0] != second:
            last = self._last = (second, datetime.fromtimestamp(second, timezone.utc))
        return last[1]


class FixedClock:
    """A clock for tests that only moves when told to. Code that takes a ``now`` callable gets ``clock.now``."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._now = self._now + timedelta(**delta)

    def set(self, when: datetime) -> None:
        """Jump to ``when``, forwards or back (a shared test world rewinds its clock between tests)."""
        self._now = when


def okta_time(value: datetime) -> str:
    """Format a timestamp the way Okta does: ``2025-03-13T23:34:06.000Z``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_okta_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=timezone.utc)
