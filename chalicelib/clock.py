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

    def now(self) -> datetime:
        # Built from whole seconds rather than truncating datetime.now(): half the cost, on every token.
        return datetime.fromtimestamp(int(time.time()), timezone.utc)


class FixedClock:
    """A clock for tests that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._now = self._now + timedelta(**delta)


def okta_time(value: datetime) -> str:
    """Format a timestamp the way Okta does: ``2025-03-13T23:34:06.000Z``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_okta_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=timezone.utc)
