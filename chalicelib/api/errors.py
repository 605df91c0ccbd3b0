"""The single place errors become HTTP: one table per response dialect, applied once per route registration.

tokenmint answers errors in three dialects:

* **Okta JSON** (okta-api.md 1.2): the management API and ``/v1/keys``: ``errorCode``, ``errorSummary``, …;
* **OAuth JSON** (RFC 6749 5.2): the OAuth endpoints: ``{"error", "error_description"}`` with ``no-store``;
* **HTML page**: the front channel (authorize, sign-in, consent, logout): the hosted error page, never a redirect.

Each error class carries its own codes (``status`` and Okta's ``error_code`` on the domain errors of
``chalicelib/errors.py``, ``error`` and ``status`` on the OAuth errors of ``oauth/errors.py``); the tables below add
the wire text. A dialect answers an error with the entry of the nearest class in its table (the error's MRO), so
every error class has exactly one answer per dialect; an error no entry covers is logged and answered as that
dialect's 500. Route registration (``api/routing.py``) wraps every view with its dialect's ``guard``, so no view
handles errors itself and no route can forget to.
"""
from __future__ import annotations

import functools
import logging
import time
from email.utils import formatdate
from typing import Any, Callable, Iterable, Mapping

from chalice import Response

from .. import ids
from ..admin.directory_search import InvalidSearchError
from ..admin.users import AlreadyActiveError
from ..claims.errors import TooManyGroupsError
from ..errors import (
    ConflictError,
    DeleteActiveAppError,
    ForbiddenError,
    InvalidPagingError,
    MalformedBodyError,
    NotFoundError,
    PreconditionFailedError,
    StorageUnavailableError,
    TokenmintError,
    ValidationError,
)
from ..oauth.authorize.browser import PageError
from ..oauth.context import NO_STORE
from ..oauth.errors import OAuthError, ServerError, TemporarilyUnavailableError
from . import pages
from .http import json_text

log = logging.getLogger(__name__)

JSON = "application/json"
View = Callable[..., Response]
Answer = Callable[[Any], Response]


class Dialect:
    """One way of answering errors: a table from error class to answer, and the answer to anything else."""

    def __init__(self, name: str, table: Mapping[type[BaseException], Answer],
                 unmapped: Callable[[], Response]) -> None:
        self.name = name
        self.table = dict(table)
        self.unmapped = unmapped

    def entry_for(self, error: type[BaseException]) -> type[BaseException] | None:
        """The table's class that answers ``error`` (the nearest in its MRO), or None when none does."""
        return next((cls for cls in error.__mro__ if cls in self.table), None)

    def answer(self, exc: BaseException, where: str = "") -> Response:
        entry = self.entry_for(type(exc))
        if entry is None:
            # Never a stack trace or an internal message to the client; the log keeps both.
            log.error("unmapped error %s%s (%s answer: 500)", type(exc).__name__, f" in {where}" if where else "",
                      self.name, exc_info=exc)
            return self.unmapped()
        return self.table[entry](exc)

    def guard(self, view: View) -> View:
        """``view`` with every error it raises answered in this dialect."""

        @functools.wraps(view)
        def guarded(*args: str, **kwargs: str) -> Response:
            try:
                return view(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every error gets this dialect's answer, unmapped ones a 500
                return self.answer(exc, view.__name__)

        guarded.error_dialect = self  # type: ignore[attr-defined]  # lets tests prove no route goes unguarded
        return guarded


# -- Okta JSON ------------------------------------------------------------------------------------------------------


def okta_error(status: int, code: str, summary: str, causes: Iterable[str] = (),
               headers: dict[str, str] | None = None) -> Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": ids.new_error_id(),
        "errorCauses": [{"errorSummary": c} for c in causes],
    }
    return Response(body=body, status_code=status, headers={"Content-Type": JSON, **(headers or {})})


def invalid_token(challenge: str | None = None) -> Response:
    """401 E0000011; with ``challenge``, a DPoP-bound token's ``WWW-Authenticate`` saying what was wrong with how it
    was presented (RFC 9449 7.1)."""
    response = okta_error(401, "E0000011", "Invalid token provided")
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


def insufficient_scope(scope: str, base: str, path: str) -> Response:
    """Okta's answer to a management token without the route's scope: 403 E0000006 and the RFC 6750 challenge."""
    response = okta_error(403, "E0000006", "You do not have permission to perform the requested action")
    response.headers["WWW-Authenticate"] = (
        f'Bearer authorization_uri="{base}/oauth2/v1/authorize", realm="{base}", scope="{scope}", '
        'error="insufficient_scope", error_description="The access token provided does not contain the required '
        f'scopes.", resource="{path}"')
    return response


def forbidden_by_role() -> Response:
    """A person's token whose scope would do, but whose admin roles do not allow the call (Okta's 403)."""
    return okta_error(403, "E0000006", "You do not have permission to perform the requested action")


def path_not_found() -> Response:
    return okta_error(404, "E0000008", "The requested path was not found")


def method_not_allowed(allowed: Iterable[str] = ()) -> Response:
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    return okta_error(405, "E0000022", "The endpoint does not support the provided HTTP method", headers=headers)


