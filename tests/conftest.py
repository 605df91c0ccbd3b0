"""Shared fixtures. Unit tests need none of these; integration tests run the app in-process on moto."""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

# No test may ever reach real AWS: fake credentials before boto3 is imported anywhere.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def clock():
    from chalicelib.clock import FixedClock

    return FixedClock(datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def container(aws, clock):
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    import boto3

    kms_key = boto3.client("kms", region_name="us-east-1").create_key(Description="tokenmint tests")["KeyMetadata"]
    settings = Settings.from_env({"TOKENMINT_CONFIG_TABLE": "tm-config", "TOKENMINT_DIRECTORY_TABLE": "tm-directory",
                                  "TOKENMINT_GRANTS_TABLE": "tm-grants",
                                  "TOKENMINT_BASE_URL": "https://tokenmint.test",
                                  "TOKENMINT_KMS_KEY_ID": kms_key["KeyId"]})
    built = Container.build(settings, clock)
    built.bootstrap()
    set_container(built)
    yield built
    set_container(None)


@pytest.fixture
def admin_token(container) -> str:
    _token, secret = container.api_tokens.create({"name": "tests"})
    return secret


class Api:
    """chalice's in-process test client with the admin token and JSON handling filled in."""

    def __init__(self, client, token: str) -> None:
        self._client = client
        self.token = token

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | str | None = None):
        import json

        send = {"Authorization": f"SSWS {self.token}", **(headers or {})}
        payload = raw
        if body is not None:
            payload = json.dumps(body)
            send.setdefault("Content-Type", "application/json")
        response = getattr(self._client.http, method.lower())(path, headers=send, body=payload or b"")
        response.data = json.loads(response.body) if response.body else None
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(container, admin_token) -> Iterator[Api]:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client, admin_token)
