"""Conversion functions (Okta EL reference, "Conversion functions"): ``Convert.toInt`` (Java's ``Math.round``
of a number, a 32-bit integer) and ``Convert.toNum`` (a double), from a string or a number.
"""
from __future__ import annotations

import math
import re
from typing import Any

from ..values import INT32_MAX, INT32_MIN, check_number, is_number, type_name
from .arguments import fail
from .definition import Function

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_NUM_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[dDfF]?")


def _to_int(args: tuple[Any, ...], _ctx: Any) -> int:
    value = args[0]
    if isinstance(value, str):
        if not _INT_TEXT.fullmatch(value):
            raise fail("Convert.toInt", "the string is not an integer")
        result = int(value)
    elif is_number(value):
        if isinstance(value, float):
            if not math.isfinite(value):
                raise fail("Convert.toInt", "the number is not finite")
            result = math.floor(value + 0.5)  # Java's Math.round
        else:
            result = value
    else:
        raise fail("Convert.toInt", f"expects a string or a number, got {type_name(value)}")
    if not INT32_MIN <= result <= INT32_MAX:
        raise fail("Convert.toInt", "the value is outside the integer range")
    return result


def _to_num(args: tuple[Any, ...], _ctx: Any) -> float:
    value = args[0]
    if isinstance(value, str):
        text = value.strip()
        if not _NUM_TEXT.fullmatch(text):
            raise fail("Convert.toNum", "the string is not a number")
        return float(check_number(float(text.rstrip("dDfF"))))
    if is_number(value):
        return float(check_number(float(value)))
    raise fail("Convert.toNum", f"expects a string or a number, got {type_name(value)}")


CONVERSION_FUNCTIONS = (
    Function("Convert.toInt", _to_int, 1, 1),
    Function("Convert.toNum", _to_num, 1, 1),
)
