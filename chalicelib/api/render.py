"""Okta's wire shapes (okta-api.md 2.2, 4.2, 5.2, 6.2, 6.3): field names, order, links and hints."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..clock import okta_time
from ..oauth.issuer import issuer, path_id
from ..domain import ACTIVE, IFRAME_EMBED, ApiToken, AuthorizationServer, Claim, Policy, Rule, Scope, TrustedOrigin

AUTO_ROTATION_INTERVAL = timedelta(days=90)


def link(href: str, *allow: str) -> dict[str, Any]:
    return {"href": href, "hints": {"allow": list(allow)}}


server_path_id = path_id


def _lifecycle(base_href: str, status: str) -> dict[str, Any]:
    if status == ACTIVE:
        return {"deactivate": link(f"{base_href}/lifecycle/deactivate", "POST")}
    return {"activate": link(f"{base_href}/lifecycle/activate", "POST")}


def server(s: AuthorizationServer, base: str, rotation_interval: timedelta = AUTO_ROTATION_INTERVAL) -> dict[str, Any]:
    admin = f"{base}/api/v1/authorizationServers/{server_path_id(s)}"
    oauth = issuer(s, base)
    signing: dict[str, Any] = {}
    if s.signing_kid:
        signing["kid"] = s.signing_kid
    signing["rotationMode"] = s.rotation_mode
    if s.last_rotated:
        signing["lastRotated"] = okta_time(s.last_rotated)
        if s.rotation_mode == "AUTO":
            signing["nextRotation"] = okta_time(s.last_rotated + rotation_interval)
    return _without_nulls({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "audiences": list(s.audiences),
        "issuer": oauth,
        "issuerMode": s.issuer_mode,
        "status": s.status,
        "created": okta_time(s.created),
        "lastUpdated": okta_time(s.last_updated),
        "credentials": {"signing": signing},
        "default": s.default,
        "_links": {
            "rotateKey": link(f"{admin}/credentials/lifecycle/keyRotate", "POST"),
            "metadata": [
                {"name": "oauth-authorization-server", **link(f"{oauth}/.well-known/oauth-authorization-server", "GET")},
                {"name": "openid-configuration", **link(f"{oauth}/.well-known/openid-configuration", "GET")},
            ],
            "keys": link(f"{admin}/credentials/keys", "GET"),
            "claims": link(f"{admin}/claims", "GET", "POST"),
            "policies": link(f"{admin}/policies", "GET", "POST"),
            "self": link(admin, "GET", "DELETE", "PUT"),
            "scopes": link(f"{admin}/scopes", "GET", "POST"),
            **_lifecycle(admin, s.status),
        },
    }, "description")


def _without_nulls(body: dict[str, Any], *names: str) -> dict[str, Any]:
    """Drop the named properties when they have no value. Okta's published spec types them as plain strings (no
    ``nullable``), so generated clients and contract tests reject ``null``; the official SDK reads an absent
    property as None, exactly as it read ``null`` (docs/ARCHITECTURE.md "Decisions")."""
    for name in names:
        if body.get(name) is None:
            body.pop(name, None)
    return body


def _admin(base: str, server_path: str) -> str:
    return f"{base}/api/v1/authorizationServers/{server_path}"


def scope(s: Scope, base: str, server_path: str) -> dict[str, Any]:
    return _without_nulls({
        "id": s.id,
        "name": s.name,
        "displayName": s.display_name,
        "description": s.description,
        "system": s.system,
        "metadataPublish": s.metadata_publish,
        "consent": s.consent,
        "optional": s.optional,
        "apiResourceId": None,
        "default": s.default,
        "_links": {"self": link(f"{_admin(base, server_path)}/scopes/{s.id}", "GET", "PUT", "DELETE")},
    }, "displayName", "description")


def claim(c: Claim, base: str, server_path: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "claimType": c.claim_type,
        "valueType": c.value_type,
    }
    if c.value_type != "SYSTEM":  # Okta omits value on SYSTEM claims (okta-api.md 5.3)
        body["value"] = c.value
    body.update({
        "conditions": {"scopes": list(c.scopes)},
        "system": c.system,
        "alwaysIncludeInToken": c.always_include_in_token,
        "apiResourceId": None,
    })
    if c.group_filter_type:
        body["group_filter_type"] = c.group_filter_type
    body["_links"] = {"self": link(f"{_admin(base, server_path)}/claims/{c.id}", "GET", "PUT", "DELETE")}
    return body


def policy(p: Policy, priority: int, base: str, server_path: str) -> dict[str, Any]:
    href = f"{_admin(base, server_path)}/policies/{p.id}"
    return _without_nulls({
        "id": p.id,
        "status": p.status,
        "name": p.name,
        "description": p.description,
        "priority": priority,
        "system": p.system,
        "conditions": {"clients": {"include": list(p.clients)}},
        "created": okta_time(p.created),
        "lastUpdated": okta_time(p.last_updated),
        "_links": {
            "self": link(href, "GET", "PUT", "DELETE"),
            "rules": link(f"{href}/rules", "GET"),
            **_lifecycle(href, p.status),
        },
        "type": "OAUTH_AUTHORIZATION_POLICY",
    }, "description")


def rule(r: Rule, priority: int, base: str, server_path: str) -> dict[str, Any]:
    href = f"{_admin(base, server_path)}/policies/{r.policy_id}/rules/{r.id}"
    c, a = r.conditions, r.actions
    token: dict[str, Any] = {
        "accessTokenLifetimeMinutes": a.access_token_lifetime_minutes,
        "refreshTokenLifetimeMinutes": a.refresh_token_lifetime_minutes,
        "refreshTokenWindowMinutes": a.refresh_token_window_minutes,
    }
    if a.inline_hook_id:
        token["inlineHook"] = {"id": a.inline_hook_id}
    return {
        "id": r.id,
        "status": r.status,
        "name": r.name,
        "priority": priority,
        "created": okta_time(r.created),
        "lastUpdated": okta_time(r.last_updated),
        "system": r.system,
        "conditions": {
            "people": {
                "users": {"include": list(c.users_include), "exclude": list(c.users_exclude)},
                "groups": {"include": list(c.groups_include), "exclude": list(c.groups_exclude)},
            },
            "grantTypes": {"include": list(c.grant_types)},
            "scopes": {"include": list(c.scopes)},
        },
        "actions": {"token": token},
        "_links": {"self": link(href, "GET", "PUT", "DELETE"), **_lifecycle(href, r.status)},
        "type": "RESOURCE_ACCESS",
    }


def api_token(t: ApiToken, base: str) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "userId": t.user_id,
        "clientName": t.client_name,
        "created": okta_time(t.created),
        "lastUpdated": okta_time(t.last_updated),
        "expiresAt": None,
        "tokenWindow": None,
        "network": {"connection": "ANYWHERE"},
        "_links": {"self": link(f"{base}/api/v1/api-tokens/{t.id}", "GET", "DELETE")},
    }


def token_client(client: Any, base: str) -> dict[str, Any]:
    """A client in the list of clients holding tokens of a server (okta-api.md 2.1)."""
    return _without_nulls({
        "client_id": client.client_id,
        "client_name": client.client_name,
        "client_uri": client.client_uri,
        "logo_uri": client.logo_uri,
        "_links": {"client": link(f"{base}/oauth2/v1/clients/{client.client_id}", "GET")},
    }, "client_uri", "logo_uri")


TRUSTED_ORIGINS = "/api/v1/trustedOrigins"


def trusted_origin(o: TrustedOrigin, base: str) -> dict[str, Any]:
    """Okta's TrustedOrigin: ``allowedOktaApps`` only on an ``IFRAME_EMBED`` scope; ``createdBy`` and
    ``lastUpdatedBy`` left out when unknown; ``_links`` self and the lifecycle transition the status allows."""
    href = f"{base}{TRUSTED_ORIGINS}/{o.id}"
    return _without_nulls({
        "id": o.id,
        "name": o.name,
        "origin": o.origin,
        "scopes": [{"type": s.type,
                    **({"allowedOktaApps": list(s.allowed_okta_apps)} if s.type == IFRAME_EMBED else {})}
                   for s in o.scopes],
        "status": o.status,
        "created": okta_time(o.created),
        "createdBy": o.created_by,
        "lastUpdated": okta_time(o.last_updated),
        "lastUpdatedBy": o.last_updated_by,
        "_links": {"self": link(href, "GET", "PUT", "DELETE"), **_lifecycle(href, o.status)},
    }, "createdBy", "lastUpdatedBy")
