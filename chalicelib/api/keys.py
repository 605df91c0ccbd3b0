"""Signing keys: ``/api/v1/authorizationServers/{authServerId}/credentials/...`` (okta-api.md 3.1-3.2) and the
public JWKS at ``/oauth2/{authServerId}/v1/keys`` (okta-api.md 3.4)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from ..container import get_container
from ..keys.lifecycle import KeyRecord
from . import errors, render
from .context import server_links
from .cors import CorsRoutes
from .http import JSON, json_response, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")
# The JWKS: Okta's error JSON, no authentication; browser apps on trusted origins may fetch it (api/cors.py).
public = CorsRoutes(bp, errors.OKTA_JSON)

KEYS = "/api/v1/authorizationServers/{authServerId}/credentials/keys"
KEY = KEYS + "/{keyId}"
ROTATE = "/api/v1/authorizationServers/{authServerId}/credentials/lifecycle/keyRotate"
JWKS = "/oauth2/{authServerId}/v1/keys"


def render_key(key: KeyRecord, base: str, path_id: str) -> dict[str, Any]:
    """The management view of a key: Okta's field order, public members only, plus status and a self link."""
    jwk = key.public_jwk
    return {
        "kty": jwk["kty"],
        "status": key.status,
        "alg": jwk.get("alg", "RS256"),
        "kid": key.kid,
        "use": jwk.get("use", "sig"),
        "_links": {"self": render.link(
            f"{base}/api/v1/authorizationServers/{path_id}/credentials/keys/{key.kid}", "GET")},
        "e": jwk["e"],
        "n": jwk["n"],
    }


@routes.route(KEYS, methods=["GET"])
def list_authorization_server_keys(authServerId: str) -> Response:
    keys = get_container().signing_keys.list(authServerId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response([render_key(k, base, path_id) for k in keys])


@routes.route(KEY, methods=["GET"])
def get_authorization_server_key(authServerId: str, keyId: str) -> Response:
    key = get_container().signing_keys.get(authServerId, keyId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render_key(key, base, path_id))


@routes.route(ROTATE, methods=["POST"])
def rotate_authorization_server_keys(authServerId: str) -> Response:
    # Declared: mypy reads admin's "-> list[...]" as the class's own ``list`` method, an unusable type.
    keys: list[KeyRecord] = get_container().signing_keys.rotate_now(authServerId, read_json(bp.current_request))
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response([render_key(k, base, path_id) for k in keys])


routes.finish()


def jwks_response(server_id: str) -> Response:
    """The JWKS of ``server_id``, as both entries answer it: the route below and the fast path (api/fastpath.py)."""
    body, max_age = get_container().signing_keys.jwks_document(server_id)
    return Response(body=body, status_code=200, headers={"Content-Type": JSON,
                                                         "Cache-Control": f"max-age={max_age}, must-revalidate"})


@public.route(JWKS, methods=["GET"], name="oauth_jwks")
def jwks(authServerId: str) -> Response:
    """Public, unauthenticated; served from the configuration partition alone (no KMS, no Secrets Manager)."""
    return jwks_response(authServerId)


public.finish()
