"""Rotation integration fixtures: the root ``container``/``api`` on moto, with a clock that starts at the real time.

Why not the root clock (2026-01-01): the orphan sweep compares Secrets Manager's ``CreatedDate`` of a secret (moto
stamps it with the wall clock) with the service clock. Starting the injected clock at the wall-clock time makes the
two agree the way they do in AWS, so "orphaned material is kept for ORPHAN_GRACE, then swept" can be tested by
advancing the clock. Tests that advance it by days are then, by Secrets Manager's dates, looking at material created
days ago, which is what the sweep is meant to clean up.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture
def clock():
    from chalicelib.clock import FixedClock

    return FixedClock(datetime.now(timezone.utc).replace(microsecond=0))


@pytest.fixture
def chalice_client(container):
    """chalice's test client, for the scheduled function (the ``api`` fixture wraps its HTTP side)."""
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield client
