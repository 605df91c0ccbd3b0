"""The groups assigned to each app, as the user flows check them, cached per client (docs/ARCHITECTURE.md "Staleness
bound"; issue 20: a refresh at its floor of DynamoDB calls).

Whether a person may use an app through a group is the intersection of the person's groups (read fresh on every
request, with the person: a suspension or a removal from a group counts at once) and the groups assigned to the app.
The second is configuration of the app, written only through the Apps API (``/api/v1/apps/{id}/groups``), which
announces every such write under the client's change key (``admin/change_notices.NotifyingAppGroups``); so it is
cached like the client record itself (``cache.py``: the TTL, stretched while the change log vouches for it, one hour
at most): an assignment or an unassignment reaches this container at once when it made it, and every other warm
container within a second. Before issue 20 it was a strongly consistent Query on every refresh, sign-in and password
grant of a person assigned through a group.

A group deleted while still assigned needs no announcement: ``AppAssignmentService.access`` intersects the set with
the person's groups that still exist (read by id with the person), so a stale set that names a deleted group grants
nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import AbstractSet, Callable

from .cache import DEFAULT_BUDGET, CacheStats, TTLCache, Vouch

AppGroupSource = Callable[[str], AbstractSet[str]]


def _nothing() -> None:
    return None


class CachedAppGroups:
    """``assigned_group_ids(client_id)``: the ids of the groups assigned to the app (Everyone's included when it is
    assigned). ``freshen`` runs before every lookup (the change log's poll), ``vouch`` is its ``vouched``."""

    def __init__(self, source: AppGroupSource, ttl: timedelta, now: Callable[[], datetime],
                 freshen: Callable[[], None] = _nothing, budget: int = DEFAULT_BUDGET,
                 vouch: Vouch | None = None) -> None:
        self._source = source
        self._freshen = freshen
        self._cache: TTLCache[str, frozenset[str]] = TTLCache(ttl, now, budget, vouch=vouch)

    def assigned_group_ids(self, client_id: str) -> frozenset[str]:
        self._freshen()
        return self._cache.get(client_id, lambda: frozenset(self._source(client_id)))[0]

    def changed(self, client_id: str) -> None:
        """The app's assignments (or the client) changed: the next lookup reads them again."""
        self._cache.invalidate(client_id)

    def stats(self) -> CacheStats:
        return self._cache.stats()

    def clear(self) -> None:
        self._cache.clear()
