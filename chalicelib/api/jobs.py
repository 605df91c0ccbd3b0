"""The scheduled key-rotation run (an hourly Lambda; DESIGN.md "Signing keys")."""
from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Rate

from ..container import get_container

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
    summary = {"checked": report.checked, "changed": report.changed, "failed": report.failed}
    log.info("key rotation run: %s", summary)
    if report.failed:
        raise RotationRunFailed(f"key rotation failed for {len(report.failed)} server(s): {report.failed}")
    return summary
