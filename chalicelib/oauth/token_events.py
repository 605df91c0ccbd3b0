"""The System Log events of the token endpoint (okta-next.md 2.4): ``app.oauth2.as.token.grant.access_token``,
``.id_token`` and ``.refresh_token`` for each token a request mints, and ``app.oauth2.as.token.grant`` with
outcome FAILURE for a refused request (the org authorization server's twins are ``app.oauth2.token.grant*``).

``debugContext.debugData`` carries the grant type, the client, the requested and granted scopes, the policy and
rule that decided (the reasons of ``policy/reasons.py``, as token preview names them) and each token's ``jti``.
Never a token: an access or ID token is named by its ``jti`` (read back from the JWT just minted); a refresh
token, opaque, by a SHA-256 digest of it, which correlates without revealing it.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import unquote_plus

from ..audit.event import FAILURE, Origin, Party, log_event, new_uuid, timestamp
from ..audit.template import RenderedEvent, TemplateMemo, hole
from ..domain import AuthorizationServer, OAuthClient
from .audit import TokenTrace
from .issuer import is_org

TOKEN_KINDS = ("access_token", "id_token", "refresh_token")


def event_prefix(server: AuthorizationServer | None) -> str:
    return "app.oauth2.token" if server is not None and is_org(server) else "app.oauth2.as.token"


def client_party(client: OAuthClient | None, client_id: str | None) -> Party:
    if client is not None:
        return app_party(client.client_id, client.client_name)
    return Party(id=client_id or "unknown", type="PublicClientApp", alternate_id=client_id or "unknown")


def app_party(client_id: str, name: str) -> Party:
    return Party(id=client_id, type="PublicClientApp", alternate_id=client_id, display_name=name)


def server_party(server: AuthorizationServer) -> Party:
    return server_target(server.id, server.name)


def server_target(server_id: str, name: str) -> Party:
    return Party(id=server_id, type="AuthorizationServer", display_name=name)


def _jwt_claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def refresh_token_id(token: str) -> str:
    """How a refresh token is named in the log: a digest, never the token."""
    return "rt." + hashlib.sha256(token.encode()).hexdigest()[:40]


def _debug(grant_type: str | None, client_id: str | None, params: Mapping[str, str], trace: TokenTrace
           ) -> dict[str, Any]:
    return {"grantType": grant_type, "clientId": client_id, "requestedScopes": params.get("scope"),
            "policyId": trace.policy_id, "ruleId": trace.rule_id, "decision": trace.reason, **trace.extra}


def granted(*, server: AuthorizationServer, client: OAuthClient, grant_type: str, params: Mapping[str, str],
            body: Mapping[str, Any], trace: TokenTrace, origin: Origin | None, now: datetime) -> list[Any]:
    """One event per token in a successful token response. The events of a request without a user, a trace or
    origin extra (client_credentials) are filled into a template (``audit/template.py``) made by
    ``_granted_event`` itself; every other request's are built whole by it."""
    events: list[Any] = []
    user_id = trace.user_id
    if trace.access_token is not None:
        access: dict[str, Any] = {"jti": trace.access_token[0], "exp": trace.access_token[1]}
    else:
        access = _jwt_claims(str(body["access_token"])) if "access_token" in body else {}
    user_id = user_id or access.get("uid")
    origin = origin or NO_ORIGIN
    templated = not user_id and not trace.extra and not origin.extra
    for kind in TOKEN_KINDS:
        token = body.get(kind)
        if not isinstance(token, str):
            continue
        if kind == "refresh_token":
            token_id, expires = refresh_token_id(token), None
        else:
            claims = access if kind == "access_token" else _jwt_claims(token)
            token_id, expires = str(claims.get("jti", "")), claims.get("exp")
        if templated and (expires is None or type(expires) is int):
            events.append(_templated(kind, server, client, grant_type, params, body, trace, origin, now, token_id,
                                     expires))
        else:
            events.append(_granted_event(kind, prefix=event_prefix(server), server_id=server.id,
                                         server_name=server.name, client_id=client.client_id,
                                         client_name=client.client_name, grant_type=grant_type, params=params,
                                         body=body, trace=trace, origin=origin, published=now, token_id=token_id,
                                         expires=expires, user_id=user_id))
    return events


def _granted_event(kind: str, *, prefix: str, server_id: str, server_name: str, client_id: str, client_name: str,
                   grant_type: str, params: Mapping[str, str], body: Mapping[str, Any], trace: TokenTrace,
                   origin: Origin, published: datetime | str, token_id: str, expires: Any, user_id: Any,
                   uuid: str | None = None) -> dict[str, Any]:
    """The event of one token minted, from plain values or a template's placeholders."""
    detail: dict[str, Any] = {}
    if expires is not None:
        detail["expires"] = expires
    if body.get("scope"):
        detail["scopes"] = body["scope"]
    targets = [Party(id=token_id, type=kind, detail=detail), server_target(server_id, server_name)]
    if user_id:
        targets.append(Party(id=str(user_id), type="User"))
    debug = {**_debug(grant_type, client_id, params, trace), "grantedScopes": body.get("scope"), "jti": token_id}
    return log_event(f"{prefix}.grant.{kind}", published=published, actor=app_party(client_id, client_name),
                     targets=targets,
                     origin=origin, debug=debug, uuid=uuid,
                     authentication={"credentialType": "OAuth 2.0",
                                     "issuer": {"id": server_id, "type": "AuthorizationServer"}})


