"""Lambda INIT without the garbage collector (chalicelib.coldstart)."""
from __future__ import annotations

import gc

import pytest

from chalicelib.coldstart import init_phase


@pytest.fixture
def collector():
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_during_the_phase_and_on_again_after(collector):
    gc.enable()
    with init_phase():
        assert not gc.isenabled()
        built = [{"object": i} for i in range(100)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)  # what the phase built is never walked again


def test_a_collector_that_was_off_stays_off(collector):
    gc.disable()
    with init_phase():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_failing_phase_still_restores_the_collector(collector):
    gc.enable()
    with pytest.raises(ImportError):
        with init_phase():
            raise ImportError("a module failed to import")
    assert gc.isenabled()


def test_the_app_module_leaves_the_collector_on(collector):
    import app  # noqa: F401 - importing it is the point

    assert gc.isenabled()
