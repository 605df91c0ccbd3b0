"""Serves the Chalice app over real HTTP with Chalice's local gateway, plus what API Gateway adds in AWS.

In AWS an unknown ``/api/v1`` path reaches the greedy route of api/unknown_paths.py (401 without a valid token, else
404 ``E0000008``), and any other unknown path reaches no Lambda: API Gateway answers it, and ``infra/`` maps that
answer to Okta's 404 ``E0000008``. Chalice's local gateway matches no greedy route and answers 403 "Missing
Authentication Token" instead, so this handler gives both answers locally.
"""
from __future__ import annotations

import json
import uuid
import threading
from typing import Any

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
)

from chalicelib import ids
from chalicelib.api import unknown_paths

_NOT_FOUND = {
    "errorCode": "E0000008",
    "errorSummary": "The requested path was not found",
    "errorLink": "E0000008",
    "errorCauses": [],
}


class TokenmintRequestHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        path = self.path.split("?", 1)[0]
        if error.CODE == 403 and (path == unknown_paths.PREFIX or path.startswith(unknown_paths.PREFIX + "/")):
            # API Gateway routes these to the greedy /api/v1/{proxy+} route, which Chalice's local gateway cannot
            # match: answer as it would (401 without a valid token, else 404).
            response = unknown_paths.answer(self.headers, self.command, path)
            body = response.body if isinstance(response.body, str) else json.dumps(response.body)
            self._send_http_response(response.status_code, {**response.headers,
                                                            "X-Okta-Request-Id": uuid.uuid4().hex}, body)
            return
        # Chalice's local gateway answers an unknown path with 403: "Missing Authentication Token" without an
        # Authorization header, and a message that echoes the header (the caller's token!) with one. Both are
        # "no such route" and become Okta's 404; nothing of the request is echoed.
        if error.CODE == 403:
            body = json.dumps({**_NOT_FOUND, "errorId": ids.new_error_id()})
            self._send_http_response(404, {"Content-Type": "application/json",
                                           "X-Okta-Request-Id": uuid.uuid4().hex}, body)
            return
        super()._send_error_response(error)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of BaseHTTPRequestHandler
        # One line per request, without headers or bodies: those can carry tokens.
        print(f"{self.address_string()} {self.command} {self.path.split('?')[0]} -> {args[1] if len(args) > 1 else ''}",
              flush=True)


def serve(app: Any, host: str, port: int) -> tuple[LocalDevServer, threading.Thread]:
    """Start serving ``app`` in a background thread; ``port`` 0 picks a free port (see ``server.server_port``)."""
    config = Config.create(chalice_stage="local", app_name="tokenmint")
    # What create_local_server does (make the app's current_request thread-local), with our handler.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    server = LocalDevServer(app, config, host, port, handler_cls=TokenmintRequestHandler)
    thread = threading.Thread(target=server.server.serve_forever, name="tokenmint-http", daemon=True)
    thread.start()
    return server, thread
