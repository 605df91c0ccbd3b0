"""The token endpoint served straight from the Lambda event (docs/ARCHITECTURE.md "Token endpoint fast path").

``POST /oauth2/{authServerId}/v1/token`` is the one route whose speed is the product (issue 4: throughput through
the handler against raw RS256 signing). Chalice's request machinery costs it about 20 µs per token (a handler
object, a ``Request``, the middleware chain and three content-type matches built and run per invocation, against a
~220 µs signature), so ``TokenMintApp`` answers that route itself and hands every other event to Chalice.

It is the same endpoint, not a second one: the same ``api.oauth.respond`` (form parsing, rendering) guarded by the
same OAuth error dialect (``errors.OAUTH_JSON``), run inside the same middleware chain Chalice runs (its global error
handler, then every middleware the app registers for ``http`` or ``all`` events, in order), and Chalice's own
``Response.to_dict``. The chain is built once, on the first token request, and again only when the app's middleware
list changes; a middleware that reads the request gets Chalice's ``Request``, built only then. What the fast path
leaves out is only what cannot apply to this route: the method check (only POST events come here; other methods go
to Chalice and get the 405; OPTIONS, the CORS preflight, too), the content-type check (the route takes any type) and
binary media types (none). CORS headers are the route's own (``api/cors.with_cors``), applied here as there.
``tests/integration/api/test_token_fast_path.py`` checks that both paths answer every kind of request
identically.
"""
from __future__ import annotations

import base64
from typing import Any, Callable

from chalice import Chalice, Response
from chalice.app import Request, RestAPIEventHandler

from ..container import get_container
from . import errors
from .cors import with_cors
from .oauth import TOKEN_PATH, respond

Handler = Callable[[Any], Response]


def _token_server_id(event: Any) -> str | None:
    """The ``authServerId`` of a token POST event in API Gateway's REST proxy format; None for any other event."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict) or context.get("resourcePath") != TOKEN_PATH or \
            context.get("httpMethod") != "POST":
        return None
    params = event.get("pathParameters")
    server_id = params.get("authServerId") if isinstance(params, dict) else None
    return server_id if isinstance(server_id, str) else None


class TokenRequest:
    """What the middleware chain carries on the fast path: the token event. Any attribute a middleware reads (``path``,
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
        return body if isinstance(body, bytes) else body.encode("utf-8")


def _serve_token(request: TokenRequest) -> Response:
    return respond(request._server_id, get_container().oauth.token, True, request._raw_body,
                   request._lower_headers(), request._event.get("requestContext"), event=request._event)


# The fast route's registration: the OAuth dialect and CORS, as api/oauth.py's routes have them.
_token_view = with_cors(_serve_token, errors.OAUTH_JSON, lambda request: request._lower_headers())


class TokenMintApp(Chalice):
    """Chalice, with the token endpoint answered before Chalice's routing (see the module docstring)."""

    _token_chain: Handler | None = None

    # Every change to the middleware list (registration, by the app or a blueprint, or replacement) drops the built
    # chain, so no middleware can miss the token route.
    @property  # type: ignore[override]
    def middleware_handlers(self) -> list[tuple[Callable[..., Any], str]]:
        return self._middleware_list

    @middleware_handlers.setter
    def middleware_handlers(self, value: list[tuple[Callable[..., Any], str]]) -> None:
        self._middleware_list = value
        self._token_chain = None

    def register_middleware(self, func: Callable[..., Any], event_type: str = "all") -> None:
        super().register_middleware(func, event_type)
        self._token_chain = None

    def _build_token_chain(self) -> Handler:
        # The chain Chalice builds per request (RestAPIEventHandler.__call__), built here once.
        rest = RestAPIEventHandler(self.routes, self.api, self.log, self.debug)
        chain: Handler = rest._build_middleware_handlers(
            [rest._global_error_handler, *self._get_middleware_handlers("http")], original_handler=_token_view)
        self._token_chain = chain
        return chain

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        server_id = _token_server_id(event)
        if server_id is None:
            return super().__call__(event, context)
        chain = self._token_chain or self._build_token_chain()
        response = chain(TokenRequest(event, context, server_id))
        # No binary types (app.py): None skips Chalice's per-response matching against an empty list, same result.
        return response.to_dict(self.api.binary_types or None)  # type: ignore[arg-type]
