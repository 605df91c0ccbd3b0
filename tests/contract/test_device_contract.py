"""The device flow's store (oauth/device/authorizations.DeviceStore) on both backends: an authorization and its user
code created together or not at all, the user code unique per server while it lives, version-conditional updates
(single use: DEV-07), expiry checked on read, and the atomic attempt counters of the user-code limits (DEV-01)."""
from __future__ import annotations

from datetime import timedelta

from tests.contract.conftest import T0

LATER = T0 + timedelta(minutes=10)


def _record(status: str = "PENDING") -> dict:
    return {"serverId": "aus1", "clientId": "0oa1", "status": status}


def test_an_authorization_and_its_user_code_are_created_together(storage):
    devices = storage.devices
    assert devices.create_device_authorization("dh1", "aus1", "uc1", _record(), LATER) is True
    assert devices.device_for_user_code("aus1", "uc1", T0) == "dh1"
    doc, version = devices.get_device_authorization("dh1")
    assert doc["status"] == "PENDING" and version == 1
    # The same user code at the same server is taken: nothing of the second authorization is written.
    assert devices.create_device_authorization("dh2", "aus1", "uc1", _record(), LATER) is False
    assert devices.get_device_authorization("dh2") is None
    # Another server has its own user codes; the same device hash is never created twice.
    assert devices.create_device_authorization("dh3", "aus2", "uc1", _record(), LATER) is True
    assert devices.create_device_authorization("dh1", "aus1", "uc9", _record(), LATER) is False
    assert devices.device_for_user_code("aus1", "uc9", T0) is None
    assert devices.device_for_user_code("aus2", "uc1", T0) == "dh3"


def test_user_codes_expire_on_read_authorizations_stay_readable(storage):
    devices = storage.devices
    devices.create_device_authorization("dh1", "aus1", "uc1", _record(), LATER)
    assert devices.device_for_user_code("aus1", "uc1", LATER - timedelta(seconds=1)) == "dh1"
    assert devices.device_for_user_code("aus1", "uc1", LATER) is None
    # The authorization itself is read whatever its expiry: the grant tells expired_token from invalid_grant.
    assert devices.get_device_authorization("dh1") is not None


def test_updates_are_conditional_on_the_version_read(storage):
    """DEV-07: of two writers that read the same version, one wins."""
    devices = storage.devices
    devices.create_device_authorization("dh1", "aus1", "uc1", _record(), LATER)
    assert devices.update_device_authorization("dh1", _record("APPROVED"), LATER, 1) is True
    assert devices.update_device_authorization("dh1", _record("DENIED"), LATER, 1) is False
    doc, version = devices.get_device_authorization("dh1")
    assert doc["status"] == "APPROVED" and version == 2
    assert devices.update_device_authorization("dh1", _record("REDEEMED"), LATER, 2) is True
    assert devices.update_device_authorization("dh1", _record("REDEEMED"), LATER, 2) is False
    assert devices.update_device_authorization("nope", _record(), LATER, 1) is False


def test_attempt_counters_count_per_key_and_window_up_to_a_limit(storage):
    """DEV-01: entries are counted atomically, and refused (not counted) at the limit."""
    devices = storage.devices
    assert devices.device_attempts("USER#u1", 100) == 0
    assert [devices.count_device_attempt("USER#u1", 100, LATER, 3) for _ in range(4)] == [1, 2, 3, None]
    assert devices.device_attempts("USER#u1", 100) == 3
    assert devices.count_device_attempt("USER#u1", 200, LATER, 3) == 1  # a new window
    assert devices.count_device_attempt("USER#u2", 100, LATER, 3) == 1  # another key
    # Without a limit it only counts.
    assert [devices.count_device_attempt("SERVER#aus1", 100, LATER, None) for _ in range(3)] == [1, 2, 3]
    assert devices.device_attempts("SERVER#aus1", 100) == 3
