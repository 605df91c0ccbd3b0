"""The device flow's items on DynamoDB (storage/device_layout.py has the key layout and the shared reads)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import PynamoDBException, UpdateError

from ..errors import StorageUnavailableError
from ..ports import WriteConflict
from .device_layout import DEVICE_SK, USER_CODE_SK, DeviceItems, attempts_key, device_pk, user_code_pk
from .grants_repository import UNAVAILABLE, GrantsTable
from .transactions import Transaction

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class DeviceRepository(DeviceItems, GrantsTable):
    def create_device_authorization(self, device_hash: str, server_id: str, user_code_hash: str,
                                    record: dict[str, Any], expires_at: datetime) -> bool:
        expires = int(expires_at.timestamp())
        tx = Transaction(self._model, self._connection)
        tx.put(self._model(device_pk(device_hash), DEVICE_SK, doc={**record, "expiresAt": expires},
                           expiresAt=expires), "device")
        tx.put(self._model(user_code_pk(server_id, user_code_hash), USER_CODE_SK,
                           doc={"deviceHash": device_hash, "expiresAt": expires}, expiresAt=expires), "user code")
        try:
            tx.commit()
        except WriteConflict:
            return False
        return True

    def count_device_attempt(self, key: str, window: int, expires_at: datetime, limit: int | None) -> int | None:
        """One conditional UpdateItem (``ADD version 1``, below ``limit`` when given), as
        user_repository.reserve_sign_in counts sign-in attempts."""
        pk, sk = attempts_key(key, window)
        item = self._model(pk, sk)
        item.version = 0  # makes pynamodb send "ADD version 1" instead of "SET version = 1"
        expires = int(expires_at.timestamp())
        actions: list[Action] = [self._model.doc.set({"expiresAt": expires}), self._model.expiresAt.set(expires)]
        condition = None
        if limit is not None:
            condition = self._model.version.does_not_exist() | (self._model.version < limit)
        try:
            item.update(actions=actions, condition=condition, add_version_condition=False)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise StorageUnavailableError(UNAVAILABLE) from None
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return int(item.version or 0)

    def device_attempts(self, key: str, window: int) -> int:
        pk, sk = attempts_key(key, window)
        try:
            item = self._model.get(pk, sk, consistent_read=True)
        except self._model.DoesNotExist:
            return 0
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return int(item.version or 0)