NO_ORIGIN = Origin()
# Templates of the events of requests without a user, by the event's shape: which members it has, and the grant,
# scopes and decision (a few at any scale: the server, client, policy and rule are filled in, like the uuid).
_TEMPLATES = TemplateMemo(256)
IP4, IP6 = "ip", "ip:6"
_HOLES = {name: hole(name) for name in (
    "uuid", "published", "request_id", "jti", "expires", IP4, IP6, "user_agent", "client_id", "client_name",
    "server_id", "server_name", "policy_id", "rule_id")}


def _templated(kind: str, server: AuthorizationServer, client: OAuthClient, grant_type: str,
               params: Mapping[str, str], body: Mapping[str, Any], trace: TokenTrace, origin: Origin,
               now: datetime, token_id: str, expires: int | None) -> RenderedEvent:
    ip, user_agent, request_id = origin.ip, origin.user_agent, origin.request_id
    policy_id, rule_id = trace.policy_id, trace.rule_id
    # log_event leaves these out when empty, and tells IP versions apart by a ":": the key says which.
    ip_name = (IP6 if ":" in ip else IP4) if ip else None
    prefix = event_prefix(server)
    # Every input of _granted_event that is not a placeholder below, or decides whether a member is there.
    key = (kind, prefix, grant_type, params.get("scope"), body.get("scope"), trace.reason, policy_id is None,
           rule_id is None, ip_name, not user_agent, not request_id, expires is None, origin.request_uri,
           origin.api_token_id, origin.client_id, origin.transaction_type)
    holes = _HOLES
    template = _TEMPLATES.get(key, lambda: _granted_event(
        kind, prefix=prefix, server_id=holes["server_id"], server_name=holes["server_name"],
        client_id=holes["client_id"], client_name=holes["client_name"], grant_type=grant_type, params=params,
        body=body, trace=TokenTrace(policy_id=None if policy_id is None else holes["policy_id"],
                                    rule_id=None if rule_id is None else holes["rule_id"], reason=trace.reason),
        origin=replace(origin, ip=holes[ip_name] if ip_name else None,
                       user_agent=holes["user_agent"] if user_agent else None,
                       request_id=holes["request_id"] if request_id else None),
        published=holes["published"], token_id=holes["jti"], expires=None if expires is None else holes["expires"],
        user_id=None, uuid=holes["uuid"]))
    values: dict[str, str | int] = {"uuid": new_uuid(), "published": timestamp(now), "jti": token_id,
                                    "client_id": client.client_id, "client_name": client.client_name,
                                    "server_id": server.id, "server_name": server.name}
    if policy_id is not None:
        values["policy_id"] = policy_id
    if rule_id is not None:
        values["rule_id"] = rule_id
    if ip and ip_name:
        values[ip_name] = ip
    if user_agent:
        values["user_agent"] = user_agent
    if request_id:
        values["request_id"] = request_id
    if expires is not None:
        values["expires"] = expires
    return template.fill(values)


def claimed_client_id(params: Mapping[str, str], authorization: str | None) -> str | None:
    """Who a request that failed to authenticate says it is: the Basic user name, ``client_id``, or a client
    assertion's ``sub``. Only the name: never the secret or the assertion."""
    if authorization and authorization[:6].lower() == "basic ":
        try:
            user = base64.b64decode(authorization[6:].strip(), validate=True).decode().split(":", 1)[0]
            return unquote_plus(user)[:128] or None
        except (ValueError, UnicodeDecodeError):
            return None
    if params.get("client_id"):
        return params["client_id"][:128]
    assertion = params.get("client_assertion")
    sub = _jwt_claims(assertion).get("sub") if assertion else None
    return str(sub)[:128] if sub else None


def refused(*, server: AuthorizationServer | None, server_id: str, client: OAuthClient | None,
            params: Mapping[str, str], authorization: str | None, error: str, description: str, trace: TokenTrace,
            origin: Origin | None, now: datetime) -> list[dict[str, Any]]:
    """The event of a refused token request: outcome FAILURE, the OAuth error as the reason."""
    client_id = client.client_id if client is not None else claimed_client_id(params, authorization)
    targets = [server_party(server) if server is not None else Party(id=server_id, type="AuthorizationServer")]
    if trace.user_id:
        targets.append(Party(id=trace.user_id, type="User"))
    debug = {**_debug(params.get("grant_type"), client_id, params, trace), "error": error,
             "errorDescription": description}
    return [log_event(f"{event_prefix(server)}.grant", published=now, actor=client_party(client, client_id),
                      targets=targets, result=FAILURE, reason=f"{error}: {description}", origin=origin,
                      debug=debug)]
