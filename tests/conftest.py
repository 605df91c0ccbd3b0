"""Shared fixtures. Unit tests need none of these; integration tests run the app in-process on moto, one moto world
per module reset before every test (tests/moto_world.py)."""
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

# moto answers some requests DynamoDB refuses: every DynamoDB client of the tests checks those rules itself.
from tests import dynamodb_rules  # noqa: E402 - after the credentials above

dynamodb_rules.install()


# Directories whose tests must share one pytest-xdist worker: e2e (one local stack and recorder, and the e2e_final
# OpenAPI check after all the traffic it must see) and infra (each stage packaged once).
ONE_WORKER = ("tests/e2e/", "tests/infra/")


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # first: pytest-xdist's own hook answers too
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 - pytest-xdist's types
    """`make test` runs on pytest-xdist workers. A work unit runs whole on one worker: all of e2e, all of infra,
    otherwise one module (its moto world is then built once, not on every worker); largest units first.

    Not ``--dist loadgroup`` with ``xdist_group`` marks: pytest-xdist 3.8.0 groups by rewriting node ids, which
    pytest 9.2 no longer lets it do, so the marks are silently ignored (pytest-xdist issue 1386)."""
    from xdist.scheduler import LoadScopeScheduling

    class SuiteScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return next((directory for directory in ONE_WORKER if module.startswith(directory)), module)

    return SuiteScheduling(config, log)


TERMINAL_SECTIONS = pytest.StashKey[list]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ANN001 - pytest-xdist's hook, on its controller
    """Keep the terminal-summary sections a worker's conftest handed over (tests/e2e/conftest.py)."""
    sections = getattr(node, "workeroutput", {}).get("terminal_sections", [])
    node.config.stash.setdefault(TERMINAL_SECTIONS, []).extend(sections)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    for title, text in config.stash.get(TERMINAL_SECTIONS, []):
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture(scope="module")
def world_start() -> datetime:
    """When the module's moto world is bootstrapped, and so when every test's ``clock`` starts."""
    return datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock(world_start):
    from chalicelib.clock import FixedClock

    return FixedClock(world_start)


@pytest.fixture(scope="module")
def moto_world(request, world_start):
    """moto with a KMS key, the tables and ``default``, built once per module (tests/moto_world.py). Storage is the
    in-memory backend unless the module is marked ``dynamodb``: it then stands on DynamoDB (moto), for tests that
    prove DynamoDB's semantics or read its items. tests/contract keeps the two backends interchangeable."""
    from moto import mock_aws

    from tests.moto_world import MotoWorld

    on_dynamodb = request.node.get_closest_marker("dynamodb") is not None
    with mock_aws():
        yield MotoWorld.build(world_start, memory=not on_dynamodb)


@pytest.fixture
def container(moto_world, clock):
    """A new container over the module's moto world, put back to its bootstrapped state first."""
    from chalicelib.container import set_container

    moto_world.restore()
    built = moto_world.container(clock)
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
