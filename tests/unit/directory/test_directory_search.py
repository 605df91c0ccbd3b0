"""admin/directory_search.py: the search/filter grammar, its limits and its evaluation."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.admin import directory_search as s
from chalicelib.admin.directory_search import And, Compare, InvalidSearchError, Or, Present, matches, parse
from chalicelib.admin.groups import FILTER_ATTRIBUTES as GROUP_FILTER
from chalicelib.admin.user_fields import FILTER_ATTRIBUTES, SEARCH_ATTRIBUTES
from chalicelib.errors import ValidationError

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def search(text: str):
    return parse(text, s.SEARCH, SEARCH_ATTRIBUTES)


def filter_(text: str):
    return parse(text, s.FILTER, FILTER_ATTRIBUTES)


def cause(excinfo) -> str:
    return excinfo.value.cause


def test_simple_comparison():
    assert search('profile.login eq "a@b.co"') == Compare("profile.login", "eq", "a@b.co")


def test_keywords_are_case_insensitive():
    assert search('status EQ "ACTIVE" AnD profile.email Sw "a"') == And(
        Compare("status", "eq", "ACTIVE"), Compare("profile.email", "sw", "a"))


def test_and_binds_tighter_than_or():
    tree = search('status eq "A" or status eq "B" and profile.login eq "c"')
    assert tree == Or(Compare("status", "eq", "A"),
                      And(Compare("status", "eq", "B"), Compare("profile.login", "eq", "c")))


def test_parentheses_group():
    tree = search('(status eq "A" or status eq "B") and profile.login pr')
    assert tree == And(Or(Compare("status", "eq", "A"), Compare("status", "eq", "B")), Present("profile.login"))


def test_escaped_quotes_and_backslashes():
    assert search(r'profile.title eq "say \"hi\" \\ bye"') == Compare("profile.title", "eq", 'say "hi" \\ bye')


def test_datetime_values_are_parsed():
    tree = search('lastUpdated gt "2026-01-01T12:00:00.000Z"')
    assert tree == Compare("lastUpdated", "gt", T0)
    assert search('created lt "2026-01-01T12:00:00"').value == T0  # naive = UTC


@pytest.mark.parametrize("text, expected", [
    ("", "The expression is empty."),
    ("   ", "The expression is empty."),
    ('foo eq "x"', "'foo' is not an attribute this search supports."),
    ('profile.secret eq "x"', "'profile.secret' is not an attribute this search supports."),
    ('status like "x"', "Expected an operator after 'status', found 'like'."),
    ("status eq ACTIVE", "Expected a double-quoted value after the operator for 'status'."),
    ('status eq "A" and', "The expression ends too early."),
    ('(status eq "A"', "A '(' is not closed."),
    ('status eq "A")', "Unexpected ')'."),
    ('status gt "A"', "The operator 'gt' is not supported for 'status' in search."),
    ('profile.login lt "x"', "The operator 'lt' is not supported for 'profile.login' in search."),
    ('lastUpdated gt "yesterday"', "'yesterday' is not an ISO 8601 timestamp."),
    ('status eq "A" ; drop', "Unexpected character at position 15."),
    (r'profile.title eq "a\nb"', 'Only \\" and \\\\ may be escaped in a string.'),
    ('status eq "A" status eq "B"', "Unexpected 'status'."),
])
def test_malformed_expressions_say_what_is_wrong(text, expected):
    with pytest.raises(InvalidSearchError) as excinfo:
        search(text)
    assert cause(excinfo) == expected
    assert excinfo.value.causes == [f"search: {expected}"]
    assert isinstance(excinfo.value, ValidationError)  # a plain 400 wherever the E0000031 renderer is absent


def test_filter_is_narrower_than_search():
    assert filter_('status eq "ACTIVE" and lastUpdated gt "2026-01-01T00:00:00.000Z"')
    for text, expected in [
        ('profile.login sw "a"', "The operator 'sw' is not supported for 'profile.login' in filter."),
        ('status ne "ACTIVE"', "The operator 'ne' is not supported for 'status' in filter."),
        ('profile.title eq "x"', "'profile.title' is not an attribute this filter supports."),
        ("profile.login pr", "The operator 'pr' is not supported for 'profile.login' in filter."),
    ]:
        with pytest.raises(InvalidSearchError) as excinfo:
            filter_(text)
        assert cause(excinfo) == expected


def test_group_filter_attributes():
    assert parse('type eq "OKTA_GROUP"', s.FILTER, GROUP_FILTER) == Compare("type", "eq", "OKTA_GROUP")
    with pytest.raises(InvalidSearchError):
        parse('profile.name eq "x"', s.FILTER, GROUP_FILTER)


def test_limits():
    with pytest.raises(InvalidSearchError) as excinfo:
        search(" or ".join(['status eq "A"'] * 21))
    assert cause(excinfo) == "At most 20 comparisons are supported."
    assert search(" or ".join(['status eq "A"'] * 20))
    with pytest.raises(InvalidSearchError) as excinfo:
        search('profile.title eq "' + "x" * 1100 + '"')
    assert cause(excinfo) == "The expression must be at most 1024 characters long."
    with pytest.raises(InvalidSearchError) as excinfo:
        search("(" * 25 + 'status eq "A"' + ")" * 25)
    assert cause(excinfo) == "The expression is nested too deeply."


# -- evaluation ------------------------------------------------------------------------------------------------------

PERSON = {"status": "ACTIVE", "profile.login": "Alice@Example.com", "profile.firstName": "Alice",
          "lastUpdated": T0, "profile.title": None}


def check(text: str) -> bool:
    return matches(search(text), PERSON.get)


@pytest.mark.parametrize("text, expected", [
    ('profile.login eq "alice@example.com"', True),     # case-insensitive
    ('profile.login eq "alice@example.org"', False),
    ('profile.login sw "ALI"', True),
    ('profile.login sw "lice"', False),
    ('status eq "active"', True),
    ('status ne "ACTIVE"', False),
    ('status ne "SUSPENDED"', True),
    ('profile.title ne "x"', True),                      # absent is "not equal"
    ('profile.title eq "x"', False),
    ("profile.title pr", False),
    ("profile.firstName pr", True),
    ('lastUpdated gt "2025-12-31T00:00:00.000Z"', True),
    ('lastUpdated gt "2026-01-01T12:00:00.000Z"', False),
    ('lastUpdated ge "2026-01-01T12:00:00.000Z"', True),
    ('lastUpdated lt "2026-01-01T12:00:01.000Z"', True),
    ('lastUpdated le "2026-01-01T11:59:59.000Z"', False),
    ('lastUpdated eq "2026-01-01T12:00:00Z"', True),
    ('activated gt "2020-01-01T00:00:00.000Z"', False),  # absent never compares
    ('status eq "SUSPENDED" or profile.firstName eq "alice"', True),
    ('status eq "SUSPENDED" or profile.firstName eq "bob"', False),
    ('status eq "ACTIVE" and (profile.firstName eq "bob" or profile.login sw "a")', True),
])
def test_matches(text, expected):
    assert check(text) is expected


def test_parse_datetime_forms():
    assert s.parse_datetime("2026-01-01T12:00:00.000Z") == T0
    assert s.parse_datetime("2026-01-01T13:00:00+01:00") == T0
    assert s.parse_datetime("not a date") is None
