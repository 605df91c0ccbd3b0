"""The token endpoint and the public documents served straight from the Lambda event (docs/ARCHITECTURE.md "Fast
path").

``POST /oauth2/{authServerId}/v1/token`` is the one route whose speed is the product (issue 4: throughput through
the handler against raw RS256 signing). Chalice's request machinery costs it about 20 µs per token (a handler
object, a ``Request``, the middleware chain and three content-type matches built and run per invocation, against a
~220 µs signature), so ``TokenMintApp`` answers that route itself and hands every other event to Chalice. The
documents verifiers and clients fetch most, ``GET /oauth2/{authServerId}/v1/keys`` (the JWKS) and the two discovery
documents (``/.well-known/openid-configuration``, ``/.well-known/oauth-authorization-server``), cost less than that
machinery itself (issue 20: each within 1.5x of a minimal Chalice function), so they are answered here too.

It is the same endpoint, not a second one: the same view (``api.oauth.respond`` for the token and the discovery
documents, ``api.keys.jwks_response`` for the JWKS) guarded by the same error dialect (``errors.OAUTH_JSON``, or
``errors.OKTA_JSON`` for the JWKS), run inside the same middleware chain Chalice runs (its global error handler,
then every middleware the app registers for ``http`` or ``all`` events, in order), and Chalice's own
``Response.to_dict``. Each route's chain is built once, on its first request, and again only when the app's
middleware list changes; a middleware that reads the request gets Chalice's ``Request``, built only then. What the
fast path leaves out is only what cannot apply to these routes: the method check (only the route's method comes
here; other methods go to Chalice and get the 405; OPTIONS, the CORS preflight, and HEAD too), the content-type
check (the token route takes any type; a document request that names a content type goes to Chalice, which checks
it) and binary media types (none; a document request goes to Chalice if the app ever declares some). CORS headers
are the routes' own (``api/cors.with_cors``), applied here as there. ``tests/integration/api/test_token_fast_path.py``
and ``test_document_fast_path.py`` check that both paths answer every kind of request identically.
"""
from __future__ import annotations

import base64
import logging
from typing import Any, Callable, NamedTuple

from chalice import Chalice, Response
from chalice.app import Request, RestAPIEventHandler

from ..container import get_container
from ..surrogates import has_lone_surrogate
from . import errors
from .cors import with_cors
from .keys import JWKS, jwks_response
from .oauth import (OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, TOKEN_PATH, oauth_metadata, openid_metadata,
                    respond)

Handler = Callable[[Any], Response]


class FastRequest:
    """What the middleware chain carries on the fast path: the event. Any attribute a middleware reads (``path``,
    ``headers``, ``method``, …) is that of Chalice's ``Request`` for the event, built on first use."""

    __slots__ = ("_event", "_context", "_server_id", "_request", "_headers")

    def __init__(self, event: dict[str, Any], context: Any, server_id: str) -> None:
        self._event = event
        self._context = context
        self._server_id = server_id
        self._request: Request | None = None
        self._headers: dict[str, str] | None = None

    def _lower_headers(self) -> dict[str, str]:
        """The event's headers with lower-cased names (built once)."""
        if self._headers is None:
            self._headers = {str(name).lower(): value for name, value in (self._event.get("headers") or {}).items()}
        return self._headers

    def __getattr__(self, name: str) -> Any:
        if self._request is None:
            self._request = Request(self._event, self._context)
        return getattr(self._request, name)

    def _raw_body(self) -> bytes:
        body = self._event.get("body")
        if body is None:
            return b""
        if self._event.get("isBase64Encoded"):
            return base64.b64decode(body if isinstance(body, bytes) else body.encode("ascii"))
        # A lone surrogate (chalicelib/surrogates.py) as the bytes it would be: the form parser refuses them.
        return body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")


def _headers_of(request: FastRequest) -> dict[str, str]:
    return request._lower_headers()


def _serve_token(request: FastRequest) -> Response:
    return respond(request._server_id, get_container().oauth.token, True, request._raw_body,
                   request._lower_headers(), request._event.get("requestContext"), event=request._event)


def _serve_jwks(request: FastRequest) -> Response:
    return jwks_response(request._server_id)


def _serve_metadata(call: Callable[[Any], Any]) -> Callable[[FastRequest], Response]:
    def serve(request: FastRequest) -> Response:
        return respond(request._server_id, call, False, request._raw_body, request._lower_headers(),
                       request._event.get("requestContext"), event=request._event, method="GET")
    return serve


class _Route(NamedTuple):
    method: str
    view: Handler  # guarded by the route's dialect and answered with CORS, as the blueprint registers it
    any_body: bool  # takes any content type (else a request that names one is Chalice's to check)


def _route(method: str, view: Handler, name: str, dialect: errors.Dialect, any_body: bool) -> _Route:
    view.__name__ = name  # the blueprint's view name, for the dialect's log lines
    return _Route(method, with_cors(view, dialect, _headers_of), any_body)


