"""Fetching a client's JWK set from its ``jwks_uri`` (RFC 7591 2, RFC 7517 5) without becoming a proxy into the
network the server runs in (OWASP Server-Side Request Forgery Prevention Cheat Sheet).

The host is resolved once, every address it resolves to must be public (``public_address.py``), and the connection
is made to that very address (a name that resolves differently a moment later, DNS rebinding, gains nothing), with
TLS verified against the host name. Only a 200 answer counts: redirects are never followed (they were the way from
an https URI to http://169.254.169.254). The whole fetch, name resolution included, has one deadline, and the body
a size cap checked before it is read past.
"""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .public_address import IPAddress, is_public_address, literal_address

MAX_BYTES = 64 * 1024
DEADLINE_SECONDS = 3.0

Resolver = Callable[[str, int], Sequence[str]]


class RefusedFetch(ValueError):
    """The URI or what it answered may not be used (never retried sooner than any other failed fetch)."""


class _Target(NamedTuple):
    host: str
    port: int
    path: str


def resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives ``host`` for TCP."""
    return [str(found[4][0]) for found in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _target(uri: str) -> _Target:
    if not uri.startswith("https://"):
        raise RefusedFetch("jwks_uri must be https")
    parts = urlsplit(uri)
    try:
        host, port = parts.hostname, parts.port or 443
    except ValueError as exc:
        raise RefusedFetch("jwks_uri has a bad port") from exc
    if not host or "@" in parts.netloc or any(c.isspace() or ord(c) < 0x20 for c in uri):
        raise RefusedFetch("jwks_uri is not a plain https URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(host, port, path)


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to one already checked address, verifying the certificate for the URI's host."""

    def __init__(self, target: _Target, address: str, tls: ssl.SSLContext, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=tls)
        self._address = address
        self._tls = tls
        self.aborted = False

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)

    def abort(self) -> None:
        """Unblock whatever is reading or writing (called from the deadline's timer thread)."""
        self.aborted = True
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class JwksFetcher:
    """``fetch(uri)`` of ``RemoteJwks``: the JWK set at ``uri``, or an exception.

    ``resolve``, ``allow`` and ``tls`` are injectable so that tests can stand a TLS server on 127.0.0.1 in for a
    public host; production uses the system resolver, ``is_public_address`` and the default trust store."""

    def __init__(self, resolve: Resolver = resolve, allow: Callable[[IPAddress], bool] = is_public_address,
                 tls: ssl.SSLContext | None = None, deadline: float = DEADLINE_SECONDS,
                 max_bytes: int = MAX_BYTES) -> None:
        self._resolve = resolve
        self._allow = allow
        self._tls = tls
        self._deadline = deadline
        self._max_bytes = max_bytes

    def __call__(self, uri: str) -> Mapping[str, Any]:
        target = _target(uri)
        deadline = time.monotonic() + self._deadline
        addresses = self._addresses(target, deadline)
        body = self._get(target, addresses[0], deadline)
        document = json.loads(body)
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise RefusedFetch("not a JWK set")
        return document

    def _addresses(self, target: _Target, deadline: float) -> list[IPAddress]:
        literal = literal_address(target.host)
        found = [literal] if literal is not None else \
            [a for a in map(literal_address, _within(deadline, self._resolve, target.host, target.port)) if a]
        if not found:
            raise RefusedFetch("jwks_uri's host has no address")
        # One non-public address refuses the host: it is not known which one a later lookup would give first.
        if not all(self._allow(address) for address in found):
            raise RefusedFetch("jwks_uri's host resolves to a non-public address")
        return found

    def _get(self, target: _Target, address: IPAddress, deadline: float) -> bytes:
        tls = self._tls or ssl.create_default_context()
        connection = _PinnedConnection(target, str(address), tls, timeout=_remaining(deadline))
        timer = threading.Timer(_remaining(deadline), connection.abort)
        timer.daemon = True
        timer.start()
        try:
            connection.request("GET", target.path, headers={"Accept": "application/json"})
            response = connection.getresponse()
            if response.status != 200:
                raise RefusedFetch(f"jwks_uri answered {response.status} (redirects are not followed)")
            declared = response.getheader("Content-Length")
            if declared is not None and declared.strip().isdigit() and int(declared) > self._max_bytes:
                raise RefusedFetch("JWK set too large")
            body = response.read(self._max_bytes + 1)
        except (OSError, http.client.HTTPException) as exc:
            if connection.aborted:
                raise TimeoutError("jwks_uri did not answer in time") from exc
            raise
        finally:
            timer.cancel()
            connection.close()
        if connection.aborted:
            # The deadline cut the body short: what was read is not the whole set.
            raise TimeoutError("jwks_uri did not answer in time")
        if len(body) > self._max_bytes:
            raise RefusedFetch("JWK set too large")
        return body


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("jwks_uri did not answer in time")
    return remaining


def _within(deadline: float, resolver: Resolver, host: str, port: int) -> Sequence[str]:
    """``resolver(host, port)``, given up on at the deadline (getaddrinfo cannot be interrupted: the lookup is
    left to finish in its daemon thread)."""
    result: list[Sequence[str]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(resolver(host, port))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(_remaining(deadline))
    if failure:
        raise failure[0]
    if not result:
        raise TimeoutError("jwks_uri's host did not resolve in time")
    return result[0]


fetch_https_json = JwksFetcher()
