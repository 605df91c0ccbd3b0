"""Per-stage template settings: ``python infra/stage_settings.py <stage> build/<stage>`` after ``chalice package``.

``chalice package`` merges the same ``infra/resources.json`` into every stage. Settings of the merge template that
differ per stage (today the abuse limits, docs/operations.md#abuse-limits) are stage settings in
``.chalice/config.json``, beside Chalice's own (``reserved_concurrency``): ``stages.<stage>.tokenmint_abuse_limits``,
``{"Name": value}`` (Chalice ignores the key). This writes them into ``sam.json`` as the mapping
``StageSettings.AbuseLimits``, which the template reads with ``Fn::FindInMap`` wherever its override parameter of
the same name is left empty.

Literal values in the template, not parameter defaults: ``aws cloudformation deploy`` and ``sam deploy`` send
``UsePreviousValue`` for every parameter not overridden, so a changed default would never reach an existing stack;
a changed mapping does, at the next deploy, exactly as a changed ``reserved_concurrency`` does.

Refused (exit 2, nothing written): a stage that sets a name the template never reads or leaves out one it reads, or a
value that is not a positive whole number.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"
MAPPING = "StageSettings"
# Key of .chalice/config.json's stage -> top-level key of the mapping.
SECTIONS = {"tokenmint_abuse_limits": "AbuseLimits"}


def stage_settings(config: dict[str, Any], stage: str) -> dict[str, dict[str, int]]:
    """{mapping key: {name: value}} of one stage of .chalice/config.json."""
    stages = config.get("stages", {})
    if stage not in stages:
        raise ValueError(f"stage {stage!r} is not in .chalice/config.json")
    found = {}
    for key, section in SECTIONS.items():
        values = stages[stage].get(key, {})
        if not isinstance(values, dict):
            raise ValueError(f"stages.{stage}.{key} must be an object of names and values")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"stages.{stage}.{key}.{name}: {value!r} is not a positive whole number")
        found[section] = dict(values)
    return found


def lookups(node: Any) -> Iterator[tuple[str, str]]:
    """(top-level key, name) of every ``Fn::FindInMap`` of the mapping in a template fragment."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::FindInMap" and value[0] == MAPPING:
                yield value[1], value[2]
            else:
                yield from lookups(value)
    elif isinstance(node, list):
        for item in node:
            yield from lookups(item)


def apply(sam: dict[str, Any], settings: dict[str, dict[str, int]]) -> dict[str, Any]:
    """``sam`` with the mapping holding exactly the settings its ``Fn::FindInMap``s read."""
    read = set(lookups(sam.get("Resources", {}))) | set(lookups(sam.get("Outputs", {})))
    given = {(section, name) for section, values in settings.items() for name in values}
    if read - given:
        raise ValueError("the template reads settings the stage does not set: "
                         + ", ".join(f"{s}.{n}" for s, n in sorted(read - given)))
    if given - read:
        raise ValueError("the stage sets settings the template never reads: "
                         + ", ".join(f"{s}.{n}" for s, n in sorted(given - read)))
    if read:
        sam.setdefault("Mappings", {})[MAPPING] = {s: v for s, v in settings.items() if v}
    return sam


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: stage_settings.py <stage> <build dir>", file=sys.stderr)
        return 2
    stage, template = argv[1], Path(argv[2]) / "sam.json"
    try:
        settings = stage_settings(json.loads(CONFIG.read_text()), stage)
        sam = apply(json.loads(template.read_text()), settings)
    except ValueError as exc:
        print(f"stage_settings: {exc}", file=sys.stderr)
        return 2
    template.write_text(json.dumps(sam, indent=2) + "\n")
    count = sum(len(v) for v in settings.values())
    print(f"stage_settings: {count} settings of stage {stage} written to {template} (Mappings.{MAPPING})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
