"""Counting the DynamoDB operations a piece of code makes, for tests that prove a read count (moto only: mark the
module ``dynamodb``)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


@contextmanager
def dynamodb_calls(container: Any) -> Iterator[list[str]]:
    """The names of the DynamoDB operations made through the container's shared client, in order."""
    client = container.directory_model._get_connection().connection.client
    calls: list[str] = []

    def count(event_name: str, **_kwargs: Any) -> None:
        calls.append(event_name.split(".")[-1])

    client.meta.events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", count)
