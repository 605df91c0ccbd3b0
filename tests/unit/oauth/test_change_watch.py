"""A warm container follows the change log (chalicelib/oauth/change_watch.py): one read per second at most, every
moved stamp handed on once, failures leave the caches to their TTL."""
from __future__ import annotations

import threading
from datetime import timedelta

from chalicelib.clock import FixedClock
from chalicelib.errors import StorageUnavailableError
from chalicelib.oauth.change_watch import POLL_INTERVAL, ChangeWatch
from tests.unit.oauth.oauthfakes import NOW


class Log:
    """The change log's stamps as a store would answer them; ``down`` makes reads fail."""

    def __init__(self) -> None:
        self.stamps: dict[str, str] = {}
        self.reads = 0
        self.down = False

    def __call__(self) -> dict[str, str]:
        self.reads += 1
        if self.down:
            raise StorageUnavailableError("the configuration store is unavailable")
        return dict(self.stamps)


def watch_over(log: Log, clock: FixedClock) -> tuple[ChangeWatch, list[str], list[str]]:
    changed: list[str] = []
    forgotten: list[str] = []
    watch = ChangeWatch(log, changed.append, lambda: forgotten.append("all"), clock.now)
    return watch, changed, forgotten


def test_the_log_is_read_at_most_once_per_interval():
    log, clock = Log(), FixedClock(NOW)
    watch, _, _ = watch_over(log, clock)
    for _ in range(100):
        watch.poll()
    assert log.reads == 1
    clock.set(clock.now() + POLL_INTERVAL - timedelta(microseconds=1))
    watch.poll()
    assert log.reads == 1
    clock.advance(microseconds=1)
    watch.poll()
    assert log.reads == 2


def test_a_moved_stamp_is_handed_on_once():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, forgotten = watch_over(log, clock)
    log.stamps = {"server:a": "1"}
    watch.poll()
    assert changed == ["server:a"]  # the first read: what changed lately is read consistently next time
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert changed == ["server:a"]
    log.stamps = {"server:a": "2", "client:b": "1"}
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert changed == ["server:a", "client:b", "server:a"]
    assert forgotten == []


def test_a_pruned_stamp_is_no_news():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, _ = watch_over(log, clock)
    log.stamps = {"server:a": "1"}
    watch.poll()
    log.stamps = {}
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert changed == ["server:a"]


def test_a_noted_own_write_is_not_handed_on_again_but_a_later_write_is():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, _ = watch_over(log, clock)
    watch.poll()
    log.stamps = {"server:a": "mine"}
    watch.note("server:a", "mine")
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert changed == []
    log.stamps = {"server:a": "theirs"}
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert changed == ["server:a"]


def test_a_note_before_the_first_read_is_ignored():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, _ = watch_over(log, clock)
    watch.note("server:a", "mine")
    log.stamps = {"server:a": "mine"}
    watch.poll()
    assert changed == ["server:a"]


def test_a_failed_read_keeps_the_caches_and_is_retried_after_the_interval():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, forgotten = watch_over(log, clock)
    watch.poll()
    log.down = True
    log.stamps = {"server:a": "1"}
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    watch.poll()
    assert (log.reads, changed, forgotten) == (2, [], [])
    log.down = False
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert (changed, forgotten) == (["server:a"], [])  # the stamps it missed are still in the log


def test_a_container_whose_first_reads_failed_forgets_everything_once_it_reads():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, forgotten = watch_over(log, clock)
    log.down = True
    watch.poll()
    log.down = False
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert forgotten == ["all"]


def test_concurrent_polls_read_the_log_once():
    log, clock = Log(), FixedClock(NOW)
    entered, release = threading.Event(), threading.Event()

    def slow_read() -> dict[str, str]:
        entered.set()
        release.wait(5)
        return log()

    watch = ChangeWatch(slow_read, lambda key: None, lambda: None, clock.now)
    first = threading.Thread(target=watch.poll)
    first.start()
    entered.wait(5)
    others = [threading.Thread(target=watch.poll) for _ in range(8)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(5)
    assert all(not thread.is_alive() for thread in others)  # nobody waited for the read in progress
    release.set()
    first.join(5)
    assert log.reads == 1


def test_the_watch_vouches_only_for_a_recent_successful_read_of_a_record_with_a_floor():
    log, clock = Log(), FixedClock(NOW)
    watch, _, _ = watch_over(log, clock)
    assert watch.vouched(clock.now()) is None  # never read
    log.stamps = {"server:a": "20260101T000000.000000Z.1", "floor": "20250101T000000.000000Z.1"}
    watch.poll()
    read_at = clock.now()
    clock.advance(seconds=2 * POLL_INTERVAL.total_seconds())
    assert watch.vouched(clock.now()) == read_at
    clock.advance(microseconds=1)
    assert watch.vouched(clock.now()) is None  # no read since (another thread's read is slow): the TTL applies
    watch.poll()
    assert watch.vouched(clock.now()) == clock.now()
    log.down = True
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert watch.vouched(clock.now()) is None  # a failed read: the TTL applies at once


def test_a_record_without_a_floor_is_read_but_does_not_vouch():
    log, clock = Log(), FixedClock(NOW)
    watch, changed, _ = watch_over(log, clock)
    log.stamps = {"server:a": "1"}
    watch.poll()
    assert changed == ["server:a"] and watch.vouched(clock.now()) is None
    log.stamps = {}
    clock.advance(seconds=POLL_INTERVAL.total_seconds())
    watch.poll()
    assert watch.vouched(clock.now()) == clock.now()  # never written: nothing to miss
