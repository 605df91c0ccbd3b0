"""The fixtures of the management-API and storage integration tests, shared by both directories' conftests.

They keep the root fixtures' names (``container``, ``clock``, ``admin_token``, hence also ``api``) but back them with
one world per module that is reset after every test: in-memory storage unless the module is marked ``dynamodb``
(see ``apisupport``).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.api.apisupport import World, build_world


@pytest.fixture(scope="module")
def world(request) -> Iterator[World]:
    """A module sets ``OTHER_SERVER = True`` to get a second server (``other`` fixture) in every test's start state."""
    from moto import mock_aws

    with mock_aws():
        yield build_world(other=getattr(request.module, "OTHER_SERVER", False),
                          memory=request.node.get_closest_marker("dynamodb") is None)


@pytest.fixture
def container(world):
    from chalicelib.container import set_container

    set_container(world.container)
    yield world.container
    set_container(None)
    world.reset()


@pytest.fixture
def clock(world, container):
    return world.clock


@pytest.fixture
def admin_token(world, container) -> str:
    return world.token


@pytest.fixture
def client(container):
    """chalice's test client without any default header (for authentication tests)."""
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def other(world, container) -> dict[str, str]:
    """Ids of the second server and its scope, policy and rule (modules with ``OTHER_SERVER = True``)."""
    assert world.other, "set OTHER_SERVER = True in this module"
    return world.other


@pytest.fixture
def default_ids(world, container) -> dict[str, str]:
    """Ids of the default server, its seeded policy and that policy's default rule."""
    return dict(world.default)


@pytest.fixture(scope="module")
def repo(world):
    """The world's configuration store itself, under the admin services and their change notices (storage-level
    tests and races)."""
    return world.container.storage.config
