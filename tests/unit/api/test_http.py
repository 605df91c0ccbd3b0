"""api/http.py: body parsing, If-Match, ETag, Link headers and the base URL, over a minimal request fake."""
from __future__ import annotations

import json

import pytest

from chalicelib.api.http import base_url, etag, if_match, json_response, link_header, no_content, read_json
from chalicelib.errors import MalformedBodyError, PreconditionFailedError


class FakeRequest:
    """The two attributes of chalice's Request the helpers read."""

    def __init__(self, raw_body: bytes = b"", **headers: str) -> None:
        self.raw_body = raw_body
        self.headers = {k.replace("_", "-").lower(): v for k, v in headers.items()}


# -- read_json -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   ", b"\n"])
def test_an_empty_body_is_none(raw):
    assert read_json(FakeRequest(raw, content_type="application/json")) is None


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=UTF-8",
                                          "application/merge-patch+json", "application/octet-stream", None])
def test_json_bodies_are_parsed(content_type):
    headers = {"content_type": content_type} if content_type else {}
    assert read_json(FakeRequest(b'{"name": "x"}', **headers)) == {"name": "x"}


def test_arrays_are_parsed_as_arrays_for_the_caller_to_refuse():
    assert read_json(FakeRequest(b"[1, 2]", content_type="application/json")) == [1, 2]


@pytest.mark.parametrize("raw", [b"{", b"{'a': 1}", b"nope", b"\xff\xfe", b'{"a": }'])
def test_bodies_that_are_not_json_are_malformed(raw):
    with pytest.raises(MalformedBodyError):
        read_json(FakeRequest(raw, content_type="application/json"))


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_other_media_types_with_a_body_are_malformed(content_type):
    with pytest.raises(MalformedBodyError):
        read_json(FakeRequest(b'{"name": "x"}', content_type=content_type))


# -- If-Match and ETag ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [('W/"3"', 3), ('"3"', 3), (' W/"12" ', 12)])
def test_if_match_reads_the_version(value, expected):
    assert if_match(FakeRequest(if_match=value)) == expected


@pytest.mark.parametrize("headers", [{}, {"if_match": "*"}, {"if_match": " * "}])
def test_no_if_match_or_a_star_means_no_precondition(headers):
    assert if_match(FakeRequest(**headers)) is None


@pytest.mark.parametrize("value", ["3", 'W/"abc"', "W/3", '"3", "4"', ""])
def test_an_if_match_we_never_issued_fails_the_precondition(value):
    with pytest.raises(PreconditionFailedError):
        if_match(FakeRequest(if_match=value))


def test_etag():
    assert etag(7) == {"ETag": 'W/"7"'}
    assert etag(None) == {}


# -- responses -----------------------------------------------------------------------------------------------------


def test_json_response():
    response = json_response({"a": 1}, status=201, headers={"ETag": 'W/"1"'})
    assert response.status_code == 201
    assert json.loads(response.body) == {"a": 1}
    assert response.headers == {"Content-Type": "application/json", "ETag": 'W/"1"'}


def test_no_content_is_empty_and_not_json():
    response = no_content()
    assert response.status_code == 204
    assert response.body == ""
    assert "json" not in response.headers["Content-Type"]


# -- base URL and Link headers -------------------------------------------------------------------------------------


def test_configured_base_url_wins():
    assert base_url(FakeRequest(host="evil.example").headers, "https://id.example.com") == "https://id.example.com"


def test_base_url_from_the_request():
    assert base_url(FakeRequest(host="127.0.0.1:8000").headers, None) == "http://127.0.0.1:8000"
    assert base_url(FakeRequest(host="h", x_forwarded_host="id.example.com", x_forwarded_proto="https, http").headers,
                    None) == "https://id.example.com"
    assert base_url(FakeRequest().headers, None) == "http://localhost"


def test_link_header_self_only():
    header = link_header("https://t", "/api/v1/x", {"q": None, "limit": "2", "after": ""}, None)
    assert header == {"Link": '<https://t/api/v1/x?limit=2>; rel="self"'}


def test_link_header_self_and_next_replaces_after():
    header = link_header("https://t", "/api/v1/x", {"q": "a b", "limit": "2", "after": "old"}, "new")
    assert header == {"Link": '<https://t/api/v1/x?q=a+b&limit=2&after=old>; rel="self", '
                              '<https://t/api/v1/x?q=a+b&limit=2&after=new>; rel="next"'}


def test_link_header_without_params():
    assert link_header("https://t", "/p", {}, None) == {"Link": '<https://t/p>; rel="self"'}
