"""claims/builder.py: which claims go into a token, and what happens when one fails."""
from __future__ import annotations

import logging

import pytest

from chalicelib.claims.builder import build_claims
from chalicelib.claims.context import EvalContext, Group
from chalicelib.claims.errors import TooManyGroupsError
from chalicelib.domain import Claim

SUB = "(appuser != null) ? appuser.userName : app.clientId"
LOG = logging.getLogger("tests.claims.builder")


def claim(name: str, value: str | None, *, value_type: str = "EXPRESSION", claim_type: str = "RESOURCE",
          status: str = "ACTIVE", scopes: tuple[str, ...] = (), group_filter_type: str | None = None,
          system: bool = False) -> Claim:
    return Claim(id=f"ocl{name}", name=name, status=status, claim_type=claim_type, value_type=value_type,
                 value=value, group_filter_type=group_filter_type, scopes=scopes, system=system,
                 always_include_in_token=True)


SERVICE = EvalContext(app={"id": "0oa1", "clientId": "svc-client", "profile": {"tier": "gold"}},
                      access_scopes=("read:x",), org={"name": "Acme", "subdomain": "acme"})
PERSON = EvalContext(user={"id": "00u1", "email": "ann@example.com", "department": "Sales"},
                     appuser={"userName": "ann"}, app={"id": "0oa1", "clientId": "web-client"},
                     access_scopes=("openid", "groups"),
                     groups=(Group("g1", "Everyone"), Group("g2", "Sales"), Group("g3", "Sales-EU")))


def build(claims, claim_type="RESOURCE", scopes=("read:x",), ctx=SERVICE):
    return build_claims(claims, claim_type, scopes, ctx, LOG)


def test_sub_for_a_service_client():
    assert build([claim("sub", SUB, system=True)]) == {"sub": "svc-client"}


def test_sub_and_user_claims_for_a_person():
    claims = [claim("sub", SUB, system=True), claim("dept", "user.department"), claim("mail", "user.email")]
    assert build(claims, scopes=("openid",), ctx=PERSON) == {"sub": "ann", "dept": "Sales", "mail": "ann@example.com"}


def test_values_of_every_json_type_and_order_of_claims():
    claims = [claim("s", "'x'"), claim("n", "41 + 1"), claim("f", "1.5"), claim("b", "true"), claim("a", "{1, 'a'}"),
              claim("o", "app.profile"), claim("scopes", "access.scope")]
    out = build(claims)
    assert out == {"s": "x", "n": 42, "f": 1.5, "b": True, "a": [1, "a"], "o": {"tier": "gold"},
                   "scopes": ["read:x"]}
    assert list(out) == ["s", "n", "f", "b", "a", "o", "scopes"]


def test_read_only_context_values_become_plain_json():
    from types import MappingProxyType

    ctx = EvalContext(app=MappingProxyType({"profile": MappingProxyType({"list": ("a", "b")})}))
    out = build([claim("p", "app.profile")], ctx=ctx)
    assert out == {"p": {"list": ["a", "b"]}} and type(out["p"]) is dict and type(out["p"]["list"]) is list


@pytest.mark.parametrize("claim_scopes, granted, included", [
    ((), ("read:x",), True),
    ((), (), True),
    (("read:x",), ("read:x",), True),
    (("read:x", "write:x"), ("write:x", "other"), True),
    (("write:x",), ("read:x",), False),
    (("write:x",), (), False),
])
def test_scope_conditions(claim_scopes, granted, included):
    out = build([claim("c", "'v'", scopes=claim_scopes)], scopes=granted)
    assert ("c" in out) is included


def test_granted_scopes_may_be_any_collection():
    assert build([claim("c", "'v'", scopes=("a",))], scopes={"a", "b"}) == {"c": "v"}
    assert build([claim("c", "'v'", scopes=("a",))], scopes=["a"]) == {"c": "v"}


def test_inactive_claims_are_left_out():
    assert build([claim("c", "'v'", status="INACTIVE"), claim("d", "'w'")]) == {"d": "w"}


def test_only_claims_of_the_requested_token_type():
    claims = [claim("at", "'a'"), claim("id", "'i'", claim_type="IDENTITY")]
    assert build(claims, "RESOURCE") == {"at": "a"}
    assert build(claims, "IDENTITY") == {"id": "i"}


def test_system_valued_claims_are_skipped():
    claims = [claim("email", None, value_type="SYSTEM", claim_type="IDENTITY", scopes=("email",), system=True)]
    assert build(claims, "IDENTITY", scopes=("email", "openid"), ctx=PERSON) == {}


