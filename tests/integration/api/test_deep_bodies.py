"""Issue 13, item 6: a JSON body nested thousands of levels deep was a 500 with a RecursionError traceback in the
log. Every JSON body of the management API is read in one place (api/http.read_json): too deep is Okta's 400
E0000003, nothing is written, nothing is logged as an error."""
from __future__ import annotations

import logging

import pytest

from chalicelib.api.http import MAX_DEPTH
from tests.integration.api.apisupport import SERVERS, assert_error, nothing_changes

ROUTES = [("POST", SERVERS), ("POST", f"{SERVERS}/default/scopes"), ("POST", f"{SERVERS}/default/policies"),
          ("PUT", f"{SERVERS}/default"), ("POST", "/oauth2/v1/clients"), ("POST", "/api/v1/users"),
          ("POST", "/api/v1/groups")]


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_a_body_nested_too_deep_is_e0000003_and_changes_nothing(api, caplog, method, path, depth):
    with nothing_changes(), caplog.at_level(logging.ERROR):
        response = api.call(method, path, raw=nested(depth), headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])
    assert "RecursionError" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_arrays_count_as_levels_too(api):
    body = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    response = api.call("POST", f"{SERVERS}/default/scopes", raw=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003")


def test_a_body_at_the_depth_limit_is_read_and_judged_on_its_content(api):
    with nothing_changes():
        response = api.call("POST", f"{SERVERS}/default/scopes", raw=nested(MAX_DEPTH),
                            headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000001")  # well-formed, just not a scope
