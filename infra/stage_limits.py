"""Write a stage's abuse limits into its packaged template: ``python infra/stage_limits.py <stage> build/<stage>``
after ``chalice package`` (``make package``).

``chalice package`` merges the same ``infra/resources.json`` into every stage, so the limits (AWS WAF rate-based
rules per source IP, API Gateway stage throttling) are template parameters, and ``infra/edge_limits.json`` holds
each stage's values: this script makes them the parameters' defaults in ``sam.json``. A deploy can still override
any of them (``--parameter-overrides TokenRateLimit=…``), and the stage's defaults stay in version control.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

LIMITS = Path(__file__).resolve().parent / "edge_limits.json"


def apply(stage: str, sam: dict) -> dict:
    """``sam`` with the stage's limits as its parameter defaults; every limit must be a parameter, and in range."""
    limits = json.loads(LIMITS.read_text())
    if stage not in limits:
        raise SystemExit(f"infra/edge_limits.json has no stage {stage!r}")
    parameters = sam.get("Parameters", {})
    for name, value in limits[stage].items():
        parameter = parameters.get(name)
        if parameter is None:
            raise SystemExit(f"infra/edge_limits.json: {name} is not a parameter of the template")
        if not isinstance(value, int) or not parameter.get("MinValue", value) <= value <= parameter.get("MaxValue",
                                                                                                           value):
            raise SystemExit(f"infra/edge_limits.json: {stage}.{name} = {value!r} is out of the parameter's range")
        parameter["Default"] = value
    return sam


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python infra/stage_limits.py <stage> <build dir>", file=sys.stderr)
        return 2
    path = Path(argv[2]) / "sam.json"
    path.write_text(json.dumps(apply(argv[1], json.loads(path.read_text())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
