"""The System Log events of the device flow (okta-next.md 2.4 for the envelope). Okta's catalogue names no device
events that we could verify, so these names are tokenmint's, in Okta's style:

* ``app.oauth2.as.device.authorize``: a device asked for a code at ``/v1/device/authorize`` (SUCCESS), or was refused
  (FAILURE with the error). Actor: the client.
* ``user.session.start``: a sign-in on the device page (as on the other hosted pages; no client is known yet).
* ``app.oauth2.as.device.user_code.verify``: a person entered a user code: SUCCESS (it matched a live code), FAILURE
  (``INVALID_USER_CODE``) or DENY (``TOO_MANY_ATTEMPTS``: the entry limits refused it).
* ``app.oauth2.as.device.activate``: the person approved (SUCCESS) or denied (DENY) the device, or the access policy
  refused for them (DENY naming the policy, rule and error).
* the tokens: the token endpoint's own events (``app.oauth2.as.token.grant.*``) with the device grant type.

Never a device code or a user code: authorizations are named by the first 16 hex digits of the device code's
SHA-256 (what the grants table keys them by), which correlates the events without revealing anything.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from ...audit.event import DENY, FAILURE, SUCCESS, Origin, Party, log_event
from ...domain import AuthorizationServer, OAuthClient, User
from ...policy import Decision
from ..authorize.events import PASSWORD_AUTH, SIGN_IN_REASONS, client_target, person
from .authorizations import DEVICE_GRANT

APP = "app.oauth2.as"


def _server(server: AuthorizationServer) -> Party:
    return Party(id=server.id, type="AuthorizationServer", display_name=server.name)


def _client_actor(client: OAuthClient | None, client_id: str | None) -> Party:
    if client is not None:
        return Party(id=client.client_id, type="PublicClientApp", alternate_id=client.client_id,
                     display_name=client.client_name)
    return Party(id=client_id or "unknown", type="PublicClientApp", alternate_id=client_id or "unknown")


def device_id(device_hash: str) -> str:
    return device_hash[:16]


def requested(*, server: AuthorizationServer, client: OAuthClient, device_hash: str, scopes: Iterable[str] | None,
              origin: Origin | None, now: datetime) -> dict[str, Any]:
    return log_event(f"{APP}.device.authorize", published=now, actor=_client_actor(client, None),
                     targets=[client_target(client), _server(server)], result=SUCCESS, origin=origin,
                     debug={"clientId": client.client_id, "grantType": DEVICE_GRANT, "deviceId": device_id(device_hash),
                            "requestedScopes": " ".join(scopes) if scopes is not None else None})


def refused(*, server: AuthorizationServer | None, client: OAuthClient | None, client_id: str | None, error: str,
            description: str, origin: Origin | None, now: datetime) -> dict[str, Any]:
    targets = ([client_target(client)] if client is not None else []) + ([_server(server)] if server else [])
    return log_event(f"{APP}.device.authorize", published=now, actor=_client_actor(client, client_id),
                     targets=targets, result=FAILURE, reason=f"{error}: {description}", origin=origin,
                     debug={"clientId": client.client_id if client else client_id, "grantType": DEVICE_GRANT,
                            "error": error})


def sign_in(*, login: str, user: User | None, reason: str, server: AuthorizationServer, origin: Origin | None,
            now: datetime) -> dict[str, Any]:
    actor = person(user) if user is not None else Party(id="unknown", type="User", alternate_id=login[:100])
    ok = reason == "ok"
    return log_event("user.session.start", published=now, actor=actor, targets=[_server(server)],
                     result=SUCCESS if ok else FAILURE,
                     reason=None if ok else SIGN_IN_REASONS.get(reason, reason.upper()), origin=origin,
                     authentication=PASSWORD_AUTH, debug={"page": "device"})


def user_code(*, user: User, server: AuthorizationServer, client: OAuthClient | None, device_hash: str | None,
              outcome: str, origin: Origin | None, now: datetime) -> dict[str, Any]:
    """``outcome``: ``ok``, ``invalid`` or ``limited``."""
    result = {"ok": SUCCESS, "invalid": FAILURE, "limited": DENY}[outcome]
    reason = {"ok": None, "invalid": "INVALID_USER_CODE", "limited": "TOO_MANY_ATTEMPTS"}[outcome]
    targets = ([client_target(client)] if client is not None else []) + [_server(server)]
    debug: dict[str, Any] = {"grantType": DEVICE_GRANT}
    if client is not None:
        debug["clientId"] = client.client_id
    if device_hash is not None:
        debug["deviceId"] = device_id(device_hash)
    return log_event(f"{APP}.device.user_code.verify", published=now, actor=person(user), targets=targets,
                     result=result, reason=reason, origin=origin, severity="INFO" if outcome == "ok" else "WARN",
                     authentication=PASSWORD_AUTH, debug=debug)


def answered(*, user: User, server: AuthorizationServer, client: OAuthClient, device_hash: str, approved: bool,
             scopes: Iterable[str], decision: Decision | None, error: str | None, origin: Origin | None,
             now: datetime) -> dict[str, Any]:
    debug: dict[str, Any] = {"clientId": client.client_id, "grantType": DEVICE_GRANT,
                             "deviceId": device_id(device_hash), "scopes": " ".join(scopes)}
    if decision is not None:
        debug.update(policyId=decision.policy_id, ruleId=decision.rule_id, decision=decision.reason)
    if error is not None:
        debug["error"] = error
    reason = None if approved else (f"{error}: the access policy refused" if error else "The person denied the device")
    return log_event(f"{APP}.device.activate", published=now, actor=person(user),
                     targets=[client_target(client), _server(server)], result=SUCCESS if approved else DENY,
                     reason=reason, origin=origin, authentication=PASSWORD_AUTH, debug=debug)
