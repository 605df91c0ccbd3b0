"""LogEvents rendered from templates: an event's JSON made once with placeholders for the values that change from
one event to the next, then filled in per event by joining strings (docs/ARCHITECTURE.md "System Log").

Token events repeat almost every member but a few values (the uuid, times, request, caller, client, ``jti``):
building and serializing the whole object each time was most of a token event's cost (issue 20: a
client_credentials token's event ~38 µs of handler CPU built whole, ~29 filled in, docs/performance.md). A
template is made by the very builder the events come from, called with ``hole(name)`` where each varying value
goes, so a filled template is that builder's event, member for member, in the same order
(``tests/unit/audit/test_template.py`` compares them); nothing about an event's shape is written twice.

A placeholder is a JSON string holding a control character and a random per-process marker, so no value an
event carries (a client name, a user agent) can be taken for one. A value filled in is encoded as JSON: a string
is escaped, a number written as a number. A placeholder stands for a value the builder keeps as it is: where a
builder leaves a member out for an empty value (``log_event``'s origin members), the template's key must tell
empty from not (oauth/token_events.py does).
"""
from __future__ import annotations

import re
import secrets
from typing import Any, Callable, Mapping

import orjson

from ..surrogates import replace_lone_surrogates

_MARK = "\x01" + secrets.token_hex(8)
# The marker as orjson writes it inside a JSON string (control characters as \u00XX escapes), and a placeholder
# that is a whole string value.
_MARK_JSON = orjson.dumps(_MARK).decode()[1:-1]
_HOLE_JSON = re.compile(re.escape('"' + _MARK_JSON) + r'([a-z0-9_:]+)"')


class RenderedEvent(str):
    """A LogEvent already serialized as JSON (the recorder logs and stores it as it is)."""

    __slots__ = ()


def hole(name: str) -> str:
    """The placeholder of the value ``name`` (lower-case letters, digits, ``_`` and ``:``), where the builder puts a
    value."""
    return _MARK + name


class EventTemplate:
    """An event's JSON cut at its placeholders."""

    __slots__ = ("_parts", "_names")

    def __init__(self, event: Mapping[str, Any]) -> None:
        pieces = _HOLE_JSON.split(orjson.dumps(event).decode())
        # Inside a longer string, or a member name (a string followed by ":"): not a value to fill.
        if any(_MARK_JSON in piece for piece in pieces[::2]) or any(p.startswith(":") for p in pieces[2::2]):
            raise ValueError("a placeholder that is not a whole string value")
        self._parts: tuple[str, ...] = tuple(pieces[::2])
        self._names: tuple[str, ...] = tuple(pieces[1::2])

    def fill(self, values: Mapping[str, str | int]) -> RenderedEvent:
        """The event with every placeholder replaced by its value (each name must be given)."""
        try:
            encoded = {name: orjson.dumps(value).decode() for name, value in values.items()}
        except TypeError:  # a caller's value UTF-8 cannot carry (a lone surrogate in a header): U+FFFD instead
            encoded = {name: orjson.dumps(replace_lone_surrogates(value)).decode() for name, value in values.items()}
        parts = self._parts
        out = [parts[0]]
        for index, name in enumerate(self._names, 1):
            out.append(encoded[name])
            out.append(parts[index])
        return RenderedEvent("".join(out))


class TemplateMemo:
    """Templates by key, made on first use; at most ``size`` kept (all forgotten when full: a key seen again is
    made again, at the cost of one event built the slow way)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._templates: dict[Any, EventTemplate] = {}

    def __len__(self) -> int:
        return len(self._templates)

    def get(self, key: Any, make: Callable[[], Mapping[str, Any]]) -> EventTemplate:
        template = self._templates.get(key)
        if template is None:
            template = EventTemplate(make())
            if len(self._templates) >= self._size:
                self._templates = {}
            self._templates[key] = template
        return template
