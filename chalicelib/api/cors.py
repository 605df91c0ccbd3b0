"""CORS on the OAuth endpoints browser apps call: the token, introspection, revocation, keys and userinfo endpoints
and the discovery documents (docs/ARCHITECTURE.md "CORS"). ``oauth/cors.py`` decides; this module applies the
decision to Chalice routes and to the token fast path.

* Every response of such a route carries ``Vary: Origin``, and, when its request came from an allowed origin (an
  ACTIVE trusted origin with the ``CORS`` scope), ``Access-Control-Allow-Origin`` with that exact origin. The allowed
  origins come from the token path's cache (``oauth/cors_origins.py``) and are looked up only for requests that
  carry an ``Origin`` header, *before* the view runs: if they cannot be read, the request is the route's 503 and
  nothing happened (no authorization code spent on a response the browser would then withhold).
* Each such path also answers ``OPTIONS`` itself (Chalice's ``cors=`` would answer every origin with ``*``): a
  preflight from an allowed origin is a 204 with the CORS headers, anything else a 403 without them. API Gateway
  routes ``OPTIONS`` to the Lambda like any method the app registers.
* The authorization endpoint, logout and the hosted pages never get CORS headers (security-checklist DISC-05).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, cast

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth import cors
from .errors import Dialect
from .routing import Routes, View

Headers = Mapping[str, str]


def allowed_origins() -> frozenset[str]:
    return get_container().caches.cors_origins.allowed()


def _add_vary(response: Response, value: str) -> None:
    current = cast("str | None", response.headers.get("Vary"))  # Vary is only ever set as one string
    if not current:
        response.headers["Vary"] = value
    elif value.lower() not in (v.strip().lower() for v in current.split(",")):
        response.headers["Vary"] = f"{current}, {value}"


def with_cors(view: View, dialect: Dialect, headers_of: Callable[..., Headers]) -> View:
    """``view`` guarded by ``dialect``, its responses carrying the CORS headers their request earns.
    ``headers_of(*args, **kwargs)`` gives the request's headers (looked up case-insensitively or lower-cased)."""
    guarded = dialect.guard(view)

    @functools.wraps(guarded)
    def answered(*args: Any, **kwargs: Any) -> Response:
        headers = headers_of(*args, **kwargs)
        try:
            extra = cors.response_headers(headers, allowed_origins() if headers.get(cors.ORIGIN) else frozenset())
        except Exception as exc:  # noqa: BLE001 - the dialect answers it (a storage outage: 503), nothing ran yet
            return dialect.answer(exc, view.__name__)
        response = guarded(*args, **kwargs)
        for name, value in extra.items():
            if name == "Vary":
                _add_vary(response, value)
            else:
                response.headers[name] = value
        return response

    return answered


class CorsRoutes(Routes):
    """``Routes`` for endpoints browser apps may call: each view answered with CORS headers (``with_cors``), and
    ``finish()`` registers each path's ``OPTIONS`` preflight answer, allowing the methods registered for it."""

    def __init__(self, blueprint: Blueprint, dialect: Dialect) -> None:
        super().__init__(blueprint, dialect)
        self._methods: dict[str, list[str]] = {}

    def add(self, path: str, methods: list[str], view: View, name: str,
            content_types: list[str] | None = None, cors_allowed: bool = True) -> None:
        """``cors_allowed=False``: a route browsers are not invited to (a 405 answer), registered as ``Routes``
        does, with no CORS headers and not offered in the preflight."""
        if not cors_allowed:
            super().add(path, methods, view, name, content_types)
            return
        options: dict[str, Any] = {"methods": methods, "name": name}
        if content_types is not None:
            options["content_types"] = content_types
        bp = self.bp
        self.bp.route(path, **options)(with_cors(view, self.dialect, lambda *_a, **_k: bp.current_request.headers))
        self._methods.setdefault(path, []).extend(m for m in methods if m not in self._methods.get(path, []))

    def finish(self) -> None:
        bp = self.bp
        for path, methods in self._methods.items():
            allowed = tuple(methods)

            def preflight(*_args: str, _methods: tuple[str, ...] = allowed, **_kwargs: str) -> Response:
                answer = cors.preflight(bp.current_request.headers, _methods, allowed_origins())
                return Response(body="", status_code=answer.status,
                                headers={"Content-Type": "text/plain", **answer.headers})

            name = "cors_preflight_" + "_".join(p for p in path.replace("{", "").replace("}", "").replace(".", "")
                                                .replace("-", "_").split("/") if p)
            preflight.__name__ = name
            super().add(path, ["OPTIONS"], preflight, name, ["*/*"])
