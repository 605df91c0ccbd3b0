"""Group functions (Okta EL reference, "Group functions"): ``Groups.contains/startsWith/endsWith``,
``getFilteredGroups`` and the ``isMemberOf*`` tests, over the user's groups in the evaluation scope.

Group name patterns (``Groups.*``, ``isMemberOfGroupName*``) are case-insensitive like the GROUPS claim filters;
``isMemberOfGroupNameRegex`` is case-sensitive and matches the whole name (``regex.py`` makes it safe).

``getFilteredGroups`` evaluates a group expression per group; it is given the expression language's parser
(``group_functions(parse_group_expression)``) rather than importing it, so the language depends on its
functions and never the other way round.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..context import Group, Scope
from ..errors import ExpressionEvaluationError, ExpressionSyntaxError, UnsafePatternError
from ..regex import compile_safe, strip_delimiters
from ..values import is_number, to_string
from .arguments import array_arg, fail, flatten, int_arg, string_arg
from .definition import DYNAMIC, ArgumentCheck, Check, Function, all_checks, check_not_null

GROUPS_LIMIT_MAX = 100


class GroupExpression(Protocol):
    """A parsed group expression (``claims.expression.Expression``)."""

    def evaluate(self, context: Scope) -> Any: ...


# ``claims.expression.parse_group_expression``: raises ``ExpressionSyntaxError``.
GroupExpressionParser = Callable[[str], GroupExpression]


def _limit(value: Any, function: str) -> int:
    limit = int_arg(value, function, "the limit")
    if not 1 <= limit <= GROUPS_LIMIT_MAX:
        raise fail(function, f"the limit must be between 1 and {GROUPS_LIMIT_MAX}")
    return limit


def _check_limit(index: int) -> Check:
    def check(literals: tuple[Any, ...]) -> None:
        value = literals[index]
        if value is DYNAMIC:
            return
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if not is_number(value) or not integral or not 1 <= value <= GROUPS_LIMIT_MAX:
            raise ArgumentCheck(f"The limit must be an integer between 1 and {GROUPS_LIMIT_MAX}", index)
    return check


def _check_regex(literals: tuple[Any, ...]) -> None:
    value = literals[0]
    if value is DYNAMIC:
        return
    if not isinstance(value, str):
        raise ArgumentCheck("The pattern must be a string", 0)
    try:
        compile_safe(strip_delimiters(value))
    except UnsafePatternError as exc:
        raise ArgumentCheck(f"Unsafe or invalid regular expression: {exc}", 0) from None


# -- Groups.* ---------------------------------------------------------------------------------------------------


def _groups(name: str, test: Callable[[str, str], bool]) -> Callable[[tuple[Any, ...], Scope], list[str]]:
    def groups(args: tuple[Any, ...], ctx: Scope) -> list[str]:
        app = string_arg(args[0], name, "the app")
        pattern = string_arg(args[1], name, "the pattern").casefold()
        limit = _limit(args[2], name)
        source = app.casefold()
        names = [g.name for g in ctx.groups if g.source.casefold() == source and test(g.name.casefold(), pattern)]
        return names[:limit]
    return groups


# -- getFilteredGroups ------------------------------------------------------------------------------------------


class _GroupScope:
    """The scope of a ``getFilteredGroups`` group expression: everything of the request plus ``group``."""

    __slots__ = ("_base", "_group")

    def __init__(self, base: Scope, group: Mapping[str, Any]) -> None:
        self._base = base
        self._group = group

    @property
    def groups(self) -> tuple[Group, ...]:
        return self._base.groups

    def root(self, name: str) -> Any:
        return self._group if name == "group" else self._base.root(name)


def _group_object(group: Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "source": group.source, "profile": {"name": group.name}}


def _filtered_groups(parse_group_expression: GroupExpressionParser) -> Function:
    name = "getFilteredGroups"

    def get_filtered_groups(args: tuple[Any, ...], ctx: Scope) -> list[Any]:
        allowed = {to_string(v, "group id") for v in array_arg(args[0], name)}
        text = string_arg(args[1], name, "the group expression")
        limit = _limit(args[2], name)
        try:
            expression = parse_group_expression(text)
        except ExpressionSyntaxError as exc:
            raise fail(name, f"invalid group expression ({exc.message})") from None
        out: list[Any] = []
        for group in ctx.groups:
            if group.id in allowed:
                try:
                    out.append(expression.evaluate(_GroupScope(ctx, _group_object(group))))
                except ExpressionEvaluationError as exc:
                    raise fail(name, f"the group expression failed ({exc.message})") from None
                if len(out) == limit:
                    break
        return out

    def check_group_expression(literals: tuple[Any, ...]) -> None:
        value = literals[1]
        if value is DYNAMIC:
            return
        if not isinstance(value, str):
            raise ArgumentCheck("The group expression must be a string", 1)
        try:
            parse_group_expression(value)
        except ExpressionSyntaxError as exc:
            raise ArgumentCheck(f"Invalid group expression ({exc.message})", 1) from None

    return Function(name, get_filtered_groups, 3, 3,
                    all_checks(check_not_null(0, 1), check_group_expression, _check_limit(2)))


# -- isMemberOf* ------------------------------------------------------------------------------------------------


def _member_of_name(name: str, test: Callable[[str, str], bool]) -> Callable[[tuple[Any, ...], Scope], bool]:
    def member(args: tuple[Any, ...], ctx: Scope) -> bool:
        wanted = string_arg(args[0], name, "the group name").casefold()
        return any(test(g.name.casefold(), wanted) for g in ctx.groups)
    return member


def _member_of_group(args: tuple[Any, ...], ctx: Scope) -> bool:
    wanted = string_arg(args[0], "isMemberOfGroup", "the group id")
    return any(g.id == wanted for g in ctx.groups)


def _member_of_any_group(args: tuple[Any, ...], ctx: Scope) -> bool:
    wanted = {string_arg(v, "isMemberOfAnyGroup", "a group id") for v in flatten(args)}
    return any(g.id in wanted for g in ctx.groups)


def _member_of_name_regex(args: tuple[Any, ...], ctx: Scope) -> bool:
    name = "isMemberOfGroupNameRegex"
    try:
        pattern = compile_safe(strip_delimiters(string_arg(args[0], name, "the pattern")))
    except UnsafePatternError as exc:
        raise fail(name, str(exc)) from None
    return any(pattern.fullmatch(g.name) is not None for g in ctx.groups)


def _starts(name: str, pattern: str) -> bool:
    return name.startswith(pattern)


def _ends(name: str, pattern: str) -> bool:
    return name.endswith(pattern)


def _contains(name: str, pattern: str) -> bool:
    return pattern in name


def _same(name: str, pattern: str) -> bool:
    return name == pattern


def group_functions(parse_group_expression: GroupExpressionParser) -> tuple[Function, ...]:
    """The group functions; ``getFilteredGroups`` parses its group expression with ``parse_group_expression``."""
    groups_check = all_checks(check_not_null(0, 1), _check_limit(2))
    return (
        Function("Groups.contains", _groups("Groups.contains", _contains), 3, 3, groups_check),
        Function("Groups.startsWith", _groups("Groups.startsWith", _starts), 3, 3, groups_check),
        Function("Groups.endsWith", _groups("Groups.endsWith", _ends), 3, 3, groups_check),
        _filtered_groups(parse_group_expression),
        Function("isMemberOfGroupName", _member_of_name("isMemberOfGroupName", _same), 1, 1, check_not_null(0)),
        Function("isMemberOfGroup", _member_of_group, 1, 1, check_not_null(0)),
        Function("isMemberOfAnyGroup", _member_of_any_group, 1, None),
        Function("isMemberOfGroupNameStartsWith", _member_of_name("isMemberOfGroupNameStartsWith", _starts), 1, 1,
                 check_not_null(0)),
        Function("isMemberOfGroupNameContains", _member_of_name("isMemberOfGroupNameContains", _contains), 1, 1,
                 check_not_null(0)),
        Function("isMemberOfGroupNameRegex", _member_of_name_regex, 1, 1, _check_regex),
    )
