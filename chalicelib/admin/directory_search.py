"""The ``search`` and ``filter`` expressions of Okta's user and group lists: a small, safe subset of Okta's SCIM-style
grammar, parsed into a tree and evaluated in memory (docs/ARCHITECTURE.md "Directory").

Grammar (keywords case-insensitive)::

    expression := term ( "or" term )*
    term       := factor ( "and" factor )*
    factor     := "(" expression ")" | attribute "pr" | attribute operator value
    operator   := "eq" | "ne" | "sw" | "co" | "ew" | "gt" | "ge" | "lt" | "le"
    value      := a double-quoted string (\\" and \\\\ escape)

``and`` binds tighter than ``or``; text and enum comparisons ignore case. What each attribute accepts depends on its
kind and on the mode:

=============  ==============================================  ===========================================
kind           ``search``                                       ``filter`` (Okta's narrower parameter)
=============  ==============================================  ===========================================
``text``       eq, ne, sw, pr                                   eq
``enum``       eq, ne, pr (``status``, ``type``)                eq
``datetime``   eq, ne, gt, ge, lt, le, pr (ISO 8601 values)    eq, gt, ge, lt, le
=============  ==============================================  ===========================================

The System Log's ``filter`` (mode ``LOGS``) takes eq, ne, sw, co, ew and pr on text members.

Anything else (an unknown attribute or operator, a bad value, a malformed expression, more than 20 comparisons or
more than 1024 characters) is ``InvalidSearchError``: Okta's 400 ``E0000031`` "Invalid search criteria." with a
cause that says what was wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Union

from ..errors import ValidationError

TEXT = "text"
ENUM = "enum"
DATETIME = "datetime"

SEARCH = "search"
FILTER = "filter"
LOGS = "logs"  # the System Log's ``filter`` (audit/log_query.py): every text operator, on any event member

MAX_LENGTH = 1024
MAX_COMPARISONS = 20

OPERATORS = ("eq", "ne", "sw", "co", "ew", "gt", "ge", "lt", "le")
ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    SEARCH: {TEXT: ("eq", "ne", "sw", "pr"), ENUM: ("eq", "ne", "pr"),
             DATETIME: ("eq", "ne", "gt", "ge", "lt", "le", "pr")},
    FILTER: {TEXT: ("eq",), ENUM: ("eq",), DATETIME: ("eq", "gt", "ge", "lt", "le")},
    LOGS: {TEXT: ("eq", "ne", "sw", "co", "ew", "pr")},
}


class InvalidSearchError(ValidationError):
    """Okta's 400 E0000031 "Invalid search criteria." (api/errors.py)."""

    error_code = "E0000031"

    def __init__(self, parameter: str, cause: str) -> None:
        super().__init__(parameter, [f"{parameter}: {cause}"])
        self.parameter = parameter
        self.cause = cause


# -- the tree ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    attribute: str
    operator: str
    value: Any  # str (text, enum) or datetime


@dataclass(frozen=True)
class Present:
    attribute: str


@dataclass(frozen=True)
class And:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Or:
    left: "Node"
    right: "Node"


Node = Union[Compare, Present, And, Or]

# -- tokens --------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r'(?P<paren>[()])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z][A-Za-z0-9_.]*)')


def _unescape(body: str, parameter: str) -> str:
    out = []
    chars = iter(body)
    for c in chars:
        if c == "\\":
            escaped = next(chars, "")
            if escaped not in ('"', "\\"):
                raise InvalidSearchError(parameter, 'Only \\" and \\\\ may be escaped in a string.')
            c = escaped
        out.append(c)
    return "".join(out)


