"""``GET /api/v1/logs``: Okta's System Log API (okta-next.md 2): ``since``, ``until``, ``after``, ``filter``, ``q``,
``limit`` and ``sortOrder``; a ``Link`` header with ``self`` and, while there may be more (always, when polling),
``next``. Reading needs ``okta.logs.read`` from a bearer token (api/management_scopes.py)."""
from __future__ import annotations

from urllib.parse import urlencode

from chalice import Blueprint, Response

from ..container import get_container
from .context import base
from .http import json_response
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

PATH = "/api/v1/logs"
PARAMETERS = ("since", "until", "after", "filter", "q", "limit", "sortOrder")


@routes.route(PATH, methods=["GET"])
def list_log_events() -> Response:
    request = bp.current_request
    params = {k: v for k, v in (request.query_params or {}).items() if k in PARAMETERS}
    page = get_container().system_log.page(params)
    url = base(request) + PATH
    links = [f'<{url}{"?" + urlencode(params) if params else ""}>; rel="self"']
    if page.next_cursor is not None:
        # ``after`` continues where the page ended; ``since`` cannot go with it (Okta's rule).
        following = {k: v for k, v in params.items() if k not in ("after", "since")}
        links.append(f'<{url}?{urlencode({**following, "after": page.next_cursor})}>; rel="next"')
    return json_response(page.events, headers={"Link": ", ".join(links)})


routes.finish()
