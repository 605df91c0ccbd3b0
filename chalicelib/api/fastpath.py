"""The token endpoint served straight from the Lambda event (docs/ARCHITECTURE.md "Token endpoint fast path").

``POST /oauth2/{authServerId}/v1/token`` is the one route whose speed is the product (issue 4: throughput through
the handler against raw RS256 signing). Chalice's request machinery costs it about 20 µs per token (a handler
object, a ``Request``, the middleware chain and three content-type matches built and run per invocation, against a
~220 µs signature), so ``TokenMintApp`` answers that route itself and hands every other event to Chalice.

It is the same endpoint, not a second one: the same ``api.oauth.respond`` (form parsing, rendering) and OAuth errors,
the same ``okta_envelope`` middleware (request id, error mapping) and Chalice's own ``Response.to_dict``. What it
leaves out is only what cannot apply to this route: the method check (only POST events come here; other methods go
to Chalice and get the 405), the content-type check (the route takes any type), CORS (none) and binary media types
(none). ``tests/integration/api/test_token_fast_path.py`` checks that both paths answer every kind of request
identically.
"""
from __future__ import annotations

import base64
from typing import Any

from chalice import Chalice, Response

from ..container import get_container
from . import errors
from .middleware import okta_envelope
from .oauth import TOKEN_PATH, respond


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


class TokenMintApp(Chalice):
    """Chalice, with the token endpoint answered before Chalice's routing (see the module docstring)."""

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        server_id = _token_server_id(event)
        if server_id is None:
            return super().__call__(event, context)
        headers = {str(name).lower(): value for name, value in (event.get("headers") or {}).items()}

        def raw_body() -> bytes:
            body = event.get("body")
            if body is None:
                return b""
            if event.get("isBase64Encoded"):
                return base64.b64decode(body if isinstance(body, bytes) else body.encode("ascii"))
            return body if isinstance(body, bytes) else body.encode("utf-8")

        @errors.OAUTH_JSON.guard  # the OAuth dialect, as api/oauth.py's routes have it
        def view(_request: Any) -> Response:
            return respond(server_id, get_container().oauth.token, True, raw_body, headers)

        # No binary types (app.py): None skips Chalice's per-response matching against an empty list, same result.
        return okta_envelope(None, view).to_dict(self.api.binary_types or None)  # type: ignore[arg-type]
