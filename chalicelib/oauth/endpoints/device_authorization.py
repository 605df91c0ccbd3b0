"""The device authorization endpoint ``POST /oauth2/{authServerId}/v1/device/authorize`` (RFC 8628 3.1, 3.2;
okta-next.md 3; docs/ARCHITECTURE.md "Device authorization").

1. The form (``client_id``, ``scope``) and client authentication as at the token endpoint: native apps are public
   clients and send only ``client_id`` (RFC 8628 3.1, 5.6); a confidential client authenticates as it would there.
2. The client must be registered for ``urn:ietf:params:oauth:grant-type:device_code`` (``unauthorized_client``).
3. The scopes as the authorize endpoint checks them before anyone signs in (``invalid_scope``: an unknown scope, or
   none requested and none default). Who may get which scope is decided with the person, on the page and again at
   the token endpoint.
4. A device authorization (oauth/device/authorizations.py): ``device_code`` (256 random bits), ``user_code``
   (``XXXX-XXXX`` of 20 consonants), ``verification_uri`` = ``{issuer}/device`` and ``verification_uri_complete``
   with the user code, ``expires_in`` 600 and ``interval`` 5 (Okta's values).

Errors are RFC 6749 5.2 JSON (RFC 8628 3.2), with ``Cache-Control: no-store`` like the answer. Each request is one
System Log event (oauth/device/events.py).
"""
from __future__ import annotations

from urllib.parse import urlencode

from ...domain import OAuthClient, ServerConfig
from ...policy import AccessRequest, evaluate
from ...policy.reasons import Reason
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..device import events, user_codes
from ..device.authorizations import DEVICE_GRANT, INTERVAL, LIFETIME, DeviceAuthorizations
from ..errors import InvalidScopeError, OAuthError, UnauthorizedClientError
from ..form import parse_scope
from ..issuer import endpoints_base, issuer

PATH = "/v1/device/authorize"
PAGE = "/device"  # under the issuer: the verification URI


def verification_uri(iss: str) -> str:
    """The user page of a server: under its issuer, so inside the ``/oauth2`` path the sign-in session's cookies
    are scoped to, and user codes are looked up in that server's namespace only."""
    return f"{iss}{PAGE}"


def _check_scopes(config: ServerConfig, client: OAuthClient, scopes: tuple[str, ...] | None) -> None:
    decision = evaluate(config, AccessRequest(client_id=client.client_id, grant_type=DEVICE_GRANT,
                                              requested_scopes=scopes, user_id=None))
    if decision.reason in (Reason.NO_SCOPES_REQUESTED, Reason.UNKNOWN_SCOPE, Reason.NO_DEFAULT_SCOPES):
        raise InvalidScopeError(decision.error_description or "The requested scope is invalid.")


def device_authorize(services: OAuthServices, devices: DeviceAuthorizations, request: OAuthRequest) -> OAuthResponse:
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    iss = issuer(config.server, request.base_url)
    at = endpoints_base(config.server, request.base_url)
    client: OAuthClient | None = None
    try:
        client = services.authenticator.authenticate(request.params, request.authorization,
                                                     [f"{at}{PATH}", iss], True).client
        if DEVICE_GRANT not in client.grant_types:
            raise UnauthorizedClientError("The client is not authorized to use the provided grant type. Configured "
                                          f"grant types: [{', '.join(client.grant_types)}].")
        scopes = parse_scope(request.params.get("scope"))
        _check_scopes(config, client, scopes)
    except OAuthError as error:
        services.audit.record(events.refused(
            server=config.server, client=client, client_id=request.params.get("client_id"), error=error.error,
            description=error.description, origin=request.origin, now=services.now()))
        raise
    issued = devices.issue(config.server.id, client.client_id, scopes)
    services.audit.record(events.requested(server=config.server, client=client,
                                           device_hash=issued.authorization.device_hash, scopes=scopes,
                                           origin=request.origin, now=services.now()))
    shown = user_codes.display(issued.user_code)
    page = verification_uri(iss)
    body = {
        "device_code": issued.device_code,
        "user_code": shown,
        "verification_uri": page,
        "verification_uri_complete": f"{page}?{urlencode({'user_code': shown})}",
        "expires_in": int(LIFETIME.total_seconds()),
        "interval": INTERVAL,
    }
    return OAuthResponse(200, body, dict(NO_STORE))
