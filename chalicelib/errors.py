"""Domain errors raised by the admin core and storage; translated to HTTP only in ``chalicelib/api/errors.py``."""
from __future__ import annotations


class TokenmintError(Exception):
    """Base of every error the core raises on purpose."""


class ValidationError(TokenmintError):
    """Bad input: one cause per bad field, each ``"<field>: <message>"`` (Okta's E0000001)."""

    def __init__(self, target: str, causes: list[str]) -> None:
        super().__init__(f"Api validation failed: {target}")
        self.target = target
        self.causes = causes


class MalformedBodyError(TokenmintError):
    """The body is not a JSON document of the expected shape (Okta's E0000003)."""


class NotFoundError(TokenmintError):
    """An id that does not exist under the given parent (Okta's E0000007)."""

    def __init__(self, resource_id: str, resource_type: str) -> None:
        super().__init__(f"Resource not found: {resource_id} ({resource_type})")
        self.resource_id = resource_id
        self.resource_type = resource_type


class ForbiddenError(TokenmintError):
    """An operation the product never allows, e.g. deleting a system scope (Okta's E0000006)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class ConflictError(TokenmintError):
    """A concurrent write won the race: the caller must reload and retry (Okta's E0000195, HTTP 409)."""


class PreconditionFailedError(TokenmintError):
    """``If-Match`` named a version that is no longer current (HTTP 412)."""


class StorageUnavailableError(TokenmintError):
    """An AWS dependency failed; nothing was written (HTTP 503)."""


class InvalidPagingError(TokenmintError):
    """A bad ``limit`` or ``after`` (Okta's E0000029)."""
