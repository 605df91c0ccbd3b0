"""The System Log events of the front channel (okta-next.md 2.4): sign-in (``user.session.start``, SUCCESS or
FAILURE with the reason), lockout (``user.account.lock``), consent (``app.oauth2.as.consent.grant``), logout
(``user.session.end``) and the authorization decision (``app.oauth2.as.authorize.code`` /
``.implicit.access_token`` / ``.implicit.id_token`` when granted, ``app.oauth2.as.authorize`` FAILURE when refused,
naming the policy and rule that decided). The org authorization server's twins drop the ``.as``.

The actor is the person once known (signed in), else the client. Never a password, code or token.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from ...audit.event import DENY, FAILURE, SUCCESS, Origin, Party, log_event
from ...domain import AuthorizationServer, OAuthClient, User
from ...policy import Decision
from ..issuer import is_org

PASSWORD_AUTH = {"authenticationProvider": "OKTA_AUTHENTICATION_PROVIDER", "credentialType": "PASSWORD"}
# SignIn.reason (admin/sign_in.py) as Okta's outcome reasons.
SIGN_IN_REASONS = {"invalid": "INVALID_CREDENTIALS", "locked": "LOCKED_OUT", "inactive": "USER_NOT_ACTIVE"}


def _app(server: AuthorizationServer | None) -> str:
    return "app.oauth2" if server is not None and is_org(server) else "app.oauth2.as"


def person(user: User) -> Party:
    name = " ".join(x for x in (user.profile.get("firstName"), user.profile.get("lastName")) if x)
    return Party(id=user.id, type="User", alternate_id=user.login, display_name=name or user.login)


def client_target(client: OAuthClient) -> Party:
    return Party(id=client.client_id, type="AppInstance", alternate_id=client.client_id,
                 display_name=client.client_name)


def _server(server: AuthorizationServer) -> Party:
    return Party(id=server.id, type="AuthorizationServer", display_name=server.name)


def _decided(decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {"policyId": decision.policy_id, "ruleId": decision.rule_id, "decision": decision.reason}


def session_start(*, login: str, user: User | None, reason: str, client: OAuthClient, server: AuthorizationServer,
                  origin: Origin | None, now: datetime) -> dict[str, Any]:
    """A sign-in on the hosted page: SUCCESS, or FAILURE with Okta's reason (the login is named as typed, so an
    admin can see guesses at unknown logins too)."""
    actor = person(user) if user is not None else Party(id="unknown", type="User", alternate_id=login[:100])
    ok = reason == "ok"
    return log_event("user.session.start", published=now, actor=actor,
                     targets=[client_target(client), _server(server)], result=SUCCESS if ok else FAILURE,
                     reason=None if ok else SIGN_IN_REASONS.get(reason, reason.upper()), origin=origin,
                     authentication=PASSWORD_AUTH, debug={"clientId": client.client_id})


def account_locked(*, user: User, origin: Origin | None, now: datetime) -> dict[str, Any]:
    return log_event("user.account.lock", published=now, actor=person(user), targets=[person(user)],
                     result=SUCCESS, reason="Max sign in attempts exceeded", origin=origin, severity="WARN",
                     authentication=PASSWORD_AUTH)


def consent(*, user: User | None, user_id: str, client: OAuthClient, server: AuthorizationServer,
            scopes: Iterable[str], allowed: bool, origin: Origin | None, now: datetime) -> dict[str, Any]:
    actor = person(user) if user is not None else Party(id=user_id, type="User")
    return log_event(f"{_app(server)}.consent.grant", published=now, actor=actor,
                     targets=[client_target(client), _server(server)], result=SUCCESS if allowed else FAILURE,
                     reason=None if allowed else "The person declined consent", origin=origin,
                     debug={"scopes": " ".join(scopes), "clientId": client.client_id})


def session_end(*, user_id: str, client: OAuthClient, server: AuthorizationServer, origin: Origin | None,
                now: datetime) -> dict[str, Any]:
    return log_event("user.session.end", published=now, actor=Party(id=user_id, type="User"),
                     targets=[client_target(client), _server(server)], origin=origin,
                     debug={"clientId": client.client_id})


def authorize_granted(*, user: User, client: OAuthClient, server: AuthorizationServer, kinds: Iterable[str],
                      decision: Decision, origin: Origin | None, now: datetime) -> list[dict[str, Any]]:
    """One event per credential the authorization response carries (a code, an implicit access or ID token)."""
    names = {"code": "authorize.code", "token": "authorize.implicit.access_token",
             "id_token": "authorize.implicit.id_token"}
    debug = {"clientId": client.client_id, "grantedScopes": " ".join(decision.granted_scopes), **_decided(decision)}
    return [log_event(f"{_app(server)}.{names[kind]}", published=now, actor=person(user),
                      targets=[client_target(client), _server(server)], result=SUCCESS, origin=origin,
                      debug={**debug, "responseType": kind}, authentication=PASSWORD_AUTH)
            for kind in kinds if kind in names]


def authorize_refused(*, user: User | None, client: OAuthClient, server: AuthorizationServer, error: str,
                      description: str, decision: Decision | None, origin: Origin | None,
                      now: datetime) -> dict[str, Any]:
    """A refused authorization request: DENY when a policy decided (naming it), FAILURE otherwise."""
    actor = person(user) if user is not None else Party(id=client.client_id, type="PublicClientApp",
                                                          display_name=client.client_name)
    targets = [client_target(client), _server(server)]
    return log_event(f"{_app(server)}.authorize", published=now, actor=actor, targets=targets,
                     result=DENY if decision is not None and decision.policy_id else FAILURE,
                     reason=f"{error}: {description}", origin=origin,
                     debug={"clientId": client.client_id, "error": error, **_decided(decision)})
