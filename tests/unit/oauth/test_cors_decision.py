"""The CORS decision of the OAuth endpoints (chalicelib/oauth/cors.py), without Chalice or storage
(security-checklist DISC-05)."""
from __future__ import annotations

import pytest

from chalicelib.oauth import cors

APP = "https://app.example.com"
ALLOWED = frozenset({APP, "http://localhost:3000"})


def test_disc05_an_allowed_origin_gets_exactly_itself_back_never_a_wildcard():
    headers = cors.response_headers({"origin": APP}, ALLOWED)
    assert headers == {"Access-Control-Allow-Origin": APP,
                       "Access-Control-Expose-Headers": "WWW-Authenticate, X-Okta-Request-Id, DPoP-Nonce",
                       "Vary": "Origin"}
    assert "Access-Control-Allow-Credentials" not in headers


@pytest.mark.parametrize("origin", [
    "https://evil.example.com", "https://app.example.com.evil.com", "http://app.example.com",
    "https://app.example.com:8443", "null", "", "https://APP.example.com.evil", "*",
])
def test_disc05_any_other_origin_gets_only_vary(origin):
    assert cors.response_headers({"origin": origin}, ALLOWED) == {"Vary": "Origin"}


def test_a_request_without_origin_gets_only_vary():
    assert cors.response_headers({}, ALLOWED) == {"Vary": "Origin"}


def test_origin_case_of_scheme_and_host_does_not_matter_and_is_echoed_as_sent():
    assert cors.response_headers({"origin": "HTTPS://App.Example.com"}, ALLOWED)[
        "Access-Control-Allow-Origin"] == "HTTPS://App.Example.com"


def test_preflight_from_an_allowed_origin():
    answer = cors.preflight({"origin": APP, "access-control-request-method": "POST",
                             "access-control-request-headers": "Content-Type, Authorization"}, ("POST",), ALLOWED)
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == APP
    assert answer.headers["Access-Control-Allow-Methods"] == "POST"
    assert answer.headers["Access-Control-Max-Age"] == "3600"
    assert answer.headers["Vary"] == "Origin"
    assert {"authorization", "content-type"} <= set(answer.headers["Access-Control-Allow-Headers"].split(", "))


def test_preflight_allows_the_header_okta_auth_js_sends():
    answer = cors.preflight({"origin": APP, "access-control-request-method": "POST",
                             "access-control-request-headers": "x-okta-user-agent-extended,accept"}, ("POST",), ALLOWED)
    assert answer.status == 204


def test_preflight_allows_a_dpop_proof_header():
    """A browser app's DPoP proof (RFC 9449 4.1) passes the preflight; DPoP-Nonce is exposed (the test above)."""
    answer = cors.preflight({"origin": APP, "access-control-request-method": "POST",
                             "access-control-request-headers": "dpop,content-type"}, ("POST",), ALLOWED)
    assert answer.status == 204


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example.com", "access-control-request-method": "POST"},
    {"origin": APP, "access-control-request-method": "DELETE"},
    {"origin": APP, "access-control-request-method": "post"},  # method names compare exactly
    {"origin": APP, "access-control-request-method": "POST", "access-control-request-headers": "cookie"},
    {"origin": APP, "access-control-request-method": "POST", "access-control-request-headers": "x-secret"},
    {"origin": APP, "access-control-request-method": "POST", "access-control-request-headers": "content-type,,"},
    {"access-control-request-method": "POST"},
])
def test_disc05_a_preflight_that_is_not_allowed_is_403_without_cors_headers(headers):
    answer = cors.preflight(headers, ("POST",), ALLOWED)
    assert (answer.status, answer.headers) == (403, {"Vary": "Origin"})
