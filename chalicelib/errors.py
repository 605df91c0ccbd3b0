"""Domain errors raised by the admin core and storage.

Each class carries its identity as class attributes: ``status`` (the HTTP status it stands for) and ``error_code``
(Okta's ``errorCode``, okta-api.md 1.2), as the OAuth errors carry ``error`` and ``status`` (oauth/errors.py). The
wire text around them (summaries, causes, headers) is written only in ``chalicelib/api/errors.py``.
"""
from __future__ import annotations

from typing import ClassVar


class TokenmintError(Exception):
    """Base of every error the core raises on purpose. A subclass without ``error_code`` has no Okta answer: the
    management API logs it and answers 500."""

    status: ClassVar[int]
    error_code: ClassVar[str]


class ValidationError(TokenmintError):
    """Bad input: one cause per bad field, each ``"<field>: <message>"`` (Okta's E0000001)."""

    status = 400
    error_code = "E0000001"

    def __init__(self, target: str, causes: list[str]) -> None:
        super().__init__(f"Api validation failed: {target}")
        self.target = target
        self.causes = causes


class MalformedBodyError(TokenmintError):
    """The body is not a JSON document of the expected shape (Okta's E0000003)."""

    status = 400
    error_code = "E0000003"


class NotFoundError(TokenmintError):
    """An id that does not exist under the given parent (Okta's E0000007)."""

    status = 404
    error_code = "E0000007"

    def __init__(self, resource_id: str, resource_type: str) -> None:
        super().__init__(f"Resource not found: {resource_id} ({resource_type})")
        self.resource_id = resource_id
        self.resource_type = resource_type


class ForbiddenError(TokenmintError):
    """An operation the product never allows, e.g. deleting a system scope (Okta's E0000006)."""

    status = 403
    error_code = "E0000006"

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class DeleteActiveAppError(TokenmintError):
    """An ACTIVE app cannot be deleted: deactivate it first (Okta's E0000056)."""

    status = 403
    error_code = "E0000056"


class ConflictError(TokenmintError):
    """A concurrent write won the race: the caller must reload and retry (Okta's E0000195, HTTP 409)."""

    status = 409
    error_code = "E0000195"


class ConcurrentWriteError(ConflictError):
    """An optimistic-lock condition failed because another request wrote first, and nothing was written. The
    management API re-runs the request when the caller did not send ``If-Match`` (api/conflict_retry.py); only
    when retries run out, or the caller asked for a precondition, does it answer 409."""


class PreconditionFailedError(TokenmintError):
    """``If-Match`` named a version that is no longer current (Okta's E0000195, HTTP 412)."""

    status = 412
    error_code = "E0000195"


class StorageUnavailableError(TokenmintError):
    """An AWS dependency failed; nothing was written (HTTP 503, Okta's E0000009)."""

    status = 503
    error_code = "E0000009"


class InvalidPagingError(TokenmintError):
    """A bad ``limit`` or ``after`` (Okta's E0000029)."""

    status = 400
    error_code = "E0000029"
