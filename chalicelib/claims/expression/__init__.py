"""Okta Expression Language (EL) for claim values: ``parse`` text once (cached), evaluate the result per token.

Pure Python; user input is never handed to ``eval``/``exec``/``ast``. What the language covers (Okta's EL
reference, a subset of SpEL):

* literals: strings, integers, decimals, ``true``/``false``/``null``, arrays ``{"a", "b"}`` (``lexer.py``);
* variables ``user``, ``appuser``, ``app``, ``access`` (``access.scope``), ``org`` and property access
  ``user.department``, ``app.profile.x`` (``claims/context.py``);
* operators and their precedence (``parser.py``) and what they do (``nodes.py``, the evaluator);
* calls of the whitelisted functions of ``claims/functions/`` (``String.*``, ``Arrays.*``, ``Convert.*``,
  ``Groups.*``, ``getFilteredGroups``, ``isMemberOf*``), whose table this module builds and hands to the parser.

Unknown variables and functions, wrong argument counts and some bad literal arguments are syntax errors (found
when a claim is saved); everything else fails at evaluation with ``ExpressionEvaluationError``. Inputs are capped
(``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of nesting) so a hostile expression costs bounded time and stack.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from ..context import ROOTS, EvalContext, Group
from ..errors import ExpressionEvaluationError, ExpressionSyntaxError
from ..functions import Function, whitelist
from .lexer import Token, tokenize
from .nodes import Expression, Node
from .parser import MAX_DEPTH, Parser

__all__ = [
    "MAX_DEPTH", "MAX_LENGTH", "EvalContext", "Expression", "ExpressionEvaluationError", "ExpressionSyntaxError",
    "Group", "Node", "Token", "parse", "parse_group_expression", "tokenize",
]

MAX_LENGTH = 1024

GROUP_ROOTS = ROOTS | {"group"}


def _parse(text: str, group_mode: bool) -> Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"Expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = Parser(text, GROUP_ROOTS if group_mode else ROOTS, _GROUP_FUNCTIONS if group_mode else FUNCTIONS)
    try:
        root = parser.parse()
    except RecursionError:  # MAX_DEPTH keeps the parser within ~350 frames; a caller already deep gets this
        raise ExpressionSyntaxError("Expression too complex", 0) from None
    return Expression(text, root, frozenset(parser.variables), frozenset(parser.functions))


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Expression:
    return _parse(text, group_mode=False)


@lru_cache(maxsize=256)
def _parse_group_cached(text: str) -> Expression:
    return _parse(text, group_mode=True)


def parse(text: str) -> Expression:
    """Parse a claim expression (cached by text: this runs on the token path). Raises ``ExpressionSyntaxError``
    whose message ends with ``at position N`` (0-based character offset)."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("The expression must be a string", 0)
    return _parse_cached(text)


def parse_group_expression(text: str) -> Expression:
    """Parse the group expression of ``getFilteredGroups``: ``group`` is a variable there (``id``, ``name``,
    ``profile.name``), and ``getFilteredGroups`` cannot nest."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("The expression must be a string", 0)
    return _parse_group_cached(text)


# The parser's tables, read at parse time: getFilteredGroups is handed parse_group_expression (the functions never
# import the language), and cannot nest, so a group expression's table is the same without it.
FUNCTIONS: Mapping[str, Function] = whitelist(parse_group_expression)
_GROUP_FUNCTIONS: Mapping[str, Function] = {name: f for name, f in FUNCTIONS.items() if name != "getFilteredGroups"}
