"""Remembered consent, for admins (``SSWS``): Okta's user grants API (``OAuth2ScopeConsentGrant``), enough to see
and revoke what a user allowed on the consent page (oauth/consent.py).

=====================================================  ===========  =================================================
``/api/v1/users/{userId}/grants``                      GET, DELETE  every consent of the user / revoke them all
``/api/v1/users/{userId}/grants/{grantId}``            GET, DELETE  one consent (one scope of one client and server)
``/api/v1/users/{userId}/clients/{clientId}/grants``   GET, DELETE  the user's consents to one client
=====================================================  ===========  =================================================

``{userId}`` is a user id or login. Revoking a consent makes the consent page ask again and revokes the user's
refresh tokens of that client that hold a revoked scope, with the access tokens they issued (oauth/consent.py).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from ..clock import okta_time
from ..container import get_container
from ..errors import NotFoundError
from ..oauth.consent import ConsentGrant, Consents
from .context import base
from .http import json_response, no_content
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

USER = "/api/v1/users/{userId}"
GRANTS = USER + "/grants"
GRANT = GRANTS + "/{grantId}"
CLIENT_GRANTS = USER + "/clients/{clientId}/grants"
GRANT_TYPE = "OAuth2ScopeConsentGrant"


def _user_id(user_ref: str) -> str:
    ref = unquote(user_ref) if "%" in user_ref else user_ref
    user = get_container().users.find(ref)
    if user is None:
        raise NotFoundError(ref, "User")
    return user.id


def _consents() -> Consents:
    front = get_container().oauth.front
    if front is None:
        raise NotFoundError("grants", GRANT_TYPE)
    return front.consents


def render(grant: ConsentGrant, base_url: str) -> dict[str, Any]:
    links = {
        "app": {"href": f"{base_url}/api/v1/apps/{grant.client_id}"},
        "authorizationServer": {"href": f"{base_url}/api/v1/authorizationServers/{grant.server_id}"},
        "self": {"href": f"{base_url}/api/v1/users/{grant.user_id}/grants/{grant.id}"},
        "client": {"href": f"{base_url}/oauth2/v1/clients/{grant.client_id}"},
        "user": {"href": f"{base_url}/api/v1/users/{grant.user_id}"},
    }
    if grant.scope_id:
        links["scope"] = {"href": f"{base_url}/api/v1/authorizationServers/{grant.server_id}/scopes/"
                                  f"{grant.scope_id}"}
    if grant.issuer:
        links["issuer"] = {"href": grant.issuer}
    return {"id": grant.id, "status": "ACTIVE", "created": okta_time(grant.created),
            "lastUpdated": okta_time(grant.last_updated), "issuer": grant.issuer, "clientId": grant.client_id,
            "userId": grant.user_id, "scopeId": grant.scope_id, "source": "END_USER",
            "_embedded": {"scope": {"id": grant.scope_id, "name": grant.scope}}, "_links": links}


def _list(user_ref: str, client_id: str | None = None) -> Response:
    user_id = _user_id(user_ref)
    base_url = base(bp.current_request)
    return json_response([render(g, base_url) for g in _consents().list(user_id, client_id=client_id)])


@routes.route(GRANTS, methods=["GET"])
def list_user_grants(userId: str) -> Response:
    return _list(userId)


@routes.route(GRANTS, methods=["DELETE"])
def revoke_user_grants(userId: str) -> Response:
    _consents().revoke(_user_id(userId))
    return no_content()


@routes.route(GRANT, methods=["GET"])
def get_user_grant(userId: str, grantId: str) -> Response:
    user_id = _user_id(userId)
    found = [g for g in _consents().list(user_id) if g.id == grantId]
    if not found:
        raise NotFoundError(grantId, GRANT_TYPE)
    return json_response(render(found[0], base(bp.current_request)))


@routes.route(GRANT, methods=["DELETE"])
def revoke_user_grant(userId: str, grantId: str) -> Response:
    if not _consents().revoke(_user_id(userId), grant_id=grantId):
        raise NotFoundError(grantId, GRANT_TYPE)
    return no_content()


@routes.route(CLIENT_GRANTS, methods=["GET"])
def list_user_client_grants(userId: str, clientId: str) -> Response:
    return _list(userId, clientId)


@routes.route(CLIENT_GRANTS, methods=["DELETE"])
def revoke_user_client_grants(userId: str, clientId: str) -> Response:
    _consents().revoke(_user_id(userId), client_id=clientId)
    return no_content()


routes.finish()
