"""Explicit mapping between domain dataclasses and the JSON documents stored in DynamoDB items."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..keys.lifecycle import KeyRecord
from ..domain import (
    RoleAssignment,
    ClientSecret,
    ScopeGrant,
    ApiToken,
    AppGroupAssignment,
    AppUserAssignment,
    AuthorizationServer,
    Group,
    Claim,
    OAuthClient,
    Ordered,
    TrustedServer,
    Policy,
    Rule,
    RuleConditions,
    Scope,
    TokenActions,
    TrustedOrigin,
    TrustedOriginScope,
    User,
)


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def server_doc(s: AuthorizationServer) -> dict[str, Any]:
    return {
        "id": s.id, "name": s.name, "description": s.description, "audiences": list(s.audiences),
        "issuerMode": s.issuer_mode, "status": s.status, "created": _ts(s.created),
        "lastUpdated": _ts(s.last_updated), "rotationMode": s.rotation_mode, "default": s.default,
        "signingKid": s.signing_kid, "lastRotated": _ts(s.last_rotated),
    }


def server_from(doc: dict[str, Any], version: int | None) -> AuthorizationServer:
    return AuthorizationServer(
        id=doc["id"], name=doc["name"], description=doc.get("description"), audiences=tuple(doc["audiences"]),
        issuer_mode=doc["issuerMode"], status=doc["status"], created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), rotation_mode=doc["rotationMode"],  # type: ignore[arg-type]
        default=doc.get("default", False), signing_kid=doc.get("signingKid"),
        last_rotated=_dt(doc.get("lastRotated")), version=version,
    )


def scope_doc(s: Scope) -> dict[str, Any]:
    return {
        "id": s.id, "name": s.name, "displayName": s.display_name, "description": s.description,
        "system": s.system, "metadataPublish": s.metadata_publish, "consent": s.consent,
        "optional": s.optional, "default": s.default,
    }


def scope_from(doc: dict[str, Any], version: int | None) -> Scope:
    return Scope(
        id=doc["id"], name=doc["name"], display_name=doc.get("displayName"), description=doc.get("description"),
        system=doc["system"], metadata_publish=doc["metadataPublish"], consent=doc["consent"],
        optional=doc["optional"], default=doc["default"], version=version,
    )


def claim_doc(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id, "name": c.name, "status": c.status, "claimType": c.claim_type, "valueType": c.value_type,
        "value": c.value, "groupFilterType": c.group_filter_type, "scopes": list(c.scopes), "system": c.system,
        "alwaysIncludeInToken": c.always_include_in_token,
    }


def claim_from(doc: dict[str, Any], version: int | None) -> Claim:
    return Claim(
        id=doc["id"], name=doc["name"], status=doc["status"], claim_type=doc["claimType"],
        value_type=doc["valueType"], value=doc.get("value"), group_filter_type=doc.get("groupFilterType"),
        scopes=tuple(doc.get("scopes", ())), system=doc["system"],
        always_include_in_token=doc["alwaysIncludeInToken"], version=version,
    )


def policy_doc(p: Policy) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "description": p.description, "status": p.status, "system": p.system,
        "clients": list(p.clients), "created": _ts(p.created), "lastUpdated": _ts(p.last_updated),
        "isDefault": p.is_default,
    }


def policy_from(doc: dict[str, Any], version: int | None) -> Policy:
    return Policy(
        id=doc["id"], name=doc["name"], description=doc.get("description"), status=doc["status"],
        system=doc["system"], clients=tuple(doc["clients"]), created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), is_default=doc.get("isDefault", False),  # type: ignore[arg-type]
        version=version,
    )


def rule_doc(r: Rule) -> dict[str, Any]:
    c, a = r.conditions, r.actions
    return {
        "id": r.id, "policyId": r.policy_id, "name": r.name, "status": r.status, "system": r.system,
        "conditions": {
            "grantTypes": list(c.grant_types), "scopes": list(c.scopes),
            "usersInclude": list(c.users_include), "usersExclude": list(c.users_exclude),
            "groupsInclude": list(c.groups_include), "groupsExclude": list(c.groups_exclude),
        },
        "actions": {
            "accessTokenLifetimeMinutes": a.access_token_lifetime_minutes,
            "refreshTokenLifetimeMinutes": a.refresh_token_lifetime_minutes,
            "refreshTokenWindowMinutes": a.refresh_token_window_minutes,
            "inlineHookId": a.inline_hook_id,
        },
        "created": _ts(r.created), "lastUpdated": _ts(r.last_updated), "isDefault": r.is_default,
    }


def rule_from(doc: dict[str, Any], version: int | None) -> Rule:
    c, a = doc["conditions"], doc["actions"]
    return Rule(
        id=doc["id"], policy_id=doc["policyId"], name=doc["name"], status=doc["status"], system=doc["system"],
        conditions=RuleConditions(
            grant_types=tuple(c["grantTypes"]), scopes=tuple(c["scopes"]),
            users_include=tuple(c["usersInclude"]), users_exclude=tuple(c["usersExclude"]),
            groups_include=tuple(c["groupsInclude"]), groups_exclude=tuple(c["groupsExclude"]),
        ),
        actions=TokenActions(
            access_token_lifetime_minutes=a["accessTokenLifetimeMinutes"],
            refresh_token_lifetime_minutes=a["refreshTokenLifetimeMinutes"],
            refresh_token_window_minutes=a["refreshTokenWindowMinutes"],
            inline_hook_id=a.get("inlineHookId"),
        ),
        created=_dt(doc["created"]), last_updated=_dt(doc["lastUpdated"]),  # type: ignore[arg-type]
        is_default=doc.get("isDefault", False), version=version,
    )


def trusted_server_doc(t: TrustedServer) -> dict[str, Any]:
    return {"id": t.id, "created": _ts(t.created)}


def trusted_server_from(doc: dict[str, Any], version: int | None) -> TrustedServer:
    return TrustedServer(id=doc["id"], created=_dt(doc["created"]), version=version)  # type: ignore[arg-type]


def order_doc(o: Ordered) -> dict[str, Any]:
    return {"ids": list(o.ids)}


def order_from(doc: dict[str, Any], version: int | None) -> Ordered:
    return Ordered(ids=tuple(doc["ids"]), version=version)


def api_token_doc(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id, "name": t.name, "tokenHash": t.token_hash, "created": _ts(t.created),
        "lastUpdated": _ts(t.last_updated), "clientName": t.client_name, "userId": t.user_id,
    }


def api_token_from(doc: dict[str, Any]) -> ApiToken:
    return ApiToken(
        id=doc["id"], name=doc["name"], token_hash=doc["tokenHash"], created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), client_name=doc.get("clientName", "tokenmint"),  # type: ignore[arg-type]
        user_id=doc.get("userId"),
    )


def key_doc(k: KeyRecord) -> dict[str, Any]:
    return {
        "kid": k.kid, "status": k.status, "created": _ts(k.created), "activated": _ts(k.activated),
        "expired": _ts(k.expired), "jwk": dict(k.public_jwk),
    }


def key_from(doc: dict[str, Any]) -> KeyRecord:
    return KeyRecord(
        kid=doc["kid"], status=doc["status"], created=_dt(doc["created"]),  # type: ignore[arg-type]
        activated=_dt(doc.get("activated")), expired=_dt(doc.get("expired")), public_jwk=doc["jwk"],
    )


def client_doc(c: OAuthClient) -> dict[str, Any]:
    return {
        "clientId": c.client_id, "clientName": c.client_name, "applicationType": c.application_type,
        "tokenEndpointAuthMethod": c.token_endpoint_auth_method, "grantTypes": list(c.grant_types),
        "responseTypes": list(c.response_types), "redirectUris": list(c.redirect_uris),
        "postLogoutRedirectUris": list(c.post_logout_redirect_uris), "clientUri": c.client_uri,
        "logoUri": c.logo_uri, "jwks": c.jwks, "jwksUri": c.jwks_uri,
        "secrets": [{"id": s.id, "hash": s.hash, "status": s.status, "created": _ts(s.created),
                     "lastUpdated": _ts(s.last_updated)} for s in c.secrets],
        "status": c.status, "created": _ts(c.created), "lastUpdated": _ts(c.last_updated),
        **({"deactivated": _ts(c.deactivated)} if c.deactivated else {}),
        "consentMethod": c.consent_method, "pkceRequired": c.pkce_required,
        **({"requirePar": True} if c.require_pushed_authorization_requests else {}),
        **({"initiateLoginUri": c.initiate_login_uri} if c.initiate_login_uri else {}),
        **({"dpopBoundAccessTokens": True} if c.dpop_bound_access_tokens else {}),
        **({"app": dict(c.app)} if c.app is not None else {}),
        **({"scopeGrants": [{"id": g.id, "issuer": g.issuer, "scopeId": g.scope_id, "created": _ts(g.created),
                             "createdBy": g.created_by, "createdByType": g.created_by_type}
                            for g in c.scope_grants]} if c.scope_grants else {}),
    }


def _client_secrets(doc: dict[str, Any], created: datetime) -> tuple[ClientSecret, ...]:
    """The stored secrets; a record written before clients had several holds one ``secretHash`` (its id is derived
    from the hash, so it stays the same on every read)."""
    if "secrets" in doc:
        return tuple(ClientSecret(s["id"], s["hash"], s["status"], _dt(s["created"]),  # type: ignore[arg-type]
                                  _dt(s["lastUpdated"])) for s in doc["secrets"])  # type: ignore[arg-type]
    legacy = doc.get("secretHash")
    return (ClientSecret("ocs" + legacy[:17], legacy, "ACTIVE", created, created),) if legacy else ()


def client_from(doc: dict[str, Any], version: int | None) -> OAuthClient:
    return OAuthClient(
        client_id=doc["clientId"], client_name=doc["clientName"], application_type=doc["applicationType"],
        token_endpoint_auth_method=doc["tokenEndpointAuthMethod"], grant_types=tuple(doc["grantTypes"]),
        response_types=tuple(doc["responseTypes"]), redirect_uris=tuple(doc["redirectUris"]),
        post_logout_redirect_uris=tuple(doc.get("postLogoutRedirectUris", ())), client_uri=doc.get("clientUri"),
        logo_uri=doc.get("logoUri"), jwks=doc.get("jwks"), jwks_uri=doc.get("jwksUri"),
        secrets=_client_secrets(doc, _dt(doc["created"])),  # type: ignore[arg-type]
        status=doc["status"], created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), version=version,  # type: ignore[arg-type]
        deactivated=_dt(doc.get("deactivated")),
        # Records from before the Applications API: DCR's consent (REQUIRED) and PKCE as the method implies.
        consent_method=doc.get("consentMethod", "REQUIRED"),
        pkce_required=doc.get("pkceRequired", doc["tokenEndpointAuthMethod"] == "none"),
        require_pushed_authorization_requests=bool(doc.get("requirePar", False)),
        initiate_login_uri=doc.get("initiateLoginUri"), app=doc.get("app"),
        scope_grants=tuple(ScopeGrant(g["id"], g["issuer"], g["scopeId"], _dt(g["created"]),  # type: ignore[arg-type]
                                      g.get("createdBy"), g.get("createdByType", "User"))
                           for g in doc.get("scopeGrants", ())),
        dpop_bound_access_tokens=bool(doc.get("dpopBoundAccessTokens", False)),
    )


# -- the directory -----------------------------------------------------------------------------------------------


def user_doc(u: User) -> dict[str, Any]:
    """``passwordHash`` is the Argon2id PHC string (never the password); it never leaves storage except to be verified."""
    return {
        "id": u.id, "status": u.status, "profile": dict(u.profile), "created": _ts(u.created),
        "lastUpdated": _ts(u.last_updated), "statusChanged": _ts(u.status_changed), "activated": _ts(u.activated),
        "lastLogin": _ts(u.last_login), "passwordChanged": _ts(u.password_changed), "passwordHash": u.password_hash,
        **({"roles": [{"id": r.id, "type": r.type, "created": _ts(r.created)} for r in u.roles]} if u.roles else {}),
    }


def user_from(doc: dict[str, Any], version: int | None) -> User:
    return User(
        id=doc["id"], status=doc["status"], profile=dict(doc["profile"]), created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), status_changed=_dt(doc.get("statusChanged")),  # type: ignore[arg-type]
        activated=_dt(doc.get("activated")), last_login=_dt(doc.get("lastLogin")),
        password_changed=_dt(doc.get("passwordChanged")), password_hash=doc.get("passwordHash"), version=version,
        roles=tuple(RoleAssignment(r["id"], r["type"], _dt(r["created"]))  # type: ignore[arg-type]
                    for r in doc.get("roles", ())),
    )


def group_doc(g: Group) -> dict[str, Any]:
    return {
        "id": g.id, "name": g.name, "description": g.description, "type": g.group_type, "created": _ts(g.created),
        "lastUpdated": _ts(g.last_updated),
    }


def group_from(doc: dict[str, Any], version: int | None) -> Group:
    return Group(
        id=doc["id"], name=doc["name"], description=doc.get("description"), group_type=doc["type"],
        created=_dt(doc["created"]), last_updated=_dt(doc["lastUpdated"]), version=version,  # type: ignore[arg-type]
    )


def app_user_doc(a: AppUserAssignment) -> dict[str, Any]:
    return {
        "clientId": a.client_id, "userId": a.user_id, "userName": a.user_name, "profile": dict(a.profile),
        "created": _ts(a.created), "lastUpdated": _ts(a.last_updated),
    }


def app_user_from(doc: dict[str, Any], version: int | None) -> AppUserAssignment:
    return AppUserAssignment(
        client_id=doc["clientId"], user_id=doc["userId"], user_name=doc.get("userName"),
        profile=dict(doc.get("profile") or {}), created=_dt(doc["created"]),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), version=version,  # type: ignore[arg-type]
    )


def app_group_doc(a: AppGroupAssignment) -> dict[str, Any]:
    return {
        "clientId": a.client_id, "groupId": a.group_id, "priority": a.priority, "profile": dict(a.profile),
        "lastUpdated": _ts(a.last_updated),
    }


def app_group_from(doc: dict[str, Any], version: int | None) -> AppGroupAssignment:
    return AppGroupAssignment(
        client_id=doc["clientId"], group_id=doc["groupId"], priority=int(doc.get("priority") or 0),
        profile=dict(doc.get("profile") or {}), last_updated=_dt(doc["lastUpdated"]),  # type: ignore[arg-type]
        version=version,
    )


def trusted_origin_doc(o: TrustedOrigin) -> dict[str, Any]:
    return {
        "id": o.id, "name": o.name, "origin": o.origin, "status": o.status,
        "scopes": [{"type": s.type, **({"allowedOktaApps": list(s.allowed_okta_apps)} if s.allowed_okta_apps else {})}
                   for s in o.scopes],
        "created": _ts(o.created), "createdBy": o.created_by, "lastUpdated": _ts(o.last_updated),
        "lastUpdatedBy": o.last_updated_by,
    }


def trusted_origin_from(doc: dict[str, Any], version: int | None) -> TrustedOrigin:
    return TrustedOrigin(
        id=doc["id"], name=doc["name"], origin=doc["origin"], status=doc["status"],
        scopes=tuple(TrustedOriginScope(s["type"], tuple(s.get("allowedOktaApps") or ())) for s in doc["scopes"]),
        created=_dt(doc["created"]), created_by=doc.get("createdBy"),  # type: ignore[arg-type]
        last_updated=_dt(doc["lastUpdated"]), last_updated_by=doc.get("lastUpdatedBy"),  # type: ignore[arg-type]
        version=version,
    )
