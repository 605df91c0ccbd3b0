"""The change log on DynamoDB (``ports.ChangeLogStore``, ``chalicelib/changes.py``): one item of the configuration
table, ``pk = CHANGES``, ``sk = CHANGES``, whose ``doc`` maps change keys to stamps and whose ``version`` makes
each write conditional on the record read (writers that race retry; see ``admin/change_notices.py``).

Warm containers read it at most once per second each, strongly consistently: one GetItem of a small item (the
record holds only what changed within the cache TTL), so the staleness bound does not wait for replication.
"""
from __future__ import annotations

from pynamodb.exceptions import PynamoDBException

from ..errors import StorageUnavailableError
from ..ports import L_VERSION
from .base import Repository
from .transactions import Transaction

PK = SK = "CHANGES"


class ChangeLogRepository(Repository):
    STORE = "the configuration store"

    def read(self) -> tuple[dict[str, str], int | None]:
        try:
            item = self._model.get(PK, SK, consistent_read=True)
        except self._model.DoesNotExist:
            return {}, None
        except PynamoDBException:
            raise StorageUnavailableError(f"{self.STORE} is unavailable") from None
        return dict(item.doc or {}), item.version

    def write(self, stamps: dict[str, str], version: int | None) -> None:
        item = self._model(PK, SK, doc=dict(stamps))
        if version is not None:
            item.version = version
        tx = Transaction(self._model, self._connection)
        tx.put(item, L_VERSION)
        tx.commit()
