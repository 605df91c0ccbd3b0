"""``GET /api/v1/logs``: Okta's query parameters, and pages read from the log table (okta-next.md 2.1, 2.2).

Two kinds of request, as Okta has them:

* **Polling** (no ``until``, ``sortOrder=ASCENDING``): events in the order they were recorded, from ``since`` (or
  the ``after`` cursor) up to a *horizon* ``lag`` before now. Every page has a ``next`` cursor, also an empty one,
  so a client polls by following it. Each event is returned exactly once: a cursor is a recording-time key, and
  an event is recorded with the time its write starts, which completes within ``lag`` (the client's timeouts are
  shorter), so nothing is ever recorded behind a horizon already handed out.
* **Bounded** (``until`` given, or ``DESCENDING``): events *published* in ``[since, until]``, read in recording
  order (which differs from publishing order by at most the recorder's buffer age); the last page has no ``next``.
  An event recorded more than ``late`` after ``until`` is not found (Okta: "rare late events may be missing").

``since`` defaults to 7 days before ``until``; nothing older than the retention is returned. A page reads at most
``SCAN_BUDGET`` stored events: a selective ``filter`` over a long range returns a short (even empty) page with a
``next`` cursor rather than a timeout.
"""
from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterator, Mapping

from ..admin.directory_search import LOGS, TEXT, InvalidSearchError, Node, matches, parse, parse_datetime
from ..errors import InvalidPagingError, ValidationError
from ..ports import LogEventStore
from .log_keys import SHARDS, days, partition, recorded_at, time_key

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_WINDOW = timedelta(days=7)
SCAN_BUDGET = 5000
READ_PAGE = 200
MAX_KEYWORDS = 10
MAX_KEYWORD_LENGTH = 40

# A place in the log: (item sort key, index of the event in the item); a time bound has index -1.
Position = tuple[str, int]

ASCENDING = "ASCENDING"
DESCENDING = "DESCENDING"

# Members a filter may name (dotted, below these roots); ``published`` is not one (Okta's rule).
_ROOTS = ("uuid", "eventType", "legacyEventType", "severity", "displayMessage", "version", "actor.", "client.",
          "outcome.", "target.", "transaction.", "debugContext.debugData.", "authenticationContext.",
          "securityContext.", "request.")
_NO_CONTAINS = ("debugContext.debugData.url", "debugContext.debugData.requestUri")


class _Members(Mapping[str, str]):
    """Every filterable member is text (the kind directory_search needs)."""

    def __getitem__(self, name: str) -> str:
        if any(name == root or (root.endswith(".") and name.startswith(root)) for root in _ROOTS) \
                and "changeDetails" not in name:
            return TEXT
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass(frozen=True)
class LogQuery:
    since: datetime | None
    until: datetime | None
    after: Position | None  # the decoded cursor: the position to continue after
    filter: Node | None
    keywords: tuple[str, ...]
    limit: int
    descending: bool

    @property
    def polling(self) -> bool:
        return self.until is None and not self.descending


@dataclass(frozen=True)
class LogPage:
    events: list[dict[str, Any]]
    next_cursor: str | None   # encoded, for the ``next`` link; None: the last page