@pytest.mark.parametrize("value", ["null", "user.department", "app.profile.missing", "{}", "Arrays.clear({1})",
                                   "Groups.startsWith('OKTA', 'x', 10)"])
def test_null_and_empty_array_values_are_omitted(value):
    assert build([claim("c", value)]) == {}


def test_empty_string_and_false_and_zero_are_kept():
    assert build([claim("a", "''"), claim("b", "false"), claim("c", "0")]) == {"a": "", "b": False, "c": 0}


def test_a_claim_failing_at_runtime_is_left_out_and_logged_without_values(caplog):
    secret = "ann@example.com"
    claims = [claim("broken", "Convert.toInt(user.email)"), claim("kept", "user.department")]
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        out = build(claims, scopes=("openid",), ctx=PERSON)
    assert out == {"kept": "Sales"}
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "'broken'" in record.getMessage() and "Convert.toInt" in record.getMessage()
    assert "at position 0" in record.getMessage()
    assert secret not in record.getMessage()


def test_a_user_claim_in_a_service_token_is_left_out_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        out = build([claim("sub", SUB, system=True), claim("dept", "user.department")])
    assert out == {"sub": "svc-client"}
    assert "Cannot read property 'department' of null" in caplog.text


def test_a_stored_expression_that_does_not_parse_is_left_out_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert build([claim("old", "user.firstName +"), claim("ok", "'v'")]) == {"ok": "v"}
    assert "'old'" in caplog.text and "Unexpected end of expression at position 16" in caplog.text


def test_logger_adapters_work_too(caplog):
    adapter = logging.LoggerAdapter(LOG, {"request_id": "r1"})
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert build_claims([claim("x", "1 / 0")], "RESOURCE", (), SERVICE, adapter) == {}
    assert "Division by zero" in caplog.text


# -- GROUPS claims -------------------------------------------------------------------------------------------------


def test_groups_claim():
    claims = [claim("groups", "sales", value_type="GROUPS", group_filter_type="STARTS_WITH", claim_type="IDENTITY")]
    assert build(claims, "IDENTITY", scopes=("openid",), ctx=PERSON) == {"groups": ["Sales", "Sales-EU"]}


def test_groups_claim_with_regex():
    claims = [claim("groups", ".*", value_type="GROUPS", group_filter_type="REGEX")]
    assert build(claims, ctx=PERSON) == {"groups": ["Everyone", "Sales", "Sales-EU"]}


def test_groups_claim_without_a_user_is_omitted():
    claims = [claim("groups", ".*", value_type="GROUPS", group_filter_type="REGEX")]
    assert build(claims) == {}


def test_groups_claim_with_an_unsafe_stored_regex_is_left_out_and_logged(caplog):
    claims = [claim("groups", "(a+)+", value_type="GROUPS", group_filter_type="REGEX"), claim("ok", "'v'")]
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert build(claims, ctx=PERSON) == {"ok": "v"}
    assert "'groups'" in caplog.text and "Unsafe or invalid regular expression" in caplog.text


def test_too_many_groups_fails_the_whole_token():
    ctx = EvalContext(user={"id": "00u1"}, groups=tuple(Group(f"g{i}", f"team-{i}") for i in range(101)))
    claims = [claim("groups", "team", value_type="GROUPS", group_filter_type="STARTS_WITH")]
    with pytest.raises(TooManyGroupsError) as raised:
        build(claims, ctx=ctx)
    assert raised.value.error == "server_error"
    assert raised.value.error_description == "too_many_groups_in_groups_claim"


def test_too_many_groups_in_an_inactive_or_unscoped_claim_is_harmless():
    ctx = EvalContext(user={"id": "00u1"}, groups=tuple(Group(f"g{i}", f"team-{i}") for i in range(101)))
    claims = [claim("a", "team", value_type="GROUPS", group_filter_type="STARTS_WITH", status="INACTIVE"),
              claim("b", "team", value_type="GROUPS", group_filter_type="STARTS_WITH", scopes=("groups",))]
    assert build(claims, ctx=ctx) == {}


def test_expression_claims_are_parsed_once():
    from chalicelib.claims.expression import _parse_cached

    text = "'cached-' + app.clientId"
    build([claim("c", text)])
    hits = _parse_cached.cache_info().hits
    build([claim("c", text)])
    assert _parse_cached.cache_info().hits == hits + 1
