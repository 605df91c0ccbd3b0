"""Naming rules: scope names (okta-api.md 4.3) and reserved claim names (okta-api.md 5.4)."""
from __future__ import annotations

import pytest

from chalicelib.admin.claims import RESERVED, duplicate_cause as claim_duplicate_cause
from chalicelib.admin.scopes import duplicate_cause as scope_duplicate_cause, name_problem
from chalicelib.admin.system_objects import SYSTEM_IDENTITY_CLAIMS

# -- scope names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "car:drive", "read", "api.read", "a<b", "a>b", "oktafoo", "my.okta.scope", "x:okta", "okta_custom", "OKTA",
    "!#$%&'()*+,-./:;=?@[]^_`{|}~", "a" * 300, "groups",
])
def test_valid_scope_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["has space", "tab\there", "new\nline", "caf\u00e9", "emoji\U0001F600", "\x7f",
                                  " leading", "trailing "])
def test_scope_names_must_be_printable_ascii_without_spaces(name):
    assert name_problem(name) == "Must be printable ASCII without spaces."


@pytest.mark.parametrize("name", ['say"hi', "back\\slash", '"', "\\"])
def test_scope_names_must_not_hold_quotes_or_backslashes(name):
    assert name_problem(name) == "Must not contain '\"' or '\\'."


@pytest.mark.parametrize("name", ["okta", "*", "okta.users.read", "okta.", "okta:custom", "okta:"])
def test_reserved_scope_names(name):
    assert name_problem(name) == "Names 'okta', '*' and names starting with 'okta.' or 'okta:' are reserved."


@pytest.mark.parametrize("name", ["a<b>", "<>", "><", "x>y<z"])
def test_scope_names_may_hold_lt_or_gt_but_not_both(name):
    assert name_problem(name) == "May contain '<' or '>' but not both."


def test_scope_duplicate_cause_is_a_name_cause():
    assert scope_duplicate_cause("car:drive") == (
        "name: A scope named 'car:drive' already exists on this authorization server.")


# -- reserved claim names ------------------------------------------------------------------------------------------

ACCESS_TOKEN = ["acr", "amr", "as_uri", "cid", "groups", "rpt", "rsi", "uid", "username"]
ID_TOKEN = [
    "active", "aid", "aud", "app_id", "app_type", "at_hash", "auth_time", "client_id", "client_ip", "client_req_id",
    "client_type", "client_user_agent", "cnf", "c_hash", "device_compliance", "device_id", "device_known",
    "device_managed", "device_name", "device_trust", "did", "dst", "group", "hotk", "idp", "idp_iss", "mac_key",
    "may_act", "nonce", "oid", "okta_emailVerified", "okta_lastUpdated", "orig", "permissions", "purpose",
    "pwd_exp_days", "pwd_exp_time", "rid", "role", "scope", "scopes", "sid", "sub", "term", "user_ip",
]
BOTH = ["iss", "jti", "token_type", "ver"]
REGISTERED = ["exp", "iat", "nbf", "aud"]


@pytest.mark.parametrize("name", ACCESS_TOKEN + BOTH + REGISTERED + ["scp"])
def test_access_token_reserved_names(name):
    assert name in RESERVED["RESOURCE"]


@pytest.mark.parametrize("name", ID_TOKEN + BOTH + REGISTERED)
def test_id_token_reserved_names(name):
    assert name in RESERVED["IDENTITY"]


@pytest.mark.parametrize("name", [name for name, _scope, _always in SYSTEM_IDENTITY_CLAIMS])
def test_the_scope_dependent_oidc_claims_are_reserved_for_id_tokens(name):
    assert name in RESERVED["IDENTITY"]


@pytest.mark.parametrize("claim_type, name", [
    ("RESOURCE", "department"), ("RESOURCE", "email"), ("RESOURCE", "nonce"),
    ("IDENTITY", "department"), ("IDENTITY", "cid"), ("IDENTITY", "scp"),
])
def test_ordinary_names_are_not_reserved(claim_type, name):
    assert name not in RESERVED[claim_type]


def test_reserved_names_exist_for_both_claim_types_only():
    assert set(RESERVED) == {"RESOURCE", "IDENTITY"}


def test_claim_duplicate_cause_names_the_claim_type():
    assert claim_duplicate_cause("IDENTITY", "dept") == (
        "name: A IDENTITY claim named 'dept' already exists on this authorization server.")