def _tokens(text: str, parameter: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return tokens
        match = _TOKEN.match(text, position)
        if not match:
            raise InvalidSearchError(parameter, f"Unexpected character at position {position + 1}.")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = _unescape(value[1:-1], parameter)
        tokens.append((kind, value))
        position = match.end()


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 timestamp such as ``2026-01-01T00:00:00.000Z``; naive values are UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class _Parser:
    def __init__(self, text: str, parameter: str, mode: str, attributes: Mapping[str, str]) -> None:
        self.parameter = parameter
        self.mode = mode
        self.attributes = attributes
        self.tokens = _tokens(text, parameter)
        self.position = 0
        self.comparisons = 0

    def fail(self, cause: str) -> InvalidSearchError:
        return InvalidSearchError(self.parameter, cause)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.position += 1
            return token[1].lower()
        return None

    def parse(self) -> Node:
        if not self.tokens:
            raise self.fail("The expression is empty.")
        node = self.expression(0)
        if self.peek() is not None:
            raise self.fail(f"Unexpected '{self.peek()[1]}'.")  # type: ignore[index]
        return node

    def expression(self, depth: int) -> Node:
        node = self.term(depth)
        while self.keyword("or"):
            node = Or(node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.factor(depth)
        while self.keyword("and"):
            node = And(node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Node:
        token = self.peek()
        if token is None:
            raise self.fail("The expression ends too early.")
        if token == ("paren", "("):
            if depth >= MAX_COMPARISONS:
                raise self.fail("The expression is nested too deeply.")
            self.position += 1
            node = self.expression(depth + 1)
            if self.peek() != ("paren", ")"):
                raise self.fail("A '(' is not closed.")
            self.position += 1
            return node
        if token[0] != "word":
            raise self.fail(f"Expected an attribute, found '{token[1]}'.")
        self.position += 1
        attribute = token[1]
        kind = self.attributes.get(attribute)
        if kind is None:
            raise self.fail(f"'{attribute}' is not an attribute this {self.parameter} supports.")
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise self.fail(f"At most {MAX_COMPARISONS} comparisons are supported.")
        operator = self.keyword("pr", *OPERATORS)
        if operator is None:
            found = self.peek()
            raise self.fail(f"Expected an operator after '{attribute}'" + (f", found '{found[1]}'." if found else "."))
        if operator not in ALLOWED[self.mode][kind]:
            raise self.fail(f"The operator '{operator}' is not supported for '{attribute}' in {self.parameter}.")
        if operator == "pr":
            return Present(attribute)
        return Compare(attribute, operator, self.value(attribute, kind))

    def value(self, attribute: str, kind: str) -> Any:
        token = self.peek()
        if token is None or token[0] != "string":
            raise self.fail(f"Expected a double-quoted value after the operator for '{attribute}'.")
        self.position += 1
        if kind == DATETIME:
            parsed = parse_datetime(token[1])
            if parsed is None:
                raise self.fail(f"'{token[1]}' is not an ISO 8601 timestamp.")
            return parsed
        return token[1]


def parse(text: str, parameter: str, attributes: Mapping[str, str], mode: str | None = None) -> Node:
    """The tree of a ``search`` or ``filter`` expression (``parameter`` is which, and the mode unless ``mode`` says)
    over ``attributes`` (name -> kind), or InvalidSearchError."""
    mode = mode or (FILTER if parameter == FILTER else SEARCH)
    if len(text) > MAX_LENGTH:
        raise InvalidSearchError(parameter, f"The expression must be at most {MAX_LENGTH} characters long.")
    return _Parser(text, parameter, mode, attributes).parse()


# -- evaluation ------------------------------------------------------------------------------------------------------


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "ne":
        return not _compare(actual, "eq", expected)
    if actual is None:
        return False
    if isinstance(actual, tuple):  # an attribute with several values (a trusted origin's scope types): any of them
        return any(_compare(value, operator, expected) for value in actual)
    # Two datetimes or two casefolded strings; the comparisons below never mix them (hence their ignores).
    left: datetime | str
    right: datetime | str
    if isinstance(expected, datetime):
        if not isinstance(actual, datetime):
            return False
        left, right = actual, expected
    else:
        left, right = str(actual).casefold(), str(expected).casefold()
    if operator == "eq":
        return left == right
    if operator == "sw":
        return isinstance(left, str) and left.startswith(right)  # type: ignore[arg-type]
    if operator == "co":
        return isinstance(left, str) and right in left  # type: ignore[operator]
    if operator == "ew":
        return isinstance(left, str) and left.endswith(right)  # type: ignore[arg-type]
    if operator == "gt":
        return left > right  # type: ignore[operator]
    if operator == "ge":
        return left >= right  # type: ignore[operator]
    if operator == "lt":
        return left < right  # type: ignore[operator]
    return left <= right  # type: ignore[operator]


def matches(node: Node, lookup: Callable[[str], Any]) -> bool:
    """Evaluate the tree against one object; ``lookup(attribute)`` returns its value or None when it has none."""
    if isinstance(node, And):
        return matches(node.left, lookup) and matches(node.right, lookup)
    if isinstance(node, Or):
        return matches(node.left, lookup) or matches(node.right, lookup)
    if isinstance(node, Present):
        value = lookup(node.attribute)
        return value is not None and value != ""
    return _compare(lookup(node.attribute), node.operator, node.value)
