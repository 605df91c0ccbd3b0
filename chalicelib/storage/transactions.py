"""A labelled wrapper around DynamoDB TransactWriteItems.

Every write in tokenmint goes through one transaction so that a request either changes everything it meant to
or nothing. Each operation carries a label; when conditions fail, ``WriteConflict.labels`` says which ones,
(``ports.WriteConflict``), so the admin core can tell "name already taken" from "someone else saved first" from "parent was deleted".

Every TransactWriteItems call carries a ``ClientRequestToken`` (``idempotency_token``): botocore retries a call whose
answer did not arrive (a read timeout, a 5xx, ``TransactionInProgressException``) with the same parameters, and
DynamoDB treats a second call with the same token within ten minutes as the first one, so a transaction that was
committed before its answer was lost is not re-run against its own writes (it would fail its own conditions: a new
item that "already exists", a version that "moved").
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from ..errors import StorageUnavailableError
from ..ports import WriteConflict
from .models import Item

log = logging.getLogger(__name__)

MAX_ITEMS = 100  # DynamoDB's limit per TransactWriteItems call
_SEND_ORDER = {"check": 0, "delete": 1, "put": 2}


def idempotency_token() -> str:
    """A ``ClientRequestToken`` for one TransactWriteItems call (DynamoDB: 1 to 36 characters)."""
    return secrets.token_hex(16)


@dataclass
class Transaction:
    model: type[Item]
    connection: Connection
    _ops: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def put(self, item: Item, label: str, condition: Condition | None = None) -> None:
        """Save ``item``; its ``version`` (None = must not exist yet) is checked by pynamodb."""
        self._ops.append(("put", label, item, condition))

    def delete(self, item: Item, label: str, check_version: bool = True) -> None:
        """Delete ``item``, by default only if its ``version`` is still the one read."""
        self._ops.append(("delete", label, item, check_version))

    def require(self, pk: str, sk: str, label: str) -> None:
        """Fail the transaction unless the item exists (e.g. the parent server or policy)."""
        self._ops.append(("check", label, (pk, sk), self.model.pk.exists()))

    def commit(self) -> None:
        if not self._ops:
            return
        if len(self._ops) > MAX_ITEMS:
            raise ValueError(f"transaction of {len(self._ops)} items exceeds DynamoDB's limit of {MAX_ITEMS}")
        # pynamodb sends condition checks, then deletes, then puts, whatever the order they were added in, and
        # DynamoDB reports cancellation reasons in the order sent: keep ``ops`` in that order so reasons map to labels.
        ops = sorted(self._ops, key=lambda op: _SEND_ORDER[op[0]])
        try:
            with TransactWrite(connection=self.connection, client_request_token=idempotency_token()) as tx:
                for kind, _label, target, condition in ops:
                    if kind == "put":
                        tx.save(target, condition=condition)
                    elif kind == "delete":
                        tx.delete(target, add_version_condition=condition)
                    else:
                        tx.condition_check(self.model, target[0], target[1], condition=condition)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            failed = [
                ops[i][1]
                for i, reason in enumerate(reasons)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            ]
            if failed:
                raise WriteConflict(failed) from None
            log.error("DynamoDB transaction failed: %s", exc.cause_response_code)
            raise StorageUnavailableError("the configuration store is unavailable") from None
        except PynamoDBException as exc:
            log.error("DynamoDB call failed: %s", type(exc).__name__)
            raise StorageUnavailableError("the configuration store is unavailable") from None
