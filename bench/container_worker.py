"""One Lambda instance of the many-containers benchmark (bench/containers.py): a fresh interpreter with its own
container, serving API Gateway events through the real handler ``app(event, LambdaContext())``.

Run as ``python -m bench.container_worker`` with the local stack's settings in the environment. It talks to the
parent over its standard streams, one JSON object per line (refresh tokens cross these pipes, never a log):

* parent -> worker, first line: the job (``mode`` "load" or "race", the clients, the user, how many chains);
* worker -> parent: ``{"ready": ...}`` after its start-up (container built, chains obtained by the password grant);
* parent -> worker: ``{"go": T}``, a wall-clock instant shared by every worker (the start barrier); in race mode
  ``{"go": T, "token": RT}``, the one refresh token every racer presents at T, or ``{"quit": true}``;
* worker -> parent: what it did (load: once, at the end; race: once per round).

AWS calls are counted by ``bench.awscalls`` (installed before the container exists), per operation kind.
"""
from __future__ import annotations

import base64
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlencode

from bench.apigw import TOKEN_RESOURCE, LambdaContext, gateway_headers, proxy_event, token_event
from bench.awscalls import AwsCallCounter, Tally

INVALID_GRANT = "invalid_grant"
HOLDER_PK = "HOLDERS#"  # the items of storage/grants_repository.HolderRepository
HOLDER_NOTE = "#holders"  # suffix of the table of a holder note's PutItem ("PutItem@grants#holders")
ITEMS = "items"  # the pseudo-service under which a transaction's items are counted ("items TransactWriteItems@…")


