"""Helpers of the token preview integration tests (imported as ``tests.integration.preview.preview_api_support``):
configuration through the admin API, real tokens from ``/v1/token``, previews from ``/tokenPreview``."""
from __future__ import annotations

import base64
import itertools
from typing import Any
from urllib.parse import urlencode

import jwt

SERVERS = "/api/v1/authorizationServers"
CLIENTS = "/oauth2/v1/clients"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "Tokenm1nt-Secret"
# Claims that differ between two tokens minted from the same configuration: when, and the token's own id.
VOLATILE = {"jti", "iat", "exp", "auth_time"}

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.data
    return response.data


def new_server(api: Any) -> str:
    """A fresh server: no policies, the system scopes and claims. Fresh ids also keep the token endpoint's
    per-container configuration cache out of the comparison."""
    name = unique("preview-")
    return created(api.post(SERVERS, {"name": name, "audiences": [f"api://{name}"]}))["id"]


def add_scope(api: Any, sid: str, name: str, **extra: Any) -> None:
    created(api.post(f"{SERVERS}/{sid}/scopes", {"name": name, **extra}))


def add_policy(api: Any, sid: str, name: str, clients: list[str] | None = None, status: str = "ACTIVE") -> str:
    body = {"type": "OAUTH_AUTHORIZATION_POLICY", "name": name, "description": name, "status": status,
            "conditions": {"clients": {"include": clients or ["ALL_CLIENTS"]}}}
    return created(api.post(f"{SERVERS}/{sid}/policies", body))["id"]


def add_rule(api: Any, sid: str, pid: str, name: str, *, grants: list[str] | None = None,
             scopes: list[str] | None = None, groups: list[str] | None = None, users: list[str] | None = None,
             groups_exclude: list[str] | None = None, status: str = "ACTIVE", minutes: int = 60,
             refresh_minutes: int = 0, window_minutes: int = 10080) -> str:
    people: dict[str, Any] = {"groups": {"include": groups if groups is not None else ["EVERYONE"]}}
    if groups_exclude:
        people["groups"]["exclude"] = groups_exclude
    if users:
        people["users"] = {"include": users}
    body = {
        "type": "RESOURCE_ACCESS", "name": name, "status": status,
        "conditions": {"people": people, "grantTypes": {"include": grants or ["client_credentials"]},
                       "scopes": {"include": scopes or ["*"]}},
        "actions": {"token": {"accessTokenLifetimeMinutes": minutes, "refreshTokenLifetimeMinutes": refresh_minutes,
                              "refreshTokenWindowMinutes": window_minutes}},
    }
    return created(api.post(f"{SERVERS}/{sid}/policies/{pid}/rules", body))["id"]


def add_claim(api: Any, sid: str, name: str, value: str, *, claim_type: str = "RESOURCE",
              value_type: str = "EXPRESSION", scopes: list[str] | None = None, status: str = "ACTIVE",
              group_filter_type: str | None = None, always: bool = True) -> str:
    body: dict[str, Any] = {"name": name, "claimType": claim_type, "valueType": value_type, "value": value,
                            "status": status, "conditions": {"scopes": scopes or []},
                            "alwaysIncludeInToken": always}
    if group_filter_type:
        body["group_filter_type"] = group_filter_type
    return created(api.post(f"{SERVERS}/{sid}/claims", body))["id"]


def service_client(api: Any, name: str | None = None) -> tuple[str, str]:
    data = created(api.post(CLIENTS, {"client_name": name or unique("svc-"), "application_type": "service",
                                      "grant_types": ["client_credentials"]}))
    return data["client_id"], data["client_secret"]


def native_client(api: Any, grants: list[str] | None = None) -> tuple[str, str]:
    """A confidential native app allowed the password grant (and refresh tokens)."""
    data = created(api.post(CLIENTS, {
        "client_name": unique("native-"), "application_type": "native",
        "grant_types": grants or ["authorization_code", "password", "refresh_token"],
        "redirect_uris": ["com.example.app:/callback"], "token_endpoint_auth_method": "client_secret_basic"}))
    return data["client_id"], data["client_secret"]


def web_client(api: Any) -> str:
    data = created(api.post(CLIENTS, {"client_name": unique("web-"), "application_type": "web",
                                      "grant_types": ["authorization_code", "implicit", "refresh_token"],
                                      "response_types": ["code", "token", "id_token"],
                                      "redirect_uris": ["https://app.example/cb"]}))
    return data["client_id"]


def new_user(api: Any, **profile: str) -> dict[str, Any]:
    name = unique("user")
    body = {"profile": {"login": f"{name}@example.com", "email": f"{name}@example.com",
                        "firstName": name.capitalize(), "lastName": "Tester", **profile},
            "credentials": {"password": {"value": PASSWORD}}}
    return created(api.post("/api/v1/users", body), 200)


def new_group(api: Any, *members: str) -> str:
    gid = created(api.post("/api/v1/groups", {"profile": {"name": unique("team-")}}), 200)["id"]
    for user_id in members:
        assert api.put(f"/api/v1/groups/{gid}/users/{user_id}").status_code == 204
    return gid


def assign_everyone(api: Any, client_id: str) -> None:
    assert api.put(f"/api/v1/apps/{client_id}/groups/00gEveryoneBuiltIn00", {}).status_code == 200


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def real_token(api: Any, sid: str, client_id: str, secret: str, scopes: list[str] | None, **params: str) -> Any:
    """The token endpoint's answer (the admin token is not sent: the client authenticates)."""
    form = {"grant_type": params.pop("grant_type", "client_credentials"), **params}
    if scopes is not None:
        form["scope"] = " ".join(scopes)
    return api.call("POST", f"/oauth2/{sid}/v1/token", headers={**FORM, **basic(client_id, secret)},
                    raw=urlencode(form))


def preview(api: Any, sid: str, **body: Any) -> Any:
    return api.post(f"{SERVERS}/{sid}/tokenPreview", body)


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, without verification (the comparison is about content)."""
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def stable(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in VOLATILE}
