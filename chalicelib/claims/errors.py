"""Errors of the expression language and of claim evaluation.

Messages never carry claim *values* (user profile data, group names): they name types, functions and positions,
so that they can be logged and shown to admins without leaking personal data.
"""
from __future__ import annotations

from ..errors import TokenmintError


class ExpressionError(Exception):
    """Base of the expression-language errors."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.reason = message
        self.position = position
        self.message = message if position is None else f"{message} at position {position}"
        super().__init__(self.message)


class ExpressionSyntaxError(ExpressionError, ValueError):
    """The text is not a valid expression; ``position`` is the 0-based character offset of the problem."""

    position: int

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)


class ExpressionEvaluationError(ExpressionError):
    """A valid expression failed while being evaluated (null dereference, wrong argument type, ...)."""


class ExpressionLimitError(ExpressionEvaluationError):
    """An evaluation would exceed what one expression may produce or spend (``claims/limits.py``)."""


class UnsafePatternError(ValueError):
    """A regular expression that is invalid or could backtrack catastrophically (see ``claims/regex.py``)."""


class TooManyGroupsError(TokenmintError):
    """A GROUPS claim matched more than 100 groups (okta-api.md 5.2).

    Not a per-claim failure: the whole token request fails, with HTTP 400 and the OAuth error ``server_error``
    whose description is ``too_many_groups_in_groups_claim`` (the attributes below carry both for the token
    endpoint's error mapping).
    """

    status = 400
    error = "server_error"
    error_description = "too_many_groups_in_groups_claim"

    def __init__(self, claim_name: str | None = None, limit: int = 100) -> None:
        self.claim_name = claim_name
        self.limit = limit
        where = f"claim '{claim_name}'" if claim_name else "a groups claim"
        super().__init__(f"More than {limit} groups match {where}")
