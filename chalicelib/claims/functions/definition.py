"""What a whitelisted function of the expression language is (Okta EL reference, "Functions").

A ``Function`` has a name, an arity checked when the expression is parsed, optionally a parse-time ``check`` of
its literal arguments (``DYNAMIC`` stands for an argument that is not a literal; a check raises
``ArgumentCheck``), and an implementation ``impl(args, scope)`` over already evaluated arguments.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..context import Scope

Impl = Callable[[tuple[Any, ...], Scope], Any]
Check = Callable[[tuple[Any, ...]], None]


class _Dynamic:
    def __repr__(self) -> str:
        return "DYNAMIC"


# Parse-time stand-in for an argument that is not a literal.
DYNAMIC: Any = _Dynamic()


class ArgumentCheck(Exception):
    """Raised by a parse-time check: ``index`` is the argument at fault."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True)
class Function:
    name: str
    impl: Impl
    min_args: int
    max_args: int | None
    check: Check | None = None

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


def all_checks(*checks: Check) -> Check:
    """One check running ``checks`` in order (the first failure stands)."""
    def check(literals: tuple[Any, ...]) -> None:
        for one in checks:
            one(literals)
    return check


def check_not_null(*indexes: int) -> Check:
    def check(literals: tuple[Any, ...]) -> None:
        for index in indexes:
            if literals[index] is None:
                raise ArgumentCheck("This argument must not be null", index)
    return check
