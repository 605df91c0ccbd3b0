"""The client token index in the grants table (admin/client_token_index.py; the layout is
storage/refresh_token_repository.py's): which servers a client has refresh-token families at (``RTA#{clientId}``,
written with each family) and the state of the one-off indexing of older families (``RTA#INDEX``). The reads and
the state are the API's; the scan that builds the index is the scheduled job's (storage/client_index_scan.py)."""
from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException

from ..errors import StorageUnavailableError
from .client_index_scan import ClientIndexScan
from .refresh_token_repository import CLIENT_SERVER_PREFIX, PAGE

INDEX_KEY = ("RTA#INDEX", "RTA#INDEX")


class ClientIndexRepository(ClientIndexScan):
    def client_servers(self, client_id: str) -> list[str]:
        """The ids of the servers where the client has or had families (one strongly consistent Query)."""
        try:
            return [item.sk[len(CLIENT_SERVER_PREFIX):] for item in self._model.query(
                f"RTA#{client_id}", self._model.sk.startswith(CLIENT_SERVER_PREFIX), consistent_read=True,
                page_size=PAGE)]
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None

    def index_state(self) -> tuple[dict[str, Any], int] | None:
        """The index's state document and its version; None before the first run."""
        try:
            item = self._model.get(*INDEX_KEY, consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return dict(item.doc or {}), int(item.version or 0)

    def save_index_state(self, doc: dict[str, Any], version: int | None) -> bool:
        """Write the state if it is still at ``version`` (None: if there is none); False when another run moved it."""
        item = self._model(*INDEX_KEY, doc=doc)
        if version is not None:
            item.version = version
        try:
            item.save()
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageUnavailableError("the grants store is unavailable") from None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return True

    def index_created_table(self) -> None:
        """A table created by this release holds no family from before the index: it is complete from the start."""
        self.save_index_state({"state": "ready"}, None)
