"""The world the flow benchmarks run in, made through the management API of the app under test (as an admin's
script would): an admin API token, a person with a password, a web app (code + PKCE, refresh) and a native app (password,
refresh) assigned to everyone, and a rule on the ``default`` server's default policy that lets it use those grants with every scope.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from bench.gateway import BASE_URL, Gateway

PASSWORD = "Tokenm1nt-Secret-2026"
LOGIN = "bench.person@example.com"
REDIRECT_URI = "https://app.example/callback"
USER_SCOPES = "openid profile email offline_access"


@dataclass
class World:
    gateway: Gateway
    admin: dict[str, str]  # the Authorization header of an admin API token (SSWS, what Okta's SDKs send)
    server_id: str
    issuer: str
    user_id: str
    web_id: str
    web_secret: str
    native_id: str  # the password grant's app
    native_secret: str
    service_id: str
    service_secret: str

    @property
    def oauth(self) -> str:
        """Path prefix of the default server's OAuth endpoints."""
        return "/oauth2/default"

    def basic(self, client_id: str, secret: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}

    def web(self) -> dict[str, str]:
        return self.basic(self.web_id, self.web_secret)

    def native(self) -> dict[str, str]:
        return self.basic(self.native_id, self.native_secret)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def _ok(reply: Any, *statuses: int) -> Any:
    if reply.status not in statuses:
        raise SystemExit(f"bench set-up failed: {reply.status} {reply.body[:500]}")
    return reply.json() if reply.body else None


def build(app: Any, container: Any, service_id: str, service_secret: str) -> World:
    gateway = Gateway(app)
    _token, secret = container.api_tokens.create({"name": "bench admin"})
    admin = {"Authorization": f"SSWS {secret}", "Accept": "application/json"}

    def call(method: str, path: str, body: Any = None, *statuses: int) -> Any:
        headers = {**admin, "Content-Type": "application/json"} if body is not None else admin
        return _ok(gateway.request(method, path, headers, json.dumps(body) if body is not None else None),
                   *(statuses or (200,)))

    server = call("GET", "/api/v1/authorizationServers/default")
    user = call("POST", "/api/v1/users?activate=true", {
        "profile": {"login": LOGIN, "email": LOGIN, "firstName": "Bench", "lastName": "Person"},
        "credentials": {"password": {"value": PASSWORD}}})
    web = call("POST", "/oauth2/v1/clients", {
        "client_name": "bench web app", "application_type": "web",
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "client_secret_basic"}, 201)
    # Okta allows the password grant to native apps only.
    native = call("POST", "/oauth2/v1/clients", {
        "client_name": "bench native app", "application_type": "native",
        "grant_types": ["authorization_code", "password", "refresh_token"], "response_types": ["code"],
        "redirect_uris": ["com.example.bench:/callback"], "token_endpoint_auth_method": "client_secret_basic"}, 201)
    for app_id in (web["client_id"], native["client_id"]):
        call("PUT", f"/api/v1/apps/{app_id}/groups/00gEveryoneBuiltIn00", {}, 200)
    policies = call("GET", f"/api/v1/authorizationServers/{server['id']}/policies")
    policy = policies[0]
    call("POST", f"/api/v1/authorizationServers/{server['id']}/policies/{policy['id']}/rules", {
        "type": "RESOURCE_ACCESS", "name": "bench people", "priority": 1,
        "conditions": {"grantTypes": {"include": ["authorization_code", "password"]},
                       "people": {"groups": {"include": ["EVERYONE"]}}, "scopes": {"include": ["*"]}},
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080}}}, 201)
    return World(gateway=gateway, admin=admin, server_id=server["id"], issuer=server["issuer"], user_id=user["id"],
                 web_id=web["client_id"], web_secret=web["client_secret"], native_id=native["client_id"],
                 native_secret=native["client_secret"], service_id=service_id,
                 service_secret=service_secret)


__all__ = ["BASE_URL", "LOGIN", "PASSWORD", "REDIRECT_URI", "USER_SCOPES", "World", "build", "pkce"]
