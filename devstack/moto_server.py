"""moto's server for the local stack, with DynamoDB's atomicity restored (issue 14).

moto 5's ``transact_write_items`` deep-copies each table it touches, checks the conditions and puts the copy back on
failure, without a lock: two overlapping transactions can wipe each other's committed writes, and a write can fail
with ``RuntimeError: dictionary changed size during iteration``. DynamoDB serializes conflicting writes; the local
stack gets the same guarantee by handling one DynamoDB request at a time (they take microseconds to milliseconds in
moto; KMS and Secrets Manager, which moto makes atomic enough, stay concurrent). The server is moto's own WSGI
application and request handler, served by werkzeug as ``moto.server.ThreadedMotoServer`` does, with this one
middleware in front.

It also bounds moto's memory (issue 14: ``make run`` grew from ~110 MB to ~1.7 GB over a few thousand admin
writes). moto's ``BaseModel`` appends every instance ever created to a class-level ``instances_tracked`` list (for
its dashboard), and ``transact_write_items`` deep-copies each table it touches as a rollback backup: every copy of
every table and item stayed reachable for ever, so memory grew with the number of transactions times the size of
the tables. After each DynamoDB request the DynamoDB models' lists are emptied (nothing but moto's dashboard reads
them); the live tables are held by moto's backend, not by these lists.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from werkzeug.serving import BaseWSGIServer, make_server

DYNAMODB_SERVICE = "dynamodb"

DYNAMODB_TARGET = "DynamoDB_"


class SerializedDynamoDB:
    """WSGI middleware: requests to DynamoDB (``X-Amz-Target: DynamoDB_20120810.*``) run one at a time."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET):
            return self._app(environ, start_response)
        with self._lock:
            # The body is produced inside the lock: moto builds it while it handles the request.
            try:
                return list(self._app(environ, start_response))
            finally:
                forget_tracked_instances(DYNAMODB_SERVICE)


def forget_tracked_instances(service: str) -> None:
    """Empty moto's record of every model instance of ``service`` ever created (see the module docstring)."""
    from moto.core.model_instances import model_data

    for model in model_data.get(service, {}).values():
        tracked = getattr(model, "instances_tracked", None)
        if tracked:
            tracked.clear()


class LocalMotoServer:
    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        app = SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="tokenmint-moto", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