def _time(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise ValidationError(name, [f"{name}: '{raw}' is not an ISO 8601 timestamp, such as "
                                     "2026-01-01T00:00:00.000Z."])
    return parsed


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise InvalidPagingError("Invalid paging request.") from None
    if value < 0:
        raise InvalidPagingError("Invalid paging request.")
    return min(value, MAX_LIMIT)


def _filter(raw: str | None) -> Node | None:
    if raw is None or raw.strip() == "":
        return None
    node = parse(raw, "filter", _Members(), mode=LOGS)
    _refuse_contains(node)
    return node


def _refuse_contains(node: Node) -> None:
    left, right = getattr(node, "left", None), getattr(node, "right", None)
    if left is not None and right is not None:
        _refuse_contains(left)
        _refuse_contains(right)
        return
    if getattr(node, "operator", None) == "co" and getattr(node, "attribute", "") in _NO_CONTAINS:
        raise InvalidSearchError("filter", f"The operator 'co' is not supported for '{node.attribute}'.")  # type: ignore[union-attr]


def _keywords(raw: str | None) -> tuple[str, ...]:
    words = tuple(w.casefold() for w in (raw or "").split())
    if len(words) > MAX_KEYWORDS:
        raise ValidationError("q", [f"q: Freeform search cannot contain more than {MAX_KEYWORDS} items."])
    if any(len(w) > MAX_KEYWORD_LENGTH for w in words):
        raise ValidationError("'q'", ["q: Freeform search cannot contain items longer than "
                                      f"{MAX_KEYWORD_LENGTH} characters. Please shorten the following terms: "
                                      + ", ".join(w for w in words if len(w) > MAX_KEYWORD_LENGTH)])
    return words


def encode_cursor(position: Position, descending: bool, since: datetime | None = None) -> str:
    """A cursor: the position the next page continues after, the order it is for and (bounded queries) the
    ``since`` of the first page, which the ``next`` link cannot carry."""
    value: dict[str, Any] = {"k": position[0], "i": position[1], "d": descending}
    if since is not None:
        value["s"] = time_key(since)
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,400}")
_KEY = re.compile(r"\d{8}T\d{12}(#\d{12}#[0-9a-f-]{36})?")


def decode_cursor(cursor: str, descending: bool) -> tuple[Position, datetime | None]:
    """The position a cursor continues after and the first page's ``since``; a cursor that is not ours, or is for
    the other order, is Okta's E0000029 (it cannot be followed)."""
    if not _CURSOR.fullmatch(cursor):
        raise InvalidPagingError("Invalid paging request.")
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidPagingError("Invalid paging request.") from None
    if not isinstance(value, dict) or not isinstance(value.get("k"), str) or value.get("d") is not descending \
            or not _KEY.fullmatch(value["k"]) or type(value.get("i")) is not int or not -1 <= value["i"] < 10_000:
        raise InvalidPagingError("Invalid paging request.")
    since = value.get("s")
    if since is not None and not (isinstance(since, str) and _KEY.fullmatch(since)):
        raise InvalidPagingError("Invalid paging request.")
    return (str(value["k"]), int(value["i"])), recorded_at(since) if since else None


def parse_query(params: Mapping[str, str]) -> LogQuery:
    """The query a request's parameters ask for, or the 400 that says what is wrong with them."""
    order = (params.get("sortOrder") or ASCENDING).upper()
    if order not in (ASCENDING, DESCENDING):
        raise ValidationError("sortOrder", ["sortOrder: must be ASCENDING or DESCENDING."])
    descending = order == DESCENDING
    since, until = _time(params, "since"), _time(params, "until")
    raw_after = params.get("after") or None
    if since is not None and until is not None and since > until:
        raise ValidationError("since", ["since: must not be later than 'until'."])
    after: Position | None = None
    if raw_after is not None:
        # Okta documents ``after`` and ``since`` as exclusive and its ``next`` links carry no ``since``; the official
        # SDK's ``paginate_all`` sends the first call's ``since`` again with every ``after``. The cursor wins: it
        # holds where the next page starts and the first page's ``since``.
        after, since = decode_cursor(raw_after, descending)
    return LogQuery(since=since, until=until, after=after,
                    filter=_filter(params.get("filter")), keywords=_keywords(params.get("q")),
                    limit=_limit(params.get("limit")), descending=descending)


# -- evaluation --------------------------------------------------------------------------------------------------


