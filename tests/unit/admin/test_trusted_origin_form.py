"""What a trusted origin may be (chalicelib/admin/trusted_origins.py): an origin exactly as a browser sends it."""
from __future__ import annotations

import pytest

from chalicelib.admin.trusted_origins import normalise_origin, read_origin
from chalicelib.domain import TrustedOriginScope
from chalicelib.errors import ValidationError


@pytest.mark.parametrize("raw, stored", [
    ("https://app.example.com", "https://app.example.com"),
    ("HTTPS://App.Example.COM", "https://app.example.com"),
    ("https://app.example.com:443", "https://app.example.com"),
    ("http://app.example.com:80", "http://app.example.com"),
    ("https://app.example.com/", "https://app.example.com"),
    (" http://localhost:3000 ", "http://localhost:3000"),
    ("https://app.example.com:8443", "https://app.example.com:8443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("capacitor://localhost", "capacitor://localhost"),
    ("ionic://localhost", "ionic://localhost"),
    ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
])
def test_accepted_origins_are_stored_as_a_browser_sends_them(raw, stored):
    assert normalise_origin(raw) == (stored, None)


@pytest.mark.parametrize("raw", [
    "https://app.example.com/path", "https://app.example.com?x=1", "https://app.example.com#f",
    "https://user@app.example.com", "https://*.example.com", "*", "app.example.com", "https://",
    "javascript://app.example.com", "file://app", "https://app.example.com:0", "https://app.example.com:65536",
    "https://app_example.com", "https://-app.example.com", "https://[zz::1]", "https://app.example.com//",
    "https://bücher.example",
])
def test_anything_else_is_refused_with_a_reason(raw):
    origin, problem = normalise_origin(raw)
    assert origin is None and problem


def test_a_good_body():
    assert read_origin({"name": "SPA", "origin": "https://A.example/",
                        "scopes": [{"type": "REDIRECT"}, {"type": "CORS"}],
                        "id": "ignored", "status": "INACTIVE"}) == (
        "SPA", "https://a.example", (TrustedOriginScope("REDIRECT"), TrustedOriginScope("CORS")))


@pytest.mark.parametrize("body, fields", [
    ({}, {"name", "origin", "scopes"}),
    ({"name": "a", "origin": "https://a.example", "scopes": []}, {"scopes"}),  # an origin trusted for nothing
    ({"name": "a", "origin": "https://a.example", "scopes": "CORS"}, {"scopes"}),
    ({"name": "a", "origin": "https://a.example", "scopes": [{"type": "CORS"}, {"type": "CORS"}]}, {"scopes[1]"}),
    ({"name": "a", "origin": "https://a.example", "scopes": [{"type": "NOPE"}]}, {"scopes[0].type"}),
    ({"name": "a", "origin": "https://a.example", "scopes": [{"type": "CORS", "allowedOktaApps": ["OKTA_ENDUSER"]}]},
     {"scopes[0].allowedOktaApps"}),
    ({"name": "a\n", "origin": "https://a.example", "scopes": [{"type": "CORS"}]}, {"name"}),
    ({"name": "x" * 256, "origin": "https://a.example", "scopes": [{"type": "CORS"}]}, {"name"}),
    ({"name": "a", "origin": 5, "scopes": [{"type": "CORS"}]}, {"origin"}),
])
def test_bad_bodies_name_every_bad_field(body, fields):
    with pytest.raises(ValidationError) as raised:
        read_origin(body)
    named = {cause.split(":")[0] for cause in raised.value.causes}
    assert named == fields
