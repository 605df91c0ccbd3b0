"""Ship bytecode in the Lambda bundle: ``python infra/precompile.py build/<stage>`` after ``chalice package``.

Lambda's ``/var/task`` is read-only, so a bundle without ``__pycache__`` makes every cold start compile app.py,
chalicelib and every dependency from source (about +300 to +450 ms per cold start on the bench machine; see
docs/performance.md). This adds ``.pyc`` files next to every module of ``deployment.zip``, compiled with
*unchecked-hash* invalidation: a zip keeps modification times at 2-second resolution and without a time zone, so
timestamp-checked bytecode could be judged stale and recompiled in memory at each cold start; the bundle never
changes once built, so the source need not be checked at all.

It also adds ``chalicelib/dataclass_code.bin``, the app's dataclass methods compiled once (chalicelib/dataclass_code.py:
~45 ms less CPU per cold start), and ``chalicelib/module_code.bin``, the code of every module of the bundle that
``import app`` loads, in one file (chalicelib/module_code.py: ~25 ms less CPU per cold start), and
``chalicelib/aws_data/``, the part of the bundle's botocore data its three AWS clients read, uncompressed and without
documentation text (chalicelib/aws_data.py: ~14 ms less CPU per cold start).

The bytecode must be for the Python of the Lambda runtime: the script reads ``Runtime`` from ``sam.json`` and refuses
to compile with another interpreter.
"""
from __future__ import annotations

import compileall
import json
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

RUNTIME_PREFIX = "python"
ROOT = Path(__file__).resolve().parent.parent
DATACLASS_CODE = "chalicelib/dataclass_code.bin"
MODULE_CODE = "chalicelib/module_code.bin"
AWS_DATA = "chalicelib/aws_data"


def runtimes(sam: dict[str, Any]) -> set[str]:
    """The ``Runtime`` of every function of the packaged template (Chalice writes it per function or in Globals)."""
    found = {sam.get("Globals", {}).get("Function", {}).get("Runtime")}
    for resource in sam.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            found.add(resource.get("Properties", {}).get("Runtime"))
    return {r for r in found if r}


def check_interpreter(sam: dict[str, Any]) -> str:
    """The runtime name, when this interpreter can compile for it; raises ``SystemExit`` otherwise."""
    wanted = runtimes(sam)
    here = f"{RUNTIME_PREFIX}{sys.version_info.major}.{sys.version_info.minor}"
    if wanted != {here}:
        raise SystemExit(f"precompile: the template's runtime is {sorted(wanted)} but this is {here}; "
                         "bytecode would not load there. Package with the runtime's Python version.")
    return here


def precompile(bundle: Path) -> int:
    """Rewrites ``bundle`` with unchecked-hash bytecode beside every module; returns how many .pyc were added."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(bundle) as archive:
            entries = archive.infolist()
            archive.extractall(root)
        ok = compileall.compile_dir(str(root), quiet=2, workers=0,
                                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        if not ok:
            raise SystemExit("precompile: some modules of the bundle failed to compile")
        known = {e.filename for e in entries}
        added = sorted(p for p in root.rglob("*.pyc") if p.relative_to(root).as_posix() not in known)
        rewritten = bundle.with_suffix(".tmp")
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as out:
            for entry in entries:  # the original entries keep their attributes (permissions of .so files)
                out.writestr(entry, (root / entry.filename).read_bytes() if not entry.is_dir() else b"")
            for path in added:
                info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, path.read_bytes())
        rewritten.replace(bundle)
        return len(added)


def _record(bundle: Path, shipped: str, module: str, *tree: Path) -> tuple[int, bytes]:
    """Runs ``python -m <module> OUT [TREE]`` in a fresh interpreter over the project's sources (those the bundle
    holds) and returns the count it prints and the file it wrote, after checking ``bundle`` can take it."""
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    source = module.replace(".", "/") + ".py"
    if source not in names:
        raise SystemExit(f"precompile: the bundle has no {source}")
    if shipped in names:
        raise SystemExit(f"precompile: the bundle has {shipped} already (package again from scratch)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / Path(shipped).name
        done = subprocess.run([sys.executable, "-m", module, str(out), *map(str, tree)], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"precompile: {module} failed:\n{done.stderr[-2000:]}")
        return int(done.stdout.split()[1]), out.read_bytes()  # "<module>: N … written to …"


def _add(bundle: Path, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr(info, data)


def ship_dataclass_code(bundle: Path) -> int:
    """Adds ``chalicelib/dataclass_code.bin`` to ``bundle``: the app's dataclass methods compiled by this interpreter
    (chalicelib/dataclass_code.py), recorded from ``import app`` in a fresh interpreter over the project's sources,
    which are the ones the bundle holds. Returns how many methods."""
    count, data = _record(bundle, DATACLASS_CODE, "chalicelib.dataclass_code")
    _add(bundle, DATACLASS_CODE, data)
    return count


def ship_module_code(bundle: Path) -> int:
    """Adds ``chalicelib/module_code.bin`` to ``bundle``: the code of the bundle's modules that ``import app`` loads,
    compiled by this interpreter from the bundle's own sources (chalicelib/module_code.py; which modules: those a
    fresh ``import app`` over the project's sources loads). Returns how many modules."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(tree, [n for n in archive.namelist() if n.endswith(".py")])
        count, data = _record(bundle, MODULE_CODE, "chalicelib.module_code", tree)
    _add(bundle, MODULE_CODE, data)
    return count


def ship_aws_data(bundle: Path) -> int:
    """Adds ``chalicelib/aws_data/`` to ``bundle``: its AWS clients' data made from the bundle's own botocore
    (chalicelib/aws_data.py). Returns how many files."""
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    if any(name.startswith(AWS_DATA + "/") for name in names):
        raise SystemExit(f"precompile: the bundle has {AWS_DATA}/ already (package again from scratch)")
    if "botocore/__init__.py" not in names:
        raise SystemExit("precompile: the bundle has no botocore/ (requirements.txt pins it)")
    with tempfile.TemporaryDirectory() as tmp:
        tree, out = Path(tmp) / "bundle", Path(tmp) / "aws_data"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(tree, [n for n in names if n.startswith("botocore/data/")
                                      or n == "botocore/__init__.py"])
        done = subprocess.run([sys.executable, "-m", "chalicelib.aws_data", str(out), str(tree / "botocore" / "data")],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"precompile: chalicelib.aws_data failed:\n{done.stderr[-2000:]}")
        files = sorted(p for p in out.rglob("*") if p.is_file())
        for path in files:
            _add(bundle, f"{AWS_DATA}/{path.relative_to(out).as_posix()}", path.read_bytes())
    return len(files)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python infra/precompile.py BUILD_DIR (holding sam.json and deployment.zip)", file=sys.stderr)
        return 2
    build = Path(argv[0])
    runtime = check_interpreter(json.loads((build / "sam.json").read_text()))
    count = precompile(build / "deployment.zip")
    print(f"precompile: {count} .pyc files ({runtime}, unchecked-hash) added to {build / 'deployment.zip'}")
    methods = ship_dataclass_code(build / "deployment.zip")
    print(f"precompile: {methods} compiled dataclass methods added as {DATACLASS_CODE}")
    modules = ship_module_code(build / "deployment.zip")
    print(f"precompile: the code of {modules} modules added as {MODULE_CODE}")
    files = ship_aws_data(build / "deployment.zip")
    print(f"precompile: {files} files of the AWS clients' data added under {AWS_DATA}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
