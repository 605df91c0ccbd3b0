"""App-wide HTTP middleware: a request id on every response (and in its System Log events), and Okta's error JSON for the errors Chalice itself
produces (unsupported media type, unhandled exceptions), so no response ever carries Chalice's own error shape."""
from __future__ import annotations

import json
import logging
from typing import Callable

from chalice import Response
from chalice.app import Request

from ..container import get_container
from . import errors, request_origin

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
    request_id = request_origin.begin()  # 128 random bits; also in the request's System Log events
    audit = started = None
    try:
        # The System Log's buffered events are written once their oldest has waited long enough, and the events the
        # request records that are always kept are written together as it ends (audit/recorder.py).
        audit = get_container().audit
        started = audit.request_started()
        response = get_response(event)
    except Exception:  # noqa: BLE001 - nothing may escape as a stack trace (every view is guarded: api/routing.py)
        log.exception("unhandled error")
        response = errors.internal_error()
    if audit is not None and started is not None:
        try:
            audit.request_ended(started)
        except Exception:  # noqa: BLE001 - the events' lines are logged already; the answer still goes out
            log.exception("could not write the request's System Log events")
    if response.status_code >= 400 and (code := _chalice_error_code(response)):
        response = errors.from_chalice_error(code)
    response.headers["X-Okta-Request-Id"] = request_id
    return response