class TableCounter(AwsCallCounter):
    """``AwsCallCounter`` that names DynamoDB operations with their table (``GetItem@grants``), so that the parent
    can tell a request's own calls from the periodic ones (the change-log poll, the System Log's buffered writes)."""

    def __init__(self, tables: dict[str, str]) -> None:
        super().__init__()
        self.tables = tables  # table name -> short name

    def _before_parameter_build(self, params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        super()._before_parameter_build(params, context, **kwargs)
        name = params.get("TableName") or next(iter(params.get("RequestItems") or {}), None)
        if name is None and params.get("TransactItems"):
            name = next(iter(params["TransactItems"][0].values())).get("TableName")
        context["bench_table"] = self.tables.get(str(name), str(name))
        if str((params.get("Item") or {}).get("pk", {}).get("S", "")).startswith(HOLDER_PK):
            context["bench_table"] += HOLDER_NOTE  # periodic (once per client per container and hour), not the request's
        context["bench_items"] = len(params.get("TransactItems") or ())

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if not self._counted():
            return
        service, operation = model.service_model.service_name, model.name
        if service == "dynamodb" and context.get("bench_table"):
            operation = f"{operation}@{context['bench_table']}"
        context["bench_started"] = time.perf_counter()
        with self._lock:
            self.tally.calls[(service, operation)] += 1
            if context.get("bench_items"):  # a transaction's items: its write units (two per KB of each)
                self.tally.calls[(ITEMS, operation)] += context["bench_items"]


def tables() -> dict[str, str]:
    """The stage's table names (settings from the environment) by short name."""
    return {os.environ[f"TOKENMINT_{short.upper()}_TABLE"]: short
            for short in ("config", "directory", "grants", "log") if f"TOKENMINT_{short.upper()}_TABLE" in os.environ}


def form_event(server_id: str, client_id: str, secret: str, form: dict[str, str]) -> dict[str, Any]:
    """``POST /oauth2/{id}/v1/token`` with ``client_secret_basic`` and ``form`` as the body."""
    body = urlencode(form)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return proxy_event("POST", TOKEN_RESOURCE, server_id, gateway_headers({
        "Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body))}), body)


def tally_dict(tally: Tally) -> dict[str, Any]:
    """A tally as JSON: calls by "service operation"."""
    return {"calls": {f"{s} {op}": n for (s, op), n in sorted(tally.calls.items())},
            "read_units": tally.read_units, "write_calls": tally.write_calls}


def add(into: Tally, tally: Tally) -> None:
    into.calls.update(tally.calls)
    into.read_units += tally.read_units
    into.write_calls += tally.write_calls
    into.write_units += tally.write_units


class Worker:
    """The handler of this process and the job's clients; every call goes through ``app(event, context)``."""

    def __init__(self, job: dict[str, Any], counter: AwsCallCounter | None, app: Any) -> None:
        # No counter: the parent's own checks, which count nothing.
        self.job, self.counter, self.app = job, counter or AwsCallCounter(), app
        self.server = job["server_id"]
        self.native = (job["native_id"], job["native_secret"])
        self.cc_event = token_event(self.server, job["service_id"], job["service_secret"], job["service_scope"])

    def call(self, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = self.app(event, LambdaContext())
        try:
            body = json.loads(response.get("body") or "{}")
        except ValueError:
            body = {"unparsed": str(response.get("body"))[:300]}
        return int(response["statusCode"]), body

    def native_call(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return self.call(form_event(self.server, *self.native, form))

    def sign_in(self) -> str:
        status, body = self.native_call({"grant_type": "password", "username": self.job["login"],
                                         "password": self.job["password"], "scope": self.job["user_scope"]})
        if status != 200 or "refresh_token" not in body:
            raise SystemExit(f"password grant failed: {status} {describe(body)}")
        return str(body["refresh_token"])

    def refresh(self, token: str) -> tuple[int, dict[str, Any]]:
        return self.native_call({"grant_type": "refresh_token", "refresh_token": token})

    def client_credentials(self) -> tuple[int, dict[str, Any]]:
        return self.call(self.cc_event)


def describe(body: dict[str, Any]) -> str:
    """An error body without any token in it (error responses carry none; a success is never described)."""
    return json.dumps({k: body[k] for k in ("error", "error_description", "errorCode", "errorSummary", "unparsed")
                       if k in body})[:300]


def wait_until(instant: float) -> None:
    delay = instant - time.time()
    if delay > 0:
        time.sleep(delay)


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def receive() -> dict[str, Any]:
    text = sys.stdin.readline()
    if not text:
        raise SystemExit("parent went away")
    return dict(json.loads(text))


# -- load mode -----------------------------------------------------------------------------------------------------

def load(worker: Worker, started: float, cpu_started: float) -> None:
    """Start-up (chains by the password grant, one token of each kind), then, from the barrier, ``seconds`` of
    alternating client_credentials tokens and refresh rotations over the chains; then the reuse probe."""
    job, counter = worker.job, worker.counter
    chains = [worker.sign_in() for _ in range(job["chains"])]
    probe = worker.sign_in()  # sacrificed at the end: reuse of a rotated token must be refused
    status, body = worker.client_credentials()
    if status != 200:
        raise SystemExit(f"client_credentials failed at start-up: {status} {describe(body)}")
    startup = counter.reset()
    send({"ready": {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu_started,
                    "aws": tally_dict(startup)}})

    wait_until(float(receive()["go"]))
    tallies = {"client_credentials": Tally(), "refresh": Tally()}
    ops = {"client_credentials": 0, "refresh": 0}
    rotations = [0] * len(chains)
    errors: list[str] = []
    not_rotated = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    deadline = wall0 + float(job["seconds"])
    n = 0
    counter.reset()
    while time.perf_counter() < deadline:
        if n % 2 == 0:
            kind = "client_credentials"
            status, body = worker.client_credentials()
            ok = status == 200 and "access_token" in body
        else:
            kind = "refresh"
            i = (n // 2) % len(chains)
            status, body = worker.refresh(chains[i])
            ok = status == 200 and isinstance(body.get("refresh_token"), str)
            if ok:
                if body["refresh_token"] == chains[i]:
                    not_rotated += 1
                chains[i] = body["refresh_token"]
                rotations[i] += 1
        add(tallies[kind], counter.reset())
        ops[kind] += 1
        if not ok:
            errors.append(f"{kind}: {status} {describe(body)}")
        n += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    send({"ops": ops, "errors": len(errors), "error_samples": errors[:3], "not_rotated": not_rotated,
          "refresh_errors": sum(e.startswith("refresh") for e in errors),
          "wall": wall, "cpu": cpu, "aws": {k: tally_dict(t) for k, t in tallies.items()},
          "chains": [{"token": t, "rotations": r} for t, r in zip(chains, rotations)],
          "probe": reuse_probe(worker, probe)})


def reuse_probe(worker: Worker, token: str) -> dict[str, Any]:
    """Rotate ``token``, present it again (reuse: refused), then present its successor (refused too: reuse revokes
    the family, security-checklist RT-09)."""
    first, body = worker.refresh(token)
    successor = body.get("refresh_token") if first == 200 else None
    again, again_body = worker.refresh(token)
    after = worker.refresh(successor)[0] if isinstance(successor, str) else None
    return {"rotated": first == 200 and isinstance(successor, str) and successor != token,
            "reuse_refused": again == 400 and again_body.get("error") == INVALID_GRANT,
            "successor_refused": after == 400}


# -- race mode -----------------------------------------------------------------------------------------------------

def race(worker: Worker, started: float, cpu_started: float) -> None:
    """Warm the refresh path on a chain of its own, then, each round, present the parent's token at the barrier."""
    own = worker.sign_in()
    status, body = worker.refresh(own)
    if status != 200:
        raise SystemExit(f"warm-up refresh failed: {status} {describe(body)}")
    worker.counter.reset()
    send({"ready": {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu_started}})
    while True:
        message = receive()
        if message.get("quit"):
            return
        token = str(message["token"])
        wait_until(float(message["go"]))
        at = time.time()
        status, body = worker.refresh(token)
        calls = worker.counter.reset()
        send({"status": status, "error": body.get("error"), "late_ms": (at - float(message["go"])) * 1000,
              "refresh_token": body.get("refresh_token") if status == 200 else None,
              "transactions": sum(n for (_s, op), n in calls.calls.items() if op.startswith("TransactWriteItems"))})


def main() -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    job = receive()
    counter = TableCounter(tables()).install()  # before any botocore client exists: the container makes them
    from app import app
    from chalicelib.container import get_container

    get_container()
    worker = Worker(job, counter, app)
    if job["mode"] == "race":
        race(worker, started, cpu_started)
    else:
        load(worker, started, cpu_started)


if __name__ == "__main__":
    main()
