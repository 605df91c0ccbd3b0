"""DynamoDB's key size limits on reads: a key no item can have is read as no item, without a call.

DynamoDB holds a partition key value to 2,048 bytes and a sort key value to 1,024 (Developer Guide, "Service,
account, and table quotas": Partition key / Sort key length), and answers a GetItem or Query that names a longer
one with a ``ValidationException``, which every repository takes for an unavailable store (``Repository._guard``:
503). Such keys come from what callers send: an id in a path (``GET /api/v1/users/{3,000 characters}``), a server
id in an OAuth URL, a search prefix. No item can have one, so a read of one is answered as DynamoDB answers a read
of a key it does not hold: a GetItem without an ``Item``, a Query with an empty page. ``install`` registers that
answer on the one DynamoDB client the repositories share (botocore's ``before-call`` short-circuit, the hook
botocore's own Stubber uses); the call is not sent. Writes are left to DynamoDB: their keys are ids we make or
names the admin layer has already held to their lengths.

moto does not enforce these limits; tests/dynamodb_rules.py makes the test suite's DynamoDB clients refuse such
requests as DynamoDB does, so a read that escaped this module would fail there.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from botocore.awsrequest import AWSResponse

# The key attributes of every table and of its one index (storage/models.py), by the limit on their values.
HASH_KEYS = frozenset({"pk", "gsi1pk"})
RANGE_KEYS = frozenset({"sk", "gsi1sk"})
MAX_HASH_BYTES = 2048
MAX_RANGE_BYTES = 1024

_NO_ITEM = "tokenmint_no_item"  # the request context's mark: the answer the call gets instead of being sent
_OPERATIONS = ("GetItem", "Query")
# The key conditions that can only match keys as long as the value: equality and a prefix.
_EQUALS = re.compile(r"(#?\w+)\s*=\s*(:\w+)")
_PREFIX = re.compile(r"begins_with\s*\(\s*(#?\w+)\s*,\s*(:\w+)\s*\)", re.IGNORECASE)


def too_long(attribute: str, value: Any) -> bool:
    """Whether ``value`` (a typed attribute value, ``{"S": ...}``) of key ``attribute`` is beyond DynamoDB's limit."""
    text = value.get("S") if isinstance(value, Mapping) else None
    if not isinstance(text, str) or len(text) <= MAX_RANGE_BYTES // 4:  # 4 bytes a character at most in UTF-8
        return False
    size = len(text.encode("utf-8", "surrogatepass"))
    return size > MAX_HASH_BYTES if attribute in HASH_KEYS else attribute in RANGE_KEYS and size > MAX_RANGE_BYTES


def names_no_item(operation: str, params: Mapping[str, Any]) -> bool:
    """Whether a GetItem's key or a Query's key condition names a key no item can have."""
    if operation == "GetItem":
        return any(too_long(name, value) for name, value in (params.get("Key") or {}).items())
    if operation == "Query":
        condition = params.get("KeyConditionExpression") or ""
        names = params.get("ExpressionAttributeNames") or {}
        values = params.get("ExpressionAttributeValues") or {}
        for pattern in (_EQUALS, _PREFIX):
            for name, placeholder in pattern.findall(condition):
                if too_long(names.get(name, name), values.get(placeholder)):
                    return True
    return False


def _mark(params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    if names_no_item(model.name, params):
        context[_NO_ITEM] = model.name


def _answer(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    operation = context.get(_NO_ITEM)
    if operation is None:
        return None
    # A fresh answer each time: its caller may keep or change the page it gets.
    empty: dict[str, Any] = {"Items": [], "Count": 0, "ScannedCount": 0} if operation == "Query" else {}
    return AWSResponse("", 200, {}, None), {**empty, "ResponseMetadata": {"HTTPStatusCode": 200}}


def install(client: Any) -> None:
    """Answer ``client``'s (a botocore DynamoDB client) reads of keys no item can have as DynamoDB answers a read
    of a missing key."""
    for operation in _OPERATIONS:
        client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", _mark,
                                    unique_id=f"tokenmint-key-limits-mark-{operation}")
        client.meta.events.register(f"before-call.dynamodb.{operation}", _answer,
                                    unique_id=f"tokenmint-key-limits-answer-{operation}")
