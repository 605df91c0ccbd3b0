"""claims/groups.py: GROUPS claims' filters (okta-api.md 5.2) and the 100-group cap."""
from __future__ import annotations

import pytest

from chalicelib.claims.context import Group
from chalicelib.claims.errors import TooManyGroupsError
from chalicelib.claims.groups import MAX_GROUPS, GroupFilterError, filter_groups
from chalicelib.errors import TokenmintError

GROUPS = (Group("g1", "Everyone"), Group("g2", "group1"), Group("g3", "Group123"), Group("g4", "MyGroup123"),
          Group("g5", "dev-ops"), Group("g6", "DEV"), Group("g7", "abc"))


@pytest.mark.parametrize("filter_type, value, expected", [
    # the examples of the API reference
    ("STARTS_WITH", "group1", ["group1", "Group123"]),
    ("EQUALS", "group1", ["group1"]),
    ("CONTAINS", "group1", ["group1", "Group123", "MyGroup123"]),
    ("REGEX", "/^[a-z0-9_-]{3,16}$/", ["group1", "dev-ops", "abc"]),
    # case-insensitivity of the first three, case-sensitivity of REGEX
    ("STARTS_WITH", "DEV", ["dev-ops", "DEV"]),
    ("EQUALS", "dev", ["DEV"]),
    ("EQUALS", "EVERYONE", ["Everyone"]),
    ("CONTAINS", "OPS", ["dev-ops"]),
    ("REGEX", "dev.*", ["dev-ops"]),
    ("REGEX", "(?i)dev.*", ["dev-ops", "DEV"]),
    # REGEX matches the whole name
    ("REGEX", "Group", []),
    ("REGEX", ".*Group.*", ["Group123", "MyGroup123"]),
    ("REGEX", ".*", [g.name for g in GROUPS]),
    # nothing matches
    ("STARTS_WITH", "zzz", []),
    ("EQUALS", "", []),
    ("STARTS_WITH", "", [g.name for g in GROUPS]),
])
def test_filters(filter_type, value, expected):
    assert filter_groups(GROUPS, filter_type, value) == expected


def test_no_groups():
    assert filter_groups((), "REGEX", ".*") == []


def test_exactly_100_matches_are_fine():
    groups = [Group(f"g{i}", f"team-{i}") for i in range(MAX_GROUPS)]
    assert len(filter_groups(groups, "STARTS_WITH", "team")) == MAX_GROUPS


@pytest.mark.parametrize("filter_type, value", [("STARTS_WITH", "team"), ("REGEX", "team-.*"), ("CONTAINS", "-")])
def test_more_than_100_matches_fail_the_token_request(filter_type, value):
    groups = [Group(f"g{i}", f"team-{i}") for i in range(MAX_GROUPS + 1)]
    with pytest.raises(TooManyGroupsError) as raised:
        filter_groups(groups, filter_type, value, claim_name="groups")
    error = raised.value
    assert isinstance(error, TokenmintError)
    assert (error.status, error.error, error.error_description) == (400, "server_error",
                                                                     "too_many_groups_in_groups_claim")
    assert error.claim_name == "groups" and "groups" in str(error)


def test_many_non_matching_groups_are_fine():
    groups = [Group(f"g{i}", f"team-{i}") for i in range(500)] + [Group("x", "other")]
    assert filter_groups(groups, "EQUALS", "OTHER") == ["other"]


@pytest.mark.parametrize("filter_type, value, message", [
    ("REGEX", "(a+)+", "Unsafe or invalid regular expression"),
    ("REGEX", "[", "Unsafe or invalid regular expression"),
    ("MATCHES", "x", "Unknown group filter type"),
    (None, "x", "Unknown group filter type"),
    ("EQUALS", None, "must be a string"),
])
def test_unusable_filters(filter_type, value, message):
    with pytest.raises(GroupFilterError, match=message):
        filter_groups(GROUPS, filter_type, value)
