"""Repository of admin API tokens (the "directory" table).

A token is found by the SHA-256 of its secret (``pk = APITOKEN#{sha256}``), so a lookup is one GetItem and the
secret itself is never stored. ``gsi1`` lists tokens by id for the management API.
"""
from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..domain import ApiToken
from ..errors import StorageUnavailableError
from . import mappers
from .models import Item
from .transactions import Transaction

TOKEN_SK = "APITOKEN"
TOKEN_LIST = "APITOKEN"


class ApiTokenRepository:
    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        try:
            item = self._model.get(f"APITOKEN#{token_hash}", TOKEN_SK)
        except self._model.DoesNotExist:
            return None
        except PynamoDBException:
            raise StorageUnavailableError("the directory store is unavailable") from None
        return mappers.api_token_from(item.doc)

    def list(self) -> list[ApiToken]:
        try:
            return [mappers.api_token_from(i.doc) for i in self._model.gsi1.query(TOKEN_LIST)]
        except PynamoDBException:
            raise StorageUnavailableError("the directory store is unavailable") from None

    def get(self, token_id: str) -> ApiToken | None:
        try:
            items = list(self._model.gsi1.query(TOKEN_LIST, self._model.gsi1sk == token_id))
        except PynamoDBException:
            raise StorageUnavailableError("the directory store is unavailable") from None
        return mappers.api_token_from(items[0].doc) if items else None

    def add(self, token: ApiToken) -> None:
        tx = Transaction(self._model, self._connection)
        item = self._model(f"APITOKEN#{token.token_hash}", TOKEN_SK, doc=mappers.api_token_doc(token),
                           gsi1pk=TOKEN_LIST, gsi1sk=token.id)
        tx.put(item, "token")
        tx.commit()

    def remove(self, token: ApiToken) -> None:
        tx = Transaction(self._model, self._connection)
        tx.delete(self._model(f"APITOKEN#{token.token_hash}", TOKEN_SK), "token", check_version=False)
        tx.commit()
