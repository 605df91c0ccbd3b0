"""Fixtures of the device-flow integration tests: the app in-process on a module world (in-memory storage, moto's KMS)
with users, a group, a native app registered for the device grant (and refresh tokens), a native app without it,
a REQUIRED-consent scope and a rule of the default policy listing the device grant's URN for the native app
(priority 1; the default rule, which does not list it, stays last). Restored after every test."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from tests.conftest import Api
from tests.integration.authorize.authorize_support import PASSWORD, Browser
from tests.moto_world import REGION, START, test_settings

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CONSENT_SCOPE = "tv:watch"


@dataclass
class DeviceWorld:
    container: Any
    clock: Any
    api: Api
    client: Any
    snapshot: Any = None
    users: dict[str, dict] = field(default_factory=dict)
    clients: dict[str, dict] = field(default_factory=dict)
    server_id: str = ""
    policy_id: str = ""
    rule_id: str = ""

    def reset(self) -> None:
        self.container.storage.restore(self.snapshot)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.data)
    return response.data


@pytest.fixture(scope="module")
def dworld() -> Iterator[DeviceWorld]:
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
        container = Container.build(settings, clock, storage=InMemoryStorage())
        container.bootstrap()
        _token, secret = container.api_tokens.create({"name": "tests"})
        set_container(container)
        with Client(app) as client:
            api = Api(client, secret)
            world = DeviceWorld(container=container, clock=clock, api=api, client=client)
            world.server_id = container.servers.load("default").server.id
            base = f"/api/v1/authorizationServers/{world.server_id}"
            _ok(api.post(f"{base}/scopes", {"name": CONSENT_SCOPE, "consent": "REQUIRED",
                                            "displayName": "Watch <TV>", "description": "Play videos."}), 201)
            for name in ("alice", "bob", "mallory"):
                world.users[name] = _ok(api.post("/api/v1/users?activate=true", {
                    "profile": {"login": f"{name}@example.com", "email": f"{name}@example.com",
                                "firstName": name.capitalize(), "lastName": "Tester"},
                    "credentials": {"password": {"value": PASSWORD}}}))
            registrations = {
                "tv": {"application_type": "native", "token_endpoint_auth_method": "none",
                       "grant_types": ["authorization_code", DEVICE_GRANT, "refresh_token"],
                       "response_types": ["code"], "redirect_uris": ["com.example.tv:/cb"],
                       "client_name": "Living Room TV"},
                "other_tv": {"application_type": "native", "token_endpoint_auth_method": "none",
                             "grant_types": ["authorization_code", DEVICE_GRANT],
                             "response_types": ["code"], "redirect_uris": ["com.example.other:/cb"],
                             "client_name": "Other TV"},
                "no_device": {"application_type": "native", "token_endpoint_auth_method": "none",
                              "grant_types": ["authorization_code"], "response_types": ["code"],
                              "redirect_uris": ["com.example.app:/cb"], "client_name": "No Device"},
            }
            for name, body in registrations.items():
                world.clients[name] = _ok(api.post("/oauth2/v1/clients", body), 201)
                for user in ("alice", "mallory"):
                    _ok(api.post(f"/api/v1/apps/{world.clients[name]['client_id']}/users",
                                 {"id": world.users[user]["id"]}))
            policies = _ok(api.get(f"{base}/policies"))
            world.policy_id = policies[0]["id"]
            rule = _ok(api.post(f"{base}/policies/{world.policy_id}/rules", {
                "name": "Devices", "type": "RESOURCE_ACCESS", "priority": 1,
                "conditions": {"people": {"groups": {"include": ["EVERYONE"]}},
                               "grantTypes": {"include": [DEVICE_GRANT]}, "scopes": {"include": ["*"]}},
                "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                      "refreshTokenWindowMinutes": 10080}}}), 201)
            world.rule_id = rule["id"]
            world.snapshot = container.storage.snapshot()
            yield world
        set_container(None)


@pytest.fixture
def dev(dworld) -> Iterator[DeviceWorld]:
    from chalicelib.container import set_container

    set_container(dworld.container)
    yield dworld
    dworld.reset()


@pytest.fixture
def browser(dev) -> Browser:
    return Browser(dev.client)
