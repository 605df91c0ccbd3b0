"""Per-container memo of what a client_credentials token's content depends on (issue 4, "Speed and cost").

For a client acting on its own behalf, the policy decision (okta-api.md 6.4) and the custom claims (5) are pure
functions of the server configuration, the client record and the requested scopes: ``policy.evaluate`` takes no
clock, and the expression language has no clock or randomness. Only ``jti``, ``iat`` and ``exp`` change from one
token to the next. So the decision and the claims are worked out once per (configuration, client, scopes) and
reused while both records stay the ones in the configuration and client caches.

An entry is keyed by ids but valid only for the very objects it was built from (``is``): when a cache reloads a
configuration or a client after its TTL, the reloaded object is a new one and the plan is rebuilt. A memo entry
therefore never outlives the records it was computed from, and the staleness bound of the token path stays the
TTL of those caches (``oauth/cache.py``).

It holds those objects weakly: a plan must not keep a configuration the cache has let go of alive (a server's
configuration is tens of KB, and with the TTL alone it is reloaded every 30 s: up to ``MAX_PLANS`` superseded copies
could stay pinned by plans nobody asks for any more). An entry whose configuration or client is gone is simply
rebuilt.
"""
from __future__ import annotations

import threading
import weakref
from typing import Callable, Generic, Hashable, TypeVar

P = TypeVar("P")

MAX_PLANS = 4096


class PlanMemo(Generic[P]):
    """Plans keyed by ``key``, each valid only for the configuration and client objects it was built from."""

    def __init__(self, max_entries: int = MAX_PLANS) -> None:
        self._max = max_entries
        self._entries: dict[Hashable, tuple[weakref.ref[object], weakref.ref[object], P]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, config: object, client: object, build: Callable[[], P]) -> P:
        entry = self._entries.get(key)
        if entry is not None and entry[0]() is config and entry[1]() is client:
            return entry[2]
        plan = build()
        with self._lock:
            if key not in self._entries and len(self._entries) >= self._max:
                # The oldest entry goes first; a container rarely sees more than a few (client, scopes) pairs.
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (weakref.ref(config), weakref.ref(client), plan)
        return plan

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
