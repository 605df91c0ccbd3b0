"""Redirect URI matching (chalicelib.oauth.authorize.redirect_uris): security-checklist REDIR-01 (exact string
match), REDIR-02 (loopback port exception only), REDIR-04 (query must match exactly)."""
from __future__ import annotations

import pytest

from chalicelib.oauth.authorize.redirect_uris import find, matches

REGISTERED = "https://app.example/cb"


def test_redir01_identical_string_matches():
    assert matches(REGISTERED, REGISTERED)
    assert find([REGISTERED, "https://other.example/cb"], REGISTERED) == REGISTERED


@pytest.mark.parametrize("presented", [
    "https://app.example/cb/",                 # extra path (trailing slash)
    "https://app.example/cb/extra",            # extra path
    "https://APP.example/cb",                  # case of the host
    "https://app.example/CB",                  # case of the path
    "https://app.example/cb?x=1",              # added query
    "https://app.example/cb#f",                # fragment
    "http://app.example/cb",                   # scheme
    "https://app.example:443/cb",              # explicit default port
    "https://app.example:8443/cb",             # port
    "https://app.example/cb/../cb",            # dot segments
    "https://app.example/cb%2F",               # percent-encoded
    "https://app.example/%63b",                # percent-encoded letter
    "https://app.example.evil/cb",             # suffix host
    "https://evil/https://app.example/cb",     # embedded
    "https://app.example/c",                   # prefix
    "https://app.example/cbx",                 # suffix
    "https://user@app.example/cb",             # user information
    " https://app.example/cb",                 # whitespace
    "",
])
def test_redir01_every_variant_is_refused(presented):
    assert not matches(REGISTERED, presented)
    assert find([REGISTERED], presented) is None


@pytest.mark.parametrize("registered,presented", [
    ("http://127.0.0.1/cb", "http://127.0.0.1:53123/cb"),
    ("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb"),
    ("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb"),
    ("http://[::1]/cb", "http://[::1]:61000/cb"),
    ("http://127.0.0.1/cb?a=1", "http://127.0.0.1:4000/cb?a=1"),
])
def test_redir02_loopback_ip_literal_may_use_any_port(registered, presented):
    assert matches(registered, presented)


@pytest.mark.parametrize("registered,presented", [
    ("http://localhost:8080/cb", "http://localhost:8081/cb"),       # localhost gets no port flexibility
    ("http://localhost/cb", "http://localhost:8080/cb"),
    ("http://127.0.0.1/cb", "http://127.0.0.1:53123/cb/"),          # path must still be identical
    ("http://127.0.0.1/cb", "http://127.0.0.2:53123/cb"),           # another loopback address
    ("http://127.0.0.1/cb", "https://127.0.0.1:53123/cb"),          # https is not the loopback rule
    ("http://127.0.0.1/cb", "http://127.0.0.1:0/cb"),               # not a port
    ("http://127.0.0.1/cb", "http://127.0.0.1:70000/cb"),
    ("http://127.0.0.1/cb", "http://127.0.0.1:80@evil.example/cb"),  # user information trick
    ("http://127.0.0.1/cb", "http://127.0.0.1.evil.example/cb"),
    ("http://127.0.0.1/cb", "http://[::1]:5000/cb"),                # another host
    ("https://app.example/cb", "https://app.example:444/cb"),       # no port flexibility elsewhere
])
def test_redir02_no_other_port_flexibility(registered, presented):
    assert not matches(registered, presented)


def test_redir04_registered_query_must_match_exactly():
    registered = "https://app.example/cb?a=1"
    assert matches(registered, registered)
    for presented in ("https://app.example/cb?a=1&b=2", "https://app.example/cb?a=2", "https://app.example/cb",
                      "https://app.example/cb?b=2&a=1"):
        assert not matches(registered, presented)


def test_overlong_and_fragment_uris_are_never_found():
    long = "https://app.example/" + "a" * 2100
    assert find([long], long) is None
    assert find(["https://app.example/cb#x"], "https://app.example/cb#x") is None
