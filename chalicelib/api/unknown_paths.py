"""Paths of the management API that do not exist (issue 12, "Okta's contract, exactly").

Okta answers any ``/api/v1/...`` request without a valid API token with 401 ``E0000011``, existing path or not, and
an authenticated request for a path that does not exist with 404 ``E0000008``: an anonymous caller learns nothing
about which routes exist. In AWS, API Gateway sends every ``/api/v1/...`` path that no other route matches to this
greedy route (its most specific match wins, so real routes are never shadowed); ``AdminRoutes`` authenticates it
like every admin route. Chalice's local gateway cannot match greedy paths, so devstack/http_server.py answers them
with the same two responses (``answer``).
"""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth.dpop import authorization_token, header_values
from ..oauth.management_tokens import DpopRefused, ManagementPrincipal, PresentedToken
from . import errors
from .http import base_url
from .routing import ALL_METHODS, AdminRoutes, current_token

PREFIX = "/api/v1"

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")


@routes.route(PREFIX + "/{proxy+}", methods=list(ALL_METHODS))
def unknown_path(**_path: Any) -> Response:
    return errors.path_not_found()


def answer(headers: Any, method: str = "GET", path: str = "") -> Response:
    """What the greedy route answers, for a server that cannot route to it: 401 without a valid token (an admin
    token, or a management access token: ``AdminRoutes``; a DPoP-bound one with its proof for ``method`` and
    ``path``), else 404. ``headers``: the HTTP server's (case-insensitive ``get``, ``get_all``)."""
    if current_token(headers) is not None:
        return errors.path_not_found()
    found = authorization_token(headers.get("authorization"))
    if found is None:
        return errors.invalid_token()
    base = base_url(headers, get_container().settings.base_url)
    proofs = header_values(headers.get_all("dpop") or []) if hasattr(headers, "get_all") else ()
    principal = get_container().management_principal(
        PresentedToken(found[0], found[1], proofs, method, base + path), base)
    if isinstance(principal, ManagementPrincipal):
        return errors.path_not_found()
    return errors.invalid_token(principal.challenge if isinstance(principal, DpopRefused) else None)
