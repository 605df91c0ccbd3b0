"""Array functions (Okta EL reference, "Array functions"): ``Arrays.add``, ``Arrays.remove``, ``Arrays.get``,
``Arrays.contains``, ``Arrays.toCsvString``, ... Arrays are never changed in place: each function returns a new
one. What an array parameter accepts (null, a comma-separated string, a single value) is in ``arguments.py``.
"""
from __future__ import annotations

from typing import Any

from ..limits import array_of, string_of
from ..values import equals, to_string
from .arguments import array_arg, fail, flatten, int_arg
from .definition import Function


def _arrays_add(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    items = array_arg(args[0], "Arrays.add")
    array_of(len(items) + 1, "Arrays.add")
    return [*items, args[1]]


def _arrays_remove(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    items = array_arg(args[0], "Arrays.remove")
    for i, item in enumerate(items):
        if equals(item, args[1]):
            del items[i]
            break
    return items


def _arrays_clear(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    array_arg(args[0], "Arrays.clear")
    return []


def _arrays_get(args: tuple[Any, ...], _ctx: Any) -> Any:
    items = array_arg(args[0], "Arrays.get")
    position = int_arg(args[1], "Arrays.get", "the position")
    if not 0 <= position < len(items):
        raise fail("Arrays.get", "position out of range")
    return items[position]


def _arrays_flatten(args: tuple[Any, ...], _ctx: Any) -> list[Any]:
    items = flatten(args)  # at most the sum of its (capped) inputs: cheap to build, then held to the cap
    array_of(len(items), "Arrays.flatten")
    return items


def _arrays_contains(args: tuple[Any, ...], _ctx: Any) -> bool:
    return any(equals(item, args[1]) for item in array_arg(args[0], "Arrays.contains"))


def _arrays_size(args: tuple[Any, ...], _ctx: Any) -> int:
    return len(array_arg(args[0], "Arrays.size"))


def _arrays_is_empty(args: tuple[Any, ...], _ctx: Any) -> bool:
    return not array_arg(args[0], "Arrays.isEmpty")


def _arrays_to_csv(args: tuple[Any, ...], _ctx: Any) -> str:
    parts = [to_string(item, "array element") for item in array_arg(args[0], "Arrays.toCsvString")]
    string_of(sum(map(len, parts)) + max(len(parts) - 1, 0), "Arrays.toCsvString")
    return ",".join(parts)


ARRAY_FUNCTIONS = (
    Function("Arrays.add", _arrays_add, 2, 2),
    Function("Arrays.remove", _arrays_remove, 2, 2),
    Function("Arrays.clear", _arrays_clear, 1, 1),
    Function("Arrays.get", _arrays_get, 2, 2),
    Function("Arrays.flatten", _arrays_flatten, 1, None),
    Function("Arrays.contains", _arrays_contains, 2, 2),
    Function("Arrays.size", _arrays_size, 1, 1),
    Function("Arrays.isEmpty", _arrays_is_empty, 1, 1),
    Function("Arrays.toCsvString", _arrays_to_csv, 1, 1),
)