# The fast routes, by API Gateway's resource path: each registered as its blueprint registers it (dialect, CORS).
_ROUTES: dict[str, _Route] = {
    TOKEN_PATH: _route("POST", _serve_token, "token", errors.OAUTH_JSON, any_body=True),
    JWKS: _route("GET", _serve_jwks, "jwks", errors.OKTA_JSON, any_body=False),
    OPENID_CONFIGURATION_PATH: _route("GET", _serve_metadata(openid_metadata), "openid_configuration",
                                      errors.OAUTH_JSON, any_body=False),
    OAUTH_METADATA_PATH: _route("GET", _serve_metadata(oauth_metadata), "oauth_authorization_server",
                                errors.OAUTH_JSON, any_body=False),
}


def _fast_route(event: Any) -> tuple[str, _Route, str] | None:
    """The resource path, fast route and ``authServerId`` of an event in API Gateway's REST proxy format for one of
    the fast routes with its method; None for any other event."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    resource = context.get("resourcePath")
    route = _ROUTES.get(resource) if isinstance(resource, str) else None
    if route is None or context.get("httpMethod") != route.method:
        return None
    params = event.get("pathParameters")
    server_id = params.get("authServerId") if isinstance(params, dict) else None
    return (resource, route, server_id) if isinstance(server_id, str) else None  # type: ignore[return-value]


def _encodable_body(event: Any) -> Any:
    """The event, with a text body holding a lone surrogate (chalicelib/surrogates.py; no UTF-8 can carry one, so
    Chalice's ``raw_body`` would raise) given as the bytes it would be, base64-encoded as Lambda gives binary
    bodies: each surface's own parser then refuses invalid UTF-8 in its own format."""
    body = event.get("body") if isinstance(event, dict) else None
    if not isinstance(body, str) or event.get("isBase64Encoded") or not has_lone_surrogate(body):
        return event
    raw = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode("ascii")
    return {**event, "body": raw, "isBase64Encoded": True}


class TokenMintApp(Chalice):
    """Chalice, with the token endpoint and the public documents answered before Chalice's routing (see the module
    docstring), and logging left to the Lambda runtime.

    Chalice would give its app's logger (named after the app: ``tokenmint``, the parent of every ``tokenmint.*``
    logger of ours) a plain-text handler of its own, cut it off from the root logger and pin it at ERROR unless in
    debug mode: every INFO and WARNING line of ours (a replayed authorization code, the log table unavailable) would
    be dropped, and the rest would skip the runtime's JSON log format. Here the app's logger keeps no handler and no
    level of its own: the root logger, which the runtime sets up from the function's log format and
    ``ApplicationLogLevel``, decides."""

    _fast_chains: dict[str, Handler]

    def __init__(self, app_name: str, debug: bool = False) -> None:
        super().__init__(app_name, debug=debug, configure_logs=False)

    def _configure_log_level(self) -> None:
        # Called by Chalice when ``debug`` is set: debug mode still shows everything; otherwise the root decides.
        self.log.setLevel(logging.DEBUG if self.debug else logging.NOTSET)

    # Every change to the middleware list (registration, by the app or a blueprint, or replacement) drops the built
    # chains, so no middleware can miss a fast route. (Chalice's __init__ sets the list: the chains exist from then.)
    @property
    def middleware_handlers(self) -> list[tuple[Callable[..., Any], str]]:
        return self._middleware_list

    @middleware_handlers.setter
    def middleware_handlers(self, value: list[tuple[Callable[..., Any], str]]) -> None:
        self._middleware_list = value
        self._fast_chains = {}

    def register_middleware(self, func: Callable[..., Any], event_type: str = "all") -> None:
        super().register_middleware(func, event_type)
        self._fast_chains = {}

    def _build_chain(self, resource: str, route: _Route) -> Handler:
        # The chain Chalice builds per request (RestAPIEventHandler.__call__), built here once per route.
        rest = RestAPIEventHandler(self.routes, self.api, self.log, self.debug)
        chain: Handler = rest._build_middleware_handlers(
            [rest._global_error_handler, *self._get_middleware_handlers("http")], original_handler=route.view)
        self._fast_chains[resource] = chain
        return chain

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        found = _fast_route(event)
        if found is None:
            return super().__call__(_encodable_body(event), context)
        resource, route, server_id = found
        request = FastRequest(event, context, server_id)
        # Chalice checks a named content type against the route's and matches responses against binary types.
        if not route.any_body and ("content-type" in request._lower_headers() or self.api.binary_types):
            return super().__call__(event, context)
        chain = self._fast_chains.get(resource) or self._build_chain(resource, route)
        response = chain(request)
        # No binary types (app.py): None skips Chalice's per-response matching against an empty list, same result.
        return response.to_dict(self.api.binary_types or None)
