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
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import unquote_plus

from ..audit.event import FAILURE, Origin, Party, log_event
from ..domain import AuthorizationServer, OAuthClient
from .audit import TokenTrace
from .issuer import is_org

TOKEN_KINDS = ("access_token", "id_token", "refresh_token")


def event_prefix(server: AuthorizationServer | None) -> str:
    return "app.oauth2.token" if server is not None and is_org(server) else "app.oauth2.as.token"


def client_party(client: OAuthClient | None, client_id: str | None) -> Party:
    if client is not None:
        return Party(id=client.client_id, type="PublicClientApp", alternate_id=client.client_id,
                     display_name=client.client_name)
    return Party(id=client_id or "unknown", type="PublicClientApp", alternate_id=client_id or "unknown")


def server_party(server: AuthorizationServer) -> Party:
    return Party(id=server.id, type="AuthorizationServer", display_name=server.name)


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
            body: Mapping[str, Any], trace: TokenTrace, origin: Origin | None, now: datetime) -> list[dict[str, Any]]:
    """One event per token in a successful token response."""
    prefix = event_prefix(server)
    actor = client_party(client, client.client_id)
    events = []
    user_id = trace.user_id
    if trace.access_token is not None:
        access: dict[str, Any] = {"jti": trace.access_token[0], "exp": trace.access_token[1]}
    else:
        access = _jwt_claims(str(body["access_token"])) if "access_token" in body else {}
    user_id = user_id or access.get("uid")
    for kind in TOKEN_KINDS:
        token = body.get(kind)
        if not isinstance(token, str):
            continue
        if kind == "refresh_token":
            token_id, expires = refresh_token_id(token), None
        else:
            claims = access if kind == "access_token" else _jwt_claims(token)
            token_id, expires = str(claims.get("jti", "")), claims.get("exp")
        detail: dict[str, Any] = {}
        if expires is not None:
            detail["expires"] = expires
        if body.get("scope"):
            detail["scopes"] = body["scope"]
        targets = [Party(id=token_id, type=kind, detail=detail), server_party(server)]
        if user_id:
            targets.append(Party(id=str(user_id), type="User"))
        debug = {**_debug(grant_type, client.client_id, params, trace), "grantedScopes": body.get("scope"),
                 "jti": token_id}
        events.append(log_event(f"{prefix}.grant.{kind}", published=now, actor=actor, targets=targets,
                                origin=origin, debug=debug,
                                authentication={"credentialType": "OAuth 2.0",
                                                "issuer": {"id": server.id, "type": "AuthorizationServer"}}))
    return events


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
