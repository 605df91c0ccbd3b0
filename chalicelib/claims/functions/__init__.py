"""The whitelist of callable functions (Okta EL reference, "Functions"); nothing else can be called.

One module per family: ``strings.py`` (``String.*`` and the deprecated spellings), ``arrays.py`` (``Arrays.*``),
``convert.py`` (``Convert.*``), ``groups.py`` (``Groups.*``, ``getFilteredGroups``, ``isMemberOf*``); what a
function is in ``definition.py``, how arguments are read in ``arguments.py``.

Okta documents the functions by example only; where it is silent we follow Spring's conversion rules and Apache
Commons ``StringUtils``, which Okta's EL is built on. This package never imports the expression language: the
language builds its table with ``whitelist(parse_group_expression)`` and hands it to its parser.
"""
from __future__ import annotations

from .arrays import ARRAY_FUNCTIONS
from .convert import CONVERSION_FUNCTIONS
from .definition import DYNAMIC, ArgumentCheck, Function
from .groups import GROUPS_LIMIT_MAX, GroupExpression, GroupExpressionParser, group_functions
from .strings import STRING_FUNCTIONS

__all__ = [
    "DYNAMIC", "GROUPS_LIMIT_MAX", "ArgumentCheck", "Function", "GroupExpression", "GroupExpressionParser",
    "whitelist",
]


def whitelist(parse_group_expression: GroupExpressionParser) -> dict[str, Function]:
    """Every callable function by name; ``getFilteredGroups`` parses its group expression with
    ``parse_group_expression``."""
    entries = (*STRING_FUNCTIONS, *ARRAY_FUNCTIONS, *CONVERSION_FUNCTIONS, *group_functions(parse_group_expression))
    return {f.name: f for f in entries}
