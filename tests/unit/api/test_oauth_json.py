"""The OAuth endpoints' JSON bodies (api/oauth.render_oauth_response): compact UTF-8, as Okta's, whichever encoder
writes them."""
from __future__ import annotations

import json

import pytest

from chalicelib.api.oauth import json_text, render_oauth_response
from chalicelib.oauth.context import NO_STORE, JsonBody, OAuthResponse


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


def test_a_rendered_response_carries_the_json_and_its_headers():
    response = render_oauth_response(OAuthResponse(200, {"access_token": "eyJ.x.y", "n": 2 ** 70}, dict(NO_STORE)))
    assert (response.status_code, response.body) == (200, '{"access_token":"eyJ.x.y","n":1180591620717411303424}')
    assert response.headers["Content-Type"] == "application/json" and response.headers["Cache-Control"] == "no-store"
    assert render_oauth_response(OAuthResponse(200, JsonBody('{"issuer": "x"}'))).body == '{"issuer": "x"}'
