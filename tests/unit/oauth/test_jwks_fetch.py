"""Fetching a jwks_uri (chalicelib.oauth.jwks_fetch; RFC 7591 2, CAUTH-09 with a jwks_uri; issue 13 item 5, the
blind SSRF): a host that is or resolves to a non-public address is never connected to, the connection goes to the
very address that was checked, redirects are not followed, and one deadline and a size cap bound the whole fetch.

The servers are real sockets on 127.0.0.1; where a test needs a "public" host it injects a resolver that names
127.0.0.1 and an ``allow`` that admits exactly that address, so the refusals are proved with the production
``allow`` and the protocol behaviour with the stand-in."""
from __future__ import annotations

import ipaddress
import json
import ssl
import time
from http.server import BaseHTTPRequestHandler

import pytest

from chalicelib.oauth.jwks_fetch import JwksFetcher, RefusedFetch, fetch_https_json
from tests.local_servers import LOCALHOST, answer, counting_listener, https_server

JWKS = {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}
BODY = json.dumps(JWKS).encode()


class Resolver:
    """Answers every name with ``addresses`` and records what it was asked."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.addresses


def only_localhost(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address == ipaddress.ip_address(LOCALHOST)


def stand_in(trust: ssl.SSLContext, **kw) -> JwksFetcher:
    """A fetcher for which jwks.test is a public host at 127.0.0.1."""
    return JwksFetcher(resolve=Resolver(LOCALHOST), allow=only_localhost, tls=trust, **kw)


# -- never connecting to a non-public address (the attack: jwks_uri=https://127.0.0.1/..., made-up assertion) ------


@pytest.mark.parametrize("host", [
    LOCALHOST, "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "[::ffff:127.0.0.1]",
])
def test_cauth09_ssrf_a_loopback_jwks_uri_is_refused_without_connecting(host):
    with counting_listener() as listener:
        with pytest.raises(RefusedFetch, match="non-public"):
            fetch_https_json(f"https://{host}:{listener.port}/jwks")
    assert listener.accepted == 0


@pytest.mark.parametrize("addresses", [
    [LOCALHOST],
    ["169.254.169.254"],            # the instance metadata service
    ["10.0.0.7"], ["172.16.0.1"], ["192.168.1.1"], ["100.100.100.200"], ["0.0.0.0"],
    ["::1"], ["fd00:ec2::254"], ["fe80::1"], ["64:ff9b::a9fe:a9fe"], ["2002:a00:1::1"],
    ["93.184.215.14", LOCALHOST],   # one bad address among good ones refuses the host
])
def test_cauth09_ssrf_a_name_resolving_to_a_non_public_address_is_refused_without_connecting(addresses):
    resolver = Resolver(*addresses)
    with counting_listener() as listener:
        with pytest.raises(RefusedFetch, match="non-public"):
            JwksFetcher(resolve=resolver)(f"https://keys.attacker.example:{listener.port}/jwks")
    assert listener.accepted == 0
    assert resolver.asked == [("keys.attacker.example", listener.port)]


def test_the_connection_goes_to_the_checked_address_and_tls_is_verified_for_the_host():
    """Resolved once; the request carries the URI's host while the socket goes to the checked address (a name that
    resolves elsewhere a moment later, DNS rebinding, is never asked again)."""
    resolver = Resolver(LOCALHOST)
    with https_server(answer(200, BODY, {"Content-Type": "application/json"})) as server:
        fetch = JwksFetcher(resolve=resolver, allow=only_localhost, tls=server.trust)
        assert fetch(f"https://jwks.test:{server.port}/keys?v=1") == JWKS
    assert resolver.asked == [("jwks.test", server.port)]
    assert server.requests == [("/keys?v=1", f"jwks.test:{server.port}")]


def test_a_certificate_for_another_host_is_refused():
    with https_server(answer(200, BODY), names=("other.test",)) as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            stand_in(server.trust)(f"https://jwks.test:{server.port}/jwks")
    assert server.requests == []


# -- redirects ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_cauth09_ssrf_a_redirect_to_http_is_not_followed(status):
    with counting_listener() as metadata:
        target = f"http://{LOCALHOST}:{metadata.port}/latest/meta-data/iam/security-credentials/"
        with https_server(answer(status, b"", {"Location": target})) as server:
            with pytest.raises(RefusedFetch, match=f"answered {status}"):
                stand_in(server.trust)(f"https://jwks.test:{server.port}/jwks")
        assert metadata.accepted == 0
    assert len(server.requests) == 1


# -- the deadline and the size cap --------------------------------------------------------------------------------


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers one byte at a time, each well inside any per-read timeout, for longer than the fetch may take."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    try:
        for _ in range(200):
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass  # the fetcher hung up


def test_a_server_dripping_bytes_is_cut_off_at_the_overall_deadline():
    with https_server(_drip) as server:
        with pytest.raises(TimeoutError):
            stand_in(server.trust, deadline=0.5)(f"https://jwks.test:{server.port}/jwks")


def test_a_body_over_the_cap_is_refused():
    big = json.dumps({"keys": [{"kid": "x" * 1000}] * 80}).encode()
    with https_server(answer(200, big)) as server:
        with pytest.raises(RefusedFetch, match="too large"):
            stand_in(server.trust, max_bytes=64 * 1024)(f"https://jwks.test:{server.port}/jwks")


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    with https_server(answer(200, BODY, {"Content-Length": str(10 ** 9)})) as server:
        with pytest.raises(RefusedFetch, match="too large"):
            stand_in(server.trust)(f"https://jwks.test:{server.port}/jwks")


@pytest.mark.parametrize("body", [b"[]", b'{"keys": {}}', b'"keys"'])
def test_anything_but_a_jwk_set_is_refused(body):
    with https_server(answer(200, body)) as server:
        with pytest.raises(RefusedFetch, match="not a JWK set"):
            stand_in(server.trust)(f"https://jwks.test:{server.port}/jwks")


@pytest.mark.parametrize("uri", [
    "http://client.example/jwks",
    "HTTP://client.example/jwks",
    "ftp://client.example/jwks",
    "file:///etc/passwd",
    "//client.example/jwks",
    "client.example/jwks",
    "",
    " https://client.example/jwks",
])
def test_fetch_refuses_anything_but_https(uri):
    with pytest.raises(RefusedFetch, match="https"):
        fetch_https_json(uri)


@pytest.mark.parametrize("uri", [
    "https://user:pw@client.example/jwks",
    "https://client.example:99999/jwks",
    "https://client.example/jw ks",
])
def test_fetch_refuses_a_uri_that_is_not_a_plain_https_url(uri):
    with pytest.raises(RefusedFetch):
        fetch_https_json(uri)
