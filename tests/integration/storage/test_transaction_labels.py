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
