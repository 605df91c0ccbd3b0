"""Property-based tests (hypothesis) of the expression language and the group filters."""
from __future__ import annotations

import operator

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chalicelib.claims.context import EvalContext, Group  # noqa: E402
from chalicelib.claims.errors import ExpressionEvaluationError, ExpressionSyntaxError, TooManyGroupsError  # noqa: E402
from chalicelib.claims.expression import MAX_LENGTH, parse, tokenize  # noqa: E402
from chalicelib.claims.groups import filter_groups  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that make syntactically interesting text far more often than random characters do.
FRAGMENTS = [
    "(", ")", "{", "}", ",", ".", "?", ":", "+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=", "!", "&&",
    "||", "=", "&", "|", " AND ", " OR ", " NOT ", "true", "false", "null", "0", "1", "2.5", "1e3", "'a'", '"b"',
    "'", '"', "''", "user", "appuser", "app", "access", "org", "group", "x", ".firstName", ".clientId", ".scope",
    "String.len(", "String.substring(", "String.join(", "Arrays.add(", "Arrays.get(", "Arrays.flatten(",
    "Convert.toInt(", "Convert.toNum(", "Groups.startsWith(", "getFilteredGroups(", "isMemberOfGroupName(",
    "isMemberOfGroupNameRegex(", "isMemberOfAnyGroup(", "String.stringSwitch(", "'(a+)+'", "'group.name'",
    "'OKTA'", "100", "101", " ", "#", "[", "\\",
]
el_like = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), el_like)

CTX = EvalContext(
    user={"id": "00u1", "firstName": "Ann", "email": "ann@example.com", "n": 3, "tags": ["a", "b"]},
    appuser={"userName": "ann"}, app={"id": "0oa1", "clientId": "client", "profile": {"x": 1}},
    access_scopes=("openid", "read"), org={"name": "Acme", "subdomain": "acme"},
    groups=(Group("g1", "Everyone"), Group("g2", "IT"), Group("g3", "IT-Admins")),
)
EMPTY = EvalContext()


def literal(text: str, quote: str) -> str:
    return quote + text.replace(quote, quote * 2) + quote


@SETTINGS
@given(any_text)
def test_parse_only_ever_raises_syntax_errors(text):
    try:
        parse(text)
    except ExpressionSyntaxError as exc:
        assert 0 <= exc.position <= max(len(text), MAX_LENGTH)
        assert str(exc).endswith(f"at position {exc.position}")


@SETTINGS
@given(any_text)
def test_tokenize_only_ever_raises_syntax_errors_and_keeps_positions_ordered(text):
    try:
        tokens = tokenize(text)
    except ExpressionSyntaxError:
        return
    positions = [t.pos for t in tokens]
    assert positions == sorted(positions) and positions[-1] == len(text)
    for token in tokens[:-1]:
        assert text[token.pos:token.pos + len(token.text)] == token.text


@SETTINGS
@given(el_like)
def test_evaluation_only_ever_raises_evaluation_errors(text):
    try:
        expression = parse(text)
    except ExpressionSyntaxError:
        return
    for ctx in (CTX, EMPTY):
        try:
            expression.evaluate(ctx)
        except ExpressionEvaluationError as exc:
            assert "Ann" not in str(exc) and "ann@example.com" not in str(exc)


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["'", '"']))
def test_string_literal_round_trip(text, quote):
    assert parse(literal(text, quote)).evaluate(EMPTY) == text


@SETTINGS
@given(st.text(max_size=100), st.text(max_size=100))
def test_concatenation_of_literals(left, right):
    assert parse(f"{literal(left, chr(39))} + {literal(right, chr(34))}").evaluate(EMPTY) == left + right


@SETTINGS
@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_integer_literal_round_trip(number):
    assert parse(str(number)).evaluate(EMPTY) == number
    assert parse(f"-{number}").evaluate(EMPTY) == -number


@SETTINGS
@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6))
def test_comparisons_and_arithmetic_agree_with_python(a, b):
    for op, check in (("<", operator.lt), (">", operator.gt), ("<=", operator.le), (">=", operator.ge),
                      ("==", operator.eq), ("!=", operator.ne)):
        assert parse(f"{a} {op} {b}").evaluate(EMPTY) is check(a, b)
    assert parse(f"({a}) + ({b})").evaluate(EMPTY) == a + b
    assert parse(f"({a}) * ({b})").evaluate(EMPTY) == a * b


@SETTINGS
@given(st.booleans(), st.booleans(), st.booleans())
def test_boolean_operators_agree_with_python(a, b, c):
    words = {True: "true", False: "false"}
    assert parse(f"{words[a]} || {words[b]} && {words[c]}").evaluate(EMPTY) is (a or (b and c))
    assert parse(f"!{words[a]} AND NOT {words[b]} OR {words[c]}").evaluate(EMPTY) is ((not a and not b) or c)
    assert parse(f"{words[a]} ? {words[b]} : {words[c]}").evaluate(EMPTY) is (b if a else c)


group_names = st.lists(st.text(alphabet="abcABC-_ 1", min_size=0, max_size=8), max_size=30)


@SETTINGS
@given(group_names, st.text(alphabet="abcABC-_ 1", max_size=3),
       st.sampled_from(["STARTS_WITH", "EQUALS", "CONTAINS"]))
def test_group_filters_match_a_reference(names, value, filter_type):
    groups = [Group(f"g{i}", name) for i, name in enumerate(names)]
    reference = {
        "STARTS_WITH": lambda n: n.lower().startswith(value.lower()),
        "EQUALS": lambda n: n.lower() == value.lower(),
        "CONTAINS": lambda n: value.lower() in n.lower(),
    }[filter_type]
    expected = [n for n in names if reference(n)]
    assert filter_groups(groups, filter_type, value) == expected


@SETTINGS
@given(st.integers(min_value=0, max_value=150))
def test_group_cap(count):
    groups = [Group(f"g{i}", f"team{i}") for i in range(count)]
    if count > 100:
        with pytest.raises(TooManyGroupsError):
            filter_groups(groups, "STARTS_WITH", "team")
    else:
        assert len(filter_groups(groups, "STARTS_WITH", "team")) == count
