"""The tokens of an expression (Okta EL reference, "Literals"; SpEL's lexical rules).

Strings in ``'single'`` or ``"double"`` quotes (a quote is escaped by doubling it, SpEL's rule: ``'It''s'``; a
backslash is an ordinary character, as in Okta's own example ``"XDOMAIN\\" + ...``), integers up to Java's
``long``, decimals (``3.141``, ``1e3``), names (``user``, ``String``, ``and``, ``true``: the parser tells them
apart) and the operators ``== != <= >= && || ( ) { } , . ? : + - * / % < > !``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ExpressionSyntaxError
from ..values import MAX_INT

NUMBER, STRING, NAME, OP, END = "number", "string", "name", "op", "end"

_TWO_CHAR_OPS = frozenset({"==", "!=", "<=", ">=", "&&", "||"})
_ONE_CHAR_OPS = frozenset("(){},.?:+-*/%<>!")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\r\n")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: Any
    pos: int
    text: str


def describe(token: Token) -> str:
    """The token as an error message names it (shortened: the text may be user data)."""
    if token.kind == END:
        return "end of expression"
    text = token.text if len(token.text) <= 20 else token.text[:17] + "..."
    return repr(text)


def _scan_number(text: str, start: int) -> Token:
    i = start
    n = len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    is_float = False
    if i + 1 < n and text[i] == "." and text[i + 1] in _DIGITS:
        is_float = True
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in _DIGITS:
            is_float = True
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    if i < n and text[i] in _NAME_CHARS:
        raise ExpressionSyntaxError(f"Unexpected character {text[i]!r}", i)
    literal = text[start:i]
    value: int | float
    if is_float:
        value = float(literal)
        if not math.isfinite(value):
            raise ExpressionSyntaxError("Number out of range", start)
    else:
        if len(literal) > 19 or int(literal) > MAX_INT:
            raise ExpressionSyntaxError("Number out of range", start)
        value = int(literal)
    return Token(NUMBER, value, start, literal)


def _scan_string(text: str, start: int) -> Token:
    quote = text[start]
    parts: list[str] = []
    i = start + 1
    n = len(text)
    while True:
        end = text.find(quote, i)
        if end < 0:
            raise ExpressionSyntaxError("Unterminated string", start)
        parts.append(text[i:end])
        if end + 1 < n and text[end + 1] == quote:  # a doubled quote stands for one quote
            parts.append(quote)
            i = end + 2
            continue
        return Token(STRING, "".join(parts), start, text[start:end + 1])


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; raises ``ExpressionSyntaxError``."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
        elif ch in _DIGITS:
            token = _scan_number(text, i)
            tokens.append(token)
            i += len(token.text)
        elif ch in "'\"":
            token = _scan_string(text, i)
            tokens.append(token)
            i += len(token.text)
        elif ch in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            tokens.append(Token(NAME, text[i:j], i, text[i:j]))
            i = j
        elif text[i:i + 2] in _TWO_CHAR_OPS:
            tokens.append(Token(OP, text[i:i + 2], i, text[i:i + 2]))
            i += 2
        elif ch in _ONE_CHAR_OPS:
            tokens.append(Token(OP, ch, i, ch))
            i += 1
        elif ch in "=&|":
            hint = {"=": " (use == to compare)", "&": " (use && or AND)", "|": " (use || or OR)"}[ch]
            raise ExpressionSyntaxError(f"Unexpected {ch!r}{hint}", i)
        else:
            raise ExpressionSyntaxError(f"Unexpected character {ch!r}", i)
    tokens.append(Token(END, None, n, ""))
    return tokens
