"""String functions (Okta EL reference, "String functions"), and the deprecated spellings still documented
(``toUpperCase``, ``substringBefore``, ...).

Null-safe, as Apache Commons ``StringUtils``: a null input gives null (``String.len``: 0,
``String.stringContains``: false; ``String.append``/``String.join``: null counts as ""); numbers and booleans
are converted to strings.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..limits import string_of
from .arguments import flatten, int_arg, string_arg, string_input
from .definition import ArgumentCheck, Function

_StringImpl = Callable[[tuple[Any, ...], Any], str | None]


def _append(args: tuple[Any, ...], _ctx: Any) -> str:
    base = string_input(args[0], "String.append") or ""
    suffix = string_input(args[1], "String.append") or ""
    string_of(len(base) + len(suffix), "String.append")
    return base + suffix


def _join(args: tuple[Any, ...], _ctx: Any) -> str:
    separator = string_input(args[0], "String.join") or ""
    parts = [string_input(v, "String.join") or "" for v in flatten(args[1:])]
    string_of(sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0), "String.join")
    return separator.join(parts)


def _len(args: tuple[Any, ...], _ctx: Any) -> int:
    text = string_input(args[0], "String.len")
    return 0 if text is None else len(text)


def _remove_spaces(args: tuple[Any, ...], _ctx: Any) -> str | None:
    text = string_input(args[0], "String.removeSpaces")
    return None if text is None else text.replace(" ", "")


def _replace(name: str, count: int) -> _StringImpl:
    def replace(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = string_input(args[0], name)
        match = string_arg(args[1], name, "the text to replace")
        replacement = string_arg(args[2], name, "the replacement")
        if text is None:
            return None
        found = text.count(match) if match else len(text) + 1  # "" matches between every character
        if count >= 0:
            found = min(found, count)
        string_of(len(text) + found * (len(replacement) - len(match)), name)
        return text.replace(match, replacement, count)
    return replace


def _string_contains(args: tuple[Any, ...], _ctx: Any) -> bool:
    text = string_input(args[0], "String.stringContains")
    search = string_arg(args[1], "String.stringContains", "the search string")
    return text is not None and search in text


def _string_switch(args: tuple[Any, ...], _ctx: Any) -> str | None:
    name = "String.stringSwitch"
    text = string_input(args[0], name)
    default = string_input(args[1], name)
    if text is not None:
        for i in range(2, len(args) - 1, 2):
            key = string_arg(args[i], name, "a key")
            if key in text:
                return string_input(args[i + 1], name)
    return default


def _check_switch_pairs(literals: tuple[Any, ...]) -> None:
    if len(literals) % 2:
        raise ArgumentCheck("String.stringSwitch needs key/value pairs after the input and the default",
                            len(literals) - 1)


def _substring(name: str) -> _StringImpl:
    def substring(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = string_input(args[0], name)
        start = int_arg(args[1], name, "the start index")
        end = int_arg(args[2], name, "the end index")
        if text is None:
            return None
        size = len(text)
        start = max(0, size + start if start < 0 else start)
        end = min(size, size + end if end < 0 else end)
        return text[start:end] if start < end else ""
    return substring


def _substring_after(name: str) -> _StringImpl:
    def substring_after(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = string_input(args[0], name)
        separator = string_arg(args[1], name, "the search string")
        if not text:
            return text
        position = text.find(separator)
        return "" if position < 0 else text[position + len(separator):]
    return substring_after


def _substring_before(name: str) -> _StringImpl:
    def substring_before(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = string_input(args[0], name)
        separator = string_arg(args[1], name, "the search string")
        if not text:
            return text
        if separator == "":
            return ""
        position = text.find(separator)
        return text if position < 0 else text[:position]
    return substring_before


def _case(name: str, upper: bool) -> _StringImpl:
    def change_case(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = string_input(args[0], name)
        if text is None:
            return None
        changed = text.upper() if upper else text.lower()  # at most 3 times the input (e.g. "ß" -> "SS")
        string_of(len(changed), name)
        return changed
    return change_case


STRING_FUNCTIONS = (
    Function("String.append", _append, 2, 2),
    Function("String.join", _join, 1, None),
    Function("String.len", _len, 1, 1),
    Function("String.removeSpaces", _remove_spaces, 1, 1),
    Function("String.replace", _replace("String.replace", -1), 3, 3),
    Function("String.replaceFirst", _replace("String.replaceFirst", 1), 3, 3),
    Function("String.stringContains", _string_contains, 2, 2),
    Function("String.stringSwitch", _string_switch, 2, None, _check_switch_pairs),
    Function("String.substring", _substring("String.substring"), 3, 3),
    Function("String.substringAfter", _substring_after("String.substringAfter"), 2, 2),
    Function("String.substringBefore", _substring_before("String.substringBefore"), 2, 2),
    Function("String.toUpperCase", _case("String.toUpperCase", True), 1, 1),
    Function("String.toLowerCase", _case("String.toLowerCase", False), 1, 1),
    # Deprecated spellings of the same (still documented)
    Function("toUpperCase", _case("toUpperCase", True), 1, 1),
    Function("toLowerCase", _case("toLowerCase", False), 1, 1),
    Function("substringBefore", _substring_before("substringBefore"), 2, 2),
    Function("substringAfter", _substring_after("substringAfter"), 2, 2),
    Function("substring", _substring("substring"), 3, 3),
)
