"""The child process of the reference cold start (issue 20): a fresh interpreter that imports the minimal Chalice +
boto3 function (bench/minimal_app.py), builds its one DynamoDB client and serves a first request through
``app(event, context)``; the twin of bench/coldstart.py, with the same phases, marks and JSON line.

Run by ``bench.cold`` as ``python -c CHILD_CODE`` with the local stack's environment and ``BENCH_MINIMAL_TABLE`` /
``BENCH_MINIMAL_KEY`` naming the item the parent created (``BENCH_MINIMAL_SIGN=1`` adds the RS256 signature).
Nothing but the standard library and the bench's event helpers is imported before the function.
"""
from __future__ import annotations

CHILD_CODE = (
    "import time; _wall = time.time(); _t0 = time.perf_counter(); _c0 = time.process_time(); "
    "from bench.coldstart_minimal import child; child(_t0, _wall, _c0)"
)

ROUTE = "/item/{item_id}"


def child(t0: float, wall0: float, cpu0: float = 0.0) -> None:
    import json
    import os
    import sys
    import time

    from bench.apigw import LambdaContext, gateway_headers, proxy_event
    from bench.coldstart import calls_rows, Marks

    marks = Marks()
    marks["bench_helpers_imported"] = time.perf_counter()
    from bench import minimal_app  # the measured import (module top level = Lambda INIT)

    marks["app_imported"] = time.perf_counter()
    from bench.awscalls import AwsCallCounter  # after the import, before the client: as in bench/coldstart.py

    counter = AwsCallCounter().install()
    marks["counter_installed"] = time.perf_counter()
    minimal_app.build()
    marks["container_built"] = time.perf_counter()
    build_calls = counter.reset()

    key = os.environ["BENCH_MINIMAL_KEY"]
    event = proxy_event("GET", ROUTE.replace("{item_id}", "{authServerId}"), key, gateway_headers({}), None)
    event["resource"] = event["requestContext"]["resourcePath"] = ROUTE
    event["pathParameters"] = {"item_id": key}
    first = minimal_app.app(event, LambdaContext())
    marks["first_token"] = time.perf_counter()
    first_calls = counter.reset()
    second = minimal_app.app(event, LambdaContext())
    marks["second_token"] = time.perf_counter()
    second_calls = counter.reset()

    signing = minimal_app.SIGN
    ok = all(r["statusCode"] == 200 and json.loads(r["body"])["id"] == key
             and (not signing or json.loads(r["body"])["access_token"].startswith("ey")) for r in (first, second))
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
        "python": sys.version.split()[0],
    }))
