"""Every JSON body tokenmint writes (api/http.json_text): the OAuth endpoints' answers and errors and the management
API's documents are compact UTF-8, as Okta's, whichever encoder writes them."""
from __future__ import annotations

import json

import pytest

from chalicelib.api.errors import oauth_error_response
from chalicelib.api.http import json_response, json_text
from chalicelib.api.oauth import render_oauth_response
from chalicelib.oauth.context import NO_STORE, JsonBody, OAuthResponse
from chalicelib.oauth.errors import InvalidClientError


@pytest.mark.parametrize("document", [
    {"token_type": "Bearer", "expires_in": 3600, "access_token": "eyJ.x.y", "scope": "a b"},
    {"error": "invalid_client", "error_description": "Zoë's \"client\" \\ </script>"},
    {"active": True, "exp": 1_772_373_607, "scope": None, "aud": ["api://a", "api://b"], "ratio": 0.5},
    {"big": 2 ** 70, "name": "日本"},  # beyond orjson's 64-bit integers: the standard library, the same way
])
def test_bodies_are_compact_utf8_json_of_the_document(document):
    text = json_text(document)
    assert json.loads(text) == document
    assert text == json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def test_text_no_utf8_can_carry_is_written_as_u_fffd():
    # Stored before read_json refused it (chalicelib/surrogates.py): the answer must still be UTF-8.
    text = json_text({"name": "a\ud800b", "\udfff": [("x\ud834",)], "n": 2 ** 70})
    assert json.loads(text) == {"name": "a\ufffdb", "\ufffd": [["x\ufffd"]], "n": 2 ** 70}
    assert text.encode("utf-8")


def test_a_rendered_response_carries_the_json_and_its_headers():
    response = render_oauth_response(OAuthResponse(200, {"access_token": "eyJ.x.y", "n": 2 ** 70}, dict(NO_STORE)))
    assert (response.status_code, response.body) == (200, '{"access_token":"eyJ.x.y","n":1180591620717411303424}')
    assert response.headers["Content-Type"] == "application/json" and response.headers["Cache-Control"] == "no-store"
    assert render_oauth_response(OAuthResponse(200, JsonBody('{"issuer": "x"}'))).body == '{"issuer": "x"}'


def test_an_oauth_error_is_compact_json_with_its_headers():
    response = oauth_error_response(InvalidClientError("Client authentication failed: no such client.",
                                                       www_authenticate='Basic realm="x"'))
    assert response.status_code == 401
    assert response.body == ('{"error":"invalid_client",'
                             '"error_description":"Client authentication failed: no such client."}')
    assert response.headers["Cache-Control"] == "no-store" and response.headers["WWW-Authenticate"] == 'Basic realm="x"'


def test_a_management_document_is_compact_utf8_json():
    response = json_response([{"id": "aus1", "name": "Café", "audiences": ["api://a"], "n": 2 ** 70, "ok": None}],
                             201, {"Location": "/x"})
    assert response.body == '[{"id":"aus1","name":"Café","audiences":["api://a"],"n":1180591620717411303424,"ok":null}]'
    assert (response.status_code, response.headers) == (201, {"Content-Type": "application/json", "Location": "/x"})
