"""pynamodb models of tokenmint's tables.

Both tables share one item shape: a partition key, a sort key, a JSON document, an optimistic-locking
``version`` and an optional listing index (``gsi1``). Table names and the endpoint come from settings, so model
classes are built at run time by ``build_model`` rather than declared with a fixed ``Meta``.
"""
from __future__ import annotations

from typing import Any, ClassVar, Iterable

from pynamodb.attributes import BinaryAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from . import key_limits

LIST_INDEX = "gsi1"


# pynamodb's Index.__init_subclass__ has no annotations: defining any index subclass calls it.
class ListIndex(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    """Lists the items of one kind (authorization servers, API tokens) in a stable order."""

    class Meta:
        index_name = LIST_INDEX
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Item(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = VersionAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    # Epoch seconds after which DynamoDB may delete the item (the table's TTL attribute; grants only).
    expiresAt = NumberAttribute(null=True)
    # The listing index: an attribute of the classes build_model builds (declared here for the type checker only).
    gsi1: ClassVar[ListIndex]


class LogRecord(Item):
    """An item of the System Log's table: ``docz`` holds its batch of events compressed (storage/log_repository.py);
    ``doc`` is read for items written before."""

    docz = BinaryAttribute(null=True, legacy_encoding=False)


def build_model(table_name: str, region: str, host: str | None, base: type[Item] = Item) -> type[Item]:
    """A model class bound to one table; built once per warm container by the composition root."""
    meta: dict[str, Any] = {
        "table_name": table_name,
        "region": region,
        "billing_mode": "PAY_PER_REQUEST",
        # Token and admin requests must fail fast rather than pile up behind a slow dependency.
        "connect_timeout_seconds": 2,
        "read_timeout_seconds": 5,
        "max_retry_attempts": 2,
    }
    if host:
        meta["host"] = host
    return type(
        f"Item_{table_name}",
        (base,),
        {"Meta": type("Meta", (), meta), "gsi1": ListIndex(), "__module__": __name__},
    )


def share_client(connection: Any, models: Iterable[type[Item]], session: Any = None) -> None:
    """Give every model the DynamoDB client of ``connection``.

    pynamodb builds one botocore session and client per table connection, and each costs ~150 ms of service-model
    loading: three tables meant ~0.5 s of a cold start. botocore clients are thread-safe, so one is enough. This
    relies on pynamodb's ``Connection._client`` and ``_local.session`` (checked by
    tests/integration/storage/test_shared_client.py). ``session``, a botocore session, lets DynamoDB share the
    endpoint data the other AWS clients already loaded. The client answers reads of keys beyond DynamoDB's limits
    itself (storage/key_limits.py).
    """
    if session is not None:
        connection._local.session = session
    client = connection.client
    key_limits.install(client)
    for model in models:
        model._get_connection().connection._client = client
