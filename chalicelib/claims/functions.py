"""The whitelist of callable functions (Okta EL reference, "Functions"); nothing else can be called.

Each entry has an arity checked when the expression is parsed, optionally a parse-time check of literal
arguments (e.g. a ``Groups.startsWith`` limit outside 1..100, an unsafe regular expression), and an
implementation ``impl(args, context)`` over already evaluated arguments.

Conventions (Okta documents the functions by example only; where it is silent we follow Spring's conversion
rules and Apache Commons ``StringUtils``, which Okta's EL is built on):

* String functions are null-safe: a null input gives null (``String.len``: 0, ``String.stringContains``: false,
  ``String.append``/``String.join``: null counts as ""); numbers and booleans are converted to strings.
* Array parameters accept an array, null (an empty array), a comma-separated string (split and trimmed, as
  Spring converts a String to an array: ``Arrays.add(Arrays.toCsvString({}), "x")`` is Okta's own idiom) or a
  single value (a one-element array).
* Group name patterns (``Groups.*``, ``isMemberOfGroupName*``) are case-insensitive like the GROUPS claim filters;
  ``isMemberOfGroupNameRegex`` is case-sensitive and matches the whole name.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ExpressionEvaluationError, ExpressionSyntaxError, UnsafePatternError
from .regex import compile_safe, strip_delimiters
from .values import (
    INT32_MAX,
    INT32_MIN,
    check_number,
    equals,
    is_array,
    is_number,
    to_string,
    type_name,
)

GROUPS_LIMIT_MAX = 100


class _Dynamic:
    def __repr__(self) -> str:
        return "DYNAMIC"


# Parse-time stand-in for an argument that is not a literal.
DYNAMIC: Any = _Dynamic()


class ArgumentCheck(Exception):
    """Raised by a parse-time check: ``index`` is the argument at fault."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[[tuple[Any, ...], Any], Any]
    min_args: int
    max_args: int | None
    check: Callable[[tuple[Any, ...]], None] | None = None

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


# -- argument conversion ---------------------------------------------------------------------------------------


