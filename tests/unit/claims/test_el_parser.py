"""claims/expression/, syntax side: tokens, the tree the parser builds, and syntax errors with their positions."""
from __future__ import annotations

import pytest

from chalicelib.claims.expression import (
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionSyntaxError,
    parse,
    parse_group_expression,
    tokenize,
)
from chalicelib.claims.expression.nodes import (
    Arithmetic,
    ArrayLiteral,
    Call,
    Comparison,
    Conditional,
    Literal,
    Logical,
    Property,
    Unary,
    Variable,
)

# -- tokenizer -----------------------------------------------------------------------------------------------------


def kinds(text: str) -> list[tuple[str, object]]:
    return [(t.kind, t.value) for t in tokenize(text)][:-1]


@pytest.mark.parametrize("text, expected", [
    ("'abc'", [("string", "abc")]),
    ('"abc"', [("string", "abc")]),
    ("''", [("string", "")]),
    ("'It''s'", [("string", "It's")]),
    ('"say ""hi"""', [("string", 'say "hi"')]),
    ('"a\'b"', [("string", "a'b")]),
    ("'a\"b'", [("string", 'a"b')]),
    ('"XDOMAIN\\"', [("string", "XDOMAIN\\")]),  # Okta's own example: a backslash is not an escape
    ('"tab\\tnot"', [("string", "tab\\tnot")]),
    ("'ünïcødé ✓'", [("string", "ünïcødé ✓")]),
    ("1234", [("number", 1234)]),
    ("0", [("number", 0)]),
    ("3.141", [("number", 3.141)]),
    ("1e3", [("number", 1000.0)]),
    ("2.5E-2", [("number", 0.025)]),
    ("user.firstName", [("name", "user"), ("op", "."), ("name", "firstName")]),
    ("$x _y a1", [("name", "$x"), ("name", "_y"), ("name", "a1")]),
    ("== != <= >= && || < > ! ? : + - * / % ( ) { } ,",
     [("op", o) for o in "== != <= >= && || < > ! ? : + - * / % ( ) { } ,".split()]),
    (" \t\r\n1 ", [("number", 1)]),
])
def test_tokenize(text, expected):
    assert kinds(text) == expected


def test_tokens_carry_positions_and_end():
    tokens = tokenize("a + 'b'")
    assert [(t.pos, t.text) for t in tokens] == [(0, "a"), (2, "+"), (4, "'b'"), (7, "")]
    assert tokens[-1].kind == "end"


# -- tree shape and precedence -------------------------------------------------------------------------------------


def root(text: str):
    return parse(text).root


def test_literals():
    assert root("'x'") == Literal("x", 0)
    assert root("42") == Literal(42, 0)
    assert root("TRUE") == Literal(True, 0) and root("False") == Literal(False, 0) and root("NULL") == Literal(None, 0)


def test_property_chain_is_one_node():
    node = root("app.profile.x")
    assert node == Property(Variable("app", 0), ("profile", "x"), (4, 12), 0)


def test_array_literal():
    node = root("{1, 'a'}")
    assert node == ArrayLiteral((Literal(1, 1), Literal("a", 4)), 0)
    assert root("{}") == ArrayLiteral((), 0)


def test_multiplication_binds_tighter_than_addition():
    node = root("1 + 2 * 3")
    assert isinstance(node, Arithmetic) and node.rest[0][0] == "+"
    assert isinstance(node.rest[0][2], Arithmetic) and node.rest[0][2].rest[0][0] == "*"


def test_additive_run_is_flat_and_left_to_right():
    node = root("1 - 2 + 3 - 4")
    assert isinstance(node, Arithmetic)
    assert [op for op, _pos, _n in node.rest] == ["-", "+", "-"]


def test_comparison_binds_tighter_than_and_which_binds_tighter_than_or():
    node = root("app.x == 1 || org.y < 2 && user.z")
    assert isinstance(node, Logical) and node.op == "OR"
    assert isinstance(node.operands[0], Comparison)
    assert isinstance(node.operands[1], Logical) and node.operands[1].op == "AND"


@pytest.mark.parametrize("text", ["true AND false", "true && false", "true and false"])
def test_and_spellings(text):
    node = root(text)
    assert isinstance(node, Logical) and node.op == "AND"


@pytest.mark.parametrize("text", ["true OR false", "true || false", "true or false"])
def test_or_spellings(text):
    node = root(text)
    assert isinstance(node, Logical) and node.op == "OR"


@pytest.mark.parametrize("text", ["!true", "NOT true", "not true"])
def test_not_spellings(text):
    node = root(text)
    assert isinstance(node, Unary) and node.ops == ("!",)


def test_ternary_is_loosest_and_right_associative():
    node = root("true || false ? 1 : false ? 2 : 3")
    assert isinstance(node, Conditional)
    assert isinstance(node.condition, Logical)
    assert isinstance(node.otherwise, Conditional)


