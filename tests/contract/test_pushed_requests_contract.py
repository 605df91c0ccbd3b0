"""Pushed authorization requests (RFC 9126) on both backends: created once, taken once (the take deletes on
condition of the version it read, so of two interleaved takes exactly one wins: PAR-01, checklist H-04), never
after expiry, even when TTL has not deleted the item yet (DDB-05)."""
from __future__ import annotations

from datetime import timedelta

from tests.contract.conftest import T0

LATER = T0 + timedelta(seconds=60)


def test_a_pushed_request_is_created_once_and_taken_once(storage):
    pushed = storage.pushed_requests
    assert pushed.create_pushed_request("h1", {"clientId": "0oa1"}, LATER) is True
    assert pushed.create_pushed_request("h1", {"clientId": "0oa9"}, LATER) is False
    record = pushed.take_pushed_request("h1", T0)
    assert record is not None and record["clientId"] == "0oa1"
    assert pushed.take_pushed_request("h1", T0) is None
    assert pushed.take_pushed_request("unknown", T0) is None


def test_an_expired_pushed_request_is_never_given_and_is_removed(storage):
    pushed = storage.pushed_requests
    pushed.create_pushed_request("h2", {"clientId": "0oa1"}, LATER)
    assert pushed.take_pushed_request("h2", LATER) is None
    assert pushed.take_pushed_request("h2", T0) is None  # it was deleted, not just hidden


def test_par01_of_two_interleaved_takes_exactly_one_wins(storage):
    """The second take runs between the first one's read and its conditional delete (the interleaving injected
    through the read: moto has no lock around condition checks, so a threaded race would prove nothing)."""
    pushed = storage.pushed_requests
    pushed.create_pushed_request("h3", {"clientId": "0oa1"}, LATER)
    other: list[object] = []

    class Interleaved(type(pushed)):  # type: ignore[misc]
        def _get(self, pk, sk, now):
            found = super()._get(pk, sk, now)
            if not other:
                other.append(pushed.take_pushed_request("h3", T0))
            return found

    racing = Interleaved.__new__(Interleaved)
    racing.__dict__.update(pushed.__dict__)
    first = racing.take_pushed_request("h3", T0)
    assert other[0] is not None and first is None
    assert pushed.take_pushed_request("h3", T0) is None
