"""bench/moto_idempotency.py gives the benches' moto DynamoDB's idempotent TransactWriteItems: a retried call with
the same ClientRequestToken answers as the first did and writes nothing again; the same token with other parameters
is IdempotentParameterMismatchException; a cancelled call keeps nothing (its retry is made again); a token is kept
10 minutes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from bench import moto_idempotency

TABLE = "families"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ddb(clock: Clock) -> Iterator[Any]:
    moto_idempotency.uninstall()
    moto_idempotency.install(moto_idempotency.Tokens(clock))
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
            client.put_item(TableName=TABLE, Item={"pk": {"S": "f1"}, "version": {"N": "1"}})
            yield client
    finally:
        moto_idempotency.uninstall()


def rotate(client: Any, token: str | None, source: int = 1, target: int = 2) -> dict:
    update = {"Update": {
        "TableName": TABLE, "Key": {"pk": {"S": "f1"}}, "UpdateExpression": "SET version = :new",
        "ConditionExpression": "version = :old",
        "ExpressionAttributeValues": {":old": {"N": str(source)}, ":new": {"N": str(target)}}}}
    extra = {"ClientRequestToken": token} if token else {}
    return client.transact_write_items(TransactItems=[update], **extra)


def version(client: Any) -> str:
    return client.get_item(TableName=TABLE, Key={"pk": {"S": "f1"}}, ConsistentRead=True)["Item"]["version"]["N"]


def test_a_retry_with_the_same_token_answers_as_the_first_call_and_writes_nothing(ddb):
    rotate(ddb, "tok-1")
    assert version(ddb) == "2"
    rotate(ddb, "tok-1")  # the retry of a committed call: no TransactionCanceledException
    assert version(ddb) == "2"


def test_without_a_token_the_retry_is_a_new_call_and_fails_its_condition(ddb):
    rotate(ddb, None)
    with pytest.raises(ClientError) as raised:
        rotate(ddb, None)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"


def test_the_same_token_with_other_parameters_is_a_mismatch(ddb):
    rotate(ddb, "tok-1")
    with pytest.raises(ClientError) as raised:
        rotate(ddb, "tok-1", source=2, target=3)
    assert raised.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert version(ddb) == "2"


def test_a_cancelled_call_keeps_nothing_and_its_retry_is_made_again(ddb):
    for _attempt in range(2):  # nothing was written: the retry is checked against its conditions again
        with pytest.raises(ClientError) as raised:
            rotate(ddb, "tok-1", source=5, target=6)
        assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert version(ddb) == "1"


def test_a_token_is_kept_ten_minutes(ddb, clock):
    rotate(ddb, "tok-1")
    clock.now += moto_idempotency.WINDOW_SECONDS + 1
    with pytest.raises(ClientError) as raised:
        rotate(ddb, "tok-1")
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
