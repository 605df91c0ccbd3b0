"""Helpers of the "changes take effect at once" tests (docs/ARCHITECTURE.md "Staleness bound"): a server with one
scope and a client_credentials client, and the token endpoint called on a chosen container."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt

from chalicelib.container import Container, set_container
from tests.integration.refresh.refresh_support import App, World

SCOPE = "fresh:read"


@contextmanager
def on(container: Container) -> Iterator[None]:
    """Serve the requests of the block from ``container`` (another warm Lambda instance of the same deployment)."""
    set_container(container)
    try:
        yield
    finally:
        set_container(None)


def setup_server(world: World) -> dict[str, Any]:
    """A scope on ``default``, a client_credentials client, and the default policy and rule of the server."""
    api = world.api
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": SCOPE}).status_code == 201
    app = world.client(grants=("client_credentials",), application_type="service")
    policies = api.get("/api/v1/authorizationServers/default/policies").data
    policy = policies[0]["id"]
    rules = api.get(f"/api/v1/authorizationServers/default/policies/{policy}/rules").data
    assert len(policies) == 1 and len(rules) == 1, "the default server starts with one policy and one rule"
    return {"app": app, "policy": policy, "rule": rules[0]["id"]}


def cc_token(world: World, app: App, server: str = "default"):
    return world.token(app, server, grant_type="client_credentials", scope=SCOPE)


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def active_kid(world: World) -> str:
    keys = world.api.get("/api/v1/authorizationServers/default/credentials/keys").data
    return next(k["kid"] for k in keys if k["status"] == "ACTIVE")
