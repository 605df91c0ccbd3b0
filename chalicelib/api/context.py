"""What renderers need to know about the request: the public base URL and how links name the server."""
from __future__ import annotations

from chalice.app import Request

from ..container import get_container
from .http import base_url


def base(request: Request) -> str:
    return base_url(request.headers, get_container().settings.base_url)


def server_links(request: Request, auth_server_id: str) -> tuple[str, str]:
    """(base URL, the server's name in links)."""
    return base(request), get_container().servers.path_id(auth_server_id)
