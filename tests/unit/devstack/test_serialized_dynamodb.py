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
