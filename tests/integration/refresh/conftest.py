"""Fixtures of the refresh-token, password-grant and userinfo tests: the app in-process on moto (root ``api``)."""
from __future__ import annotations

import pytest

from refresh_support import World


@pytest.fixture
def world(api, container) -> World:
    return World(api, container)


@pytest.fixture
def alice(world):
    return world.user("alice")


@pytest.fixture
def app(world, alice):
    """A native app registered for password and refresh_token, with a secret, alice assigned."""
    return world.client(assign=(alice,))
