"""Which clients hold tokens of which server (Okta's ``GET /api/v1/authorizationServers/{id}/clients``).

Access tokens are never stored, so the token path notes the (server, client) pair instead: once per container and
pair per ``REFRESH``, never per token (the warm path budget allows no write per token). A note lives as long as the
longest access token it can cover (24 h, the maximum a rule allows) plus the refresh interval.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Callable, Protocol

from ..errors import StorageUnavailableError

log = logging.getLogger(__name__)

REFRESH = timedelta(hours=1)
LONGEST_TOKEN = timedelta(minutes=1440)


class HolderStore(Protocol):
    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None: ...


class TokenHolders:
    def __init__(self, store: HolderStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._noted: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget which pairs were noted: the next token of each pair notes it again."""
        with self._lock:
            self._noted.clear()

    def note(self, server_id: str, client_id: str) -> None:
        now = self._now()
        key = (server_id, client_id)
        last = self._noted.get(key)  # lock-free fast path (every token): a dict read is atomic under the GIL
        if last is not None and now - last < REFRESH:
            return
        with self._lock:
            last = self._noted.get(key)
            if last is not None and now - last < REFRESH:
                return
            self._noted[key] = now
        try:
            self._store.record_holder(server_id, client_id, now + LONGEST_TOKEN + REFRESH)
        except StorageUnavailableError:
            # The token is already minted; the listing is informational. Try again on the next token.
            with self._lock:
                self._noted.pop(key, None)
            log.warning("could not record that a client holds tokens of %s", server_id)
