"""``/api/v1/trustedOrigins``: Okta's Trusted Origins API (CRUD, list with ``q``, ``filter``, ``limit`` and
``after``, activate and deactivate), for admins (``SSWS``) only. Create and replace answer 200 with the object, as
Okta does; delete 204. The ``CORS`` scope of an ACTIVE trusted origin lets browser apps on it call the OAuth
endpoints (api/cors.py)."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from ..domain import TrustedOrigin
from . import render
from .context import base
from .http import etag, if_match, json_response, no_content, read_json
from .listing import list_page
from .routing import AdminRoutes, current_actor

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = render.TRUSTED_ORIGINS
ITEM = COLLECTION + "/{trustedOriginId}"
DEFAULT_LIMIT = 200


def _actor() -> str | None:
    """Who made the change (``createdBy``, ``lastUpdatedBy``): the API token's user or the token itself, the person
    or app of a bearer token."""
    return current_actor(bp.current_request)[0]


def _respond(origin: TrustedOrigin) -> Response:
    return json_response(render.trusted_origin(origin, base(bp.current_request)), headers=etag(origin.version))


def _list(*, q: str | None, search_expr: str | None, filter_expr: str | None, limit: int, after: str | None
          ) -> tuple[list[TrustedOrigin], str | None]:
    # Okta's trusted-origin list takes q and filter; a ``search`` parameter is ignored, as Okta ignores it.
    return get_container().trusted_origins.list(q=q, filter_expr=filter_expr, limit=limit, after=after)


@routes.route(COLLECTION, methods=["GET"])
def list_trusted_origins() -> Response:
    return list_page(bp.current_request, COLLECTION, DEFAULT_LIMIT, _list, render.trusted_origin, searchable=True)


@routes.route(COLLECTION, methods=["POST"])
def create_trusted_origin() -> Response:
    return _respond(get_container().trusted_origins.create(read_json(bp.current_request), _actor()))


@routes.route(ITEM, methods=["GET"])
def get_trusted_origin(trustedOriginId: str) -> Response:
    return _respond(get_container().trusted_origins.get(trustedOriginId))


@routes.route(ITEM, methods=["PUT"])
def replace_trusted_origin(trustedOriginId: str) -> Response:
    request = bp.current_request
    return _respond(get_container().trusted_origins.replace(trustedOriginId, read_json(request), _actor(),
                                                            if_match(request)))


@routes.route(ITEM, methods=["DELETE"])
def delete_trusted_origin(trustedOriginId: str) -> Response:
    get_container().trusted_origins.delete(trustedOriginId, if_match(bp.current_request))
    return no_content()


@routes.route(ITEM + "/lifecycle/activate", methods=["POST"])
def activate_trusted_origin(trustedOriginId: str) -> Response:
    return _respond(get_container().trusted_origins.activate(trustedOriginId, _actor()))


@routes.route(ITEM + "/lifecycle/deactivate", methods=["POST"])
def deactivate_trusted_origin(trustedOriginId: str) -> Response:
    return _respond(get_container().trusted_origins.deactivate(trustedOriginId, _actor()))


routes.finish()
