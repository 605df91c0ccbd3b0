"""Fixtures of the front-channel integration tests: the app in-process, built once per module with a world of users,
a group, clients and scopes (snapshotted, restored after every test, like ``tests/integration/api``), and
``TOKENMINT_CACHE_SECONDS=0`` so that a client or configuration a test changes is seen at once. Storage is the
in-memory backend (tests/contract holds it to DynamoDB's behaviour) unless the module is marked ``dynamodb``; KMS and
Secrets Manager are moto's either way."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from authorize_support import (CONSENT_SCOPE, FLEX_SCOPE, LOGGED_OUT, PASSWORD, SPA_CB, WEB_CB, Browser)
from tests.conftest import Api
from tests.integration.api.apisupport import REGION, START, _backend, test_settings  # noqa: F401


@dataclass
class FrontWorld:
    container: Any
    clock: Any
    api: Api
    client: Any
    snapshot: Any
    users: dict[str, dict] = field(default_factory=dict)
    clients: dict[str, dict] = field(default_factory=dict)
    group: dict = field(default_factory=dict)
    server_id: str = ""

    def reset(self) -> None:
        """Tables back to the snapshot. The clock is not wound back: the token path's caches remember when they
        read, and an entry "read in the future" would look fresh (time only moves forward in production)."""
        memory = getattr(self.container.storage, "restore", None)
        if memory is not None:
            memory(self.snapshot)
            return
        tables = _backend().tables
        for name, items in self.snapshot.items():
            tables[name].items = copy.deepcopy(items)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.data)
    return response.data


@pytest.fixture(scope="module")
def fworld(request) -> Iterator[FrontWorld]:
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.clock import FixedClock
    from chalicelib.container import Container, set_container
    from chalicelib.storage.memory import InMemoryStorage

    with mock_aws():
        kms_key = boto3.client("kms", region_name=REGION).create_key(Description="tests")["KeyMetadata"]
        settings = test_settings(TOKENMINT_KMS_KEY_ID=kms_key["KeyId"], TOKENMINT_CACHE_SECONDS="0")
        clock = FixedClock(START)
        on_dynamodb = request.node.get_closest_marker("dynamodb") is not None
        container = Container.build(settings, clock, storage=None if on_dynamodb else InMemoryStorage())
        container.bootstrap()
        _token, secret = container.api_tokens.create({"name": "tests"})
        set_container(container)
        with Client(app) as client:
            api = Api(client, secret)
            world = FrontWorld(container=container, clock=clock, api=api, client=client, snapshot={})
            world.server_id = container.servers.load("default").server.id
            scopes = f"/api/v1/authorizationServers/{world.server_id}/scopes"
            _ok(api.post(scopes, {"name": CONSENT_SCOPE, "consent": "REQUIRED", "displayName": "Read your <b>data",
                                  "description": "Lets the app read your data & more."}), 201)
            _ok(api.post(scopes, {"name": FLEX_SCOPE, "consent": "FLEXIBLE", "displayName": "Flexible reading",
                                  "description": "Optional reading."}), 201)
            for name in ("alice", "bob", "carol", "dave"):
                world.users[name] = _ok(api.post("/api/v1/users?activate=true", {
                    "profile": {"login": f"{name}@example.com", "email": f"{name}@example.com",
                                "firstName": name.capitalize(), "lastName": "Tester"},
                    "credentials": {"password": {"value": PASSWORD}}}))
            world.group = _ok(api.post("/api/v1/groups", {"profile": {"name": "front-testers"}}))
            _ok(api.put(f"/api/v1/groups/{world.group['id']}/users/{world.users['carol']['id']}"), 204)
            registrations = {
                "web": {"application_type": "web", "grant_types": ["authorization_code", "refresh_token"],
                        "response_types": ["code"], "redirect_uris": [WEB_CB, "https://app.example/q?a=1"],
                        "post_logout_redirect_uris": [LOGGED_OUT],
                        "client_name": "Web <App> & \"Co\""},
                "spa": {"application_type": "browser", "token_endpoint_auth_method": "none",
                        "grant_types": ["authorization_code"], "response_types": ["code"],
                        "redirect_uris": [SPA_CB, "http://localhost:8080/cb"], "client_name": "SPA"},
                "hybrid": {"application_type": "web", "grant_types": ["authorization_code", "implicit"],
                           "response_types": ["code", "token", "id_token"], "redirect_uris": [WEB_CB],
                           "client_name": "Hybrid"},
                "other": {"application_type": "web", "grant_types": ["authorization_code"],
                          "response_types": ["code"], "redirect_uris": [WEB_CB], "client_name": "Other"},
            }
            for name, body in registrations.items():
                world.clients[name] = _ok(api.post("/oauth2/v1/clients", body), 201)
                client_id = world.clients[name]["client_id"]
                for user in ("alice", "dave"):
                    _ok(api.post(f"/api/v1/apps/{client_id}/users", {"id": world.users[user]["id"]}))
                _ok(api.put(f"/api/v1/apps/{client_id}/groups/{world.group['id']}", {}))
            world.snapshot = container.storage.snapshot() if not on_dynamodb else \
                {name: copy.deepcopy(t.items) for name, t in _backend().tables.items()}
            yield world
        set_container(None)


@pytest.fixture
def front(fworld) -> Iterator[FrontWorld]:
    from chalicelib.container import set_container

    set_container(fworld.container)
    yield fworld
    fworld.reset()


@pytest.fixture
def browser(front) -> Browser:
    return Browser(front.client)


@pytest.fixture
def browser2(front) -> Browser:
    return Browser(front.client)
