"""Route registration: every route is registered here, with its error dialect (api/errors.py) applied once.

``Routes`` registers a blueprint's routes in one dialect: every view is wrapped by the dialect's guard, so views
raise and never translate errors themselves. ``AdminRoutes`` is the management API's: Okta's JSON, and every route
requires an API token (``Authorization: SSWS <token>``; Okta's SDK sends it without the space) or a management bearer
token, and every successful write is a System Log event (api/admin_audit.py). Methods an admin path
does not support are registered too and answer Okta's 405 ``E0000022``, because API Gateway would otherwise answer
them with its own 403.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, cast

from chalice import Blueprint, Response

from ..container import get_container
from ..domain import ApiToken
from . import errors
from .admin_audit import Readers, audited
from ..oauth.dpop import DPOP_SCHEME, authorization_token
from ..oauth.management_tokens import DpopRefused, ManagementPrincipal, PresentedToken
from .conflict_retry import retrying
from .context import base
from .management_scopes import SELF_SCOPE, accepted_scopes, family_of, reads_self, role_allows
from .errors import Dialect
from .http import CONTENT_TYPES, dpop_proofs

ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_AUTH = re.compile(r"^\s*SSWS\s*(\S+)\s*$", re.IGNORECASE)

View = Callable[..., Response]


def current_token(headers: Any) -> ApiToken | None:
    """The API token the request authenticates with, or None."""
    match = _AUTH.match(headers.get("authorization") or "")
    if not match:
        return None
    return get_container().api_tokens.authenticate(match.group(1))


PRINCIPAL = "tokenmint.managementPrincipal"
API_TOKEN = "tokenmint.apiToken"


def current_principal(request: Any) -> ManagementPrincipal | None:
    """The management bearer token's principal that ``AdminRoutes`` accepted for this request (verified once per
    request: a view that asks again reuses it), or None."""
    return cast("ManagementPrincipal | None", request.context.get(PRINCIPAL))


def accepted(request: Any) -> tuple[ApiToken | None, ManagementPrincipal | None]:
    """The API token or the bearer token's principal ``AdminRoutes`` accepted for this request."""
    return request.context.get(API_TOKEN), request.context.get(PRINCIPAL)


def current_actor(request: Any) -> tuple[str | None, str]:
    """Who makes an authenticated management call, as Okta's OAuth2Actor: the admin API token's user (or the token
    itself), or, for a bearer token, the person it carries (or the app)."""
    token = request.context.get(API_TOKEN) or current_token(request.headers)
    if token is not None:
        return (token.user_id, "User") if token.user_id else (token.id, "ApiToken")
    principal = current_principal(request)
    if principal is None:
        return None, "User"
    return (principal.user_id, "User") if principal.user_id else (principal.client_id, "App")


class Routes:
    """Registers a blueprint's routes, each view guarded by the blueprint's error dialect."""

    def __init__(self, blueprint: Blueprint, dialect: Dialect) -> None:
        self.bp = blueprint
        self.dialect = dialect

    def route(self, path: str, methods: list[str], name: str | None = None,
              content_types: list[str] | None = None) -> Callable[[View], View]:
        def register(view: View) -> View:
            self.add(path, methods, view, name or view.__name__, content_types)
            return view

        return register

    def add(self, path: str, methods: list[str], view: View, name: str,
            content_types: list[str] | None = None) -> None:
        options: dict[str, Any] = {"methods": methods, "name": name}
        if content_types is not None:  # else Chalice's default (application/json)
            options["content_types"] = content_types
        self.bp.route(path, **options)(self.dialect.guard(view))


def requested_path(event: Any) -> str:
    """The path requested, below the base URL: API Gateway's ``path`` (without the stage, which the base URL holds;
    Chalice's ``request.path`` is the route's template), or, from Chalice's local gateway, which has no stage and
    sets only the request context's."""
    path = event.get("path") if isinstance(event, dict) else None
    if not isinstance(path, str):
        context = event.get("requestContext") if isinstance(event, dict) else None
        path = context.get("path") if isinstance(context, dict) else None
    return path if isinstance(path, str) else ""


def presented_token(request: Any) -> PresentedToken | None:
    """The management request's access token (``Authorization: Bearer`` or ``DPoP``), with what a DPoP proof must
    fit: the ``DPoP`` header fields, the method, and the public URL requested (``requested_path``)."""
    found = authorization_token(request.headers.get("authorization"))
    if found is None:
        return None
    token, scheme = found
    if scheme != DPOP_SCHEME:
        return PresentedToken(token)
    event = request.to_original_event()
    return PresentedToken(token, scheme, dpop_proofs(event), request.method, base(request) + requested_path(event))


class AdminRoutes:
    """Collects a blueprint's admin routes (Okta's JSON, authenticated); ``finish()`` adds the 405 views."""

    registry: dict[str, set[str]] = {}  # every admin path and its methods, app-wide (for tests and docs)

    def __init__(self, blueprint: Blueprint, prefix: str) -> None:
        self.bp = blueprint
        self.prefix = prefix
        self._routes = Routes(blueprint, errors.OKTA_JSON)
        self._methods: dict[str, list[str]] = {}

    def route(self, path: str, methods: list[str]) -> Callable[[View], View]:
        def register(view: View) -> View:
            template = self.prefix + path
            if "GET" in methods:
                Readers.views[template] = view  # to read a target before a write (api/admin_audit.py)
            recorded = audited(view, template, lambda: self.bp.current_request, accepted)
            self._routes.add(path, methods, self._secure(recorded, template), view.__name__, CONTENT_TYPES)
            self._methods.setdefault(path, []).extend(methods)
            AdminRoutes.registry.setdefault(self.prefix + path, set()).update(methods)
            return view

        return register

    def _secure(self, view: View, path: str) -> View:
        """``view`` behind authentication: an admin ``SSWS`` token, or a bearer access token of the org
        authorization server carrying the route's ``okta.*`` scope (api/management_scopes.py); else 401
        ``E0000011``, or 403 ``E0000006`` with Okta's ``insufficient_scope`` challenge."""
        bp = self.bp
        view = retrying(view, lambda: (bp.current_request.headers.get("if-match") or "*").strip() != "*")
        family = family_of(path)

        @functools.wraps(view)
        def wrapper(*args: str, **kwargs: str) -> Response:
            request = bp.current_request
            api_token = current_token(request.headers)
            if api_token is not None:
                request.context[API_TOKEN] = api_token
                return view(*args, **kwargs)
            presented = presented_token(request)
            principal = get_container().management_principal(presented, base(request)) if presented else None
            if not isinstance(principal, ManagementPrincipal):
                return errors.invalid_token(principal.challenge if isinstance(principal, DpopRefused) else None)
            request.context[PRINCIPAL] = principal
            if reads_self(path, request.method, principal.user_id, kwargs):
                if not principal.scopes & {SELF_SCOPE, *accepted_scopes("okta.users", "GET")}:
                    return errors.insufficient_scope(SELF_SCOPE, base(request), request.path)
                return view(*args, **kwargs)
            if family is not None:
                accepted = accepted_scopes(family, request.method)
                if not principal.scopes & set(accepted):
                    return errors.insufficient_scope(accepted[0], base(request), request.path)
                if principal.user_id is not None and not role_allows(principal.roles, family, request.method):
                    return errors.forbidden_by_role()
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
            self._routes.add(path, missing, self._secure(not_allowed, self.prefix + path), name, CONTENT_TYPES)
            AdminRoutes.registry.setdefault(self.prefix + path, set()).update(missing)
