"""The change log: how a management write reaches the caches of every warm container within a second
(docs/ARCHITECTURE.md "Staleness bound").

One small record per deployment maps a *change key* (what a cache holds: one server's configuration, one client
record) to a *stamp* (when it last changed, plus a random part, so two writes never share one). Every management
write sets the stamp of what it changed; every warm container reads the record at most once per second and drops
from its caches every key whose stamp differs from the one it saw last time.

This module is the pure part both sides share: the key names, the stamps and ``marked``, the planner of one write
to the record. It knows nothing of storage (``ports.ChangeLogStore``), of the caches (``oauth/change_watch.py``) or
of the admin services (``admin/change_notices.py``).

Why the record keeps a stamp for ``RETENTION`` (``LOG_TRUST`` + ``PRUNE_MARGIN``): while a container reads the
record successfully, its caches keep an entry until the record names it, for at most ``LOG_TRUST`` (one hour;
``oauth/cache.py``). That is sound only if every stamp stays in the record long enough for every such container to
read it: a container that last read the record at ``P`` sees every stamp written after ``P`` at its next successful
read, provided that read comes less than ``LOG_TRUST`` later (a container whose reads are further apart forgets
everything instead: ``oauth/change_watch.py``) and the stamp is kept ``LOG_TRUST`` past its time plus a margin for
clock skew between containers and the time a stamped write takes to reach the record (``PRUNE_MARGIN``; writers give
up on a stamp older than ``WRITE_WINDOW``).

Why the record stays small: beyond ``MAX_KEYS`` stamps, the oldest are pruned early. Whatever a write prunes, it
raises the record's ``FLOOR``: "every stamp newer than this time is still here", with a random part so a container
can tell that the floor moved. A container that sees the floor move past the time of its own previous read (minus
the margin) may have missed a pruned stamp and forgets every record it caches; one that read the record more
recently than that saw every pruned stamp already. A burst of writes thus costs the containers that were not
reading at the time a reload, never a wrong answer, and the item stays under ~35 KB (``MAX_KEYS`` stamps of ~65
bytes). ``EVERYTHING`` (one stamp that makes every container drop everything) is what versions without a floor
wrote instead; it is still obeyed and never pruned. A record that has stamps but no floor was last written by such a
version, whose writes pruned after ``TOKENMINT_CACHE_SECONDS`` + 60 s: containers do not let it vouch for their
caches, and the next write sets the floor to its own time (every container forgets everything once).
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
# Not a change key: the time before which stamps may have been pruned (module docstring).
FLOOR = "floor"
MAX_KEYS = 500
# The longest a cache entry is kept on the record's word (oauth/cache.py); keys/lifecycle.retention_for covers it.
LOG_TRUST = timedelta(hours=1)
PRUNE_MARGIN = timedelta(seconds=60)
RETENTION = LOG_TRUST + PRUNE_MARGIN
# A writer gives up on a stamp this old rather than write it late (admin/change_notices.py): well inside the margin.
WRITE_WINDOW = timedelta(seconds=20)
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


def floor_of(record: Mapping[str, str]) -> datetime | None:
    """The record's floor (stamps newer than it are all present); None when it has none."""
    floor = record.get(FLOOR)
    return stamped_at(floor) if floor is not None else None


def vouches(record: Mapping[str, str]) -> bool:
    """Whether the record keeps its stamps for ``RETENTION``: it carries a floor, or was never written."""
    return FLOOR in record or not record


def marked(current: Mapping[str, str], keys: Iterable[str], stamp: str, now: datetime,
           max_keys: int = MAX_KEYS, retention: timedelta = RETENTION) -> dict[str, str]:
    """The record after one write changed ``keys``: their stamps set to ``stamp``, stamps older than ``retention``
    removed, then the oldest beyond ``max_keys``, and the floor raised past whatever was removed."""
    keys = list(keys)
    oldest = now - retention
    floor = floor_of(current)
    moved = floor is None and any(key != FLOOR for key in current)  # written by a version that kept no floor
    floor = now if moved else (floor if floor is not None else oldest)
    record: dict[str, str] = {}
    dated: list[tuple[datetime, str]] = []
    for key, value in current.items():
        at = stamped_at(value)
        if key == FLOOR:
            continue
        if key == EVERYTHING or at is None:
            record[key] = value  # never pruned: see the module docstring
        elif at < oldest:
            floor, moved = max(floor, at), True
        elif key not in keys:
            record[key] = value
            dated.append((at, key))
    for key in keys:
        record[key] = stamp
    dated.sort()
    for at, key in dated[:max(0, len(record) - max_keys)]:
        del record[key]
        floor, moved = max(floor, at), True
    if len(record) > max_keys:  # only unreadable stamps or the keys of this write are left to prune
        return {EVERYTHING: stamp, FLOOR: new_stamp(stamped_at(stamp) or now)}
    record[FLOOR] = new_stamp(floor) if moved or FLOOR not in current else current[FLOOR]
    return record


def changed_keys(seen: Mapping[str, str], current: Mapping[str, str]) -> set[str]:
    """The keys whose stamp differs from the one seen last (new keys included; pruned ones are no news)."""
    return {key for key, stamp in current.items() if key != FLOOR and seen.get(key) != stamp}
