"""claims/regex.py: admin-written patterns are refused when they could backtrack catastrophically."""
from __future__ import annotations

import time

import pytest

from chalicelib.claims.errors import UnsafePatternError
from chalicelib.claims.regex import MAX_PATTERN_LENGTH, compile_safe, strip_delimiters


@pytest.mark.parametrize("pattern, stripped", [
    ("/^[a-z0-9_-]{3,16}$/", "^[a-z0-9_-]{3,16}$"),  # the API reference's example
    ("/.*admin.*", ".*admin.*"),  # the EL reference's isMemberOfGroupNameRegex example
    (".*", ".*"),
    ("/", ""),
    ("//", ""),
    ("a/b", "a/b"),
])
def test_strip_delimiters(pattern, stripped):
    assert strip_delimiters(pattern) == stripped


@pytest.mark.parametrize("pattern", [
    ".*", "^[a-z0-9_-]{3,16}$", ".*admin.*", "IT-.*", "(dev|ops)-team", "(?:ab)+", "(ab|cd)?x", "[a-z]+\\d*",
    "a{2,5}b{3}", "(?i)sales.*", "\\w+@\\w+", "(a|b|c)", ".*a.*b.*c", "^(x.*|y.*|z.*|w.*)$",
])
def test_safe_patterns_compile(pattern):
    assert compile_safe(pattern).pattern == pattern


@pytest.mark.parametrize("pattern, reason", [
    ("(a+)+", "a repeated group must not hold another quantifier or an alternation"),
    ("(a*)*b", "a repeated group must not hold another quantifier or an alternation"),
    ("(a?){25}a{25}", "a repeated group must not hold another quantifier or an alternation"),
    ("(a|ab)*c", "a repeated group must not hold another quantifier or an alternation"),
    ("(x(a+))+", "a repeated group must not hold another quantifier or an alternation"),
    ("(\\w+\\s?)+$", "a repeated group must not hold another quantifier or an alternation"),
    ("(a)\\1", "backreferences are not allowed"),
    ("(?P<x>a)(?P=x)", "backreferences are not allowed"),
    ("a(?=b)", "lookahead and lookbehind are not allowed"),
    ("(?<!a)b", "lookahead and lookbehind are not allowed"),
    (".*a.*b.*c.*", "more than 3 variable-length quantifiers in a row"),
    ("[", "invalid regular expression (unterminated character set)"),
    ("a{2,1}", "invalid regular expression (min repeat greater than max repeat)"),
    ("x" * (MAX_PATTERN_LENGTH + 1), f"the pattern is longer than {MAX_PATTERN_LENGTH} characters"),
])
def test_unsafe_or_invalid_patterns_are_refused(pattern, reason):
    with pytest.raises(UnsafePatternError) as raised:
        compile_safe(pattern)
    assert str(raised.value) == reason


def test_non_string_pattern():
    with pytest.raises(UnsafePatternError):
        compile_safe(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern, name", [
    (".*a.*a.*a", "aa" + "b" * 253),
    ("\\w*\\w*\\w*!", "a" * 255),
    ("[a-z]{0,100}[a-z]{0,100}[a-z]{0,100}!", "a" * 255),
])
def test_worst_accepted_patterns_stay_fast_on_a_long_group_name(pattern, name):
    compiled = compile_safe(pattern)
    started = time.perf_counter()
    assert compiled.fullmatch(name) is None
    assert time.perf_counter() - started < 2.0
