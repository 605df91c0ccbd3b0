"""The system clock and Okta's timestamp format (chalicelib.clock)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from chalicelib.clock import FixedClock, SystemClock, okta_time, parse_okta_time


def test_system_clock_is_utc_whole_seconds_and_follows_real_time():
    clock = SystemClock()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    now = clock.now()
    after = datetime.now(timezone.utc)
    assert now.tzinfo is timezone.utc and now.microsecond == 0
    assert before <= now <= after


def test_system_clock_moves_on_with_the_next_second():
    clock = SystemClock()
    first = clock.now()
    deadline = time.monotonic() + 3
    while clock.now() == first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert clock.now() - first >= timedelta(seconds=1)


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert clock.now() == clock.now() == datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock.advance(seconds=90)
    assert clock.now() == datetime(2026, 1, 1, 0, 1, 30, tzinfo=timezone.utc)


def test_fixed_clock_can_be_set_forwards_and_back():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    clock.set(datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert clock.now() == datetime(2026, 3, 1, tzinfo=timezone.utc)
    clock.set(datetime(2025, 12, 31, tzinfo=timezone.utc))
    assert clock.now() == clock.now() == datetime(2025, 12, 31, tzinfo=timezone.utc)


def test_okta_time_round_trips():
    value = datetime(2025, 3, 13, 23, 34, 6, tzinfo=timezone.utc)
    assert okta_time(value) == "2025-03-13T23:34:06.000Z"
    assert parse_okta_time(okta_time(value)) == value
