"""Cold start against a minimal Chalice + boto3 function in the same run (issue 20): ``python -m bench.cold``.

Fresh interpreters, alternated so that every kind sees the same machine load:

* tokenmint (bench/coldstart.py): import app, build the container, first token through ``app(event, context)``;
* the reference (bench/coldstart_minimal.py over bench/minimal_app.py): import chalice and boto3, one route, one
  DynamoDB client, one API Gateway request whose handler makes one GetItem and returns JSON;
* the reference that also signs (``BENCH_MINIMAL_SIGN=1``): the same plus PyJWT/cryptography at import and, in the
  handler, an RSA key loaded from PEM and one RS256 JWT: what any token server must do at minimum;
* tokenmint without the dataclass methods `make package` ships compiled (``TOKENMINT_DATACLASS_CODE=off``:
  chalicelib/dataclass_code.py), and without the modules' code it ships in one file (``TOKENMINT_MODULE_CODE=off``:
  chalicelib/module_code.py), to show what each saves in the same run;
* tokenmint with app.py and chalicelib/ compiled at start, and with every dependency compiled at start.

All kinds but the last two run with all bytecode cached, which is what `make package` deploys (infra/precompile.py).
The figure of issue 20 is the ratio of the medians of import + build + first request (wall), target <= 1.3; the
same ratio on CPU time (the child's ``process_time``: it leaves out the waits on moto and on other processes) is
less sensitive to machine load. Absolute milliseconds depend on the machine; the ratios much less.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from bench import coldstart, coldstart_minimal
from chalicelib import aws_loader, module_code
from chalicelib.dataclass_code import SETTING

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3  # issue 20: cold start <= 1.3x the minimal function's
MINIMAL_TABLE = "tokenmint-bench-minimal"
MINIMAL_KEY = "item-1"

Line = Callable[[str, str], None]


class StackLike(Protocol):
    """What the cold start needs of bench.tokens.Stack: moto's endpoint and a service client."""

    endpoint: str
    client_id: str
    client_secret: str


@dataclass
class ColdRun:
    wall_ms: float  # process start to exit, measured by the parent
    interpreter_ms: float  # process start to the first line of the child's code
    import_ms: float
    build_ms: float
    first_ms: float
    second_ms: float
    cpu_ms: float  # CPU time of import + build + first request (excludes waiting on AWS and on other processes)
    import_cpu_ms: float
    build_cpu_ms: float
    first_cpu_ms: float
    first_calls: list[list[Any]]
    first_read_units: float
    build_calls: list[list[Any]]
    second_calls: list[list[Any]]
    dataclass_code: list[int] | None = None  # tokenmint: (shipped, compiled) dataclass methods at INIT
    module_code: list[int] | None = None  # tokenmint: (served, recorded) modules at INIT

    @property
    def in_process_ms(self) -> float:
        return self.import_ms + self.build_ms + self.first_ms

    @property
    def aws_ms(self) -> float:
        """Waiting on AWS (moto) during the first request."""
        return float(sum(c[3] for c in self.first_calls)) * 1000

    @property
    def cpu_wait_ms(self) -> float:
        return self.cpu_ms + self.aws_ms


