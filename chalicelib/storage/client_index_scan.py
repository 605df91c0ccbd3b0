"""The one-off build of the client token index (admin/client_token_index.py), over the grants table: a Scan of its
keys in stretches, and the index items of the (server, client) pairs found. Only the scheduled job calls these
(its role alone may Scan and BatchWriteItem on the table: tests/infra checks this module against that role); the
index's reads and state are storage/client_index_repository.py."""
from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PynamoDBException

from ..errors import StorageUnavailableError
from .grant_documents import client_server_doc, family_partition
from .models import Item
from .refresh_token_repository import client_server_key

SCAN_PAGE = 1000


class ClientIndexScan:
    def __init__(self, model: type[Item]) -> None:
        self._model = model

    def family_partitions(self, start: dict[str, Any] | None, items: int
                          ) -> tuple[set[tuple[str, str]], dict[str, Any] | None]:
        """One stretch of a Scan of the table (keys only, about ``items`` items from ``start``): the (server id,
        client id) of each family partition seen, and where the next stretch starts (None: the scan is complete).
        A Scan reads every item of the table, which is why it is done once, a stretch per run."""
        pairs: set[tuple[str, str]] = set()
        try:
            found = self._model.scan(limit=items, page_size=min(items, SCAN_PAGE), last_evaluated_key=start,
                                     attributes_to_get=["pk", "sk"])
            for item in found:
                pair = family_partition(item.pk)
                if pair is not None:
                    pairs.add(pair)
            return pairs, found.last_evaluated_key
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None

    def add_client_servers(self, pairs: set[tuple[str, str]]) -> None:
        """Index (server id, client id) pairs: each item as a new family writes it (so writing it again is
        harmless)."""
        try:
            with self._model.batch_write() as batch:
                for server_id, client_id in sorted(pairs):
                    batch.save(self._model(*client_server_key(client_id, server_id),
                                           doc=client_server_doc(server_id, client_id)))
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
