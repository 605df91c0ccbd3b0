"""Reading the System Log (``GET /api/v1/logs``): this container's buffered events written first, so an admin reads
what they just did, then one page of the table (audit/log_query.py)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..ports import LogEventStore
from .log_query import LogPage, parse_query, run
from .recorder import MAX_AGE, Recorder

# How far behind now a poll reads: longer than a batch write can take (2 s to connect, 5 s to read, 2 attempts:
# models.build_model), so no event is recorded behind a cursor already handed out.
POLL_LAG = timedelta(seconds=15)


class SystemLog:
    def __init__(self, store: LogEventStore, recorder: Recorder, now: Callable[[], datetime], retention: timedelta,
                 lag: timedelta = POLL_LAG) -> None:
        self._store = store
        self._recorder = recorder
        self._now = now
        self._retention = retention
        self.lag = lag

    def page(self, params: Mapping[str, str]) -> LogPage:
        """One page for a request's query parameters, or the ValidationError/InvalidPagingError/InvalidSearchError
        that says what is wrong with them."""
        query = parse_query(params)
        self._recorder.flush()
        return run(self._store, query, self._now(), retention=self._retention, lag=self.lag, late=MAX_AGE + self.lag)
