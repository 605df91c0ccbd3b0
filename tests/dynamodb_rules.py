"""DynamoDB's request rules that moto does not enforce, enforced on every DynamoDB client the tests make.

moto answers some requests DynamoDB refuses. The one that got through once (2026-12-05, reverted before it shipped):
a Query whose ``FilterExpression`` names a key attribute of the table or index it queries, which DynamoDB refuses
with a ``ValidationException`` ("Filter Expression can only contain non-primary key attributes"). ``install`` wraps
botocore's ``Session.create_client`` so that every DynamoDB client made afterwards checks each Query before it is
sent and raises ``RefusedByDynamoDB`` where DynamoDB would refuse it.
"""
from __future__ import annotations

import re
from typing import Any

import botocore.session

from chalicelib.storage.models import LIST_INDEX

# The key attributes of every table (pk, sk) and of its one index (storage/models.py).
TABLE_KEYS = frozenset({"pk", "sk"})
INDEX_KEYS = {LIST_INDEX: frozenset({"gsi1pk", "gsi1sk"})}

_WORDS = frozenset({"and", "or", "not", "between", "in", "attribute_exists", "attribute_not_exists",
                    "attribute_type", "begins_with", "contains", "size"})
# A placeholder (#0, #name: pynamodb numbers them) or a bare name, not a value (:v) nor a later path element (a.b).
_NAME = re.compile(r"(?<![\w:#.])(#\w+|[A-Za-z_]\w*)")


class RefusedByDynamoDB(Exception):
    """A request DynamoDB answers with a ValidationException (moto lets it through)."""


def filter_names(params: dict[str, Any]) -> set[str]:
    """The attribute names a request's ``FilterExpression`` reads (the first element of each document path)."""
    expression = params.get("FilterExpression") or ""
    aliases = params.get("ExpressionAttributeNames") or {}
    names = set()
    for token in _NAME.findall(expression):
        if token.lower() in _WORDS:
            continue
        names.add(str(aliases.get(token, token)) if token.startswith("#") else token)
    return names


def check_query(params: dict[str, Any], **_: Any) -> None:
    """``before-parameter-build`` handler of a Query (its API parameters): refuse a filter on a key attribute of
    what is queried, the table or the index."""
    index = params.get("IndexName")
    keys = INDEX_KEYS.get(index, frozenset()) if index else TABLE_KEYS
    named = filter_names(params) & keys
    if named:
        raise RefusedByDynamoDB(f"Filter Expression can only contain non-primary key attributes: {sorted(named)}")


def install() -> None:
    """Every DynamoDB client made from now on checks its Queries (idempotent)."""
    original = botocore.session.Session.create_client
    if getattr(original, "_dynamodb_rules", False):
        return

    def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(session, *args, **kwargs)
        if client.meta.service_model.service_name == "dynamodb":
            client.meta.events.register("before-parameter-build.dynamodb.Query", check_query)
        return client

    create_client._dynamodb_rules = True  # type: ignore[attr-defined]
    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
