"""Helpers of the token-exchange integration tests: two servers (A, the default, where a person signs in with the
password grant; B, where a service app exchanges A's tokens), the service app, and the requests."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from tests.integration.api.apisupport import SERVERS, policy_body, rule_body, scope_body
from tests.integration.refresh.refresh_support import App, Person, World

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class Exchange:
    """The world of an exchange: ``a`` (the default server's id) and ``b`` (a second server), each with a custom
    scope and a policy whose rule lets token exchange through; a person ``alice`` with a native app ``mobile`` on
    A; a service app ``api1`` registered for client credentials and token exchange."""

    world: World
    a: str = ""
    b: str = ""
    b_audience: str = "api://b"
    alice: Person | None = None
    mobile: App | None = None
    api1: App | None = None
    rules: dict[str, str] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> Any:
        return self.world.api

    def build(self) -> "Exchange":
        api = self.api
        self.a = api.get(f"{SERVERS}/default").data["id"]
        created = api.post(SERVERS, {"name": "B", "audiences": [self.b_audience], "description": "second"})
        assert created.status_code == 201, created.data
        self.b = created.data["id"]
        for server, prefix in ((self.a, "a"), (self.b, "b")):
            for name in (f"{prefix}:read", f"{prefix}:write"):
                response = api.post(f"{SERVERS}/{server}/scopes", scope_body(name=name, consent="IMPLICIT"))
                assert response.status_code == 201, response.data
            policy = api.post(f"{SERVERS}/{server}/policies", policy_body(name=f"exchange at {prefix}", priority=1))
            assert policy.status_code == 201, policy.data
            self.policies[server] = policy.data["id"]
            rule = api.post(f"{SERVERS}/{server}/policies/{policy.data['id']}/rules", rule_body(
                name="API1 to API2", conditions={"people": {"groups": {"include": ["EVERYONE"]}},
                                                 "grantTypes": {"include": [TOKEN_EXCHANGE]},
                                                 "scopes": {"include": [f"{prefix}:read"]}}))
            assert rule.status_code == 201, rule.data
            self.rules[server] = rule.data["id"]
        self.alice = self.world.user("alice")
        self.mobile = self.world.client(assign=(self.alice,))
        self.api1 = self.service_app()
        return self

    def service_app(self, grants: tuple[str, ...] = ("client_credentials", TOKEN_EXCHANGE)) -> App:
        return self.world.client(grants=grants, application_type="service")

    def trust(self, server: str, *trusted: str) -> Any:
        return self.api.post(f"{SERVERS}/{server}/associatedServers", {"trusted": list(trusted)})

    def user_token(self, person: Person | None = None, scope: str = "openid a:read") -> str:
        response = self.world.password(self.mobile, person or self.alice, scope, server="default")
        assert response.status_code == 200, response.data
        return str(response.data["access_token"])

    def exchange(self, subject_token: str, *, server: str | None = None, app: App | None = None,
                 **params: str) -> Any:
        server = server or self.b
        audience = self.b_audience if server == self.b else "api://default"
        form = {"grant_type": TOKEN_EXCHANGE, "subject_token": subject_token,
                "subject_token_type": ACCESS_TOKEN_TYPE, "audience": audience,
                "scope": "b:read" if server == self.b else "a:read", **params}
        form = {k: v for k, v in form.items() if v is not None}
        return self.world.token(app or self.api1, server, **form)
