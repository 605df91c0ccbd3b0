"""The System Log's recorder (audit/recorder.py): admin events written at once, token events buffered and written in
batches, successes sampled and failures never, one JSON line per event, and what is lost when a container dies or
the table is down (the bound the docs state)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

from chalicelib.audit.event import FAILURE, Party, log_event
from chalicelib.audit.log_keys import EVENTS_PER_ITEM
from chalicelib.audit.recorder import BATCH, Recorder
from chalicelib.clock import FixedClock
from chalicelib.errors import StorageUnavailableError
from chalicelib.storage.memory.logs import MemoryLogEvents

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
ACTOR = Party(id="0oaclient", type="PublicClientApp")


class CountingStore(MemoryLogEvents):
    """The in-memory log store, counting batch writes; ``down`` makes every write fail as DynamoDB would."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.down = False

    def append(self, items) -> None:  # noqa: ANN001
        if self.down:
            raise StorageUnavailableError("the log table is unavailable")
        self.writes += 1
        super().append(items)

    def stored(self) -> int:
        """How many events the table holds (an item holds a batch)."""
        return sum(len(json.loads(doc)) for rows in self.snapshot().values() for _sk, doc, _exp in rows)  # type: ignore[union-attr]


def token_event(i: int, result: str = "SUCCESS") -> list[dict]:
    return [log_event("app.oauth2.as.token.grant.access_token", published=T0, actor=ACTOR, result=result,
                      debug={"jti": f"AT.{i}"})]


def recorder(store: CountingStore, clock: FixedClock, lines: list | None = None, **options) -> Recorder:
    emit = lines.append if lines is not None else (lambda _event: None)
    return Recorder(store, clock.now, retention=timedelta(days=90), emit=emit, **options)


def test_token_events_are_buffered_and_written_in_one_call_per_batch():
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock)
    for i in range(BATCH - 1):
        log.record_token(lambda i=i: token_event(i), success=True)
    assert store.writes == 0 and log.pending == BATCH - 1  # no write on any of these token requests
    log.record_token(lambda: token_event(99), success=True)
    assert store.writes == 1 and store.stored() == BATCH and log.pending == 0
    items = sum(len(rows) for rows in store.snapshot().values())  # type: ignore[union-attr]
    assert items == BATCH // EVENTS_PER_ITEM > 1  # items of 100 events, all in that one call


def test_a_buffer_older_than_max_age_is_written_by_the_next_request():
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock, max_age=timedelta(seconds=5))
    log.record_token(lambda: token_event(1), success=True)
    clock.advance(seconds=4)
    log.tick()
    assert store.writes == 0
    clock.advance(seconds=1)
    log.tick()
    assert store.stored() == 1


def test_an_admin_event_is_written_at_once_with_whatever_is_buffered():
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock)
    log.record_token(lambda: token_event(1), success=True)
    log.record(log_event("oauth2.as.created", published=T0, actor=ACTOR))
    assert store.writes == 1 and store.stored() == 2


def test_sampling_keeps_a_share_of_successes_and_every_failure():
    store, clock = CountingStore(), FixedClock(T0)
    draws = iter([0.1, 0.9] * 50)
    built = []

    def build(i: int, result: str = "SUCCESS"):  # noqa: ANN202
        built.append(i)
        return token_event(i, result)

    log = recorder(store, clock, sample=0.5, random=lambda: next(draws))
    for i in range(10):
        log.record_token(lambda i=i: build(i), success=True)
    assert built == [0, 2, 4, 6, 8]  # a success sampled out is never even built
    off = recorder(store, clock, sample=0.0)
    off.record_token(lambda: build(100), success=True)
    off.record_token(lambda: build(101, FAILURE), success=False)
    assert built[-1] == 101 and off.pending == 1


def test_every_event_is_one_json_line_in_the_function_log(caplog):
    store, clock = CountingStore(), FixedClock(T0)
    log = Recorder(store, clock.now, retention=timedelta(days=90))
    with caplog.at_level(logging.INFO, logger="tokenmint.audit.events"):
        log.record_token(lambda: token_event(1), success=True)
        log.record(log_event("oauth2.as.created", published=T0, actor=ACTOR))
    lines = [r.getMessage() for r in caplog.records if r.name == "tokenmint.audit.events"]
    assert [json.loads(line)["logEvent"]["eventType"] for line in lines] == \
        ["app.oauth2.as.token.grant.access_token", "oauth2.as.created"]
    assert all("\n" not in line for line in lines)


