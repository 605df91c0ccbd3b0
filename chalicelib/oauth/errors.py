"""OAuth error responses (RFC 6749 5.2, RFC 7009 2.2.1, RFC 7662 2.3) with Okta's descriptions (okta-api.md 7.9).

One class per error code, raised deep and turned into ``{"error", "error_description"}`` in exactly one place
(``api/oauth.py``).
"""
from __future__ import annotations

import re

_UNSAFE = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]')


class OAuthError(Exception):
    error = "invalid_request"
    status = 400

    def __init__(self, description: str, *, status: int | None = None,
                 www_authenticate: str | None = None) -> None:
        # RFC 6749 5.2: error_description may hold only %x20-21 / %x23-5B / %x5D-7E.
        super().__init__(_UNSAFE.sub("'", description.replace('"', "'")))
        self.description = str(self)
        if status is not None:
            self.status = status
        self.www_authenticate = www_authenticate

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class InvalidRequestError(OAuthError):
    error = "invalid_request"


class InvalidClientError(OAuthError):
    error = "invalid_client"
    status = 401


class InvalidGrantError(OAuthError):
    error = "invalid_grant"


class UnauthorizedClientError(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"


class InvalidScopeError(OAuthError):
    error = "invalid_scope"


class AccessDeniedError(OAuthError):
    error = "access_denied"


class InvalidTargetError(OAuthError):
    """RFC 8693 2.2.2: the server will not issue a token for the ``audience`` / ``resource`` asked for."""

    error = "invalid_target"


class ConsentRequiredError(OAuthError):
    error = "consent_required"


class UnsupportedTokenTypeError(OAuthError):
    error = "unsupported_token_type"


class ServerError(OAuthError):
    error = "server_error"
    status = 500


class TemporarilyUnavailableError(OAuthError):
    error = "temporarily_unavailable"
    status = 503


def from_decision(error: str, description: str, status: int) -> OAuthError:
    """The error a policy decision (``policy.evaluate``) asks for."""
    classes: dict[str, type[OAuthError]] = {
        c.error: c for c in (InvalidRequestError, InvalidScopeError, AccessDeniedError, ConsentRequiredError,
                             UnauthorizedClientError, InvalidGrantError, ServerError)
    }
    return classes.get(error, AccessDeniedError)(description, status=status)
