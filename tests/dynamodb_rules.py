"""DynamoDB's request rules that moto does not enforce, enforced on every DynamoDB client the tests make.

Key sizes (2026-12-05): DynamoDB refuses a request that names a partition key value over 2,048 bytes or a sort key
value over 1,024 (storage/key_limits.py answers the reads of such keys without a call; a request that reaches the
wire with one is refused here, as DynamoDB would refuse it).

moto answers some requests DynamoDB refuses. The one that got through once (2026-12-05, reverted before it shipped):
a Query whose ``FilterExpression`` names a key attribute of the table or index it queries, which DynamoDB refuses
with a ``ValidationException`` ("Filter Expression can only contain non-primary key attributes"). ``install`` wraps
botocore's ``Session.create_client`` so that every DynamoDB client made afterwards checks each Query before it is
sent and raises ``RefusedByDynamoDB`` where DynamoDB would refuse it.
"""
from __future__ import annotations

import json
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


KEY_LIMITS = {"pk": 2048, "gsi1pk": 2048, "sk": 1024, "gsi1sk": 1024}
_PLACEHOLDER = re.compile(r":\w+")


def oversized_keys(params: Any) -> list[str]:
    """The key attributes of a request (its JSON body's parameters) whose values DynamoDB would refuse as too long:
    in any key or item it names, and in a Query's key condition (any value there over the sort key's limit)."""
    found: list[str] = []
    pending = [params]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for name, value in node.items():
                text = value.get("S") if isinstance(value, dict) else None
                if name in KEY_LIMITS and isinstance(text, str) and len(text.encode("utf-8", "surrogatepass")) > \
                        KEY_LIMITS[name]:
                    found.append(name)
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    if isinstance(params, dict) and params.get("KeyConditionExpression"):
        values = params.get("ExpressionAttributeValues") or {}
        for placeholder in _PLACEHOLDER.findall(params["KeyConditionExpression"]):
            text = (values.get(placeholder) or {}).get("S")
            if isinstance(text, str) and len(text.encode("utf-8", "surrogatepass")) > KEY_LIMITS["sk"]:
                found.append(placeholder)
    return found


def check_key_sizes(request: Any, **_: Any) -> None:
    """``before-sign`` handler (the request being sent: what was answered without a call never gets here; moto's
    in-process mock answers at ``before-send``, after it)."""
    body = request.body
    if not body:
        return
    params = json.loads(body if isinstance(body, (str, bytes)) else body.read())
    oversized = oversized_keys(params)
    if oversized:
        raise RefusedByDynamoDB(f"One or more parameter values were invalid: key too long: {oversized}")


def install() -> None:
    """Every DynamoDB client made from now on checks its Queries (idempotent)."""
    original = botocore.session.Session.create_client
    if getattr(original, "_dynamodb_rules", False):
        return

    def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(session, *args, **kwargs)
        if client.meta.service_model.service_name == "dynamodb":
            client.meta.events.register("before-parameter-build.dynamodb.Query", check_query)
            client.meta.events.register("before-sign.dynamodb", check_key_sizes)
        return client

    create_client._dynamodb_rules = True  # type: ignore[attr-defined]
    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
