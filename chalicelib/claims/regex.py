"""Regular expressions written by admins (GROUPS claims with REGEX, ``isMemberOfGroupNameRegex``), made safe.

Python's ``re`` has no match timeout, so a pattern is refused up front when it could backtrack badly:

* longer than ``MAX_PATTERN_LENGTH`` characters;
* a quantifier that repeats more than once (``*``, ``+``, ``{2,}``, ``{25}``) around anything that itself holds
  a quantifier or an alternation: ``(a+)+``, ``(a?){25}``, ``(a|ab)*`` (the exponential cases);
* more than ``MAX_VARIABLE_REPEATS`` variable-width quantifiers in sequence (``.*a.*b.*c.*d`` is O(n^4));
  alternatives of an alternation count separately;
* backreferences and lookaround (not needed to filter group names, and they defeat the analysis above).

What remains matches in at most cubic time in the length of the group name, and group names are short (Okta
caps them at 255 characters). The syntax is Python's, which agrees with Java's for everything an admin filtering
group names plausibly writes (classes, anchors, quantifiers, groups, alternation).

Okta writes these patterns with or without JavaScript-style delimiters: the API reference's REGEX example is
``/^[a-z0-9_-]{3,16}$/`` and the EL reference's ``isMemberOfGroupNameRegex`` example is ``/.*admin.*``. A pattern
wrapped in ``/.../``, or starting with a single ``/``, has those slashes removed. Matching is case-sensitive and
against the whole name (``re.fullmatch``, Java's ``String.matches``).
"""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

from .errors import UnsafePatternError

# re's own parser, which typeshed does not describe (hence Any): re._parser from Python 3.11, sre_parse before.
_sre: Any
_sre_parse: Any
try:
    _sre = importlib.import_module("re._constants")
    _sre_parse = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - older interpreters
    _sre = importlib.import_module("sre_constants")
    _sre_parse = importlib.import_module("sre_parse")

MAX_PATTERN_LENGTH = 256
MAX_VARIABLE_REPEATS = 3

_REPEATS = tuple(op for op in (getattr(_sre, "MAX_REPEAT", None), getattr(_sre, "MIN_REPEAT", None),
                               getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None)
_SUBPATTERN = _sre.SUBPATTERN
_BRANCH = _sre.BRANCH
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_BACKREFS = (_sre.GROUPREF, _sre.GROUPREF_EXISTS, getattr(_sre, "GROUPREF_IGNORE", _sre.GROUPREF))
_LOOKAROUND = (_sre.ASSERT, _sre.ASSERT_NOT)


def strip_delimiters(pattern: str) -> str:
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/"):
        return pattern[1:-1]
    if pattern.startswith("/"):
        return pattern[1:]
    return pattern


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-sequences nested in one parsed item."""
    if op in _REPEATS:
        return [av[2]]
    if op is _SUBPATTERN:
        return [av[-1]]
    if _ATOMIC is not None and op is _ATOMIC:
        return [av]
    if op is _BRANCH:
        return list(av[1])
    return []


def _has_repeat_or_branch(seq: Any) -> bool:
    for op, av in seq:
        if op in _REPEATS or op is _BRANCH:
            return True
        if any(_has_repeat_or_branch(child) for child in _children(op, av)):
            return True
    return False


def _variable_repeats(seq: Any) -> int:
    """Checks one sequence; returns the most variable-width quantifiers met along one path through it."""
    total = 0
    for op, av in seq:
        if op in _BACKREFS:
            raise UnsafePatternError("backreferences are not allowed")
        if op in _LOOKAROUND:
            raise UnsafePatternError("lookahead and lookbehind are not allowed")
        if op in _REPEATS:
            low, high, sub = av
            if high > 1 and _has_repeat_or_branch(sub):
                raise UnsafePatternError("a repeated group must not hold another quantifier or an alternation")
            total += _variable_repeats(sub) + (1 if low != high else 0)
        elif op is _BRANCH:
            total += max(_variable_repeats(alt) for alt in av[1])
        else:
            total += sum(_variable_repeats(child) for child in _children(op, av))
    return total


@lru_cache(maxsize=256)
def compile_safe(pattern: str) -> re.Pattern[str]:
    """Compile an admin-written pattern (delimiters already stripped) or raise ``UnsafePatternError``."""
    if not isinstance(pattern, str):
        raise UnsafePatternError("the pattern must be a string")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePatternError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise UnsafePatternError(f"invalid regular expression ({getattr(exc, 'msg', 'cannot be parsed')})") from None
    if _variable_repeats(parsed) > MAX_VARIABLE_REPEATS:
        raise UnsafePatternError(f"more than {MAX_VARIABLE_REPEATS} variable-length quantifiers in a row")
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:  # pragma: no cover - parse() caught it
        raise UnsafePatternError(f"invalid regular expression ({getattr(exc, 'msg', 'cannot be compiled')})") from None


def full_match(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text) is not None
