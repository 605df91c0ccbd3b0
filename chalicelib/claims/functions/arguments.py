"""How the functions read their evaluated arguments (Okta documents the functions by example only; where it is
silent we follow Spring's conversion rules, which Okta's EL is built on).

* A string parameter takes a string or null; numbers and booleans are converted to strings; arrays and objects
  are refused.
* An array parameter takes an array, null (an empty array), a comma-separated string (split and trimmed, as
  Spring converts a String to an array: ``Arrays.add(Arrays.toCsvString({}), "x")`` is Okta's own idiom) or a
  single value (a one-element array).
* An integer parameter takes a number with no fractional part.

Errors name the function and the parameter, never the value.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ExpressionEvaluationError
from ..values import is_array, is_number, to_string, type_name


def fail(function: str, message: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(f"{function}: {message}")


def string_input(value: Any, function: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if is_array(value) or isinstance(value, Mapping):
        raise fail(function, f"expects a string, got {type_name(value)}")
    return to_string(value)


def string_arg(value: Any, function: str, what: str) -> str:
    if value is None:
        raise fail(function, f"{what} must not be null")
    converted = string_input(value, function)
    assert converted is not None
    return converted


def int_arg(value: Any, function: str, what: str) -> int:
    if is_number(value):
        if isinstance(value, int):
            return value
        if math.isfinite(value) and value == int(value):
            return int(value)
    raise fail(function, f"{what} must be an integer, got {type_name(value)}")


def array_arg(value: Any, function: str) -> list[Any]:
    if value is None:
        return []
    if is_array(value):
        return list(value)
    if isinstance(value, str):
        return [] if value == "" else [part.strip() for part in value.split(",")]
    if isinstance(value, Mapping):
        raise fail(function, "expects an array, got object")
    return [value]


def flatten(values: Iterable[Any]) -> list[Any]:
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
