"""Rotation integration fixtures: the root ``container``/``api`` on moto, with a world (and so every test's clock)
that starts at the real time, when the module's world is built.

Why not the root start (2026-01-01): the orphan sweep compares Secrets Manager's ``CreatedDate`` of a secret (moto
stamps it with the wall clock) with the service clock. Starting the injected clock at the wall-clock time makes the
two agree the way they do in AWS (to within the seconds the module has run), so "orphaned material is kept for
ORPHAN_GRACE, then swept" can be tested by advancing the clock. Tests that advance it by days are then, by Secrets
Manager's dates, looking at material created days ago, which is what the sweep is meant to clean up.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture(scope="module")
def world_start() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def chalice_client(container):
    """chalice's test client, for the scheduled function (the ``api`` fixture wraps its HTTP side)."""
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield client
