"""The AWS data a bundle ships for its clients (issue 20, cold start): ``python -m chalicelib.aws_data OUT
[BOTOCORE_DATA]``, run by `make package` (infra/precompile.py) over the bundle's own botocore.

A cold start makes three botocore clients (DynamoDB, KMS, Secrets Manager). botocore reads, for each, a gzipped
model of ~0.5 MB, two thirds of it documentation text, and for all three its 1.2 MB endpoints file, which lists
every service of every partition: ~14 ms of CPU per cold start, spent decompressing and parsing data the app never
reads. This writes a copy that holds exactly what those clients read, from botocore's own files:

* ``<service>/<api-version>/service-2.json`` and ``endpoint-rule-set-1.json``: the latest version, uncompressed;
  the model without its ``documentation`` members (botocore uses them only to write docstrings);
* ``endpoints.json``: botocore's, with each partition's services cut to the three;
* ``botocore-version``: the version of botocore it was made from; the loader ignores a copy made from another.

chalicelib/aws_loader.py searches it just before botocore's own data; whatever it lacks is botocore's.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from .aws_loader import VERSION_FILE

# The services whose clients the app makes (container.py: pynamodb's DynamoDB, the key store's KMS and Secrets
# Manager); tests/unit/test_aws_data.py checks that the app makes clients of no other service.
SERVICES = ("dynamodb", "kms", "secretsmanager")
TYPES = ("service-2", "endpoint-rule-set-1")


def without_documentation(value: Any) -> Any:
    """``value`` with every ``documentation`` text of every object removed, in the same order otherwise. Only
    text: a structure member or a shape that happens to be named ``documentation`` (an object) stays."""
    if isinstance(value, dict):
        return {key: without_documentation(item) for key, item in value.items()
                if not (key == "documentation" and isinstance(item, str))}
    if isinstance(value, list):
        return [without_documentation(item) for item in value]
    return value


def _read(path: Path) -> Any:
    if path.with_suffix(".json").is_file():
        return json.loads(path.with_suffix(".json").read_bytes())
    with gzip.open(path.with_suffix(".json.gz"), "rb") as stream:
        return json.loads(stream.read())


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")


def botocore_version(data: Path) -> str:
    """The ``__version__`` of the botocore package whose ``data`` directory this is (read, not imported: the
    bundle's botocore need not be the one running this)."""
    found = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", (data.parent / "__init__.py").read_text(), re.M)
    if found is None:
        raise ValueError(f"no __version__ in {data.parent / '__init__.py'}")
    return found.group(1)


def ship(data: Path, out: Path, services: tuple[str, ...] = SERVICES) -> list[Path]:
    """Writes the shipped copy of botocore's ``data`` directory for ``services`` under ``out``; returns the files
    written, relative to ``out``."""
    written: list[Path] = []
    for service in services:
        version = max(p.name for p in (data / service).iterdir() if p.is_dir())
        for type_name in TYPES:
            model = _read(data / service / version / f"{type_name}.json")
            relative = Path(service, version, f"{type_name}.json")
            _write(out / relative, without_documentation(model) if type_name == "service-2" else model)
            written.append(relative)
    endpoints = _read(data / "endpoints.json")
    for partition in endpoints["partitions"]:
        partition["services"] = {name: entry for name, entry in partition["services"].items() if name in services}
    _write(out / "endpoints.json", endpoints)
    (out / VERSION_FILE).write_text(botocore_version(data) + "\n")
    return [*written, Path("endpoints.json"), Path(VERSION_FILE)]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m chalicelib.aws_data OUT [BOTOCORE_DATA]", file=sys.stderr)
        return 2
    import botocore

    data = Path(argv[1]) if len(argv) == 2 else Path(os.path.dirname(botocore.__file__)) / "data"
    files = ship(data, Path(argv[0]))
    print(f"aws_data: {len(files)} files for {', '.join(SERVICES)} written to {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
