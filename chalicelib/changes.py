"""The change log: how a management write reaches the caches of every warm container within a second
(docs/ARCHITECTURE.md "Staleness bound").

One small record per deployment maps a *change key* (what a cache holds: one server's configuration, one client
record) to a *stamp* (when it last changed, plus a random part, so two writes never share one). Every management
write sets the stamp of what it changed; every warm container reads the record at most once per second and drops
from its caches every key whose stamp differs from the one it saw last time.

This module is the pure part both sides share: the key names, the stamps and ``marked``, the planner of one write
to the record. It knows nothing of storage (``ports.ChangeLogStore``), of the caches (``oauth/change_watch.py``) or
of the admin services (``admin/change_notices.py``).

Why entries can be pruned: a cache entry is kept at most ``ttl`` (``TOKENMINT_CACHE_SECONDS``). An entry cached
before a change was written has expired by ``ttl`` after the change, whether or not its container saw the stamp.
So a stamp older than ``ttl`` (plus ``PRUNE_MARGIN`` for clock skew between writers) tells no container anything
and is removed by the next write. When more keys than ``MAX_KEYS`` changed within that window, the record
collapses to one ``EVERYTHING`` stamp, which makes every container drop every record it caches: slower for a
moment, never wrong, and the record stays a small item.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

EVERYTHING = "*"
SERVER = "server:"
CLIENT = "client:"
# The deployment's trusted origins, read whole by the CORS cache (oauth/cors_origins.py).
TRUSTED_ORIGINS = "trustedOrigins"
MAX_KEYS = 500
PRUNE_MARGIN = timedelta(seconds=60)
_STAMP_TIME = "%Y%m%dT%H%M%S.%fZ"


def server_key(server_id: str) -> str:
    """The key of one authorization server's whole configuration (server, scopes, claims, policies, rules, keys)."""
    return SERVER + server_id


def client_key(client_id: str) -> str:
    """The key of one OAuth client's record (as the token path caches it)."""
    return CLIENT + client_id


def new_stamp(now: datetime) -> str:
    """A stamp that sorts by time and is unique: two writes in the same microsecond still differ."""
    return f"{now.astimezone(timezone.utc).strftime(_STAMP_TIME)}.{secrets.token_hex(4)}"


def stamped_at(stamp: str) -> datetime | None:
    """When a stamp was made; None for one this version cannot read (kept, never pruned by mistake as old)."""
    try:
        return datetime.strptime(stamp.rsplit(".", 1)[0], _STAMP_TIME).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def marked(current: Mapping[str, str], keys: Iterable[str], stamp: str, now: datetime, ttl: timedelta,
           max_keys: int = MAX_KEYS) -> dict[str, str]:
    """The record after one write changed ``keys``: their stamps set to ``stamp``, stamps older than
    ``ttl + PRUNE_MARGIN`` removed, and everything collapsed to one ``EVERYTHING`` stamp when more than ``max_keys``
    would remain."""
    oldest = now - ttl - PRUNE_MARGIN
    record = {key: value for key, value in current.items()
              if key == EVERYTHING or (at := stamped_at(value)) is None or at >= oldest}
    for key in keys:
        record[key] = stamp
    if len(record) > max_keys:
        return {EVERYTHING: stamp}
    return record


def changed_keys(seen: Mapping[str, str], current: Mapping[str, str]) -> set[str]:
    """The keys whose stamp differs from the one seen last (new keys included; pruned ones are no news)."""
    return {key for key, stamp in current.items() if seen.get(key) != stamp}
