"""The child process of the cold-start measurement: a fresh interpreter that imports the app, builds the container
from the environment (as a Lambda's first invocation does) and serves a first token through the handler.

Run by ``bench.cold`` as ``python -c CHILD_CODE`` with the local stack's settings in the environment and the
client's credentials in ``BENCH_CLIENT_ID`` / ``BENCH_CLIENT_SECRET`` / ``BENCH_SCOPE``. Prints one JSON line.
Nothing but the standard library is imported before the app, so the import phase is the app's own.
"""
from __future__ import annotations

from typing import Any  # bench.apigw, imported before the app, imports typing anyway

# The first statements the child runs: taken before anything else is imported.
CHILD_CODE = (
    "import time; _wall = time.time(); _t0 = time.perf_counter(); _c0 = time.process_time(); "
    "from bench.coldstart import child; child(_t0, _wall, _c0)"
)

# ``off``: the first token reads the ``default`` alias after the change log, builds the KMS and Secrets Manager clients
# and loads its key when it needs them, as before 2026-12-05, instead of on other threads while it reads
# (oauth/configuration.DefaultServerId.prefetch, keys/signer.py ``prepare``, ``prefetch``): a kind of bench/cold.py.
KEY_AHEAD = "BENCH_KEY_AHEAD"


class Marks(dict[str, float]):
    """Wall (perf_counter) and CPU (process_time) readings by name."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}

    def __setitem__(self, name: str, value: float) -> None:
        import time

        self.cpu[name] = time.process_time()
        super().__setitem__(name, value)


def child(t0: float, wall0: float, cpu0: float = 0.0) -> None:
    import json
    import os
    import sys
    import time

    from bench.apigw import LambdaContext, token_event

    marks = Marks()
    marks["bench_helpers_imported"] = time.perf_counter()
    from app import app  # noqa: E402 - the measured import (module top level = Lambda INIT)

    marks["app_imported"] = time.perf_counter()
    # Instrumentation is installed after the app's import (so botocore's import is charged to the app, where it
    # belongs) and before any AWS client exists (the container makes them).
    from bench.awscalls import AwsCallCounter

    counter = AwsCallCounter().install()
    marks["counter_installed"] = time.perf_counter()
    from chalicelib.container import get_container

    container = get_container()  # what the first request would do: Settings.from_env() + Container.build()
    if os.environ.get(KEY_AHEAD) == "off":  # the comparison kind: nothing read ahead
        container.caches.signer._prepare = None  # noqa: SLF001 - the bench's toggle, not a setting users need
        container.caches.signer._background = False  # noqa: SLF001
        container.caches.default_server_id._background = False  # noqa: SLF001
    marks["container_built"] = time.perf_counter()
    build_calls = counter.reset()

    event = token_event("default", os.environ["BENCH_CLIENT_ID"], os.environ["BENCH_CLIENT_SECRET"],
                        os.environ["BENCH_SCOPE"])
    first = app(event, LambdaContext())
    marks["first_token"] = time.perf_counter()
    first_calls = counter.reset()
    second = app(event, LambdaContext())
    marks["second_token"] = time.perf_counter()
    second_calls = counter.reset()

    from chalicelib import dataclass_code, module_code

    ok = all(r["statusCode"] == 200 and '"access_token":"ey' in r["body"] for r in (first, second))
    print(json.dumps({
        "ok": ok,
        "status": [first["statusCode"], second["statusCode"]],
        "error_body": None if ok else first["body"][:500],
        "wall0": wall0,
        "t": {name: value - t0 for name, value in marks.items()},
        "cpu": {name: value - cpu0 for name, value in marks.cpu.items()},
        "build_calls": calls_rows(build_calls),
        "first_calls": calls_rows(first_calls),
        "first_read_units": first_calls.read_units,
        "second_calls": calls_rows(second_calls),
        "clients": counter.clients_seen,
        "dataclass_code": dataclass_code.last_stats,
        "module_code": module_code.last_stats,
        "python": sys.version.split()[0],
    }))


def calls_rows(tally: Any) -> list[list[Any]]:
    """[service, operation, calls, seconds] rows of a bench.awscalls Tally."""
    return [[service, op, n, tally.seconds[(service, op)]] for (service, op), n in sorted(tally.calls.items())]
