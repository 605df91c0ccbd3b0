"""Okta Expression Language (EL) for claim values: tokenizer, recursive-descent parser, immutable AST, evaluator.

Pure Python; user input is never handed to ``eval``/``exec``/``ast``. What the language covers (Okta's EL
reference, a subset of SpEL):

* literals: strings in ``'single'`` or ``"double"`` quotes (a quote is escaped by doubling it, SpEL's rule:
  ``'It''s'``; a backslash is an ordinary character, as in Okta's own example ``"XDOMAIN\\" + ...``), integers,
  decimals (``3.141``, ``1e3``), ``true``/``false``/``null`` (any case, as in SpEL), arrays ``{"a", "b"}``, ``{}``;
* variables ``user``, ``appuser``, ``app``, ``access`` (``access.scope``), ``org`` and property access
  ``user.department``, ``app.profile.x`` (a missing property is null; reading a property of null is an error);
* operators, loosest first: ``cond ? a : b``; ``OR``/``||``; ``AND``/``&&``; one comparison ``== != < > <= >=``;
  ``+ -``; ``* / %``; prefix ``!``/``NOT``/``-``; parentheses. ``+`` concatenates when either side is a string
  (null becomes ``"null"``, as in SpEL) and adds numbers otherwise;
* calls of the whitelisted functions in ``functions.py`` (``String.*``, ``Arrays.*``, ``Convert.*``,
  ``Groups.*``, ``getFilteredGroups``, ``isMemberOf*``).

Unknown variables and functions, wrong argument counts and some bad literal arguments are syntax errors (found
when a claim is saved); everything else fails at evaluation with ``ExpressionEvaluationError``. Inputs are capped
(``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of nesting) so a hostile expression costs bounded time and stack.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .context import ROOTS, EvalContext, Group
from .errors import ExpressionEvaluationError, ExpressionSyntaxError
from .functions import DYNAMIC, FUNCTIONS, ArgumentCheck, Function
from .values import (
    MAX_INT,
    check_number,
    compare,
    equals,
    is_number,
    java_div,
    java_mod,
    to_string,
    truthy,
    type_name,
)

__all__ = [
    "MAX_DEPTH", "MAX_LENGTH", "EvalContext", "Expression", "ExpressionEvaluationError", "ExpressionSyntaxError",
    "Group", "Node", "Token", "parse", "parse_group_expression", "tokenize",
]

MAX_LENGTH = 1024
MAX_DEPTH = 24

GROUP_ROOTS = ROOTS | {"group"}

# ---------------------------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------------------------

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


def _describe(token: Token) -> str:
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


# ---------------------------------------------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------------------------------------------


class Node:
    """An immutable AST node; ``pos`` is where it starts in the source."""

    __slots__ = ()
    pos: int

    def evaluate(self, ctx: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any
    pos: int

    def evaluate(self, ctx: Any) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class ArrayLiteral(Node):
    items: tuple[Node, ...]
    pos: int

    def evaluate(self, ctx: Any) -> list[Any]:
        return [item.evaluate(ctx) for item in self.items]


@dataclass(frozen=True, slots=True)
class Variable(Node):
    name: str
    pos: int

    def evaluate(self, ctx: Any) -> Any:
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

    def evaluate(self, ctx: Any) -> Any:
        value = self.target.evaluate(ctx)
        for name, pos in zip(self.names, self.positions):
            value = _read_property(value, name, pos)
        return value


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: Function
    args: tuple[Node, ...]
    pos: int

    def evaluate(self, ctx: Any) -> Any:
        values = tuple(arg.evaluate(ctx) for arg in self.args)
        try:
            return self.function.impl(values, ctx)
        except ExpressionEvaluationError as exc:
            if exc.position is not None:
                raise
            raise ExpressionEvaluationError(exc.reason, self.pos) from None


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """Prefix operators, innermost last: ``!-x`` is ``ops == ("!", "-")``."""

    ops: tuple[str, ...]
    positions: tuple[int, ...]
    operand: Node
    pos: int

    def evaluate(self, ctx: Any) -> Any:
        value = self.operand.evaluate(ctx)
        for op, pos in zip(reversed(self.ops), reversed(self.positions)):
            if op == "!":
                try:
                    value = not truthy(value, "'!'")
                except ExpressionEvaluationError as exc:
                    raise ExpressionEvaluationError(exc.reason, pos) from None
            elif is_number(value):
                try:
                    value = check_number(-value)
                except ExpressionEvaluationError as exc:
                    raise ExpressionEvaluationError(exc.reason, pos) from None
            else:
                raise ExpressionEvaluationError(f"Unary '{op}' needs a number, got {type_name(value)}", pos)
        return value


def _arith(op: str, left: Any, right: Any) -> Any:
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return to_string(left) + to_string(right)
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

    def evaluate(self, ctx: Any) -> Any:
        value = self.first.evaluate(ctx)
        for op, pos, operand in self.rest:
            right = operand.evaluate(ctx)
            try:
                value = _arith(op, value, right)
            except ExpressionEvaluationError as exc:
                raise ExpressionEvaluationError(exc.reason, pos) from None
        return value


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: str
    left: Node
    right: Node
    op_pos: int
    pos: int

    def evaluate(self, ctx: Any) -> bool:
        left = self.left.evaluate(ctx)
        right = self.right.evaluate(ctx)
        if self.op == "==":
            return equals(left, right)
        if self.op == "!=":
            return not equals(left, right)
        try:
            order = compare(left, right)
        except ExpressionEvaluationError as exc:
            raise ExpressionEvaluationError(exc.reason, self.op_pos) from None
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

    def evaluate(self, ctx: Any) -> bool:
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

    def evaluate(self, ctx: Any) -> Any:
        condition = self.condition.evaluate(ctx)
        if not isinstance(condition, bool):
            raise ExpressionEvaluationError(f"The condition of '?:' must be a boolean, got {type_name(condition)}",
                                            self.op_pos)
        return self.then.evaluate(ctx) if condition else self.otherwise.evaluate(ctx)


# ---------------------------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------------------------

_COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">="})
_LITERAL_NAMES = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, text: str, roots: frozenset[str], group_mode: bool) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.roots = roots
        self.group_mode = group_mode
        self.variables: set[str] = set()
        self.functions: set[str] = set()

    # -- token helpers --

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != END:
            self.i += 1
        return token

    def is_op(self, *ops: str) -> bool:
        token = self.token
        return token.kind == OP and token.value in ops

    def is_word(self, *words: str) -> bool:
        token = self.token
        return token.kind == NAME and token.value.lower() in words

    def unexpected(self, token: Token | None = None) -> ExpressionSyntaxError:
        token = token or self.token
        return ExpressionSyntaxError(f"Unexpected {_describe(token)}", token.pos)

    def expect(self, op: str) -> Token:
        if not self.is_op(op):
            raise self.unexpected()
        return self.advance()

    # -- grammar --

    def parse(self) -> Node:
        node = self.expression()
        if self.token.kind != END:
            raise self.unexpected()
        return node

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError(f"Expression nested more than {MAX_DEPTH} levels deep", self.token.pos)
        try:
            return self.ternary()
        finally:
            self.depth -= 1

    def ternary(self) -> Node:
        condition = self.logical("OR")
        if not self.is_op("?"):
            return condition
        op = self.advance()
        then = self.expression()
        self.expect(":")
        otherwise = self.expression()
        return Conditional(condition, then, otherwise, op.pos, condition.pos)

    def logical(self, op: str) -> Node:
        symbol, word = ("||", "or") if op == "OR" else ("&&", "and")
        first = self.logical("AND") if op == "OR" else self.comparison()
        operands = [first]
        positions: list[int] = []
        while self.is_op(symbol) or self.is_word(word):
            positions.append(self.advance().pos)
            operands.append(self.logical("AND") if op == "OR" else self.comparison())
        if len(operands) == 1:
            return first
        return Logical(op, tuple(operands), tuple(positions), first.pos)

    def comparison(self) -> Node:
        left = self.additive()
        if self.token.kind == OP and self.token.value in _COMPARISONS:
            op = self.advance()
            right = self.additive()
            if self.token.kind == OP and self.token.value in _COMPARISONS:
                raise ExpressionSyntaxError(f"Unexpected {_describe(self.token)} (comparisons cannot be chained; "
                                            "use parentheses)", self.token.pos)
            return Comparison(op.value, left, right, op.pos, left.pos)
        return left

    def additive(self) -> Node:
        return self.arithmetic(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Node:
        return self.arithmetic(("*", "/", "%"), self.unary)

    def arithmetic(self, ops: tuple[str, ...], operand: Any) -> Node:
        first = operand()
        rest: list[tuple[str, int, Node]] = []
        while self.is_op(*ops):
            op = self.advance()
            rest.append((op.value, op.pos, operand()))
        if not rest:
            return first
        return Arithmetic(first, tuple(rest), first.pos)

    def unary(self) -> Node:
        ops: list[str] = []
        positions: list[int] = []
        while self.is_op("!", "-", "+") or self.is_word("not"):
            token = self.advance()
            op = "!" if token.kind == NAME else token.value
            if op == "+":
                continue  # unary plus changes nothing
            ops.append(op)
            positions.append(token.pos)
        operand = self.postfix()
        if not ops:
            return operand
        return Unary(tuple(ops), tuple(positions), operand, positions[0])

    def postfix(self) -> Node:
        node = self.primary()
        names: list[str] = []
        positions: list[int] = []
        while self.is_op("."):
            self.advance()
            name = self.token
            if name.kind != NAME:
                raise self.unexpected()
            self.advance()
            if self.is_op("("):
                raise ExpressionSyntaxError(f"Unknown function {name.value}", name.pos)
            names.append(name.value)
            positions.append(name.pos)
        if not names:
            return node
        return Property(node, tuple(names), tuple(positions), node.pos)

    def primary(self) -> Node:
        token = self.token
        if token.kind in (NUMBER, STRING):
            self.advance()
            return Literal(token.value, token.pos)
        if token.kind == OP and token.value == "(":
            self.advance()
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == OP and token.value == "{":
            return self.array()
        if token.kind == NAME:
            lowered = token.value.lower()
            if lowered in _LITERAL_NAMES:
                self.advance()
                return Literal(_LITERAL_NAMES[lowered], token.pos)
            if lowered in ("and", "or", "not"):
                raise self.unexpected()
            return self.name()
        raise self.unexpected()

    def array(self) -> Node:
        start = self.advance()
        items: list[Node] = []
        if not self.is_op("}"):
            while True:
                items.append(self.expression())
                if self.is_op(","):
                    self.advance()
                    continue
                break
        self.expect("}")
        return ArrayLiteral(tuple(items), start.pos)

    def name(self) -> Node:
        """``root.a.b`` (a variable and its properties) or ``Ns.function(args)``."""
        first = self.advance()
        parts = [first]
        while self.is_op(".") and self.tokens[self.i + 1].kind == NAME:
            self.advance()
            parts.append(self.advance())
        if self.is_op("("):
            return self.call(".".join(p.value for p in parts), first.pos)
        if first.value not in self.roots:
            raise ExpressionSyntaxError(f"Unknown variable {first.value}", first.pos)
        self.variables.add(first.value)
        root: Node = Variable(first.value, first.pos)
        if len(parts) == 1:
            return root
        return Property(root, tuple(p.value for p in parts[1:]), tuple(p.pos for p in parts[1:]), first.pos)

    def call(self, name: str, pos: int) -> Node:
        function = FUNCTIONS.get(name)
        if function is None or (self.group_mode and name == "getFilteredGroups"):
            raise ExpressionSyntaxError(f"Unknown function {name}", pos)
        self.expect("(")
        args: list[Node] = []
        if not self.is_op(")"):
            while True:
                args.append(self.expression())
                if self.is_op(","):
                    self.advance()
                    continue
                break
        self.expect(")")
        count = len(args)
        if count < function.min_args or (function.max_args is not None and count > function.max_args):
            raise ExpressionSyntaxError(f"Function {name} expects {function.arity_text()}, got {count}", pos)
        if function.check is not None:
            literals = tuple(_literal_value(arg) for arg in args)
            try:
                function.check(literals)
            except ArgumentCheck as problem:
                raise ExpressionSyntaxError(f"{name}: {problem.message}", args[problem.index].pos) from None
        self.functions.add(name)
        return Call(function, tuple(args), pos)


def _literal_value(node: Node) -> Any:
    """The value of a literal argument (negative numbers and literal arrays included), else ``DYNAMIC``."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Unary) and node.ops == ("-",) and isinstance(node.operand, Literal) \
            and is_number(node.operand.value):
        return -node.operand.value
    if isinstance(node, ArrayLiteral):
        values = [_literal_value(item) for item in node.items]
        return DYNAMIC if any(v is DYNAMIC for v in values) else values
    return DYNAMIC


# ---------------------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression: immutable, so one instance is safely shared through the parse cache."""

    source: str
    root: Node
    variables: frozenset[str]  # the context variables it reads, e.g. {"user"}
    functions: frozenset[str]  # the functions it calls

    def evaluate(self, context: EvalContext) -> Any:
        """The value of the expression in ``context``; raises ``ExpressionEvaluationError`` only."""
        try:
            return self.root.evaluate(context)
        except ExpressionEvaluationError:
            raise
        except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError, LookupError,
                AttributeError) as exc:
            raise ExpressionEvaluationError(f"Evaluation failed ({type(exc).__name__})") from None


def _parse(text: str, group_mode: bool) -> Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"Expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text, GROUP_ROOTS if group_mode else ROOTS, group_mode)
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
