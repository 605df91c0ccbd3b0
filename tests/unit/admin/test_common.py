"""admin/common.py: cursor paging, limit parsing, If-Match checks and the translation of write conflicts."""
from __future__ import annotations

import pytest

from chalicelib.admin.common import (
    MAX_LIMIT,
    POLICY_TYPE,
    SERVER_TYPE,
    check_if_match,
    decode_cursor,
    encode_cursor,
    page,
    parse_limit,
    write,
)
from chalicelib.errors import (
    ConflictError,
    InvalidPagingError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from chalicelib.storage.config_repository import L_NAME, L_ORDER, L_POLICY, L_SERVER, L_VERSION
from chalicelib.storage.transactions import WriteConflict

ITEMS = ["a", "b", "c", "d", "e"]


def key(item: str) -> str:
    return item


def walk(items: list[str], limit: int) -> list[list[str]]:
    """Every page, following the cursors."""
    pages, cursor = [], None
    while True:
        chunk, cursor = page(items, key, limit, cursor)
        pages.append(chunk)
        if cursor is None:
            return pages


# -- cursors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["x", "2026-01-01T12:00:00+00:00#ausABC", "name with spaces", "ünïcødé/+?&=",
                                   "a" * 300])
def test_cursor_round_trip(value):
    cursor = encode_cursor(value)
    assert decode_cursor(cursor) == value
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor  # safe in a query string unescaped


@pytest.mark.parametrize("cursor", ["a", "abc", "!!!!", "====", "%%%", "ab cd", "eA!!", "e A"])
def test_a_bad_cursor_is_an_invalid_paging_request(cursor):
    with pytest.raises(InvalidPagingError):
        decode_cursor(cursor)


def test_a_bad_cursor_fails_the_page_instead_of_restarting_the_listing():
    with pytest.raises(InvalidPagingError):
        page(ITEMS, key, 2, "!!!!")


# -- limit ---------------------------------------------------------------------------------------------------------


def test_limit_defaults_to_the_maximum():
    assert MAX_LIMIT == 200
    assert parse_limit(None) == 200
    assert parse_limit("") == 200
    assert parse_limit(None, default=20) == 20


@pytest.mark.parametrize("raw, expected", [("1", 1), ("20", 20), ("200", 200), ("201", 200), ("100000", 200)])
def test_limit_is_parsed_and_clamped(raw, expected):
    assert parse_limit(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "-200", "abc", "1.5", "1e3", "ten", " "])
def test_bad_limits_are_invalid_paging_requests(raw):
    with pytest.raises(InvalidPagingError):
        parse_limit(raw)


# -- page ----------------------------------------------------------------------------------------------------------


def test_first_page_and_cursor():
    chunk, cursor = page(ITEMS, key, 2, None)
    assert chunk == ["a", "b"]
    assert cursor is not None and decode_cursor(cursor) == "b"


def test_following_cursors_visits_every_item_once_and_the_last_page_has_no_cursor():
    assert walk(ITEMS, 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert walk(ITEMS, 5) == [ITEMS]
    assert walk(ITEMS, 200) == [ITEMS]


def test_an_exact_multiple_ends_without_an_empty_page():
    assert walk(["a", "b", "c", "d"], 2) == [["a", "b"], ["c", "d"]]


def test_empty_listing():
    assert page([], key, 10, None) == ([], None)


def test_cursor_survives_deletion_of_the_item_it_names():
    _chunk, cursor = page(ITEMS, key, 2, None)  # names "b"
    remaining = [i for i in ITEMS if i != "b"]
    chunk, _next = page(remaining, key, 2, cursor)
    assert chunk == ["c", "d"]


def test_cursor_survives_deletion_of_every_later_item():
    _chunk, cursor = page(ITEMS, key, 2, None)
    assert page(["a", "b"], key, 2, cursor) == ([], None)


def test_items_inserted_before_the_cursor_are_not_repeated():
    _chunk, cursor = page(ITEMS, key, 2, None)
    chunk, _next = page(["0", "a", "aa", *ITEMS[1:]], key, 2, cursor)
    assert chunk == ["c", "d"]


# -- If-Match ------------------------------------------------------------------------------------------------------


def test_no_if_match_is_always_fine():
    check_if_match(3, None)
    check_if_match(None, None)


def test_matching_if_match_is_fine():
    check_if_match(3, 3)


@pytest.mark.parametrize("current, expected", [(3, 2), (3, 4), (None, 1)])
def test_stale_if_match_is_a_failed_precondition(current, expected):
    with pytest.raises(PreconditionFailedError):
        check_if_match(current, expected)


# -- write() -------------------------------------------------------------------------------------------------------


def conflict(*labels: str):
    def call():
        raise WriteConflict(list(labels))

    return call


def test_write_returns_the_result_of_a_successful_call():
    assert write(lambda: 42, what="X", object_id="x1", server_id="aus1") == 42


def test_parent_server_gone_is_not_found():
    with pytest.raises(NotFoundError) as raised:
        write(conflict(L_SERVER, L_VERSION), what="X", object_id="x1", server_id="aus1")
    assert (raised.value.resource_id, raised.value.resource_type) == ("aus1", SERVER_TYPE)


def test_parent_policy_gone_is_not_found():
    with pytest.raises(NotFoundError) as raised:
        write(conflict(L_POLICY), what="X", object_id="x1", server_id="aus1", policy_id="00p1")
    assert (raised.value.resource_id, raised.value.resource_type) == ("00p1", POLICY_TYPE)


def test_taken_name_is_a_validation_error_with_the_given_cause():
    with pytest.raises(ValidationError) as raised:
        write(conflict(L_NAME), what="X", object_id="x1", server_id="aus1", target="scope", name_cause="name: dup")
    assert raised.value.target == "scope"
    assert raised.value.causes == ["name: dup"]


@pytest.mark.parametrize("labels", [(L_VERSION,), (L_ORDER,), (L_NAME,), (L_POLICY,)])
def test_anything_else_is_a_conflict(labels):
    # L_NAME without a name cause and L_POLICY without a policy id are plain conflicts too.
    with pytest.raises(ConflictError) as raised:
        write(conflict(*labels), what="OAuth2Scope", object_id="scp1", server_id="aus1")
    assert "OAuth2Scope scp1" in str(raised.value)
