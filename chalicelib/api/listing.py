"""One page of a directory collection (users, groups, a group's members, an app's users and groups): Okta's
``limit`` and ``after`` (and, where the collection can be searched, ``q``, ``search`` and ``filter``), the rendered
items, and one ``Link`` header holding ``self`` and ``next`` (api/http.py)."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence, TypeVar

from chalice import Response
from chalice.app import Request

from ..admin.common import parse_limit
from .context import base
from .http import json_response, link_header

T = TypeVar("T")

PAGING = ("limit", "after")
SEARCHING = ("q", "search", "filter")


def list_page(request: Request, path: str, default_limit: int,
              fetch: Callable[..., tuple[Sequence[T], str | None]], render: Callable[[T, str], Any],
              searchable: bool = False) -> Response:
    """``fetch(limit=, after=)`` (plus ``q=``, ``search_expr=``, ``filter_expr=`` when ``searchable``) returns the
    page's items and the next cursor; ``render(item, base_url)`` renders one item."""
    params: Mapping[str, str] = request.query_params or {}
    limit = parse_limit(params.get("limit"), default=default_limit)
    criteria = {"q": params.get("q"), "search_expr": params.get("search"),
                "filter_expr": params.get("filter")} if searchable else {}
    items, cursor = fetch(**criteria, limit=limit, after=params.get("after"))
    base_url = base(request)
    shown = {k: params.get(k) for k in ((*SEARCHING, *PAGING) if searchable else PAGING)}
    return json_response([render(item, base_url) for item in items],
                         headers=link_header(base_url, path, shown, cursor))
