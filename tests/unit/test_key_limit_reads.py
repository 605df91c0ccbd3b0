"""storage/key_limits.py: which reads name a key no item can have (pure; the answer on a client is
tests/integration/storage/test_key_limits.py)."""
from __future__ import annotations

import pytest

from chalicelib.storage.key_limits import names_no_item, too_long


@pytest.mark.parametrize("attribute, size, over", [
    ("pk", 2048, False), ("pk", 2049, True), ("gsi1pk", 2049, True),
    ("sk", 1024, False), ("sk", 1025, True), ("gsi1sk", 1025, True),
    ("name", 5000, False),  # not a key attribute
])
def test_limits_by_attribute(attribute, size, over):
    assert too_long(attribute, {"S": "a" * size}) is over


def test_limits_count_bytes_not_characters():
    assert too_long("sk", {"S": "\u00e9" * 513}) and not too_long("sk", {"S": "\u00e9" * 512})
    assert not too_long("pk", {"N": "1" * 3000}) and not too_long("pk", None)


def test_a_get_item_names_no_item_when_a_key_is_too_long():
    assert names_no_item("GetItem", {"Key": {"pk": {"S": "USER#" + "a" * 2100}, "sk": {"S": "USER"}}})
    assert not names_no_item("GetItem", {"Key": {"pk": {"S": "USER#1"}, "sk": {"S": "USER"}}})


@pytest.mark.parametrize("condition, names", [
    ("#0 = :0", {"#0": "pk"}),                                    # pynamodb's placeholders
    ("pk = :pk AND begins_with(sk, :0)", {}),                     # written by hand
    ("#a = :a AND begins_with ( #b , :0 )", {"#a": "gsi1pk", "#b": "gsi1sk"}),
])
def test_a_query_names_no_item_when_an_equality_or_prefix_is_too_long(condition, names):
    long_values = {":0": {"S": "x" * 2100}, ":pk": {"S": "p"}, ":a": {"S": "a"}}
    assert names_no_item("Query", {"KeyConditionExpression": condition, "ExpressionAttributeNames": names,
                                   "ExpressionAttributeValues": long_values})
    short = {k: {"S": "x"} for k in long_values}
    assert not names_no_item("Query", {"KeyConditionExpression": condition, "ExpressionAttributeNames": names,
                                       "ExpressionAttributeValues": short})


def test_a_range_comparison_is_left_to_dynamodb():
    # "sk < :v" may match shorter keys: not answered here (no such Query is made; DynamoDB would refuse it).
    assert not names_no_item("Query", {"KeyConditionExpression": "pk = :p AND sk < :v", "ExpressionAttributeValues": {
        ":p": {"S": "p"}, ":v": {"S": "x" * 2100}}})
    assert not names_no_item("PutItem", {"Item": {"pk": {"S": "x" * 3000}}})
