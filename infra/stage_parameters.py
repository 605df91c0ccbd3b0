"""Per-stage parameter defaults: ``python infra/stage_parameters.py <stage> build/<stage>`` after ``chalice package``.

``chalice package`` merges the same ``infra/resources.json`` into every stage, so a template parameter has one
default for all stages. Settings that differ per stage (the abuse limits: docs/operations.md#abuse-limits) are
stage settings in ``.chalice/config.json``, under ``stages.<stage>.tokenmint_template_parameters``
(``{"ParameterName": value}``; Chalice ignores the key). This writes them as the ``Default`` of those parameters in
``sam.json``, so a deploy without overrides gets the stage's values and ``--parameter-overrides`` still wins.

Refused (exit 2, nothing written): a name the template has no parameter for, or a value outside the parameter's
``MinValue``/``MaxValue`` or ``AllowedValues`` or not of its type.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"
KEY = "tokenmint_template_parameters"


def stage_values(config: dict[str, Any], stage: str) -> dict[str, Any]:
    """The parameter values a stage sets in .chalice/config.json (none: {})."""
    stages = config.get("stages", {})
    if stage not in stages:
        raise ValueError(f"stage {stage!r} is not in .chalice/config.json")
    values = stages[stage].get(KEY, {})
    if not isinstance(values, dict):
        raise ValueError(f"stages.{stage}.{KEY} must be an object of parameter names and values")
    return dict(values)


def check(name: str, value: Any, parameter: dict[str, Any]) -> None:
    if parameter.get("Type") == "Number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}: {value!r} is not a number")
        if "MinValue" in parameter and value < parameter["MinValue"]:
            raise ValueError(f"{name}: {value} is below its MinValue {parameter['MinValue']}")
        if "MaxValue" in parameter and value > parameter["MaxValue"]:
            raise ValueError(f"{name}: {value} is above its MaxValue {parameter['MaxValue']}")
    elif not isinstance(value, str):
        raise ValueError(f"{name}: {value!r} is not a string")
    if "AllowedValues" in parameter and value not in parameter["AllowedValues"]:
        raise ValueError(f"{name}: {value!r} is not one of its AllowedValues")


def apply(sam: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``sam`` with each named parameter's Default set to the stage's value."""
    parameters = sam.get("Parameters", {})
    for name, value in values.items():
        if name not in parameters:
            raise ValueError(f"{name}: the template has no such parameter")
        check(name, value, parameters[name])
        parameters[name]["Default"] = value
    return sam


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: stage_parameters.py <stage> <build dir>", file=sys.stderr)
        return 2
    stage, template = argv[1], Path(argv[2]) / "sam.json"
    try:
        values = stage_values(json.loads(CONFIG.read_text()), stage)
        sam = apply(json.loads(template.read_text()), values)
    except ValueError as exc:
        print(f"stage_parameters: {exc}", file=sys.stderr)
        return 2
    template.write_text(json.dumps(sam, indent=2) + "\n")
    print(f"stage_parameters: {len(values)} parameter defaults of stage {stage} written to {template}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
