"""Redirect URI matching (RFC 6749 3.1.2.3; OIDC Core 3.1.2.1 "Simple String Comparison"; RFC 8252 7.3;
security-checklist REDIR-01, REDIR-02, REDIR-04).

The presented URI must equal a registered one character for character. The only exception: an ``http`` URI on a
loopback IP literal (``127.0.0.1`` or ``[::1]``) may use any port, because a native app gets an ephemeral port
from the OS; everything else (host, path, query) must still be identical. ``localhost`` gets no port flexibility
(RFC 8252 8.3 recommends the IP literal).

A registered path (``/admin``: only the built-in admin console's client has one, ``oauth/console_client.py``) is
made absolute against the org authorization server's issuer by ``resolve``; anywhere else it matches nothing.
"""
from __future__ import annotations

import re
from typing import Iterable

_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$", re.DOTALL)


def _loopback_parts(uri: str) -> tuple[str, str] | None:
    """``(host, rest)`` of an http loopback URI with an optional valid port, else None."""
    match = _LOOPBACK.match(uri)
    if not match:
        return None
    port = match.group(2)
    if port is not None and not 0 < int(port) < 65536:
        return None
    return match.group(1), match.group(3) or ""


def matches(registered: str, presented: str) -> bool:
    if registered == presented:
        return True
    left, right = _loopback_parts(registered), _loopback_parts(presented)
    return left is not None and right is not None and left == right


def find(registered: Iterable[str], presented: str) -> str | None:
    """The registered URI ``presented`` matches, or None."""
    if not presented or len(presented) > 2048 or "#" in presented:
        return None
    for uri in registered:
        if matches(uri, presented):
            return uri
    return None


def resolve(registered: Iterable[str], org_issuer: str | None) -> tuple[str, ...]:
    """``registered`` with each path made absolute against ``org_issuer`` (the base URL), or dropped without it."""
    out = []
    for uri in registered:
        if uri.startswith("/"):
            if org_issuer is not None:
                out.append(org_issuer.rstrip("/") + uri)
        else:
            out.append(uri)
    return tuple(out)
