"""claims/builder.explain_claims: the same per-claim decision as build_claims, with the reason for every claim."""
from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.claims.builder import ClaimReason, build_claims, explain_claims
from chalicelib.claims.context import EvalContext, Group
from chalicelib.claims.errors import TooManyGroupsError
from chalicelib.domain import Claim

LOG = logging.getLogger("tests.preview.explain")


def claim(name, value, *, value_type="EXPRESSION", claim_type="RESOURCE", status="ACTIVE", scopes=(),
          group_filter_type=None):
    return Claim(id=f"ocl{name}", name=name, status=status, claim_type=claim_type, value_type=value_type,
                 value=value, group_filter_type=group_filter_type, scopes=scopes, system=False,
                 always_include_in_token=True)


SERVICE = EvalContext(app={"id": "0oa1", "clientId": "svc"}, access_scopes=("read",))
PERSON = EvalContext(user={"id": "00u1", "department": "Sales"}, appuser={"userName": "ann"},
                     app={"id": "0oa1", "clientId": "web"}, access_scopes=("openid", "read"),
                     groups=(Group("g0", "Everyone"), Group("g1", "Sales")))
CROWD = EvalContext(user={"id": "00u2"}, groups=tuple(Group(f"g{i}", f"team-{i}") for i in range(101)))

POOL = [
    claim("s", "'v'"),
    claim("n", "41 + 1"),
    claim("off", "'x'", status="INACTIVE"),
    claim("ident", "'i'", claim_type="IDENTITY"),
    claim("scoped", "'s'", scopes=("write",)),
    claim("scoped_ok", "'s'", scopes=("read", "write")),
    claim("dept", "user.department"),
    claim("div", "1 / 0"),
    claim("unparsable", "user.firstName +"),
    claim("null", "null"),
    claim("empty", "Arrays.clear({1})"),
    claim("sys", None, value_type="SYSTEM", claim_type="IDENTITY", scopes=("profile",)),
    claim("sys_res", None, value_type="SYSTEM"),
    claim("groups", ".*", value_type="GROUPS", group_filter_type="REGEX"),
    claim("unsafe", "(a+)+", value_type="GROUPS", group_filter_type="REGEX"),
    claim("teams", "team", value_type="GROUPS", group_filter_type="STARTS_WITH"),
]


def test_reasons():
    explained = {e.claim.name: e for e in explain_claims(POOL, "RESOURCE", ("read",), PERSON)}
    assert [e.claim.name for e in explain_claims(POOL, "RESOURCE", ("read",), PERSON)] == [c.name for c in POOL]
    assert {name: e.reason for name, e in explained.items()} == {
        "s": ClaimReason.INCLUDED, "n": ClaimReason.INCLUDED, "off": ClaimReason.INACTIVE,
        "ident": ClaimReason.WRONG_TOKEN_TYPE, "scoped": ClaimReason.SCOPES_NOT_GRANTED,
        "scoped_ok": ClaimReason.INCLUDED, "dept": ClaimReason.INCLUDED, "div": ClaimReason.EXPRESSION_ERROR,
        "unparsable": ClaimReason.EXPRESSION_ERROR, "null": ClaimReason.NULL_VALUE, "empty": ClaimReason.NULL_VALUE,
        "sys": ClaimReason.WRONG_TOKEN_TYPE, "sys_res": ClaimReason.SYSTEM_CLAIM, "groups": ClaimReason.INCLUDED,
        "unsafe": ClaimReason.GROUP_FILTER_ERROR, "teams": ClaimReason.NULL_VALUE,
    }
    assert explained["div"].message == "Division by zero at position 2"
    assert explained["unparsable"].message == "Unexpected end of expression at position 16"
    assert explained["groups"].value == ["Everyone", "Sales"]
    assert explained["s"].included and not explained["div"].included
    assert explained["div"].value is None


def test_too_many_groups_is_a_reason_not_an_exception():
    [teams] = [e for e in explain_claims(POOL, "RESOURCE", ("read",), CROWD) if e.claim.name == "teams"]
    assert teams.reason == ClaimReason.TOO_MANY_GROUPS and "More than 100 groups" in teams.message
    with pytest.raises(TooManyGroupsError):
        build_claims(POOL, "RESOURCE", ("read",), CROWD, LOG)


def test_explaining_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG):
        explain_claims(POOL, "RESOURCE", ("read",), PERSON)
    assert caplog.records == []


@settings(max_examples=300, deadline=None)
@given(picked=st.lists(st.sampled_from(POOL), unique_by=lambda c: c.name, max_size=len(POOL)),
       claim_type=st.sampled_from(["RESOURCE", "IDENTITY"]),
       granted=st.lists(st.sampled_from(["read", "write", "openid", "profile"]), unique=True),
       context=st.sampled_from([SERVICE, PERSON, CROWD]))
def test_build_claims_is_exactly_the_included_explanations(picked, claim_type, granted, context):
    explained = explain_claims(picked, claim_type, granted, context)
    failing = [e for e in explained if e.reason == ClaimReason.TOO_MANY_GROUPS]
    if failing:
        with pytest.raises(TooManyGroupsError):
            build_claims(picked, claim_type, granted, context, LOG)
        return
    built = build_claims(picked, claim_type, granted, context, LOG)
    assert built == {e.claim.name: e.value for e in explained if e.included}
    assert list(built) == [e.claim.name for e in explained if e.included]
    assert all(e.reason in ClaimReason.ALL for e in explained)
