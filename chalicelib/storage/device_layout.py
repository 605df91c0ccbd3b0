"""The device flow's items in the grants table (oauth/device/authorizations.DeviceStore; docs/ARCHITECTURE.md
"Device authorization"). The reads and version-conditional updates are written once here over the primitives both
backends' grants tables provide (as storage/front_channel_layout.py); the two writes that need more than one
item or an atomic counter (``create_device_authorization``, ``count_device_attempt``) are each backend's own
(storage/device_repository.py, storage/memory/grants.MemoryDevices), held to one behaviour by tests/contract.

====================================================  ==========================================================
``pk = DEVICE#{sha256(device_code)}``, ``DEVICE``     a device authorization (status, client, scopes, the user)
``pk = USERCODE#{serverId}#{sha256(user code)}``,     the user code's pointer to the device code's hash, created
``sk = USERCODE``                                     with the authorization in one transaction, only if absent
``pk = DEVICETRY#{USER#id | SERVER#id}``,             user-code entries counted in a window (the item's
``sk = {window start}``                               ``version``, raised atomically); expires with the window
====================================================  ==========================================================

Neither code is stored in clear: only SHA-256 (the device code has 256 bits; the user code's hash only keeps it out of
sight of whoever reads the table).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .front_channel_layout import GrantPrimitives

DEVICE_SK = "DEVICE"
USER_CODE_SK = "USERCODE"


def device_pk(device_hash: str) -> str:
    return f"DEVICE#{device_hash}"


def user_code_pk(server_id: str, user_code_hash: str) -> str:
    return f"USERCODE#{server_id}#{user_code_hash}"


def attempts_key(key: str, window: int) -> tuple[str, str]:
    return f"DEVICETRY#{key}", str(window)


class DeviceItems:
    """The shared half of oauth/device/authorizations.DeviceStore (over storage/front_channel_layout.GrantPrimitives,
    the primitives of the grants table it is paired with)."""

    def get_device_authorization(self: GrantPrimitives, device_hash: str) -> tuple[dict[str, Any], int] | None:
        return self._get(device_pk(device_hash), DEVICE_SK, None)

    def update_device_authorization(self: GrantPrimitives, device_hash: str, record: dict[str, Any],
                                    expires_at: datetime, version: int) -> bool:
        return self._put(device_pk(device_hash), DEVICE_SK, record, expires_at, version)

    def device_for_user_code(self: GrantPrimitives, server_id: str, user_code_hash: str, now: datetime) -> str | None:
        found = self._get(user_code_pk(server_id, user_code_hash), USER_CODE_SK, now)
        return str(found[0]["deviceHash"]) if found else None
