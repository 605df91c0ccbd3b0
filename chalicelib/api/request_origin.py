"""Who sent the request being served, for the System Log's events (audit/event.Origin): the request id the
response carries (``X-Okta-Request-Id``, chosen by the middleware before the view runs), the caller's IP as API
Gateway saw it (``requestContext.identity.sourceIp``; never ``X-Forwarded-For``, which the caller writes) and its
user agent.

The request id lives in a context variable: the middleware sets it for the request its thread serves, and the token
fast path (api/fastpath.py) never builds Chalice's request object just to carry it.
"""
from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any, Mapping

from ..audit.event import Origin

_request_id: ContextVar[str | None] = ContextVar("tokenmint_request_id", default=None)


def begin() -> str:
    """A new request id (128 random bits), current until the next request on this thread."""
    request_id = os.urandom(16).hex()
    _request_id.set(request_id)
    return request_id


def request_id() -> str | None:
    return _request_id.get()


def source_ip(request_context: Any) -> str | None:
    # ``dict``, not ``typing.Mapping``: the event is decoded JSON, and an isinstance check against a typing alias
    # costs ~2 µs, on every token.
    identity = request_context.get("identity") if isinstance(request_context, dict) else None
    ip = identity.get("sourceIp") if isinstance(identity, dict) else None
    return ip if isinstance(ip, str) and ip else None


def origin(headers: Mapping[str, str], request_context: Any, path: str | None = None, *,
           api_token_id: str | None = None, client_id: str | None = None) -> Origin:
    return Origin(ip=source_ip(request_context), user_agent=headers.get("user-agent"), request_id=request_id(),
                  request_uri=path, api_token_id=api_token_id, client_id=client_id)
