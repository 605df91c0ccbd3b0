"""Issue 13, item 1: claim expressions cannot make tokens huge (chalicelib/claims/limits.py). Every string and array
an expression produces is capped before it is built, an evaluation has a function-call budget, and a token's custom
claims together have a byte budget that token preview reports the same way."""
from __future__ import annotations

import logging

import pytest

from chalicelib.claims.builder import build_claims, explain_claims
from chalicelib.claims.context import EvalContext
from chalicelib.claims.errors import ExpressionEvaluationError, ExpressionLimitError
from chalicelib.claims.expression import parse
from chalicelib.claims.limits import MAX_CLAIMS_BYTES, MAX_ITEMS, MAX_STRING
from chalicelib.domain import Claim

CONTEXT = EvalContext(user={"login": "alice@example.com", "id": "00u1", "tags": ["x"] * 600, "blob": "x" * 4000})


def nested_replace(levels: int, inner: str = "'a'") -> str:
    expression = inner
    for _ in range(levels):
        expression = f"String.replace({expression}, 'a', 'aaaaaaaaaa')"
    return expression


def test_the_reported_nested_replace_is_refused_before_it_grows():
    with pytest.raises(ExpressionLimitError, match=f"longer than {MAX_STRING}"):
        parse(nested_replace(7)).evaluate(CONTEXT)
    assert len(parse(nested_replace(3)).evaluate(CONTEXT)) == 1000  # small enough: still works


@pytest.mark.parametrize("expression", [
    nested_replace(7, "user.login"),
    "String.replace(String.replace(String.replace('" + "a" * 40 + "', '', 'xxxxxxxxxx'), '', "
    "'xxxxxxxxxx'), '', 'x')",  # the empty match: between every character
    "String.append(String.append(String.replace('" + "z" * 100 + "', 'z', '" + "w" * 60 + "'), "
    "String.replace('" + "z" * 100 + "', 'z', '" + "w" * 60 + "')), 'q')",
    "String.join(',', Arrays.flatten(String.replace('" + "a" * 90 + "', 'a', '" + "b" * 50 + "'), "
    "String.replace('" + "a" * 90 + "', 'a', '" + "b" * 50 + "')))",
    "Arrays.toCsvString(Arrays.flatten(String.replace('" + "a" * 90 + "', 'a', '" + "b" * 50 + "'), "
    "String.replace('" + "a" * 90 + "', 'a', '" + "c" * 50 + "')))",
    "String.replace('" + "a" * 90 + "', 'a', '" + "b" * 50 + "') + String.replace('" + "a" * 90 + "', 'a', '"
    + "b" * 50 + "')",
])
def test_every_way_of_growing_a_string_is_capped(expression):
    with pytest.raises(ExpressionLimitError):
        parse(expression).evaluate(CONTEXT)


def test_arrays_are_capped():
    with pytest.raises(ExpressionLimitError, match=f"more than {MAX_ITEMS} items"):
        parse("Arrays.flatten(user.tags, user.tags)").evaluate(CONTEXT)  # 600 + 600
    assert len(parse("Arrays.flatten(user.tags)").evaluate(CONTEXT)) == 600


def test_a_limit_error_is_an_evaluation_error_with_the_position_of_the_call():
    with pytest.raises(ExpressionEvaluationError) as raised:
        parse(nested_replace(7)).evaluate(CONTEXT)
    assert isinstance(raised.value, ExpressionLimitError) and raised.value.position is not None


def test_an_evaluation_has_a_function_call_budget():
    expression = parse("String.toUpperCase(String.toLowerCase(String.toUpperCase('a')))")
    assert expression.evaluate(CONTEXT, max_calls=3) == "A"
    with pytest.raises(ExpressionLimitError, match="More than 2 function calls"):
        expression.evaluate(CONTEXT, max_calls=2)
    assert expression.evaluate(CONTEXT) == "A"  # the budget is per evaluation


def claim(name: str, value: str) -> Claim:
    return Claim(id=f"ocl{name:0>17}", name=name, claim_type="RESOURCE", value_type="EXPRESSION", value=value,
                 status="ACTIVE", scopes=(), always_include_in_token=True, system=False, group_filter_type=None)


def test_a_tokens_custom_claims_share_one_byte_budget_and_preview_says_the_same(caplog):
    claims = [claim(f"c{i}", "user.blob") for i in range(6)]  # ~4 KB each
    built = build_claims(claims, "RESOURCE", [], CONTEXT, logging.getLogger("test"))
    assert list(built) == ["c0", "c1", "c2", "c3"]  # 4 x ~4 KB fit in 16 KB, the fifth would not
    assert sum(len(v) for v in built.values()) < MAX_CLAIMS_BYTES
    assert "exceed" in caplog.text
    explained = explain_claims(claims, "RESOURCE", [], CONTEXT)
    assert [e.reason for e in explained][4:] == ["expression_error", "expression_error"]
    assert [e.claim.name for e in explained if e.value is not None] == list(built)
