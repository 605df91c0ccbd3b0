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
    # An answer a well-behaved client gets many times in a row (a device polling while it waits): no System Log
    # event per answer.
    routine = False

    def __init__(self, description: str, *, status: int | None = None,
                 www_authenticate: str | None = None, headers: dict[str, str] | None = None) -> None:
        # RFC 6749 5.2: error_description may hold only %x20-21 / %x23-5B / %x5D-7E.
        super().__init__(_UNSAFE.sub("'", description.replace('"', "'")))
        self.description = str(self)
        if status is not None:
            self.status = status
        self.www_authenticate = www_authenticate
        # Other response headers the error needs (DPoP's ``DPoP-Nonce``, oauth/dpop.py).
        self.headers = dict(headers or {})

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


class AuthorizationPendingError(OAuthError):
    """RFC 8628 3.5: the person has not answered yet; the device keeps polling."""

    error = "authorization_pending"
    routine = True


class SlowDownError(OAuthError):
    """RFC 8628 3.5: polled before the interval passed; the interval grows by 5 seconds."""

    error = "slow_down"


class ExpiredTokenError(OAuthError):
    """RFC 8628 3.5: the device code expired before it was redeemed."""

    error = "expired_token"


class ServerError(OAuthError):
    error = "server_error"
    status = 500


class TemporarilyUnavailableError(OAuthError):
    error = "temporarily_unavailable"
    status = 503


class InvalidDpopProofError(OAuthError):
    """RFC 9449 7.1 / 5: the proof is missing, malformed or does not fit the request."""

    error = "invalid_dpop_proof"


class UseDpopNonceError(OAuthError):
    """RFC 9449 8: the proof carries no nonce, or one no longer accepted; ``nonce`` is the one to use."""

    error = "use_dpop_nonce"

    def __init__(self, nonce: str, description: str = "Authorization server requires nonce in DPoP proof.", *,
                 status: int | None = None, www_authenticate: str | None = None) -> None:
        super().__init__(description, status=status, www_authenticate=www_authenticate,
                         headers={"DPoP-Nonce": nonce})
        self.nonce = nonce


def from_decision(error: str, description: str, status: int) -> OAuthError:
    """The error a policy decision (``policy.evaluate``) asks for."""
    classes: dict[str, type[OAuthError]] = {
        c.error: c for c in (InvalidRequestError, InvalidScopeError, AccessDeniedError, ConsentRequiredError,
                             UnauthorizedClientError, InvalidGrantError, ServerError)
    }
    return classes.get(error, AccessDeniedError)(description, status=status)


class InvalidRequestUriError(OAuthError):
    """RFC 9101 7 / RFC 9126 4: a ``request_uri`` that is unknown, expired, used or issued for another server."""

    error = "invalid_request_uri"


class InvalidRequestObjectError(OAuthError):
    """RFC 9101 7 / OIDC Core 3.1.2.6: a ``request`` object that is not signed, not verifiable or not valid."""

    error = "invalid_request_object"


class UnsupportedResponseTypeError(OAuthError):
    """RFC 6749 4.1.2.1, answered in JSON where the authorization request is pushed (RFC 9126 2.3)."""

    error = "unsupported_response_type"


class UnsupportedResponseModeError(OAuthError):
    """OAuth 2.0 Multiple Response Types / Okta: a response mode the server does not deliver (RFC 9126 2.3)."""

    error = "unsupported_response_mode"
