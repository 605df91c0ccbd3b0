"""Claims of custom authorization servers: the Okta Expression Language, GROUPS filters and the claim builder.

Pure code: no Chalice, no AWS. See ``expression/`` (the language: lexer, parser, evaluator), ``functions/`` (the
function whitelist, one module per family), ``values.py`` (the value model), ``context.py`` (what an expression
sees), ``groups.py`` (GROUPS claims), ``builder.py`` (what goes into a token) and ``regex.py`` (regex safety).
"""
from .builder import build_claims
from .context import EvalContext, Group
from .errors import ExpressionEvaluationError, ExpressionSyntaxError, TooManyGroupsError
from .expression import Expression, parse
from .groups import GroupFilterError, filter_groups

__all__ = [
    "EvalContext", "Expression", "ExpressionEvaluationError", "ExpressionSyntaxError", "Group", "GroupFilterError",
    "TooManyGroupsError", "build_claims", "filter_groups", "parse",
]
