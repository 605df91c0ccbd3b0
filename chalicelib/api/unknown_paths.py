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
from ..oauth.management_tokens import bearer_token
from . import errors
from .http import base_url
from .routing import ALL_METHODS, AdminRoutes, current_token

PREFIX = "/api/v1"

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")


@routes.route(PREFIX + "/{proxy+}", methods=list(ALL_METHODS))
def unknown_path(**_path: Any) -> Response:
    return errors.path_not_found()


def answer(headers: Any) -> Response:
    """What the greedy route answers, for a server that cannot route to it: 401 without a valid token (an admin
    token, or a management bearer token: ``AdminRoutes``), else 404."""
    if current_token(headers) is not None:
        return errors.path_not_found()
    token = bearer_token(headers.get("authorization"))
    accepted = token is not None and get_container().management_principal(
        token, base_url(headers, get_container().settings.base_url)) is not None
    return errors.path_not_found() if accepted else errors.invalid_token()
