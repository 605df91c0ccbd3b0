"""The syntax tree of an expression and its evaluation (the semantics of Okta's EL, a subset of SpEL).

Every node is immutable and evaluates itself against a ``Scope`` (``claims/context.py``). Runs of one operator
(``a.b.c``, ``a + b - c``, ``a AND b AND c``, ``!-x``) are one node evaluated in a loop, so the evaluator's
recursion depth follows the parser's nesting depth (``MAX_DEPTH``), not the expression's length.

* A missing property is null; reading a property of null is an error.
* ``+`` concatenates when either side is a string (null becomes ``"null"``, as in SpEL) and adds numbers
  otherwise; integer arithmetic is Java's ``long`` (overflow is an error, ``/`` and ``%`` truncate).
* ``==``/``!=`` compare numbers by value and everything else by type and value; ``< > <= >=`` order numbers,
  strings and booleans among themselves (``values.py``).
* ``AND``, ``OR``, ``!`` and ``?:`` take booleans only (null is refused); ``AND``/``OR`` short-circuit.

Every failure is an ``ExpressionEvaluationError`` with the position of the operator or call at fault; messages
name types, never values. What an evaluation may produce and spend is capped (``claims/limits.py``): strings and
arrays before they are built, function calls per evaluation.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contextvars import ContextVar

from ..context import Scope
from ..errors import ExpressionEvaluationError, ExpressionLimitError
from ..limits import MAX_CALLS, string_of
from ..functions import Function
from ..values import check_number, compare, equals, is_number, java_div, java_mod, to_string, truthy, type_name


class Node:
    """An immutable AST node; ``pos`` is where it starts in the source."""

    __slots__ = ()
    pos: int

    def evaluate(self, ctx: Scope) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class ArrayLiteral(Node):
    items: tuple[Node, ...]
    pos: int

    def evaluate(self, ctx: Scope) -> list[Any]:
        return [item.evaluate(ctx) for item in self.items]


@dataclass(frozen=True, slots=True)
class Variable(Node):
    name: str
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        return ctx.root(self.name)


def _read_property(value: Any, name: str, pos: int) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)
    if value is None:
        raise ExpressionEvaluationError(f"Cannot read property '{name}' of null", pos)
    raise ExpressionEvaluationError(f"Cannot read property '{name}' of a {type_name(value)}", pos)


@dataclass(frozen=True, slots=True)
class Property(Node):
    """``target.a.b``: one node for the whole chain (evaluated in a loop, not recursively)."""

    target: Node
    names: tuple[str, ...]
    positions: tuple[int, ...]
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        value = self.target.evaluate(ctx)
        for name, pos in zip(self.names, self.positions):
            value = _read_property(value, name, pos)
        return value


# The function calls one evaluation may still make, and its budget (a list, so that calls can spend it in place).
_calls_left: ContextVar[list[int]] = ContextVar("calls_left", default=[MAX_CALLS, MAX_CALLS])


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: Function
    args: tuple[Node, ...]
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        values = tuple(arg.evaluate(ctx) for arg in self.args)
        budget = _calls_left.get()
        if budget[0] <= 0:
            raise ExpressionLimitError(f"More than {budget[1]} function calls in one evaluation", self.pos)
        budget[0] -= 1
        try:
            return self.function.impl(values, ctx)
        except ExpressionEvaluationError as exc:
            if exc.position is not None:
                raise
            raise type(exc)(exc.reason, self.pos) from None


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """Prefix operators, innermost last: ``!-x`` is ``ops == ("!", "-")``."""

    ops: tuple[str, ...]
    positions: tuple[int, ...]
    operand: Node
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        value = self.operand.evaluate(ctx)
        for op, pos in zip(reversed(self.ops), reversed(self.positions)):
            if op == "!":
                try:
                    value = not truthy(value, "'!'")
                except ExpressionEvaluationError as exc:
                    raise type(exc)(exc.reason, pos) from None
            elif is_number(value):
                try:
                    value = check_number(-value)
                except ExpressionEvaluationError as exc:
                    raise type(exc)(exc.reason, pos) from None
            else:
                raise ExpressionEvaluationError(f"Unary '{op}' needs a number, got {type_name(value)}", pos)
        return value


def _arith(op: str, left: Any, right: Any) -> Any:
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        left_text, right_text = to_string(left), to_string(right)
        string_of(len(left_text) + len(right_text), "'+'")
        return left_text + right_text
    if not (is_number(left) and is_number(right)):
        raise ExpressionEvaluationError(f"Operator '{op}' cannot be applied to {type_name(left)} and "
                                        f"{type_name(right)}")
    if op == "+":
        return check_number(left + right)
    if op == "-":
        return check_number(left - right)
    if op == "*":
        return check_number(left * right)
    if right == 0:
        raise ExpressionEvaluationError("Division by zero")
    if isinstance(left, int) and isinstance(right, int):
        return java_div(left, right) if op == "/" else java_mod(left, right)
    return check_number(left / right if op == "/" else math.fmod(left, right))


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """A left-associative run of ``+ -`` or ``* / %`` (one node, evaluated in a loop)."""

    first: Node
    rest: tuple[tuple[str, int, Node], ...]
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        value = self.first.evaluate(ctx)
        for op, pos, operand in self.rest:
            right = operand.evaluate(ctx)
            try:
                value = _arith(op, value, right)
            except ExpressionEvaluationError as exc:
                raise type(exc)(exc.reason, pos) from None
        return value


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: str
    left: Node
    right: Node
    op_pos: int
    pos: int

    def evaluate(self, ctx: Scope) -> bool:
        left = self.left.evaluate(ctx)
        right = self.right.evaluate(ctx)
        if self.op == "==":
            return equals(left, right)
        if self.op == "!=":
            return not equals(left, right)
        try:
            order = compare(left, right)
        except ExpressionEvaluationError as exc:
            raise type(exc)(exc.reason, self.op_pos) from None
        if self.op == "<":
            return order < 0
        if self.op == ">":
            return order > 0
        if self.op == "<=":
            return order <= 0
        return order >= 0


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """``a AND b AND c`` / ``a OR b OR c``: short-circuit, every operand evaluated must be a boolean."""

    op: str  # "AND" or "OR"
    operands: tuple[Node, ...]
    positions: tuple[int, ...]  # of the operators; the first operand's check uses the first operator
    pos: int

    def evaluate(self, ctx: Scope) -> bool:
        stop = self.op == "OR"  # the value that decides the result
        for i, operand in enumerate(self.operands):
            value = operand.evaluate(ctx)
            if not isinstance(value, bool):
                at = self.positions[max(0, i - 1)]
                raise ExpressionEvaluationError(f"'{self.op}' needs booleans, got {type_name(value)}", at)
            if value is stop:
                return stop
        return not stop


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    condition: Node
    then: Node
    otherwise: Node
    op_pos: int
    pos: int

    def evaluate(self, ctx: Scope) -> Any:
        condition = self.condition.evaluate(ctx)
        if not isinstance(condition, bool):
            raise ExpressionEvaluationError(f"The condition of '?:' must be a boolean, got {type_name(condition)}",
                                            self.op_pos)
        return self.then.evaluate(ctx) if condition else self.otherwise.evaluate(ctx)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: immutable, so one instance is safely shared through the parse cache."""

    source: str
    root: Node
    variables: frozenset[str]  # the context variables it reads, e.g. {"user"}
    functions: frozenset[str]  # the functions it calls

    def evaluate(self, context: Scope, max_calls: int = MAX_CALLS) -> Any:
        """The value of the expression in ``context``; raises ``ExpressionEvaluationError`` only."""
        budget = _calls_left.set([max_calls, max_calls])
        try:
            return self.root.evaluate(context)
        except ExpressionEvaluationError:
            raise
        except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError, LookupError,
                AttributeError) as exc:
            raise ExpressionEvaluationError(f"Evaluation failed ({type(exc).__name__})") from None
        finally:
            _calls_left.reset(budget)
