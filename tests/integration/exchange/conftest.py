"""Fixtures of the token-exchange tests: the app in-process (root ``api``, in-memory storage)."""
from __future__ import annotations

import pytest

from tests.integration.exchange.exchange_support import Exchange
from tests.integration.refresh.refresh_support import World


@pytest.fixture
def tx(api, container) -> Exchange:
    return Exchange(World(api, container)).build()
