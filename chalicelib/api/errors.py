"""Okta's error model for the management API (okta-api.md 1.2): the single place domain errors become HTTP."""
from __future__ import annotations

import logging
import time
from email.utils import formatdate
from typing import Iterable

from chalice import Response

from .. import ids
from ..errors import (
    ConflictError,
    ForbiddenError,
    InvalidPagingError,
    MalformedBodyError,
    NotFoundError,
    PreconditionFailedError,
    StorageUnavailableError,
    TokenmintError,
    ValidationError,
)

log = logging.getLogger(__name__)

JSON = "application/json"


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


def invalid_token() -> Response:
    return okta_error(401, "E0000011", "Invalid token provided")


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


def unavailable() -> Response:
    # Okta's SDK retries 503s and needs Date and X-Rate-Limit-Reset to schedule the retry (clients.md 2.6).
    now = int(time.time())
    return okta_error(503, "E0000009", "Service temporarily unavailable. Please try again later.", headers={
        "Date": formatdate(now, usegmt=True), "X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(now + 1), "Retry-After": "1",
    })


def from_exception(exc: TokenmintError) -> Response:
    if isinstance(exc, ValidationError):
        return okta_error(400, "E0000001", f"Api validation failed: {exc.target}", exc.causes)
    if isinstance(exc, MalformedBodyError):
        return okta_error(400, "E0000003", "The request body was not well-formed.")
    if isinstance(exc, InvalidPagingError):
        return okta_error(400, "E0000029", "Invalid paging request.")
    if isinstance(exc, NotFoundError):
        return okta_error(404, "E0000007", f"Not found: Resource not found: {exc.resource_id} ({exc.resource_type})")
    if isinstance(exc, ForbiddenError):
        return okta_error(403, "E0000006", "You do not have permission to perform the requested action",
                          [exc.cause])
    if isinstance(exc, ConflictError):
        return okta_error(409, "E0000195", f"Api validation failed due to conflict: {exc}", [str(exc)])
    if isinstance(exc, PreconditionFailedError):
        return okta_error(412, "E0000195", f"Api validation failed due to conflict: {exc}", [str(exc)])
    if isinstance(exc, StorageUnavailableError):
        return unavailable()
    log.error("unmapped domain error %s", type(exc).__name__)
    return internal_error()
