"""Lost races are re-run inside the request unless the caller asked for a precondition (api/conflict_retry.py)."""
from __future__ import annotations

import pytest

from chalicelib.api.conflict_retry import ATTEMPTS, MAX_PAUSE, pauses, retrying
from chalicelib.errors import ConcurrentWriteError, ConflictError


class Flaky:
    """A view that loses ``races`` races before it succeeds."""

    def __init__(self, races: int, error: type[Exception] = ConcurrentWriteError) -> None:
        self.races = races
        self.error = error
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.races:
            raise self.error("changed by another request at the same time")
        return ("done", args, kwargs)


def run(view, precondition=False):
    slept: list[float] = []
    wrapped = retrying(view, lambda: precondition, sleep=slept.append, schedule=lambda: [0.01] * (ATTEMPTS - 1))
    return wrapped, slept


def test_a_lost_race_is_run_again_with_the_same_arguments():
    view = Flaky(races=3)
    wrapped, slept = run(view)
    assert wrapped("aus1", policyId="00p1") == ("done", ("aus1",), {"policyId": "00p1"})
    assert view.calls == 4 and slept == [0.01] * 3


def test_retries_are_bounded_and_the_last_conflict_is_answered():
    view = Flaky(races=ATTEMPTS)
    wrapped, slept = run(view)
    with pytest.raises(ConcurrentWriteError):
        wrapped()
    assert view.calls == ATTEMPTS and len(slept) == ATTEMPTS - 1


def test_a_caller_who_sent_if_match_gets_the_conflict_at_once():
    view = Flaky(races=1)
    wrapped, slept = run(view, precondition=True)
    with pytest.raises(ConcurrentWriteError):
        wrapped()
    assert view.calls == 1 and slept == []


def test_other_conflicts_are_never_repeated():
    view = Flaky(races=1, error=ConflictError)  # e.g. a rotation that ran at the same time
    wrapped, _ = run(view)
    with pytest.raises(ConflictError):
        wrapped()
    assert view.calls == 1


def test_pauses_grow_are_capped_and_jittered():
    low = pauses(jitter=lambda: 0.0)
    high = pauses(jitter=lambda: 0.999)
    assert len(low) == ATTEMPTS - 1
    assert low == sorted(low) and low[0] < low[-1]
    assert max(high) < MAX_PAUSE * 1.5 and all(h > lo for h, lo in zip(high, low))