def test_call_node_and_what_the_expression_uses():
    expression = parse("String.toUpperCase(user.firstName) + app.clientId")
    call = expression.root.first
    assert isinstance(call, Call) and call.function.name == "String.toUpperCase"
    assert expression.variables == {"user", "app"}
    assert expression.functions == {"String.toUpperCase"}


def test_property_after_a_call_or_parentheses():
    assert isinstance(root("Arrays.get({app}, 0).clientId"), Property)
    assert isinstance(root("(app).clientId"), Property)


def test_the_tree_is_immutable():
    node = root("1 + 2")
    with pytest.raises(AttributeError):
        node.first = Literal(3, 0)  # type: ignore[misc]


def test_parse_is_cached_by_text():
    assert parse("user.login") is parse("user.login")
    assert isinstance(parse("user.login"), Expression)


def test_unary_plus_is_accepted():
    assert root("+1") == Literal(1, 1)


def test_sub_system_claim_parses():
    node = root("(appuser != null) ? appuser.userName : app.clientId")
    assert isinstance(node, Conditional)


# -- syntax errors: every one names a 0-based position -------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("user.firstName + )", "Unexpected ')' at position 17"),
    ("(user.firstName", "Unexpected end of expression at position 15"),
    ("user.firstName)", "Unexpected ')' at position 14"),
    ("", "Unexpected end of expression at position 0"),
    ("   ", "Unexpected end of expression at position 3"),
    ("'abc", "Unterminated string at position 0"),
    ("1 + \"ab''c", "Unterminated string at position 4"),
    ("1 # 2", "Unexpected character '#' at position 2"),
    ("user.a = 'x'", "Unexpected '=' (use == to compare) at position 7"),
    ("true & false", "Unexpected '&' (use && or AND) at position 5"),
    ("true | false", "Unexpected '|' (use || or OR) at position 5"),
    ("12abc", "Unexpected character 'a' at position 2"),
    ("99999999999999999999", "Number out of range at position 0"),
    ("1e999", "Number out of range at position 0"),
    ("1 2", "Unexpected '2' at position 2"),
    ("user.", "Unexpected end of expression at position 5"),
    ("user..x", "Unexpected '.' at position 5"),
    ("a ? b", "Unknown variable a at position 0"),
    ("true ? 1", "Unexpected end of expression at position 8"),
    ("true ?: 1", "Unexpected ':' at position 6"),
    ("app?.id", "Unexpected '.' at position 4"),
    ("{1, 2", "Unexpected end of expression at position 5"),
    ("{1,}", "Unexpected '}' at position 3"),
    ("{'a': 1}", "Unexpected ':' at position 4"),
    ("String.len('a',)", "Unexpected ')' at position 15"),
    ("AND true", "Unexpected 'AND' at position 0"),
    ("1 < 2 < 3", "Unexpected '<' (comparisons cannot be chained; use parentheses) at position 6"),
    ("1 == 1 != true", "Unexpected '!=' (comparisons cannot be chained; use parentheses) at position 7"),
    ("user[0]", "Unexpected character '[' at position 4"),
    # variables and functions outside the whitelist
    ("foo.bar", "Unknown variable foo at position 0"),
    ("source.firstName", "Unknown variable source at position 0"),
    ("idpuser.firstName", "Unknown variable idpuser at position 0"),
    ("zendesk.firstName", "Unknown variable zendesk at position 0"),
    ("$appuser.x", "Unknown variable $appuser at position 0"),
    ("String", "Unknown variable String at position 0"),
    ("1 + group.name", "Unknown variable group at position 4"),
    ("String.nope('a')", "Unknown function String.nope at position 0"),
    ("1 + Time.now()", "Unknown function Time.now at position 4"),
    ("user.isMemberOf({'group.id': 'x'})", "Unknown function user.isMemberOf at position 0"),
    ("user.getLinkedObject('manager').lastName", "Unknown function user.getLinkedObject at position 0"),
    ("'abc'.toUpperCase()", "Unknown function toUpperCase at position 6"),
    ("(user).getClass()", "Unknown function getClass at position 7"),
    ("T(java.lang.Runtime)", "Unknown function T at position 0"),
    ("hasWorkdayUser()", "Unknown function hasWorkdayUser at position 0"),
    ("Iso3166Convert.toAlpha2('IN')", "Unknown function Iso3166Convert.toAlpha2 at position 0"),
    # arity and literal arguments
    ("String.len()", "Function String.len expects 1 argument, got 0 at position 0"),
    ("x == String.len('a', 'b')".replace("x", "app.id"),
     "Function String.len expects 1 argument, got 2 at position 10"),
    ("String.substring('a', 1)", "Function String.substring expects 3 arguments, got 2 at position 0"),
    ("String.join()", "Function String.join expects at least 1 argument, got 0 at position 0"),
    ("String.stringSwitch('a', 'd', 'k')",
     "String.stringSwitch: String.stringSwitch needs key/value pairs after the input and the default at position 30"),
    ("Groups.startsWith('OKTA', 'IT', 101)",
     "Groups.startsWith: The limit must be an integer between 1 and 100 at position 32"),
    ("Groups.contains('OKTA', 'IT', 0)",
     "Groups.contains: The limit must be an integer between 1 and 100 at position 30"),
    ("Groups.endsWith('OKTA', 'IT', -1)",
     "Groups.endsWith: The limit must be an integer between 1 and 100 at position 30"),
    ("Groups.endsWith('OKTA', 'IT', 'ten')",
     "Groups.endsWith: The limit must be an integer between 1 and 100 at position 30"),
    ("Groups.startsWith(null, 'IT', 10)", "Groups.startsWith: This argument must not be null at position 18"),
    ("isMemberOfGroupName(null)", "isMemberOfGroupName: This argument must not be null at position 20"),
    ("isMemberOfGroupNameRegex('(a+)+')",
     "isMemberOfGroupNameRegex: Unsafe or invalid regular expression: a repeated group must not hold another "
     "quantifier or an alternation at position 25"),
    ("isMemberOfGroupNameRegex('[a-')",
     "isMemberOfGroupNameRegex: Unsafe or invalid regular expression: invalid regular expression "
     "(unterminated character set) at position 25"),
    ("getFilteredGroups({'g'}, 'group.name +', 10)",
     "getFilteredGroups: Invalid group expression (Unexpected end of expression at position 12) at position 25"),
    ("getFilteredGroups({'g'}, 'getFilteredGroups({}, \"group.id\", 1)', 10)",
     "getFilteredGroups: Invalid group expression (Unknown function getFilteredGroups at position 0) at position 25"),
    ("getFilteredGroups({'g'}, 'group.id', 500)",
     "getFilteredGroups: The limit must be an integer between 1 and 100 at position 37"),
])
def test_syntax_errors(text, message):
    with pytest.raises(ExpressionSyntaxError) as raised:
        parse(text)
    assert str(raised.value) == message
    assert raised.value.message == message
    assert message.endswith(f"at position {raised.value.position}")


