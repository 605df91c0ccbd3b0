"""The recursive-descent parser of the expression language (Okta EL reference, "Operators"; SpEL's grammar).

Operators, loosest first: ``cond ? a : b``; ``OR``/``||``; ``AND``/``&&``; one comparison ``== != < > <= >=``
(comparisons do not chain); ``+ -``; ``* / %``; prefix ``!``/``NOT``/``-``/``+``; property access ``a.b``;
parentheses, array literals ``{...}``, ``true``/``false``/``null`` (any case, as in SpEL).

The parser is given the variables (``roots``) and the function table it accepts: an unknown variable or
function, a wrong argument count and some bad literal arguments (a function's ``check``) are syntax errors,
found when a claim is saved. Nesting deeper than ``MAX_DEPTH`` is refused, which also bounds the evaluator's
recursion.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ExpressionSyntaxError
from ..functions import DYNAMIC, ArgumentCheck, Function
from ..values import is_number
from .lexer import END, NAME, NUMBER, OP, STRING, Token, describe, tokenize
from .nodes import (
    Arithmetic,
    ArrayLiteral,
    Call,
    Comparison,
    Conditional,
    Literal,
    Logical,
    Node,
    Property,
    Unary,
    Variable,
)

MAX_DEPTH = 24

_COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">="})
_LITERAL_NAMES = {"true": True, "false": False, "null": None}


class Parser:
    """One parse of ``text``: ``parse()`` gives the tree; ``variables`` and ``functions`` are then the names the
    expression reads and calls."""

    def __init__(self, text: str, roots: frozenset[str], functions: Mapping[str, Function]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.roots = roots
        self.table = functions
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
        return ExpressionSyntaxError(f"Unexpected {describe(token)}", token.pos)

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
                raise ExpressionSyntaxError(f"Unexpected {describe(self.token)} (comparisons cannot be chained; "
                                            "use parentheses)", self.token.pos)
            return Comparison(op.value, left, right, op.pos, left.pos)
        return left

    def additive(self) -> Node:
        return self.arithmetic(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Node:
        return self.arithmetic(("*", "/", "%"), self.unary)

    def arithmetic(self, ops: tuple[str, ...], operand: Callable[[], Node]) -> Node:
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
        function = self.table.get(name)
        if function is None:
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
