"""The pushed authorization request endpoint ``POST /oauth2/{authServerId}/v1/par`` (RFC 9126; okta-next.md 3;
docs/ARCHITECTURE.md "Pushed authorization requests and request objects"; security cases docs/security-cases/par.md).

1. Client authentication exactly as at ``/v1/token`` (``client_secret_basic``/``_post``, ``private_key_jwt`` with
   ``aud`` = this endpoint, the token endpoint or the issuer; public clients with ``none``: RFC 9126 2 allows them,
   and PKCE is still required of them by the parameter rules).
2. The authorization request is read from the form: the client authentication parameters are not part of it, a
   ``request_uri`` inside it is refused (``invalid_request``, Okta's ``pushed_authorization_request_uri_present``),
   a signed ``request`` object is verified and merged (``oauth/request_object.py``; an HMAC one is checked with
   the secret this very request authenticated with).
3. A ``DPoP`` header binds the code to come to the proof's key (RFC 9449 10.1), as if its thumbprint were given as
   ``dpop_jkt``: the proof is checked as at the token endpoint for ``POST`` to this endpoint (signature, ``typ``,
   ``htm``/``htu``, age, ``jti`` once) but without a server nonce (the token request that redeems the code needs
   one anyway). A ``dpop_jkt`` that names another key is ``invalid_request``.
4. It is validated as ``/v1/authorize`` would validate it (``FrontChannel.validate``: redirect URI exact match,
   response type, mode, scopes, state/nonce lengths, PKCE, the scopes against the server) before anything is
   stored; a bad or missing ``redirect_uri`` is ``invalid_request`` (RFC 9126 2.3).
5. ``201 {"request_uri": "urn:ietf:params:oauth:request_uri:…", "expires_in": 60}`` with ``Cache-Control:
   no-store`` (RFC 9126 2.2). Errors are OAuth JSON (400, 401 ``invalid_client``).

Every push is a System Log event ``app.oauth2.as.par`` (org server: ``app.oauth2.par``), SUCCESS or FAILURE,
buffered like the token endpoint's (``record_token``).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from ...audit.event import FAILURE, SUCCESS, Origin, log_event
from ...domain import AuthorizationServer, OAuthClient
from .. import token_events
from ..authorize import params as authz
from ..authorize.browser import RedirectError
from ..authorize.flow import FrontChannel
from ..context import NO_STORE, OAuthRequest, OAuthResponse
from ..errors import (InvalidRequestError, InvalidScopeError, OAuthError, UnauthorizedClientError,
                      UnsupportedResponseModeError, UnsupportedResponseTypeError)
from ..issuer import endpoints_base, is_org, issuer

# Parameters that authenticate the client at this endpoint; never part of the authorization request (RFC 9126 2.1).
AUTH_PARAMS = ("client_secret", "client_assertion", "client_assertion_type")
URI_PRESENT = "The 'request_uri' parameter must not be sent in a pushed authorization request."
JKT_MISMATCH = "The 'dpop_jkt' parameter does not match the key of the DPoP proof."
_ERRORS: dict[str, type[OAuthError]] = {c.error: c for c in (
    InvalidRequestError, InvalidScopeError, UnauthorizedClientError, UnsupportedResponseTypeError,
    UnsupportedResponseModeError)}


def _as_oauth_error(exc: RedirectError) -> OAuthError:
    """An authorize-endpoint error as the PAR endpoint answers it (RFC 9126 2.3: the token endpoint's format with
    the authorization endpoint's codes)."""
    return _ERRORS.get(exc.error, InvalidRequestError)(exc.description)


def push(front: FrontChannel, request: OAuthRequest) -> OAuthResponse:
    services = front.services
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    iss = issuer(config.server, request.base_url)
    at = endpoints_base(config.server, request.base_url)
    noted: dict[str, Any] = {}
    client: OAuthClient | None = None
    try:
        if front.pushed is None:  # pragma: no cover - the route exists only when PAR is registered
            raise InvalidRequestError("Pushed authorization requests are not supported.")
        authenticated = services.authenticator.authenticate(
            request.params, request.authorization, [f"{at}/v1/par", f"{at}/v1/token", iss], allow_public=True)
        client = authenticated.client
        raw: dict[str, tuple[str, ...]] = {name: (value,) for name, value in request.params.items()
                                           if name not in AUTH_PARAMS}
        raw["client_id"] = (client.client_id,)
        if raw.get("request_uri", ("",))[0]:
            raise InvalidRequestError(URI_PRESENT)
        if raw.get("request", ("",))[0]:
            if front.request_objects is None:  # pragma: no cover - registered together
                raise InvalidRequestError("The 'request' parameter is not supported.")
            raw = front.request_objects.resolve(raw, client, iss, authenticated.secret)
            noted["requestObject"] = True
        raw = {name: values for name, values in raw.items() if values and values[0]}
        if request.dpop and services.dpop is not None:
            proof = services.dpop.verify(request.dpop, method=request.method, uri=f"{at}/v1/par",
                                         server_id=config.server.id, require_nonce=False)
            if raw.get("dpop_jkt", (proof.jkt,)) != (proof.jkt,):
                raise InvalidRequestError(JKT_MISMATCH)
            raw["dpop_jkt"] = (proof.jkt,)
            noted["dpopJkt"] = proof.jkt
        noted["requestedScopes"] = (raw.get("scope") or (None,))[0]
        redirect_uri = (raw.get("redirect_uri") or (None,))[0]
        if redirect_uri is None:
            raise InvalidRequestError("The 'redirect_uri' parameter is required.")
        if not front.registered_redirect(client, redirect_uri, iss, request.org):
            raise InvalidRequestError(authz.BAD_REDIRECT)
        try:
            front.validate(config, client, raw, redirect_uri, request.org)
        except RedirectError as exc:
            raise _as_oauth_error(exc) from None
        request_uri, expires_in = front.pushed.push(config.server.id, client.client_id, raw)
    except OAuthError as error:
        failed_client = client
        services.audit.record_token(lambda: [_event(
            server=config.server, client=failed_client, request=request, noted=noted, error=error,
            now=services.now())], success=False)
        raise
    pushed_by = client
    services.audit.record_token(lambda: [_event(
        server=config.server, client=pushed_by, request=request, noted=noted, error=None, now=services.now())],
        success=True)
    return OAuthResponse(201, {"request_uri": request_uri, "expires_in": expires_in}, dict(NO_STORE))


def event_type(server: AuthorizationServer) -> str:
    return "app.oauth2.par" if is_org(server) else "app.oauth2.as.par"


def _event(*, server: AuthorizationServer, client: OAuthClient | None, request: OAuthRequest,
           noted: Mapping[str, Any], error: OAuthError | None, now: datetime) -> dict[str, Any]:
    """One push: the client (or, when it failed to authenticate, the client id it claimed), the server, what was
    asked for; never a secret, an assertion or the request object itself."""
    client_id = client.client_id if client is not None else \
        token_events.claimed_client_id(request.params, request.authorization)
    origin: Origin | None = request.origin
    debug: dict[str, Any] = {"clientId": client_id, "requestedScopes": noted.get("requestedScopes"),
                             "requestObject": bool(noted.get("requestObject"))}
    if noted.get("dpopJkt"):
        debug["dpopJkt"] = noted["dpopJkt"]
    if error is not None:
        debug.update(error=error.error, errorDescription=error.description)
    return log_event(event_type(server), published=now, actor=token_events.client_party(client, client_id),
                     targets=[token_events.server_party(server)], result=FAILURE if error else SUCCESS,
                     reason=f"{error.error}: {error.description}" if error else None, origin=origin, debug=debug)