def test_syntax_error_is_a_value_error_with_reason_and_position():
    with pytest.raises(ValueError) as raised:
        parse("1 +")
    assert raised.value.reason == "Unexpected end of expression"  # type: ignore[attr-defined]
    assert raised.value.position == 3  # type: ignore[attr-defined]


def test_non_string_input_is_a_syntax_error():
    with pytest.raises(ExpressionSyntaxError):
        parse(None)  # type: ignore[arg-type]
    with pytest.raises(ExpressionSyntaxError):
        parse(["user.id"])  # type: ignore[arg-type]


# -- limits --------------------------------------------------------------------------------------------------------


def test_length_limit():
    parse("'" + "x" * (MAX_LENGTH - 2) + "'")
    with pytest.raises(ExpressionSyntaxError, match=f"longer than {MAX_LENGTH} characters at position {MAX_LENGTH}"):
        parse("'" + "x" * (MAX_LENGTH - 1) + "'")


def test_nesting_limit_for_parentheses():
    parse("(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1))
    with pytest.raises(ExpressionSyntaxError, match=f"nested more than {MAX_DEPTH} levels deep at position {MAX_DEPTH}"):
        parse("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)


def test_nesting_limit_for_calls_arrays_and_ternaries():
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse("String.len(" * MAX_DEPTH + "'a'" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse("{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse("true ? 1 : " * MAX_DEPTH + "0")


def test_long_flat_expressions_are_fine():
    # 1 + 1 + ... and !!!!x build flat nodes, not deep trees
    parse("+".join(["1"] * 500))
    parse("!" * 500 + "true")
    parse("user" + ".a" * 400)


# -- getFilteredGroups' group expressions --------------------------------------------------------------------------


def test_group_expression_knows_group():
    expression = parse_group_expression("group.name")
    assert expression.variables == {"group"}
    with pytest.raises(ExpressionSyntaxError, match="Unknown variable group"):
        parse("group.name")


@pytest.mark.parametrize("text", [
    "(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1),
    "String.len(" * (MAX_DEPTH - 1) + "'a'" + ")" * (MAX_DEPTH - 1),
    "{" * MAX_DEPTH + "}" * MAX_DEPTH,
    "true ? 1 : " * (MAX_DEPTH - 1) + "0",
])
def test_deepest_accepted_expressions_parse_on_a_small_stack(text):
    import inspect
    import sys

    from chalicelib.claims.expression import _parse

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 400)
    try:
        _parse(text, group_mode=False)
    finally:
        sys.setrecursionlimit(limit)


def test_a_caller_too_deep_for_the_parser_gets_a_syntax_error():
    import inspect
    import sys

    from chalicelib.claims.expression import _parse

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 40)
    try:
        with pytest.raises(ExpressionSyntaxError, match="Expression too complex at position 0"):
            _parse("(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1), group_mode=False)
    finally:
        sys.setrecursionlimit(limit)
