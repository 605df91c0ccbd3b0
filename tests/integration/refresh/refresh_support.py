"""Helpers of the refresh-token, password-grant and userinfo integration tests (imported as ``refresh_support``).

Everything goes through the app in-process on moto (the root ``api`` fixture): users, groups and assignments
through the directory API, clients through ``/oauth2/v1/clients``, tokens through ``/oauth2/{id}/v1/token``.
"""
from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import boto3
import jwt

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "Tokenm1nt-Secret"
BASE = "https://tokenmint.test"
INVALID_RT = {"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."}
BAD_CREDENTIALS = {"error": "invalid_grant", "error_description": "The credentials provided were invalid."}

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


@dataclass
class App:
    client_id: str
    secret: str | None

    def auth(self) -> dict[str, str]:
        if self.secret is None:
            return {}
        basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {basic}"}

    def body(self) -> dict[str, str]:
        return {} if self.secret is not None else {"client_id": self.client_id}


@dataclass
class Person:
    id: str
    login: str
    password: str = PASSWORD


@dataclass
class World:
    api: Any
    container: Any
    server: str = "default"
    apps: dict[str, App] = field(default_factory=dict)

    # -- directory ---------------------------------------------------------------------------------------------

    def user(self, name: str | None = None, password: str = PASSWORD, **profile: str) -> Person:
        name = name or unique("person")
        body = {"profile": {"login": f"{name}@example.com", "email": f"{name}@example.com",
                            "firstName": name.capitalize(), "lastName": "Tester", **profile},
                "credentials": {"password": {"value": password}}}
        response = self.api.post("/api/v1/users?activate=true", body)
        assert response.status_code == 200, response.data
        return Person(response.data["id"], f"{name}@example.com", password)

    def client(self, *, grants: tuple[str, ...] = ("authorization_code", "password", "refresh_token"),
               method: str = "client_secret_basic", application_type: str = "native", assign: tuple[Person, ...] = (),
               name: str | None = None) -> App:
        body: dict[str, Any] = {"client_name": name or unique("app-"), "application_type": application_type,
                                "grant_types": list(grants), "token_endpoint_auth_method": method}
        if "authorization_code" in grants:
            body["redirect_uris"] = ["com.example.app:/callback"] if application_type == "native" \
                else ["https://app.example.com/callback"]
        response = self.api.post("/oauth2/v1/clients", body)
        assert response.status_code == 201, response.data
        app = App(response.data["client_id"], response.data.get("client_secret"))
        for person in assign:
            self.assign(app, person)
        return app

    def assign(self, app: App, person: Person) -> None:
        response = self.api.post(f"/api/v1/apps/{app.client_id}/users", {"id": person.id})
        assert response.status_code == 200, response.data

    def lifecycle(self, person: Person, action: str) -> None:
        response = self.api.post(f"/api/v1/users/{person.id}/lifecycle/{action}")
        assert response.status_code == 200, response.data

    # -- the token endpoint --------------------------------------------------------------------------------------

    def _oauth(self, method: str, path: str, headers: dict[str, str], raw: str | bytes = b""):
        """An OAuth endpoint call without the admin token (``api.call`` always sends it)."""
        response = getattr(self.api._client.http, method.lower())(path, headers=headers, body=raw)
        response.data = json.loads(response.body) if response.body else None
        return response

    def token(self, app: App, server: str | None = None, **params: str):
        form = {**app.body(), **params}
        return self._oauth("POST", f"/oauth2/{server or self.server}/v1/token", {**FORM, **app.auth()},
                           urlencode(form))

    def password(self, app: App, person: Person, scope: str | None = "openid profile email offline_access",
                 server: str | None = None, **extra: str):
        params = {"grant_type": "password", "username": person.login, "password": person.password, **extra}
        if scope is not None:
            params["scope"] = scope
        return self.token(app, server, **params)

    def signed_in(self, app: App, person: Person, scope: str = "openid profile email offline_access") -> dict:
        response = self.password(app, person, scope)
        assert response.status_code == 200, response.data
        return response.data

    def refresh(self, app: App, refresh_token: str, server: str | None = None, **extra: str):
        return self.token(app, server, grant_type="refresh_token", refresh_token=refresh_token, **extra)

    def introspect(self, app: App, token: str, server: str | None = None, **extra: str):
        return self._oauth("POST", f"/oauth2/{server or self.server}/v1/introspect", {**FORM, **app.auth()},
                           urlencode({**app.body(), "token": token, **extra}))

    def revoke(self, app: App, token: str, server: str | None = None, **extra: str):
        return self._oauth("POST", f"/oauth2/{server or self.server}/v1/revoke", {**FORM, **app.auth()},
                           urlencode({**app.body(), "token": token, **extra}))

    def userinfo(self, access_token: str | None, method: str = "GET", server: str | None = None,
                 headers: dict[str, str] | None = None, raw: str | None = None):
        send = dict(headers or {})
        if access_token is not None:
            send["Authorization"] = f"Bearer {access_token}"
        return self._oauth(method, f"/oauth2/{server or self.server}/v1/userinfo", send, raw or b"")

    def advance(self, **delta: float) -> None:
        self.container.clock.advance(**delta)


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims without verification (the tests check signatures elsewhere)."""
    return jwt.decode(token, options={"verify_signature": False})


def grants_items() -> list[dict]:
    """Every item of the grants table as DynamoDB stores it."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    items, start = [], None
    while True:
        page = client.scan(TableName="tm-grants", **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items
