"""User codes (RFC 8628 6.1; docs/security-cases/device.md DEV-01) and the pure parts of device authorizations:
generation, display, normalisation, the record round trip, the entry windows."""
from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.oauth.device import user_codes
from chalicelib.oauth.device.authorizations import DeviceAuthorization, DeviceAuthorizations, Limits


def test_the_alphabet_is_twenty_consonants_without_confusable_characters():
    alphabet = user_codes.ALPHABET
    assert len(alphabet) == len(set(alphabet)) == 20
    assert not set(alphabet) & set("AEIOUY0123456789")
    # 8 characters: 20^8 codes, about 34.5 bits (RFC 8628 6.1).
    assert math.log2(len(alphabet) ** user_codes.LENGTH) > 34.5


def test_generated_codes_use_only_the_alphabet_and_spread_over_it():
    codes = [user_codes.generate() for _ in range(2000)]
    assert all(len(c) == 8 and set(c) <= set(user_codes.ALPHABET) for c in codes)
    assert len(set(codes)) == len(codes)
    counts = Counter("".join(codes))
    assert set(counts) == set(user_codes.ALPHABET)
    assert min(counts.values()) > 16000 / 20 * 0.7  # no letter starved (a loose bound: 800 expected each)


def test_display_groups_four_and_four():
    assert user_codes.display("BCDFGHJK") == "BCDF-GHJK"


@pytest.mark.parametrize("typed", ["BCDF-GHJK", "bcdfghjk", " bcdf ghjk ", "BcDf--GhJk", "B-C-D-F-G-H-J-K",
                                   "bcdf\u2013ghjk", "bcdf_ghjk", "BCDF.GHJK", "\tbcdfghjk"])
def test_entry_is_normalised_case_and_separator_insensitively(typed):
    assert user_codes.normalise(typed) == "BCDFGHJK"


@pytest.mark.parametrize("typed", [None, "", "BCDF-GHJ", "BCDF-GHJKL", "ABCD-FGHJ", "BCDF-GHJ1", "BCDF/GHJK",
                                   "ÄCDF-GHJK", "x" * 65, "BCDF GHJK" + " " * 60, "bcdfghjkbcdfghjk"])
def test_anything_else_is_not_a_code(typed):
    assert user_codes.normalise(typed) is None


def test_a_record_round_trips():
    authorization = DeviceAuthorization(
        device_hash="h" * 64, server_id="aus1", client_id="0oa1", scopes=("openid",), user_code_hash="u" * 64,
        created=100, expires=700, interval=10, last_poll=150, status="APPROVED", entered_by="s", user_id="00u1",
        auth_time=90, amr=("pwd",), consented=("tv:watch",), version=3)
    assert DeviceAuthorization.from_record("h" * 64, authorization.record(), 3) == authorization
    defaults = DeviceAuthorization(device_hash="h", server_id="aus1", client_id="0oa1", scopes=None,
                                   user_code_hash="u", created=0, expires=600, version=1)
    assert DeviceAuthorization.from_record("h", defaults.record(), 1) == defaults


def test_expiry_is_exclusive_of_the_last_second():
    authorization = DeviceAuthorization(device_hash="h", server_id="s", client_id="c", scopes=None,
                                        user_code_hash="u", created=0, expires=600)
    assert not authorization.expired(datetime.fromtimestamp(599, timezone.utc))
    assert authorization.expired(datetime.fromtimestamp(600, timezone.utc))


class _Counters:
    """A device store with only the counters (what reserve_entry and entry_failed use)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def count_device_attempt(self, key, window, expires_at, limit):
        current = self.counts.get((key, window), 0)
        if limit is not None and current >= limit:
            return None
        self.counts[(key, window)] = current + 1
        return current + 1

    def device_attempts(self, key, window):
        return self.counts.get((key, window), 0)


def test_entries_are_limited_per_person_and_per_server_in_windows():
    now = [datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)]
    store = _Counters()
    devices = DeviceAuthorizations(store, lambda: now[0], Limits(per_user=2, per_server=3))  # type: ignore[arg-type]
    assert [devices.reserve_entry("aus1", "u1") for _ in range(3)] == [True, True, False]
    assert devices.reserve_entry("aus1", "u2")
    for _ in range(3):
        devices.entry_failed("aus1")
    assert not devices.reserve_entry("aus1", "u3")  # the server's window is full for everyone
    assert devices.reserve_entry("aus2", "u3")  # another server is not
    now[0] += timedelta(minutes=15)
    assert devices.reserve_entry("aus1", "u1")  # both windows ended