def test_a_container_that_dies_loses_at_most_a_batch_minus_one_from_the_table_and_nothing_from_its_log():
    """The stated bound (docs/ARCHITECTURE.md "System Log"): Lambda may reclaim a container between requests; what
    its buffer held never reaches the table, but its JSON lines were logged as each event was recorded."""
    store, clock = CountingStore(), FixedClock(T0)
    lines: list = []
    log = recorder(store, clock, lines)
    recorded = 3 * BATCH + BATCH - 1  # three full batches, then one short of a fourth
    for i in range(recorded):
        log.record_token(lambda i=i: token_event(i), success=True)
    del log  # reclaimed: nothing flushes it
    assert store.stored() == 3 * BATCH and recorded - store.stored() == BATCH - 1
    assert len(lines) == recorded


def test_when_the_table_is_down_events_wait_in_the_buffer_and_are_written_later():
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock, max_buffer=40, batch=10)
    store.down = True
    log.record(log_event("oauth2.as.created", published=T0, actor=ACTOR))  # the admin write itself stands
    for i in range(30):
        log.record_token(lambda i=i: token_event(i), success=True)
    assert store.stored() == 0 and log.pending == 31
    for i in range(30):
        log.record_token(lambda i=i: token_event(100 + i), success=True)
    assert log.pending <= 40  # bounded: the oldest are dropped (they are in the function's log)
    store.down = False
    clock.advance(seconds=1)
    log.flush()
    assert log.pending == 0 and store.stored() == 40


def admin_event(i: int) -> dict:
    return log_event("user.session.start", published=T0, actor=ACTOR, result="SUCCESS", debug={"n": i})


def test_always_kept_events_of_one_request_are_written_together_as_it_ends():
    """Issue 20: a sign-in records the session and the authorization it grants; one write, before the response."""
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock)
    log.record_token(lambda: token_event(1), success=True)
    started = log.request_started()
    log.record(admin_event(1))
    log.record_many([admin_event(2), admin_event(3)])
    assert store.writes == 0 and log.pending == 4
    log.request_ended(started)
    assert store.writes == 1 and store.stored() == 4 and log.pending == 0
    # outside a request (the rotation job, a script) they are written at once, as before
    log.record(admin_event(4))
    assert store.writes == 2


def test_a_busy_container_s_request_that_records_nothing_kept_writes_nothing_at_its_end():
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock)
    log.request_ended(log.request_started())  # the container's first request
    clock.advance(seconds=1)
    started = log.request_started()
    log.record_token(lambda: token_event(1), success=True)
    log.request_ended(started)
    assert store.writes == 0 and log.pending == 1  # a token event keeps waiting for its batch


def test_after_a_quiet_spell_a_request_writes_its_token_events_as_it_ends():
    """Lambda may reclaim a quiet container before its next request: a buffered event would never reach the
    table. The first request of a container, and one that comes 2 s or more after the previous, write at their
    end; requests closer together buffer."""
    store, clock = CountingStore(), FixedClock(T0)
    log = recorder(store, clock)

    def token_request(i: int) -> None:
        started = log.request_started()
        log.record_token(lambda: token_event(i), success=True)
        log.request_ended(started)

    token_request(1)
    assert store.writes == 1 and log.pending == 0  # the container's first request
    clock.advance(seconds=1)
    token_request(2)
    clock.advance(seconds=1)
    token_request(3)
    assert store.writes == 1 and log.pending == 2  # busy: buffered
    clock.advance(seconds=2)
    token_request(4)
    assert store.writes == 2 and log.pending == 0 and store.stored() == 4  # quiet before it: all written
    clock.advance(minutes=10)
    started = log.request_started()
    log.record_token(lambda: token_event(5), success=False)
    log.request_ended(started)
    assert store.writes == 3 and store.stored() == 5


def test_what_orjson_refuses_is_still_serialized():
    # Recorded after the work it describes, an event must not fail: a lone surrogate (a caller's header) becomes
    # U+FFFD, an integer beyond 64 bits (a free-form profile) is written whole by the standard library.
    from chalicelib.audit.recorder import serialize

    text = serialize({"ua": "a\ud800", "n": 10 ** 20, "ok": "Zoë"})
    assert json.loads(text) == {"ua": "a\ufffd", "n": 10 ** 20, "ok": "Zoë"}
    assert text.encode("utf-8")
