"""Cross-origin requests to the OAuth endpoints a browser app calls (docs/ARCHITECTURE.md "CORS"): the pure
decision, free of Chalice and of storage.

A single-page app on another origin calls the token, keys, userinfo, revocation and introspection endpoints and the
discovery documents with ``fetch``. Okta allows that for its *trusted origins* with the ``CORS`` scope, and so does
tokenmint: the caller hands over the set of allowed origins (ACTIVE trusted origins with the CORS scope, already
normalised) and this module decides which headers, if any, a response carries.

* An actual request whose ``Origin`` is allowed gets ``Access-Control-Allow-Origin`` with that exact origin (never
  ``*``) and ``Vary: Origin``. No ``Access-Control-Allow-Credentials``: none of these endpoints reads a cookie
  (``fetch`` with ``credentials: "include"`` is refused by the browser, as it should be).
* A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) from an allowed origin for a method the endpoint
  serves, asking only for headers the endpoint reads, is a 204 with the allowed origin, methods, headers and a
  ``Max-Age``, and ``Vary: Origin``.
* Anything else gets no CORS header at all, so the browser refuses to hand the response to the page. A preflight
  that is refused is a 403 (with ``Vary: Origin``): the browser fails the ``fetch`` either way, and a 403 says so
  to a person reading the network log.
* Every response of these endpoints carries ``Vary: Origin``, allowed or not, so a shared cache never serves one
  origin's answer to another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Mapping

# The headers a browser app sends to these endpoints that a preflight may name: a bearer token or client
# credentials, the content type and ``Accept`` (safelisted only for some values), the user agent header Okta's own
# browser SDK (okta-auth-js) adds to every request, and the marker some HTTP libraries add.
# ``dpop``: a browser app's DPoP proof (RFC 9449 4.1); ``DPoP-Nonce`` must be readable to answer use_dpop_nonce.
ALLOWED_HEADERS = ("authorization", "content-type", "accept", "x-okta-user-agent-extended", "x-requested-with",
                   "dpop")
# Headers a page may read besides the safelisted ones: the bearer challenge of userinfo (RFC 6750), and Okta's
# request id.
EXPOSED_HEADERS = ("WWW-Authenticate", "X-Okta-Request-Id", "DPoP-Nonce")
MAX_AGE_SECONDS = 3600  # as Okta's OPTIONS /v1/token (okta-api.md 7.1)

ORIGIN = "origin"
REQUEST_METHOD = "access-control-request-method"
REQUEST_HEADERS = "access-control-request-headers"

VARY = {"Vary": "Origin"}


@dataclass(frozen=True)
class Preflight:
    """The answer to a preflight: its status and headers."""

    status: int
    headers: dict[str, str]


def normalise_origin(origin: str) -> str:
    """An ``Origin`` header as compared with trusted origins: browsers send it in lower case already (scheme and
    host); lower-casing makes the comparison exact on the serialised origin and nothing else."""
    return origin.strip().lower()


def allowed_origin(headers: Mapping[str, str], allowed: AbstractSet[str]) -> str | None:
    """The request's ``Origin``, exactly as sent, when it is one of ``allowed``; else None. ``headers`` are
    lower-cased names. ``null`` (sandboxed frames, file: pages) is never allowed."""
    origin = headers.get(ORIGIN)
    if not origin or origin == "null":
        return None
    return origin if normalise_origin(origin) in allowed else None


def response_headers(headers: Mapping[str, str], allowed: AbstractSet[str]) -> dict[str, str]:
    """The CORS headers of the response to an actual (non-preflight) request."""
    origin = allowed_origin(headers, allowed)
    if origin is None:
        return dict(VARY)
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS),
            **VARY}


def _requested_headers(raw: str | None) -> list[str] | None:
    """The header names a preflight asks for, lower-cased; None when the list is malformed."""
    if not raw:
        return []
    names = [name.strip().lower() for name in raw.split(",")]
    if any(not name or any(c.isspace() for c in name) for name in names):
        return None
    return names


def preflight(headers: Mapping[str, str], methods: tuple[str, ...], allowed: AbstractSet[str]) -> Preflight:
    """The answer to a preflight for an endpoint serving ``methods``. 204 with the CORS headers when the origin is
    allowed, the method is one of ``methods`` and every requested header is one of ``ALLOWED_HEADERS``; else 403
    without them."""
    refused = Preflight(403, dict(VARY))
    origin = allowed_origin(headers, allowed)
    if origin is None:
        return refused
    method = (headers.get(REQUEST_METHOD) or "").strip()
    if method not in methods:  # method names are case-sensitive (Fetch: a CORS preflight compares them exactly)
        return refused
    requested = _requested_headers(headers.get(REQUEST_HEADERS))
    if requested is None or any(name not in ALLOWED_HEADERS for name in requested):
        return refused
    return Preflight(204, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
        **VARY,
    })