def unsupported_media_type() -> Response:
    return okta_error(415, "E0000021",
                      "Bad request.  Accept and/or Content-Type headers likely do not match supported values.")


def internal_error() -> Response:
    return okta_error(500, "E0000009", "Internal Server Error")


UNAVAILABLE = "Service temporarily unavailable. Please try again later."
MALFORMED = "The request body was not well-formed."


def _retry_headers() -> dict[str, str]:
    # Okta's SDK retries 503s and needs Date and X-Rate-Limit-Reset to schedule the retry (clients.md 2.6).
    now = int(time.time())
    return {"Date": formatdate(now, usegmt=True), "X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(now + 1), "Retry-After": "1"}


def unavailable() -> Response:
    return okta_error(503, "E0000009", UNAVAILABLE, headers=_retry_headers())


def _okta(summary: Callable[[Any], str], causes: Callable[[Any], Iterable[str]] = lambda _exc: ()) -> Answer:
    """The Okta answer of an error class: its own status and errorCode, this summary and these causes."""
    return lambda exc: okta_error(exc.status, exc.error_code, summary(exc), causes(exc))


def _conflict(exc: TokenmintError) -> Response:
    return okta_error(exc.status, exc.error_code, f"Api validation failed due to conflict: {exc}", [str(exc)])


OKTA_JSON = Dialect("Okta JSON", {
    ValidationError: _okta(lambda e: f"Api validation failed: {e.target}", lambda e: e.causes),
    # Okta's own codes for two validation failures of the directory.
    InvalidSearchError: _okta(lambda _e: "Invalid search criteria.", lambda e: e.causes),
    AlreadyActiveError: _okta(lambda _e: "Activation failed because the user is already active"),
    MalformedBodyError: _okta(lambda _e: MALFORMED),
    InvalidPagingError: _okta(lambda _e: "Invalid paging request."),
    NotFoundError: _okta(lambda e: f"Not found: Resource not found: {e.resource_id} ({e.resource_type})"),
    ForbiddenError: _okta(lambda _e: "You do not have permission to perform the requested action",
                          lambda e: [e.cause]),
    DeleteActiveAppError: _okta(lambda _e: "Delete application forbidden."),
    ConflictError: _conflict,
    PreconditionFailedError: _conflict,
    StorageUnavailableError: lambda e: okta_error(e.status, e.error_code, UNAVAILABLE, headers=_retry_headers()),
}, unmapped=internal_error)


def from_exception(exc: BaseException) -> Response:
    """The management API's answer to ``exc``."""
    return OKTA_JSON.answer(exc)


def from_chalice_error(code: str) -> Response:
    """Okta's answer to an error Chalice produced itself (its ``{"Code", "Message"}`` body; api/middleware.py)."""
    if code == "UnsupportedMediaType":
        return unsupported_media_type()
    if code == "MethodNotAllowedError":
        return method_not_allowed()
    if code == "BadRequestError":
        return from_exception(MalformedBodyError(MALFORMED))
    return internal_error()


# -- OAuth JSON -----------------------------------------------------------------------------------------------------


def oauth_error_response(exc: OAuthError) -> Response:
    headers: dict[str, Any] = {"Content-Type": JSON, **NO_STORE}
    if exc.www_authenticate:
        headers["WWW-Authenticate"] = exc.www_authenticate
    headers.update(exc.headers)
    return Response(body=json_text(exc.body()), status_code=exc.status, headers=headers)


def _oauth_not_found(exc: NotFoundError) -> Response:
    # Okta's 404 for an unknown or inactive server, in Okta's JSON as on /v1/keys; no-store like every OAuth error
    # (TOK-01), since a 404 is cacheable by default and the server may be activated again.
    response = from_exception(exc)
    response.headers.update(NO_STORE)
    return response


UNEXPECTED = "The authorization server encountered an unexpected condition that prevented it from fulfilling the " \
             "request."

OAUTH_JSON = Dialect("OAuth JSON", {
    OAuthError: oauth_error_response,
    # okta-api.md 5.2: a groups claim matching more than 100 groups fails the whole request.
    TooManyGroupsError: lambda e: oauth_error_response(ServerError(e.error_description, status=e.status)),
    NotFoundError: _oauth_not_found,
    StorageUnavailableError: lambda _e: oauth_error_response(
        TemporarilyUnavailableError("The authorization server is temporarily unavailable.")),
}, unmapped=lambda: oauth_error_response(ServerError(UNEXPECTED)))


# -- HTML page ------------------------------------------------------------------------------------------------------


def _page_unavailable(exc: Exception) -> Response:
    log.warning("front channel unavailable: %s", type(exc).__name__)
    return pages.error_page("temporarily_unavailable", "The authorization server is temporarily unavailable. Try "
                            "again in a moment.", 503)


HTML_PAGE = Dialect("HTML page", {
    PageError: lambda e: pages.page_response(e.page()),
    NotFoundError: lambda _e: pages.error_page("not_found", "The authorization server was not found.", 404),
    StorageUnavailableError: _page_unavailable,
    # The OAuth error that reaches a page is TemporarilyUnavailableError from signing (KMS or Secrets Manager down).
    OAuthError: _page_unavailable,
}, unmapped=lambda: pages.error_page("server_error", UNEXPECTED, 500))
