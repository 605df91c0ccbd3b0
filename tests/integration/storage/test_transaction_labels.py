"""Transaction labels: a failed condition is reported under its own label whatever the order of operations
(pynamodb sends checks, then deletes, then puts)."""
from __future__ import annotations

import pytest

from chalicelib.storage.transactions import Transaction, WriteConflict

# On DynamoDB (moto): DynamoDB's transaction cancellation reasons are what these tests prove.
pytestmark = pytest.mark.dynamodb


def test_the_failing_put_is_named_even_when_added_before_a_delete(container):
    model = container.config_model
    connection = model._get_connection().connection
    model("T#1", "A", doc={}).save()
    model("T#1", "B", doc={}).save()
    tx = Transaction(model, connection)
    tx.put(model("T#1", "A", doc={}), "put-must-not-exist")   # fails: exists (version None means "new")
    tx.delete(model("T#1", "B"), "delete-any", check_version=False)
    with pytest.raises(WriteConflict) as caught:
        tx.commit()
    assert caught.value.labels == ["put-must-not-exist"]
    assert model.get("T#1", "B") is not None  # nothing applied


def test_the_failing_check_is_named_when_added_last(container):
    model = container.config_model
    connection = model._get_connection().connection
    tx = Transaction(model, connection)
    tx.put(model("T#2", "NEW", doc={}), "put-new")
    tx.require("T#2", "MISSING", "parent")
    with pytest.raises(WriteConflict) as caught:
        tx.commit()
    assert caught.value.labels == ["parent"]


def test_a_retried_transaction_sends_the_same_client_request_token(container):
    """botocore retries a call whose answer was lost (here: forced after the first attempt) with the same
    parameters, so DynamoDB sees the same ``ClientRequestToken`` and answers the retry of a committed transaction
    as the first call (moto does not keep tokens: its retry fails its own condition, which is what the token is
    for). Every transaction gets its own token."""
    import json

    model = container.config_model
    connection = model._get_connection().connection
    events = connection.client.meta.events
    sent: list[str] = []

    def record(request, **_):
        sent.append(json.loads(request.body)["ClientRequestToken"])

    def retry_once(attempts, **_):
        return 0 if attempts == 1 else None  # retry at once after the first attempt, whatever it answered

    events.register("before-send.dynamodb.TransactWriteItems", record)
    events.register("needs-retry.dynamodb.TransactWriteItems", retry_once)
    try:
        tx = Transaction(model, connection)
        tx.put(model("T#3", "NEW", doc={}), "put-new")
        with pytest.raises(WriteConflict):
            tx.commit()  # moto: the retry meets the item its first attempt wrote
        assert model.get("T#3", "NEW") is not None  # the first attempt committed
        first = sent[:]
        tx = Transaction(model, connection)
        tx.put(model("T#4", "NEW", doc={}), "put-new")
        with pytest.raises(WriteConflict):
            tx.commit()
    finally:
        events.unregister("before-send.dynamodb.TransactWriteItems", record)
        events.unregister("needs-retry.dynamodb.TransactWriteItems", retry_once)
    assert len(first) == 2 and first[0] == first[1] and len(first[0]) == 32
    assert len(sent) == 4 and sent[2] == sent[3] != first[0]


def test_the_refresh_token_store_sends_a_client_request_token_with_each_transaction(container):
    import json

    from chalicelib.storage.transactions import idempotency_token

    events = container.grants_model._get_connection().connection.client.meta.events
    sent: list[str] = []

    def record(request, **_):
        sent.append(json.loads(request.body).get("ClientRequestToken", ""))

    events.register("before-send.dynamodb.TransactWriteItems", record)
    try:
        repo = container.storage.refresh_tokens  # type: ignore[attr-defined]
        repo.delete("default", "0oaNOBODY", "oarNOFAMILY")  # a transaction that deletes nothing (no condition)
        repo.delete("default", "0oaNOBODY", "oarNOFAMILY")
    finally:
        events.unregister("before-send.dynamodb.TransactWriteItems", record)
    assert len(sent) == 2 and all(len(token) == len(idempotency_token()) == 32 for token in sent)
    assert sent[0] != sent[1]