def member(event: Mapping[str, Any], path: str) -> Any:
    """A dotted member of an event; over ``target`` (a list), the tuple of every target's value."""
    parts = path.split(".")
    if parts[0] == "target":
        values = tuple(v for t in event.get("target") or () if (v := member(t, ".".join(parts[1:]))) is not None)
        return values or None
    value: Any = event
    for part in parts:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def wanted(event: Mapping[str, Any], query: LogQuery, since: datetime | None, until: datetime | None) -> bool:
    if since is not None or until is not None:
        published = parse_datetime(str(event.get("published", "")))
        if published is None or (since is not None and published < since) or \
                (until is not None and published > until):
            return False
    if query.filter is not None and not matches(query.filter, lambda path: member(event, path)):
        return False
    if query.keywords:
        text = _text({k: v for k, v in event.items() if k != "uuid"}).casefold()
        return all(word in text for word in query.keywords)
    return True


def _shard_items(store: LogEventStore, part: str, low: str | None, high: str | None, descending: bool,
                 now: datetime) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every item of one partition in the bounds (inclusive), in reading order, a page of Queries at a time."""
    seen: str | None = None
    while True:
        batch = store.read(part, low, high, descending, READ_PAGE, now)
        fresh = [entry for entry in batch if entry[0] != seen]  # the bound is inclusive: the last page's last item
        yield from fresh
        if len(batch) < READ_PAGE or not fresh:
            return
        seen = batch[-1][0]
        if descending:
            high = seen
        else:
            low = seen


def _events(items: Iterator[tuple[str, list[dict[str, Any]]]], descending: bool, after: Position | None
            ) -> Iterator[tuple[Position, dict[str, Any]]]:
    """The events of items in reading order, each with its position; those at or before ``after`` left out."""
    for key, events in items:
        order = range(len(events) - 1, -1, -1) if descending else range(len(events))
        for index in order:
            position = (key, index)
            if after is not None and (position >= after if descending else position <= after):
                continue
            yield position, events[index]


def run(store: LogEventStore, query: LogQuery, now: datetime, *, retention: timedelta, lag: timedelta,
        late: timedelta) -> LogPage:
    """One page of events. ``lag``: the polling horizon's distance from now; ``late``: how long after ``until`` an
    event published before it may still be recorded."""
    oldest = now - retention
    if query.polling:
        since = max(query.since or (now - DEFAULT_WINDOW), oldest)
        lower_time, upper_time = since, now - lag
        published_since = published_until = None
    else:
        until = query.until or now
        since = max(query.since or (until - DEFAULT_WINDOW), oldest)
        lower_time, upper_time = since, min(until + late, now + late)
        published_since, published_until = since, until
    low, high = time_key(lower_time), time_key(upper_time)
    after = query.after
    if after is not None:  # the cursor's item is read again, from the event after the cursor's
        if query.descending:
            high = min(high, after[0])
        else:
            low = max(low, after[0])
    events: list[dict[str, Any]] = []
    scanned = 0
    last: Position | None = None
    exhausted = True
    if lower_time <= upper_time and query.limit > 0:
        for day in days(lower_time, upper_time, query.descending):
            shards = [_shard_items(store, partition(day, shard), low, high, query.descending, now)
                      for shard in range(SHARDS)]
            merged = heapq.merge(*shards, key=lambda pair: pair[0], reverse=query.descending)
            for position, event in _events(merged, query.descending, after):
                scanned += 1
                last = position
                if wanted(event, query, published_since, published_until):
                    events.append(event)
                if len(events) >= query.limit or scanned >= SCAN_BUDGET:
                    exhausted = False
                    break
            if not exhausted:
                break
    elif query.limit == 0:
        exhausted = False
        last = after
    if query.polling:
        # Where the next poll starts: past everything read, and up to the horizon once all was read (no batch can
        # be recorded behind it any more: see the module docstring).
        if exhausted:
            last = max(p for p in ((high, -1), last, after) if p is not None)
        return LogPage(events, encode_cursor(last or (time_key(lower_time), -1), False))
    if exhausted or last is None:
        return LogPage(events, None)
    return LogPage(events, encode_cursor(last, query.descending, query.since))