class Bytecode:
    """Private bytecode caches for the child processes (``PYTHONPYCACHEPREFIX``), so that the measurement does not
    depend on whether this checkout has ``__pycache__`` directories, and never writes into it. Three variants:

    * ``cached``: stdlib, dependencies and the app all have bytecode. This is what `make package` deploys: it adds
      unchecked-hash bytecode for every module to the bundle (infra/precompile.py);
    * ``app_source``: app.py and chalicelib/ are compiled from source at start;
    * ``package``: the app and every dependency are compiled from source at start, only the standard library has
      bytecode. This is what a bare `chalice package` would deploy: it unpacks wheels (which hold no .pyc) and copies
      app.py and chalicelib/, and Lambda's /var/task is read-only, so Python cannot cache what it compiles there.
    """

    def __init__(self) -> None:
        import tempfile

        self.root = tempfile.mkdtemp(prefix="tokenmint-bench-pycache-")
        self.cached = os.path.join(self.root, "cached")
        self.app_source = os.path.join(self.root, "app_source")
        self.package = os.path.join(self.root, "package")
        self.dataclass_code = os.path.join(self.root, "dataclass_code.bin")
        self.module_code = os.path.join(self.root, "module_code.bin")
        self.aws_data = os.path.join(self.root, "aws_data")

    def env(self, prefix: str, write: bool = False) -> dict[str, str]:
        """The environment of a child of ``prefix``'s kind: only ``cached`` has the compiled dataclass methods, the
        modules' code and the AWS clients' data that `make package` ships with the bytecode
        (chalicelib/dataclass_code.py, module_code.py, aws_data.py)."""
        shipped = prefix == self.cached
        env = {"PYTHONPYCACHEPREFIX": prefix, SETTING: self.dataclass_code if shipped else "off",
               module_code.SETTING: self.module_code if shipped else "off",
               aws_loader.SETTING: self.aws_data if shipped else "off"}
        if not write:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def prime(self, kinds: list["Kind"]) -> None:
        """Fills ``cached`` by running a child of each kind once, then derives the other two from it."""
        import glob
        import shutil
        import sysconfig

        def mirror(prefix: str, path: str) -> str:
            return os.path.join(prefix, os.path.abspath(path).lstrip(os.sep))

        for recorder, out in (("chalicelib.dataclass_code", self.dataclass_code),
                              ("chalicelib.module_code", self.module_code),
                              ("chalicelib.aws_data", self.aws_data)):  # from the virtualenv's botocore
            # The module code is recorded from the checkout and its virtualenv (absolute paths), not a bundle.
            done = subprocess.run([sys.executable, "-m", recorder, out], cwd=ROOT, env=child_env({}),
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise SystemExit(f"{recorder} failed:\n{done.stderr[-3000:]}")
        for kind in kinds:  # every module's bytecode written: none served from the module code file
            kind.run({**self.env(self.cached, write=True), module_code.SETTING: "off"})
        for prefix in (self.app_source, self.package):
            shutil.copytree(self.cached, prefix)
            # Only app.py and chalicelib/ (not all of ROOT: the venv may live under it).
            shutil.rmtree(mirror(prefix, str(ROOT / "chalicelib")), ignore_errors=True)
            for pyc in glob.glob(os.path.join(mirror(prefix, str(ROOT)), "app.*.pyc")):
                os.remove(pyc)
        for key in ("purelib", "platlib"):
            shutil.rmtree(mirror(self.package, sysconfig.get_paths()[key]), ignore_errors=True)

    def remove(self) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Kind:
    """One kind of child: its ``python -c`` code and its environment beyond the parent's."""

    child_code: str
    env: dict[str, str]

    def run(self, bytecode_env: dict[str, str]) -> ColdRun:
        return cold_run(self.child_code, {**self.env, **bytecode_env})


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def cold_run(child_code: str, extra: dict[str, str]) -> ColdRun:
    env = child_env(extra)
    spawned_at = time.time()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", child_code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"cold-start child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise SystemExit(f"cold-start child got no 200: {result['status']} {result['error_body']}")
    t = result["t"]
    cpu = result["cpu"]
    # The bench's own helpers (stdlib only) are imported before the app and are not charged to any phase, nor is
    # installing the AWS call counter.
    return ColdRun(
        wall_ms=wall * 1000,
        interpreter_ms=(result["wall0"] - spawned_at) * 1000,
        import_ms=(t["app_imported"] - t["bench_helpers_imported"]) * 1000,
        build_ms=(t["container_built"] - t["counter_installed"]) * 1000,
        first_ms=(t["first_token"] - t["container_built"]) * 1000,
        second_ms=(t["second_token"] - t["first_token"]) * 1000,
        cpu_ms=(cpu["first_token"] - cpu["counter_installed"] + cpu["app_imported"]
                - cpu["bench_helpers_imported"]) * 1000,
        import_cpu_ms=(cpu["app_imported"] - cpu["bench_helpers_imported"]) * 1000,
        build_cpu_ms=(cpu["container_built"] - cpu["counter_installed"]) * 1000,
        first_cpu_ms=(cpu["first_token"] - cpu["container_built"]) * 1000,
        first_calls=result["first_calls"], first_read_units=result["first_read_units"],
        dataclass_code=result.get("dataclass_code"),
        module_code=result.get("module_code"),
        build_calls=result["build_calls"], second_calls=result["second_calls"],
    )


def bare_interpreter_ms(runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def import_profile(module: str, extra: dict[str, str], runs: int = 3,
                   top: int = 8) -> tuple[float, list[tuple[str, float]]]:
    """``import <module>`` under ``-X importtime`` (best of ``runs``): its total, and the packages that take longest
    (each package's own modules' self time, summed; together they partition the total)."""
    best_total = math.inf
    best: dict[str, float] = {}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                              env=child_env(extra), capture_output=True, text=True, timeout=120)
        by_package: dict[str, float] = {}
        for row in done.stderr.splitlines():
            parts = row.split("|")
            if not row.startswith("import time:") or len(parts) != 3 or "cumulative" in row:
                continue
            name = parts[2].strip()
            if name == module:
                best_total = min(best_total, int(parts[1]) / 1000)
            package = name.split(".")[0]
            if package == "bench" and name != "bench":
                package = name  # the reference function's own module, not the package of the bench
            by_package[package] = by_package.get(package, 0.0) + int(parts[0].split(":")[1]) / 1000
        for package, ms in by_package.items():
            best[package] = min(best.get(package, math.inf), ms)
    return best_total, sorted(best.items(), key=lambda kv: -kv[1])[:top]


def minimal_item(endpoint: str) -> None:
    """The item the reference function reads: a table of its own in moto (created once; idempotent)."""
    import boto3

    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))
    if MINIMAL_TABLE not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(TableName=MINIMAL_TABLE, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    dynamodb.put_item(TableName=MINIMAL_TABLE, Item={"id": {"S": MINIMAL_KEY}, "value": {"S": "bench:read"}})


def rsa_pem() -> str:
    """A fresh RSA-2048 private key as PKCS#8 PEM: the reference's signing key (tokenmint's are RSA-2048 too)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def aws_split(run: ColdRun) -> tuple[float, float]:
    """Milliseconds of tokenmint's first-token AWS calls: (what any token needs with keys in Secrets Manager under
    KMS and configuration and clients in DynamoDB: the config Query, one client GetItem, GetSecretValue, Decrypt;
    the rest: the change log's first read, the default alias and the holder note, each bounded per container).
    The counter tallies by operation, so the client GetItem is charged the mean of the GetItems."""
    needed = extra = 0.0
    for service, operation, calls, seconds in run.first_calls:
        ms = seconds * 1000
        if service == "dynamodb" and operation == "GetItem":
            needed += ms / calls
            extra += ms - ms / calls
        elif service == "dynamodb" and operation != "Query":
            extra += ms
        else:
            needed += ms
    return needed, extra


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def med(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def ratio(ours: list[float], reference: list[float]) -> float:
    return statistics.median(ours) / statistics.median(reference)


def paired(ours: list[float], reference: list[float]) -> str:
    """The median and range of the per-round ratios (each round runs one of each kind back to back)."""
    ratios = [a / b for a, b in zip(ours, reference)]
    return f"per round: median {statistics.median(ratios):.2f}, {min(ratios):.2f}..{max(ratios):.2f}"


def calls_text(calls: list[list[Any]]) -> str:
    return ", ".join(f"{s} {o} x{n} ({sec * 1000:.1f} ms)" for s, o, n, sec in calls) or "none"


def run(line: Line, stack: StackLike, scope: str, runs: int = 7) -> dict[str, Any]:
    """Measures and prints section 4 of the token bench; returns the figures its cost section and summary use."""
    minimal_item(stack.endpoint)
    ours_env = {"BENCH_CLIENT_ID": stack.client_id, "BENCH_CLIENT_SECRET": stack.client_secret,
                "BENCH_SCOPE": scope}
    minimal_env = {"BENCH_MINIMAL_TABLE": MINIMAL_TABLE, "BENCH_MINIMAL_KEY": MINIMAL_KEY}
    ours = Kind(coldstart.CHILD_CODE, ours_env)
    minimal = Kind(coldstart_minimal.CHILD_CODE, minimal_env)
    signing = Kind(coldstart_minimal.CHILD_CODE, {**minimal_env, "BENCH_MINIMAL_SIGN": "1", "BENCH_MINIMAL_PEM": rsa_pem()})
    bare = bare_interpreter_ms()
    bytecode = Bytecode()
    kinds: dict[str, list[ColdRun]] = {"ours": [], "minimal": [], "signing": [], "compiling": [], "packaged": [],
                                     "no_dataclass_code": [], "no_module_code": [], "no_aws_data": [],
                                     "no_key_ahead": []}
    try:
        bytecode.prime([ours, minimal, signing])  # one child of each, not reported
        cached = bytecode.env(bytecode.cached)
        for _ in range(runs):  # alternated, so that all kinds see the same machine load
            kinds["ours"].append(ours.run(cached))
            kinds["minimal"].append(minimal.run(cached))
            kinds["signing"].append(signing.run(cached))
            kinds["no_dataclass_code"].append(ours.run({**cached, SETTING: "off"}))
            kinds["no_module_code"].append(ours.run({**cached, module_code.SETTING: "off"}))
            kinds["no_aws_data"].append(ours.run({**cached, aws_loader.SETTING: "off"}))
            kinds["no_key_ahead"].append(ours.run({**cached, coldstart.KEY_AHEAD: "off"}))
            kinds["compiling"].append(ours.run(bytecode.env(bytecode.app_source)))
            kinds["packaged"].append(ours.run(bytecode.env(bytecode.package)))
        ours_import = import_profile("app", {**ours_env, **cached})
        minimal_import = import_profile("bench.minimal_app", {**minimal_env, **cached})
    finally:
        bytecode.remove()
    return report(line, kinds, bare, ours_import, minimal_import)


def report(line: Line, kinds: dict[str, list[ColdRun]], bare: float, ours_import: tuple[float, list[tuple[str, float]]],
           minimal_import: tuple[float, list[tuple[str, float]]]) -> dict[str, Any]:
    ours, minimal, signing = kinds["ours"], kinds["minimal"], kinds["signing"]
    line("bare interpreter, `python -c pass`, wall", f"{bare:6.1f} ms (median of 3)")
    print(f"  all bytecode cached, as `make package` deploys ({len(ours)} runs of each kind, alternated; "
          "median (min, max)):", flush=True)
    for label, rows in (("tokenmint", ours), ("minimal Chalice + boto3, one GetItem", minimal),
                        ("minimal + RS256 (PEM key load, one JWT)", signing)):
        print(f"    {label}:", flush=True)
        line("  import (module top level = Lambda INIT)", med([r.import_ms for r in rows]))
        line("  build (settings, clients)", med([r.build_ms for r in rows]))
        line("  first request (cold caches, AWS on local moto)", med([r.first_ms for r in rows]))
        line("    of which waiting on AWS", med([r.aws_ms for r in rows]))
        line("  import + build + first request, wall", med([r.in_process_ms for r in rows]))
        line("  the same, CPU time", med([r.cpu_ms for r in rows]))
        line("    CPU by phase: import / build / first request",
             " / ".join(f"{statistics.median([getattr(r, a) for r in rows]):.1f}"
                        for a in ("import_cpu_ms", "build_cpu_ms", "first_cpu_ms")) + " ms (medians)")
        line("  second request (warm, for comparison)", med([r.second_ms for r in rows]))
        line("  whole process incl. interpreter start and exit", med([r.wall_ms for r in rows]))
        if rows and rows[0].dataclass_code is not None:
            shipped, compiled = rows[0].dataclass_code
            line("  dataclass methods at INIT: found shipped / compiled", f"{shipped} / {compiled}")
        if rows and rows[0].module_code is not None:
            served, recorded = rows[0].module_code
            line("  modules at INIT: served from the shipped file / in it", f"{served} / {recorded}")
    wall = {k: [r.in_process_ms for r in v] for k, v in kinds.items()}
    cpu = {k: [r.cpu_ms for r in v] for k, v in kinds.items()}
    figures: dict[str, Any] = {
        "ratio": ratio(wall["ours"], wall["minimal"]),
        "ratio_cpu": ratio(cpu["ours"], cpu["minimal"]),
        "ratio_signing": ratio(wall["ours"], wall["signing"]),
        "ratio_signing_cpu": ratio(cpu["ours"], cpu["signing"]),
    }
    print("  ratios, tokenmint / reference (medians of import + build + first request):", flush=True)
    line(f"  vs minimal, wall (target <= {TARGET_RATIO})",
         f"{figures['ratio']:.2f}  {verdict(figures['ratio'] <= TARGET_RATIO)}  "
         f"({paired(wall['ours'], wall['minimal'])})")
    line("  vs minimal, CPU time", f"{figures['ratio_cpu']:.2f}  {verdict(figures['ratio_cpu'] <= TARGET_RATIO)}  "
                                   f"({paired(cpu['ours'], cpu['minimal'])})")
    line("  vs minimal + RS256, wall", f"{figures['ratio_signing']:.2f}  "
                                       f"{verdict(figures['ratio_signing'] <= TARGET_RATIO)}  "
                                       f"({paired(wall['ours'], wall['signing'])})")
    line("  vs minimal + RS256, CPU time", f"{figures['ratio_signing_cpu']:.2f}  "
                                           f"{verdict(figures['ratio_signing_cpu'] <= TARGET_RATIO)}  "
                                           f"({paired(cpu['ours'], cpu['signing'])})")
    print("  where tokenmint's extra time goes (median of tokenmint minus median of the reference, wall ms):",
          flush=True)
    for label, attr in (("import", "import_ms"), ("build", "build_ms"), ("first request", "first_ms"),
                        ("  of which waiting on AWS", "aws_ms"), ("total", "in_process_ms")):
        extra = [statistics.median([getattr(r, attr) for r in ours]) - statistics.median(
            [getattr(r, attr) for r in rows]) for rows in (minimal, signing)]
        line(f"  {label}", f"{extra[0]:+6.1f} vs minimal, {extra[1]:+6.1f} vs minimal + RS256")
    print("  the same in CPU time (less sensitive to load; excludes the waits on AWS):", flush=True)
    for label, attr in (("import", "import_cpu_ms"), ("build", "build_cpu_ms"), ("first request", "first_cpu_ms"),
                        ("total", "cpu_ms")):
        extra = [statistics.median([getattr(r, attr) for r in ours]) - statistics.median(
            [getattr(r, attr) for r in rows]) for rows in (minimal, signing)]
        line(f"  {label}", f"{extra[0]:+6.1f} vs minimal, {extra[1]:+6.1f} vs minimal + RS256")
    without: list[tuple[str, str, str, Callable[[ColdRun], float]]] = [
        ("no_dataclass_code", "the shipped dataclass methods", "import", lambda r: r.import_cpu_ms),
        ("no_module_code", "the shipped module code", "import", lambda r: r.import_cpu_ms),
        ("no_aws_data", "the shipped AWS data", "build + first request", lambda r: r.build_cpu_ms + r.first_cpu_ms)]
    for key, what, phase, phase_of in without:
        plain = kinds.get(key) or []
        if plain:
            line(f"tokenmint without {what}, CPU",
                 f"{med([r.cpu_ms for r in plain])}; {phase} {statistics.median([phase_of(r) for r in plain]):.1f}"
                 f" (shipped: {statistics.median([phase_of(r) for r in ours]):.1f}) ms")
    behind = kinds.get("no_key_ahead") or []
    if behind:
        line("tokenmint reading nothing ahead (alias, key's clients, key), wall",
             f"{med([r.in_process_ms for r in behind])}; first request {med([r.first_ms for r in behind])} "
             f"(reading ahead: {statistics.median([r.first_ms for r in ours]):.1f} ms)")
        behind_ratio = statistics.median([r.in_process_ms for r in behind]) / statistics.median(wall["minimal"])
        line("  ratio to the minimal function, wall", f"{behind_ratio:.2f} (reading ahead: {figures['ratio']:.2f})")
    sample = sorted(ours, key=lambda r: r.in_process_ms)[len(ours) // 2]  # the median run
    reference = sorted(minimal, key=lambda r: r.in_process_ms)[len(minimal) // 2]
    line("AWS calls of tokenmint's first token", "")
    print("      " + calls_text(sample.first_calls), flush=True)
    line("AWS calls of the minimal function's first request", calls_text(reference.first_calls))
    line("AWS calls during build (tokenmint / minimal)", f"{calls_text(sample.build_calls)} / "
                                                         f"{calls_text(reference.build_calls)}")
    line("AWS calls of the second request (tokenmint)", calls_text(sample.second_calls))
    needed = [aws_split(r)[0] for r in ours]
    extras = [aws_split(r)[1] for r in ours]
    print("  tokenmint's first-token AWS wait, split (aws_split):", flush=True)
    line("  needed: config Query, client GetItem, SM + KMS", med(needed))
    line("  bounded extras: change log, alias, holder note", med(extras))
    line("  the minimal function's one GetItem", med([r.aws_ms for r in minimal]))
    for name, (total, packages) in (("tokenmint: `import app`", ours_import),
                                    ("minimal: `import bench.minimal_app`", minimal_import)):
        line(f"{name} under -X importtime (best of 3)", f"{total:6.1f} ms; own modules' time by package:")
        print("      " + ", ".join(f"{package} {ms:.0f}" for package, ms in packages) + " (ms)", flush=True)
    compiling, packaged = wall["compiling"], wall["packaged"]
    print(f"  tokenmint with app.py and chalicelib/ compiled from source at start ({len(compiling)} runs):")
    line("import app", med([r.import_ms for r in kinds["compiling"]]))
    line("import + build + first token", med(compiling))
    print(f"  tokenmint without shipped bytecode (a bare `chalice package`; `make package` adds it): app and all "
          f"dependencies compiled at start, stdlib cached ({len(packaged)} runs):")
    line("import app", med([r.import_ms for r in kinds["packaged"]]))
    line("import + build + first token", med(packaged))
    figures.update(
        runs=ours, sample=sample, cold_ms=statistics.median(wall["ours"]), best_ms=min(wall["ours"]),
        cpu_wait_ms=statistics.median([r.cpu_wait_ms for r in ours]),
        minimal_ms=statistics.median(wall["minimal"]), signing_ms=statistics.median(wall["signing"]),
        compiling_ms=statistics.median(compiling), packaged_ms=statistics.median(packaged),
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes of each kind; default 7")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    from bench.tokens import SCOPE, heading, line, start_stack

    stack = start_stack()
    try:
        heading("Cold start vs a minimal Chalice + boto3 function (fresh interpreters, alternated)")
        load = os.getloadavg()
        line("load average at the start (1/5/15 min)", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
        figures = run(line, stack, SCOPE, args.runs)
        load = os.getloadavg()
        line("load average at the end (1/5/15 min)", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
        line(f"ratio tokenmint / minimal, wall (target <= {TARGET_RATIO})",
             f"{figures['ratio']:.2f}  {verdict(figures['ratio'] <= TARGET_RATIO)}  (CPU {figures['ratio_cpu']:.2f};"
             f" vs minimal + RS256: wall {figures['ratio_signing']:.2f}, CPU {figures['ratio_signing_cpu']:.2f})")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
