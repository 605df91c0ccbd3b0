"""App-wide HTTP middleware: a request id on every response, and Okta's error JSON for the errors Chalice itself
produces (unsupported media type, unhandled exceptions), so no response ever carries Chalice's own error shape."""
from __future__ import annotations

import json
import logging
import os
from typing import Callable

from chalice import Response
from chalice.app import Request

from . import errors

log = logging.getLogger(__name__)


def _chalice_error_code(response: Response) -> str | None:
    body = response.body
    if isinstance(body, str) and body.startswith("{"):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        return str(body["Code"])
    return None


def okta_envelope(event: Request, get_response: Callable[[Request], Response]) -> Response:
    try:
        response = get_response(event)
    except Exception:  # noqa: BLE001 - nothing may escape as a stack trace (every view is guarded: api/routing.py)
        log.exception("unhandled error")
        response = errors.internal_error()
    if response.status_code >= 400 and (code := _chalice_error_code(response)):
        response = errors.from_chalice_error(code)
    response.headers["X-Okta-Request-Id"] = os.urandom(16).hex()  # 128 random bits, as uuid4 without the object
    return response
