"""The value model of the expression language and its SpEL-like rules.

Values are Python ``None`` (null), ``bool``, ``int``, ``float``, ``str``, arrays (``list``/``tuple``) and objects
(``Mapping``, e.g. ``app.profile``). Error messages name types, never values.
"""
from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from typing import Any

from .errors import ExpressionEvaluationError

MAX_INT = 2**63 - 1  # Java's long: arithmetic beyond it is refused instead of silently growing
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "value"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def double_to_string(value: float) -> str:
    """Java's ``Double.toString``: ``1.0``, ``3.141``, ``1.0E20``, ``1.0E-4``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digits, exponent = decimal.Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)  # finite: NaN and the infinities were answered above
    digits_list = list(digits)
    while len(digits_list) > 1 and digits_list[-1] == 0:
        digits_list.pop()
        exponent += 1
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        text = format(abs(decimal.Decimal(repr(value))), "f")
        if "." not in text:
            text += ".0"
        return prefix + text
    mantissa = str(digits_list[0]) + "." + ("".join(str(d) for d in digits_list[1:]) or "0")
    return f"{prefix}{mantissa}E{len(digits_list) + exponent - 1}"


def to_string(value: Any, what: str = "operand") -> str:
    """String conversion for concatenation and for String functions (Java ``String.valueOf`` of a scalar)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return double_to_string(value)
    raise ExpressionEvaluationError(f"Cannot use {'an' if type_name(value)[0] in 'aeiou' else 'a'} "
                                    f"{type_name(value)} as a string {what}")


def check_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionEvaluationError("Numeric overflow")
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise ExpressionEvaluationError("Numeric overflow")
    return value


def equals(left: Any, right: Any) -> bool:
    """SpEL ``==``: numbers by value (``1 == 1.0``), everything else by type and value."""
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if is_array(left) and is_array(right):
        return len(left) == len(right) and all(equals(a, b) for a, b in zip(left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return dict(left) == dict(right)
    if type_name(left) != type_name(right):
        return False
    return bool(left == right)


def compare(left: Any, right: Any) -> int:
    """SpEL's standard comparator: null sorts first; numbers, strings and booleans among themselves."""
    if left is None or right is None:
        return (left is not None) - (right is not None)
    if is_number(left) and is_number(right):
        order: int = (left > right) - (left < right)
        return order
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    if isinstance(left, bool) and isinstance(right, bool):
        return int(left) - int(right)
    raise ExpressionEvaluationError(f"Cannot compare {type_name(left)} with {type_name(right)}")


def truthy(value: Any, what: str) -> bool:
    """A boolean operand: SpEL refuses anything else, null included."""
    if isinstance(value, bool):
        return value
    raise ExpressionEvaluationError(f"{what} needs a boolean, got {type_name(value)}")


def java_div(left: int, right: int) -> int:
    quotient = abs(left) // abs(right)
    return quotient if (left >= 0) == (right >= 0) else -quotient


def java_mod(left: int, right: int) -> int:
    return left - right * java_div(left, right)