def _fail(function: str, message: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(f"{function}: {message}")


def _string_input(value: Any, function: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if is_array(value) or isinstance(value, Mapping):
        raise _fail(function, f"expects a string, got {type_name(value)}")
    return to_string(value)


def _string_arg(value: Any, function: str, what: str) -> str:
    if value is None:
        raise _fail(function, f"{what} must not be null")
    converted = _string_input(value, function)
    assert converted is not None
    return converted


def _int_arg(value: Any, function: str, what: str) -> int:
    if is_number(value):
        if isinstance(value, int):
            return value
        if math.isfinite(value) and value == int(value):
            return int(value)
    raise _fail(function, f"{what} must be an integer, got {type_name(value)}")


def _array_arg(value: Any, function: str) -> list[Any]:
    if value is None:
        return []
    if is_array(value):
        return list(value)
    if isinstance(value, str):
        return [] if value == "" else [part.strip() for part in value.split(",")]
    if isinstance(value, Mapping):
        raise _fail(function, "expects an array, got object")
    return [value]


def _flatten(values: Any) -> list[Any]:
    """Arrays inside arrays, any depth, without recursion."""
    out: list[Any] = []
    stack: list[Any] = [iter(values)]
    while stack:
        for item in stack[-1]:
            if is_array(item):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out


# -- String ----------------------------------------------------------------------------------------------------


def _append(args: tuple[Any, ...], _ctx: Any) -> str:
    base = _string_input(args[0], "String.append") or ""
    suffix = _string_input(args[1], "String.append") or ""
    return base + suffix


def _join(args: tuple[Any, ...], _ctx: Any) -> str:
    separator = _string_input(args[0], "String.join") or ""
    parts = [_string_input(v, "String.join") or "" for v in _flatten(args[1:])]
    return separator.join(parts)


def _len(args: tuple[Any, ...], _ctx: Any) -> int:
    text = _string_input(args[0], "String.len")
    return 0 if text is None else len(text)


def _remove_spaces(args: tuple[Any, ...], _ctx: Any) -> str | None:
    text = _string_input(args[0], "String.removeSpaces")
    return None if text is None else text.replace(" ", "")


def _replace(name: str, count: int) -> Callable[[tuple[Any, ...], Any], str | None]:
    def replace(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = _string_input(args[0], name)
        match = _string_arg(args[1], name, "the text to replace")
        replacement = _string_arg(args[2], name, "the replacement")
        if text is None:
            return None
        return text.replace(match, replacement, count)
    return replace


def _string_contains(args: tuple[Any, ...], _ctx: Any) -> bool:
    text = _string_input(args[0], "String.stringContains")
    search = _string_arg(args[1], "String.stringContains", "the search string")
    return text is not None and search in text


def _string_switch(args: tuple[Any, ...], _ctx: Any) -> str | None:
    name = "String.stringSwitch"
    text = _string_input(args[0], name)
    default = _string_input(args[1], name)
    if text is not None:
        for i in range(2, len(args) - 1, 2):
            key = _string_arg(args[i], name, "a key")
            if key in text:
                return _string_input(args[i + 1], name)
    return default


def _substring(name: str) -> Callable[[tuple[Any, ...], Any], str | None]:
    def substring(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = _string_input(args[0], name)
        start = _int_arg(args[1], name, "the start index")
        end = _int_arg(args[2], name, "the end index")
        if text is None:
            return None
        size = len(text)
        start = max(0, size + start if start < 0 else start)
        end = min(size, size + end if end < 0 else end)
        return text[start:end] if start < end else ""
    return substring


def _substring_after(name: str) -> Callable[[tuple[Any, ...], Any], str | None]:
    def substring_after(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = _string_input(args[0], name)
        separator = _string_arg(args[1], name, "the search string")
        if not text:
            return text
        position = text.find(separator)
        return "" if position < 0 else text[position + len(separator):]
    return substring_after


def _substring_before(name: str) -> Callable[[tuple[Any, ...], Any], str | None]:
    def substring_before(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = _string_input(args[0], name)
        separator = _string_arg(args[1], name, "the search string")
        if not text:
            return text
        if separator == "":
            return ""
        position = text.find(separator)
        return text if position < 0 else text[:position]
    return substring_before


def _case(name: str, upper: bool) -> Callable[[tuple[Any, ...], Any], str | None]:
    def change_case(args: tuple[Any, ...], _ctx: Any) -> str | None:
        text = _string_input(args[0], name)
        if text is None:
            return None
        return text.upper() if upper else text.lower()
    return change_case


# -- Arrays ----------------------------------------------------------------------------------------------------


def _arrays_add(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    return [*_array_arg(args[0], "Arrays.add"), args[1]]


def _arrays_remove(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    items = _array_arg(args[0], "Arrays.remove")
    for i, item in enumerate(items):
        if equals(item, args[1]):
            del items[i]
            break
    return items


def _arrays_clear(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    _array_arg(args[0], "Arrays.clear")
    return []


def _arrays_get(args: tuple[Any, ...], _ctx: Any) -> Any:
    items = _array_arg(args[0], "Arrays.get")
    position = _int_arg(args[1], "Arrays.get", "the position")
    if not 0 <= position < len(items):
        raise _fail("Arrays.get", "position out of range")
    return items[position]


def _arrays_flatten(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    return _flatten(args)


def _arrays_contains(args: tuple[Any, ...], _ctx: Any) -> bool:
    return any(equals(item, args[1]) for item in _array_arg(args[0], "Arrays.contains"))


def _arrays_size(args: tuple[Any, ...], _ctx: Any) -> int:
    return len(_array_arg(args[0], "Arrays.size"))


def _arrays_is_empty(args: tuple[Any, ...], _ctx: Any) -> bool:
    return not _array_arg(args[0], "Arrays.isEmpty")


def _arrays_to_csv(args: tuple[Any, ...], _ctx: Any) -> str:
    return ",".join(to_string(item, "array element") for item in _array_arg(args[0], "Arrays.toCsvString"))


# -- Convert ---------------------------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_NUM_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[dDfF]?")


def _to_int(args: tuple[Any, ...], _ctx: Any) -> int:
    value = args[0]
    if isinstance(value, str):
        if not _INT_TEXT.fullmatch(value):
            raise _fail("Convert.toInt", "the string is not an integer")
        result = int(value)
    elif is_number(value):
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _fail("Convert.toInt", "the number is not finite")
            result = math.floor(value + 0.5)  # Java's Math.round
        else:
            result = value
    else:
        raise _fail("Convert.toInt", f"expects a string or a number, got {type_name(value)}")
    if not INT32_MIN <= result <= INT32_MAX:
        raise _fail("Convert.toInt", "the value is outside the integer range")
    return result


def _to_num(args: tuple[Any, ...], _ctx: Any) -> float:
    value = args[0]
    if isinstance(value, str):
        text = value.strip()
        if not _NUM_TEXT.fullmatch(text):
            raise _fail("Convert.toNum", "the string is not a number")
        return float(check_number(float(text.rstrip("dDfF"))))
    if is_number(value):
        return float(check_number(float(value)))
    raise _fail("Convert.toNum", f"expects a string or a number, got {type_name(value)}")


# -- Groups ----------------------------------------------------------------------------------------------------


def _limit(value: Any, function: str) -> int:
    limit = _int_arg(value, function, "the limit")
    if not 1 <= limit <= GROUPS_LIMIT_MAX:
        raise _fail(function, f"the limit must be between 1 and {GROUPS_LIMIT_MAX}")
    return limit


def _groups(name: str, test: Callable[[str, str], bool]) -> Callable[[tuple[Any, ...], Any], list[str]]:
    def groups(args: tuple[Any, ...], ctx: Any) -> list[str]:
        app = _string_arg(args[0], name, "the app")
        pattern = _string_arg(args[1], name, "the pattern").casefold()
        limit = _limit(args[2], name)
        source = app.casefold()
        names = [g.name for g in ctx.groups if g.source.casefold() == source and test(g.name.casefold(), pattern)]
        return names[:limit]
    return groups


class _GroupScope:
    """The context of a ``getFilteredGroups`` group expression: everything of the request plus ``group``."""

    __slots__ = ("_base", "_group")

    def __init__(self, base: Any, group: Mapping[str, Any]) -> None:
        self._base = base
        self._group = group

    def root(self, name: str) -> Any:
        return self._group if name == "group" else self._base.root(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def _group_object(group: Any) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "source": group.source, "profile": {"name": group.name}}


def _get_filtered_groups(args: tuple[Any, ...], ctx: Any) -> list[Any]:
    from .expression import parse_group_expression

    name = "getFilteredGroups"
    allowed = {to_string(v, "group id") for v in _array_arg(args[0], name)}
    text = _string_arg(args[1], name, "the group expression")
    limit = _limit(args[2], name)
    try:
        expression = parse_group_expression(text)
    except ExpressionSyntaxError as exc:
        raise _fail(name, f"invalid group expression ({exc.message})") from None
    out: list[Any] = []
    for group in ctx.groups:
        if group.id in allowed:
            try:
                out.append(expression.evaluate(_GroupScope(ctx, _group_object(group))))
            except ExpressionEvaluationError as exc:
                raise _fail(name, f"the group expression failed ({exc.message})") from None
            if len(out) == limit:
                break
    return out


def _member_of_name(name: str, test: Callable[[str, str], bool]) -> Callable[[tuple[Any, ...], Any], bool]:
    def member(args: tuple[Any, ...], ctx: Any) -> bool:
        wanted = _string_arg(args[0], name, "the group name").casefold()
        return any(test(g.name.casefold(), wanted) for g in ctx.groups)
    return member


def _member_of_group(args: tuple[Any, ...], ctx: Any) -> bool:
    wanted = _string_arg(args[0], "isMemberOfGroup", "the group id")
    return any(g.id == wanted for g in ctx.groups)


def _member_of_any_group(args: tuple[Any, ...], ctx: Any) -> bool:
    wanted = {_string_arg(v, "isMemberOfAnyGroup", "a group id") for v in _flatten(args)}
    return any(g.id in wanted for g in ctx.groups)


def _member_of_name_regex(args: tuple[Any, ...], ctx: Any) -> bool:
    name = "isMemberOfGroupNameRegex"
    try:
        pattern = compile_safe(strip_delimiters(_string_arg(args[0], name, "the pattern")))
    except UnsafePatternError as exc:
        raise _fail(name, str(exc)) from None
    return any(pattern.fullmatch(g.name) is not None for g in ctx.groups)


# -- parse-time checks -----------------------------------------------------------------------------------------


def _check_limit(index: int) -> Callable[[tuple[Any, ...]], None]:
    def check(literals: tuple[Any, ...]) -> None:
        value = literals[index]
        if value is DYNAMIC:
            return
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if not is_number(value) or not integral or not 1 <= value <= GROUPS_LIMIT_MAX:
            raise ArgumentCheck(f"The limit must be an integer between 1 and {GROUPS_LIMIT_MAX}", index)
    return check


def _check_not_null(*indexes: int) -> Callable[[tuple[Any, ...]], None]:
    def check(literals: tuple[Any, ...]) -> None:
        for index in indexes:
            if literals[index] is None:
                raise ArgumentCheck("This argument must not be null", index)
    return check


def _check_regex(literals: tuple[Any, ...]) -> None:
    value = literals[0]
    if value is DYNAMIC:
        return
    if not isinstance(value, str):
        raise ArgumentCheck("The pattern must be a string", 0)
    try:
        compile_safe(strip_delimiters(value))
    except UnsafePatternError as exc:
        raise ArgumentCheck(f"Unsafe or invalid regular expression: {exc}", 0) from None


def _check_group_expression(literals: tuple[Any, ...]) -> None:
    from .expression import parse_group_expression

    value = literals[1]
    if value is DYNAMIC:
        return
    if not isinstance(value, str):
        raise ArgumentCheck("The group expression must be a string", 1)
    try:
        parse_group_expression(value)
    except ExpressionSyntaxError as exc:
        raise ArgumentCheck(f"Invalid group expression ({exc.message})", 1) from None


def _check_switch_pairs(literals: tuple[Any, ...]) -> None:
    if len(literals) % 2:
        raise ArgumentCheck("String.stringSwitch needs key/value pairs after the input and the default",
                            len(literals) - 1)


def _all(*checks: Callable[[tuple[Any, ...]], None]) -> Callable[[tuple[Any, ...]], None]:
    def check(literals: tuple[Any, ...]) -> None:
        for one in checks:
            one(literals)
    return check


def _starts(name: str, pattern: str) -> bool:
    return name.startswith(pattern)


def _ends(name: str, pattern: str) -> bool:
    return name.endswith(pattern)


def _contains(name: str, pattern: str) -> bool:
    return pattern in name


def _same(name: str, pattern: str) -> bool:
    return name == pattern


def _registry() -> dict[str, Function]:
    groups_check = _all(_check_not_null(0, 1), _check_limit(2))
    entries = [
        # String functions
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
        # Array functions
        Function("Arrays.add", _arrays_add, 2, 2),
        Function("Arrays.remove", _arrays_remove, 2, 2),
        Function("Arrays.clear", _arrays_clear, 1, 1),
        Function("Arrays.get", _arrays_get, 2, 2),
        Function("Arrays.flatten", _arrays_flatten, 1, None),
        Function("Arrays.contains", _arrays_contains, 2, 2),
        Function("Arrays.size", _arrays_size, 1, 1),
        Function("Arrays.isEmpty", _arrays_is_empty, 1, 1),
        Function("Arrays.toCsvString", _arrays_to_csv, 1, 1),
        # Conversion functions
        Function("Convert.toInt", _to_int, 1, 1),
        Function("Convert.toNum", _to_num, 1, 1),
        # Group functions
        Function("Groups.contains", _groups("Groups.contains", _contains), 3, 3, groups_check),
        Function("Groups.startsWith", _groups("Groups.startsWith", _starts), 3, 3, groups_check),
        Function("Groups.endsWith", _groups("Groups.endsWith", _ends), 3, 3, groups_check),
        Function("getFilteredGroups", _get_filtered_groups, 3, 3,
                 _all(_check_not_null(0, 1), _check_group_expression, _check_limit(2))),
        Function("isMemberOfGroupName", _member_of_name("isMemberOfGroupName", _same), 1, 1, _check_not_null(0)),
        Function("isMemberOfGroup", _member_of_group, 1, 1, _check_not_null(0)),
        Function("isMemberOfAnyGroup", _member_of_any_group, 1, None),
        Function("isMemberOfGroupNameStartsWith", _member_of_name("isMemberOfGroupNameStartsWith", _starts), 1, 1,
                 _check_not_null(0)),
        Function("isMemberOfGroupNameContains", _member_of_name("isMemberOfGroupNameContains", _contains), 1, 1,
                 _check_not_null(0)),
        Function("isMemberOfGroupNameRegex", _member_of_name_regex, 1, 1, _check_regex),
    ]
    return {f.name: f for f in entries}


FUNCTIONS: Mapping[str, Function] = _registry()
