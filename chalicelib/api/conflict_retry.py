"""Lost optimistic-lock races are retried inside the request (issue 14; docs/ARCHITECTURE.md "Concurrent writes").

Okta's management API has no ETags for these resources: the last writer wins and priorities are renumbered on the
server, and no Okta client retries a 409. tokenmint's writes are conditional on the versions and order lists they
read, so two overlapping writes to one server can collide; the one that lost wrote nothing (every write is one
transaction, ``ports.WriteConflict``). When the caller did not send ``If-Match``, its intent does not depend on
what it read: the view is run again from the start, so it re-reads, re-applies the same request (a create goes
where its ``priority`` says, or last, among what exists now; a PUT replaces what is there now) and writes again.
Bounded attempts with jittered, growing pauses; only a caller who sent ``If-Match``, or one whose retries ran out,
gets the 409.

Only ``ConcurrentWriteError`` is retried: conflicts whose repetition would change the outcome (a rotation that ran
at the same time: rotating again would rotate twice) are plain ``ConflictError``s and answered at once.
"""
from __future__ import annotations

import functools
import random
import time
from typing import Any, Callable, TypeVar

from ..errors import ConcurrentWriteError

ATTEMPTS = 20  # contended writes commit one at a time: room for about as many writers at once
FIRST_PAUSE = 0.005  # seconds; doubled each attempt, times a jitter in [0.5, 1.5)
MAX_PAUSE = 0.2

R = TypeVar("R")


def pauses(attempts: int = ATTEMPTS, first: float = FIRST_PAUSE, ceiling: float = MAX_PAUSE,
           jitter: Callable[[], float] = random.random) -> list[float]:
    """The pauses between ``attempts`` tries: exponential, capped, jittered so racing requests fall apart."""
    return [min(ceiling, first * 2 ** n) * (0.5 + jitter()) for n in range(attempts - 1)]


def retrying(view: Callable[..., R], wants_precondition: Callable[[], bool], *,
             sleep: Callable[[float], None] = time.sleep,
             schedule: Callable[[], list[float]] = pauses) -> Callable[..., R]:
    """``view`` re-run after a ``ConcurrentWriteError`` unless ``wants_precondition()`` (the request's If-Match)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        waits = None
        while True:
            try:
                return view(*args, **kwargs)
            except ConcurrentWriteError:
                if wants_precondition():
                    raise
                if waits is None:
                    waits = schedule()
                if not waits:
                    raise
                sleep(waits.pop(0))

    return wrapper
