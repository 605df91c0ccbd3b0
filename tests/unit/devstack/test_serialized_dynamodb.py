"""The local stack's moto server handles one DynamoDB request at a time (devstack/moto_server.py): moto's
transactions are not atomic under concurrency, DynamoDB's are."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from devstack.moto_server import SerializedDynamoDB


class Recording:
    """A WSGI app that notes how many requests of each kind are inside it at once."""

    def __init__(self, others: int) -> None:
        self.all_others_inside = threading.Barrier(others)  # only passable if the others run side by side
        self.inside = {"dynamodb": 0, "other": 0}
        self.most = {"dynamodb": 0, "other": 0}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        kind = "dynamodb" if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_") else "other"
        with self._lock:
            self.inside[kind] += 1
            self.most[kind] = max(self.most[kind], self.inside[kind])
        if kind == "other":
            self.all_others_inside.wait(5)
        else:
            time.sleep(0.01)  # long enough for other DynamoDB requests to pile up behind it
        with self._lock:
            self.inside[kind] -= 1
        start_response("200 OK", [])
        return [kind.encode()]


def test_dynamodb_requests_run_one_at_a_time_and_others_concurrently():
    app = Recording(others=8)
    served = SerializedDynamoDB(app)
    barrier = threading.Barrier(16)

    def request(target: str) -> bytes:
        barrier.wait(5)
        return b"".join(served({"HTTP_X_AMZ_TARGET": target}, lambda *_: None))

    targets = ["DynamoDB_20120810.TransactWriteItems"] * 8 + ["secretsmanager.GetSecretValue"] * 8
    with ThreadPoolExecutor(16) as pool:
        bodies = list(pool.map(request, targets))
    assert bodies == [b"dynamodb"] * 8 + [b"other"] * 8
    assert app.most["dynamodb"] == 1
    assert app.most["other"] == 8


def test_moto_keeps_no_record_of_every_table_copy_a_transaction_makes():
    """Issue 14 (`make run` memory): moto's ``transact_write_items`` deep-copies each table it touches, and moto's
    ``BaseModel`` records every instance ever made; through the local stack's server the record is emptied after
    each DynamoDB request, so 200 transactions leave the live table and its items, not 200 copies of them."""
    import os

    import boto3

    from devstack.moto_server import LocalMotoServer
    from devstack.stack import free_port
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    port = free_port()
    server = LocalMotoServer("127.0.0.1", port)
    server.start()
    try:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
        ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        for i in range(200):
            ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {"pk": {"S": f"k{i}"}}}}])
        assert len(ddb.scan(TableName="t")["Items"]) == 200  # the data is all there...
        assert len(Table.instances_tracked) == 0 and len(Item.instances_tracked) == 0  # ...and no copies of it
    finally:
        server.stop()
