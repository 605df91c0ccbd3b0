"""Registration of admin routes: authentication, error translation and Okta's 405 in one place.

Every route registered through ``AdminRoutes`` requires an API token (``Authorization: SSWS <token>``; Okta's SDK
sends it without the space). Methods a path does not support are registered too and answer Okta's 405
``E0000022``, because API Gateway would otherwise answer them with its own 403.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Any, Callable

from chalice import Blueprint, Response

from ..container import get_container
from ..domain import ApiToken
from ..errors import TokenmintError
from . import errors
from .http import CONTENT_TYPES

log = logging.getLogger(__name__)

ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_AUTH = re.compile(r"^\s*SSWS\s*(\S+)\s*$", re.IGNORECASE)

View = Callable[..., Response]


def current_token(headers: Any) -> ApiToken | None:
    """The API token the request authenticates with, or None."""
    match = _AUTH.match(headers.get("authorization") or "")
    if not match:
        return None
    return get_container().api_tokens.authenticate(match.group(1))


def guarded(view: View) -> View:
    """Translate the core's errors to Okta's error JSON; never leak a stack trace."""

    @functools.wraps(view)
    def wrapper(*args: str, **kwargs: str) -> Response:
        try:
            return view(*args, **kwargs)
        except TokenmintError as exc:
            return errors.from_exception(exc)
        except Exception:  # noqa: BLE001 - the last line of defence: log, answer 500 in Okta's format
            log.exception("unhandled error in %s", view.__name__)
            return errors.internal_error()

    return wrapper


class AdminRoutes:
    """Collects a blueprint's admin routes; ``finish()`` adds the 405 views."""

    registry: dict[str, set[str]] = {}  # every admin path and its methods, app-wide (for tests and docs)

    def __init__(self, blueprint: Blueprint, prefix: str) -> None:
        self.bp = blueprint
        self.prefix = prefix
        self._methods: dict[str, list[str]] = {}

    def route(self, path: str, methods: list[str]) -> Callable[[View], View]:
        def register(view: View) -> View:
            secured = self._secure(guarded(view))
            self.bp.route(path, methods=methods, content_types=CONTENT_TYPES, name=view.__name__)(secured)
            self._methods.setdefault(path, []).extend(methods)
            AdminRoutes.registry.setdefault(self.prefix + path, set()).update(methods)
            return view

        return register

    def _secure(self, view: View) -> View:
        bp = self.bp

        @functools.wraps(view)
        def wrapper(*args: str, **kwargs: str) -> Response:
            try:
                if current_token(bp.current_request.headers) is None:
                    return errors.invalid_token()
            except TokenmintError as exc:
                return errors.from_exception(exc)
            return view(*args, **kwargs)

        return wrapper

    def finish(self) -> None:
        for path, supported in self._methods.items():
            missing = [m for m in ALL_METHODS if m not in supported]
            if not missing:
                continue
            allowed = tuple(supported)

            def not_allowed(*_args: str, _allowed: tuple[str, ...] = allowed, **_kwargs: str) -> Response:
                return errors.method_not_allowed(_allowed)

            name = "not_allowed_" + re.sub(r"\W+", "_", path).strip("_")
            not_allowed.__name__ = name
            self.bp.route(path, methods=missing, content_types=CONTENT_TYPES, name=name)(self._secure(not_allowed))
            AdminRoutes.registry.setdefault(self.prefix + path, set()).update(missing)
