"""Lone UTF-16 surrogates in text (RFC 8259 8.2; RFC 3629 3: UTF-8 cannot encode U+D800..U+DFFF).

A JSON string may spell a surrogate code point that has no partner (``"\\ud800"``): ``json.loads`` gives a Python
string holding it, and that string cannot be written as UTF-8. Left in, it breaks whatever writes it later, after
the work it described is done: orjson refuses it, a response or a log line cannot be encoded (issue 13's "bad input
changes nothing"). So the management API refuses such a body as malformed (api/http.read_json), and what must be
written whatever it holds (a System Log event carrying a caller's header) writes U+FFFD in its place.
(``json.loads`` joins a well-formed pair into one character, so any surrogate left in its result is lone.)
"""
from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_lone_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def replace_lone_surrogates(value: Any) -> Any:
    """``value`` (a string, or a JSON document of dicts, lists and tuples) with each surrogate as U+FFFD; anything
    else as it is."""
    if isinstance(value, str):
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {replace_lone_surrogates(key): replace_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [replace_lone_surrogates(item) for item in value]
    return value
