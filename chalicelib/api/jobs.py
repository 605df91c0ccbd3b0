"""The scheduled run (an hourly Lambda): key rotation (DESIGN.md "Signing keys"), then a stretch of the one-off
indexing of older refresh-token families by client (admin/client_token_index.py)."""
from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Rate

from ..container import get_container
from ..errors import StorageUnavailableError

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


class RotationRunFailed(RuntimeError):
    """Raised so that the invocation counts as failed (CloudWatch Errors metric, alarms)."""


@bp.schedule(Rate(1, unit=Rate.HOURS), name="rotate_signing_keys")
def rotate_signing_keys(event: Any) -> dict[str, Any]:
    container = get_container()
    # In AWS nothing else creates the `default` authorization server: the first run does (idempotent; one read
    # afterwards). Operators invoke the function once after the first deploy (docs/operations.md).
    container.servers.ensure_default()
    container.servers.ensure_org()  # the org authorization server (issue 16), likewise
    report = container.signing_keys.run_all()
    summary: dict[str, Any] = {"checked": report.checked, "changed": report.changed, "failed": report.failed}
    log.info("key rotation run: %s", summary)
    try:
        summary["clientTokenIndex"] = container.client_token_index.run().state
    except StorageUnavailableError:
        # Not a rotation failure: the next run takes the same stretch again (app tokens are still found without).
        log.error("client token index: the grants table is unavailable; next run retries")
        summary["clientTokenIndex"] = "unavailable"
    if report.failed:
        raise RotationRunFailed(f"key rotation failed for {len(report.failed)} server(s): {report.failed}")
    return summary
