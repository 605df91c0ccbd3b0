"""What every repository shares: its model and connection, and one translation of DynamoDB failures."""
from __future__ import annotations

from typing import Callable, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..errors import StorageUnavailableError
from .models import Item

T = TypeVar("T")


class Repository:
    STORE = "the configuration store"  # named in StorageUnavailableError; subclasses say which table

    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def _guard(self, call: Callable[[], T]) -> T:
        """Run a DynamoDB call; any pynamodb failure becomes StorageUnavailableError (HTTP 503, nothing written)."""
        try:
            return call()
        except PynamoDBException:
            raise StorageUnavailableError(f"{self.STORE} is unavailable") from None
