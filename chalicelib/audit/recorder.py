"""The System Log's recorder: every event becomes one JSON line in the function's log (for operators' SIEMs, through
the packaged stack's CloudWatch Logs; where the line goes: audit/log_lines.py) and an item of the log table (for
``GET /api/v1/logs``). It implements the protocol core's port (``oauth/audit.AuditTrail``) and is what admin code
records through too.

Writes, by kind (docs/ARCHITECTURE.md "System Log", "Cost of the System Log"):

* Events that are always kept and not on the token path (management writes, sign-in, consent, keys) are written
  at once, with whatever the buffer holds; inside an HTTP request (``request_started`` .. ``request_ended``, the
  app's middleware) at the request's end, before its response leaves, so a request that records several (a sign-in
  and the authorization it grants) makes one write, not one per event.
* Token events go to a per-container buffer, written in one BatchWriteItem call (items of up to 100 events,
  audit/log_keys.py) when it holds ``batch`` events or its oldest is ``max_age`` old (checked whenever an event
  arrives or ``tick`` is called at the start of a request). A token therefore costs no synchronous write; one
  request in ``batch`` pays for one write of them all. That holds while the container is busy: a request that
  starts ``busy_gap`` or more after the container's previous one (or is its first) writes the buffer as it ends,
  because nothing says another request will come before Lambda reclaims the container. A quiet deployment then
  writes each token's event with its request (one call, when calls are few); a busy one, in batches.
* Successful token events are kept with probability ``sample`` (``TOKENMINT_LOG_TOKEN_SAMPLE``; 0 switches them
  off). Failures are always kept.

What can be lost: a container reclaimed by Lambda while its buffer holds events loses those (at most ``batch - 1``
token events, never an admin event), from the table only: their JSON lines are already in the function's log. Only
a busy container buffers, so that is at most the last ``max_age`` of a busy spell that Lambda ends without another
request (the Python 3.11 runtime gives no shutdown signal to write them). A
failed batch write stays in the buffer for the next attempt, up to ``max_buffer`` events (then the oldest are
dropped with a warning that says how many).
"""
from __future__ import annotations

import json
import logging
import random as randoms
import threading
from contextvars import ContextVar, Token
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import orjson

from ..errors import StorageUnavailableError
from ..ports import LogEventStore
from ..surrogates import replace_lone_surrogates
from .log_keys import EVENTS_PER_ITEM, batches, item
from .log_lines import logger_lines
from .template import RenderedEvent

log = logging.getLogger("tokenmint.audit")

# Token events written together: five items in one call. A call costs the token path ~1.1 ms of CPU whatever it
# carries; at 500 events rather than 100 that is ~30 µs less per token in the flow (docs/performance.md, issue 20),
# for a loss window (a reclaimed container's buffer, from the table only) of at most 499 events. At 100 tokens/s a
# container reaches ``MAX_AGE`` first anyway.
ITEMS_PER_WRITE = 5
BATCH = ITEMS_PER_WRITE * EVENTS_PER_ITEM
WRITE_ITEMS = 25                 # DynamoDB's BatchWriteItem maximum
MAX_AGE = timedelta(seconds=5)
MAX_BUFFER = 1000
# Requests of one container this close together (by the clock's whole seconds: up to ~3 s) count as busy traffic.
BUSY_GAP = timedelta(seconds=2)

# Set while this thread serves an HTTP request: always-kept events then wait for the request's end.
_in_request: ContextVar[bool] = ContextVar("tokenmint_audit_in_request", default=False)
# Set while this thread serves a request that came after a quiet spell: its end writes the buffer.
_quiet: ContextVar[bool] = ContextVar("tokenmint_audit_quiet", default=False)


def serialize(event: Mapping[str, Any]) -> str:
    """An event's JSON, made once: the log line wraps it and the table stores it as it is (orjson: a fifth of the
    standard library's time, on every token). The event is recorded after the work it describes, which must not
    then fail on what orjson refuses: a value UTF-8 cannot carry (a lone surrogate in a caller's header) is written
    as U+FFFD, an integer beyond 64 bits (a free-form profile's) by the standard library."""
    try:
        return orjson.dumps(event, default=str).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(replace_lone_surrogates(event), default=str, separators=(",", ":"), ensure_ascii=False)


class RequestMark(NamedTuple):
    """What ``request_started`` set for the request, for ``request_ended`` to reset."""

    in_request: Token[bool]
    quiet: Token[bool]


class Recorder:
    def __init__(self, store: LogEventStore, now: Callable[[], datetime], *, retention: timedelta,
                 sample: float = 1.0, batch: int = BATCH, max_age: timedelta = MAX_AGE,
                 max_buffer: int = MAX_BUFFER, busy_gap: timedelta = BUSY_GAP,
                 emit: Callable[[str], None] = logger_lines,
                 random: Callable[[], float] = randoms.random) -> None:
        self._store = store
        self._now = now
        self._retention = retention
        self.sample = sample
        self._batch = batch
        self._max_age = max_age
        self._max_buffer = max_buffer
        self._busy_gap = busy_gap
        self._last_request: datetime | None = None  # when this container's latest request started
        self._emit = emit
        self._random = random
        self._pending: list[str] = []  # the JSON of each event not written yet
        self._oldest: datetime | None = None
        self._sequence = 0
        self._lock = threading.Lock()
        self._kept_waiting = False  # an always-kept event waits for its request's end

    @property
    def pending(self) -> int:
        """How many events wait in the buffer."""
        return len(self._pending)

    def record(self, event: Mapping[str, Any] | RenderedEvent) -> None:
        """An event that is always kept: logged, then written with everything buffered."""
        self.record_many((event,))

    def record_many(self, events: Sequence[Mapping[str, Any] | RenderedEvent]) -> None:
        """Events that are always kept, written together with everything buffered: now, or at the end of the HTTP
        request being served."""
        for event in events:
            self._add(event)
        if _in_request.get():
            self._kept_waiting = True
        else:
            self.flush()

    def request_started(self) -> RequestMark:
        """An HTTP request starts on this thread: write the buffer if it is due (``tick``), keep always-kept events
        until ``request_ended``, and note whether the container was quiet before it (then its end writes)."""
        now = self._now()  # read once: the due check and the quiet spell both need it, on every token
        self.tick(now)
        previous, self._last_request = self._last_request, now
        quiet = previous is None or now - previous >= self._busy_gap
        return RequestMark(_in_request.set(True), _quiet.set(quiet))

    def request_ended(self, started: RequestMark) -> None:
        """The request's response is ready: write what it recorded that is always kept, with the buffer; after a
        quiet spell, the buffer whatever it holds."""
        quiet = _quiet.get()
        _in_request.reset(started.in_request)
        _quiet.reset(started.quiet)
        if self._kept_waiting or (quiet and self._pending):
            self._kept_waiting = False
            self.flush()

    def record_token(self, build: Callable[[], Sequence[Mapping[str, Any] | RenderedEvent]], success: bool) -> None:
        """The events of one token request (built only when kept; objects, or JSON already rendered), buffered."""
        if success and (self.sample <= 0 or (self.sample < 1 and self._random() >= self.sample)):
            return
        for event in build():
            self._add(event)
        if len(self._pending) >= self._batch or self._due():
            self.flush()

    def tick(self, now: datetime | None = None) -> None:
        """Write the buffer if its oldest event has waited ``max_age`` at ``now`` (by default the clock's now)."""
        if self._due(now):
            self.flush()

    def flush(self) -> None:
        """Write everything buffered; on failure keep it for the next attempt (the JSON lines are logged already)."""
        with self._lock:
            events, self._pending, self._oldest = self._pending, [], None
            if not events:
                return
            recorded = self._now()
            items = []
            for chunk in batches(events):
                self._sequence += 1
                items.append(item(chunk, recorded, self._sequence, self._retention))
        try:
            for start in range(0, len(items), WRITE_ITEMS):
                self._store.append(items[start:start + WRITE_ITEMS])
        except StorageUnavailableError:
            log.warning("the log table is unavailable: %d events wait for the next write", len(events))
            with self._lock:
                kept = events + self._pending
                dropped = max(0, len(kept) - self._max_buffer)
                if dropped:
                    log.error("the log table is unavailable: dropped the %d oldest events (they are in this log)",
                              dropped)
                self._pending = kept[dropped:]
                self._oldest = self._oldest or self._now()

    def _add(self, event: Mapping[str, Any] | RenderedEvent) -> None:
        """Log the event's line and buffer it."""
        document = event if isinstance(event, RenderedEvent) else serialize(event)
        self._emit('{"logEvent":' + document + "}")
        with self._lock:
            if not self._pending:
                self._oldest = self._now()
            self._pending.append(document)

    def _due(self, now: datetime | None = None) -> bool:
        oldest = self._oldest
        return oldest is not None and (now or self._now()) - oldest >= self._max_age
