"""The parent's side of the many-containers benchmark (bench/containers.py): the clients and people the workers use,
the worker processes and their start barrier, and moto's server made to apply one request at a time."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bench.container_worker import Worker

ROOT = Path(__file__).resolve().parent.parent
SERVER = "default"
PASSWORD = "Tokenm1nt-Secret-Racer"
USER_SCOPE = "openid offline_access"
SETTLE_SECONDS = 0.3  # from the last worker's "ready" to the shared start instant


@dataclass
class Setup:
    stack: Any
    service: tuple[str, str]
    native: tuple[str, str]
    users: list[tuple[str, str]]  # (login, id)
    scope: str


def prepare(stack: Any, users: int) -> Setup:
    """The two apps and ``users`` people assigned to the native one (through the services, as an admin would)."""
    from bench.tokens import SCOPE

    container = stack.container
    run = secrets.token_hex(3)  # names and logins are unique: run() may be called again on the same stack
    native, secret = container.clients.create({
        "client_name": f"bench native {run}", "application_type": "native",
        "grant_types": ["authorization_code", "password", "refresh_token"],
        "redirect_uris": ["com.example.bench:/callback"], "token_endpoint_auth_method": "client_secret_basic"})
    people = []
    for i in range(users):
        login = f"bench.worker{i}.{run}@example.com"
        user = container.users.create({"profile": {"login": login, "email": login, "firstName": "Bench",
                                                   "lastName": f"Worker{i}"},
                                       "credentials": {"password": {"value": PASSWORD}}})
        container.app_assignments.assign_user(native.client_id, {"id": user.id})
        people.append((login, user.id))
    return Setup(stack, (stack.client_id, stack.client_secret), (native.client_id, str(secret)), people, SCOPE)


class Serialized:
    """moto's server answers each request on a thread of its own, and its DynamoDB backend is not thread-safe: a
    TransactWriteItems deep-copies tables other threads are changing (RuntimeError: a 500 that botocore retries),
    and a condition is checked and the write made with no lock, so two conditional writes on one item could both
    pass. DynamoDB applies every conditional write and transaction atomically; one request at a time gives moto that
    property, which the race check depends on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            return self.app(environ, start_response)


@contextmanager
def serialized(stack: Any) -> Iterator[bool]:
    """Serialise the running moto server's requests (werkzeug reads ``server.app`` per request); yields whether it
    could (``ThreadedMotoServer._server`` is moto's private attribute)."""
    server = getattr(stack.moto, "_server", None)
    if server is None or not callable(getattr(server, "app", None)):
        yield False
        return
    original = server.app
    server.app = Serialized(original)
    try:
        yield True
    finally:
        server.app = original


# -- workers -------------------------------------------------------------------------------------------------------

class Workers:
    """N worker processes, spoken to over their standard streams (bench/container_worker.py)."""

    def __init__(self, setup: Setup, jobs: list[dict[str, Any]]) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
        env["PYTHONPATH"] = str(ROOT)
        self.spawned = time.perf_counter()
        self.procs = [subprocess.Popen([sys.executable, "-m", "bench.container_worker"], cwd=ROOT, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                      for _ in jobs]
        for proc, extra in zip(self.procs, jobs):
            self.send(proc, job(setup, **extra))

    @staticmethod
    def send(proc: subprocess.Popen[str], message: dict[str, Any]) -> None:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(message) + "\n")
        proc.stdin.flush()

    @staticmethod
    def receive(proc: subprocess.Popen[str]) -> dict[str, Any]:
        assert proc.stdout is not None
        text = proc.stdout.readline()
        if not text:
            proc.wait(timeout=30)
            raise SystemExit(f"a container worker ended ({proc.returncode}) without answering (its stderr is above)")
        return dict(json.loads(text))

    def ready(self) -> list[dict[str, Any]]:
        return [self.receive(p)["ready"] for p in self.procs]

    def go(self, **extra: Any) -> float:
        """Every worker starts at the same wall-clock instant (the barrier); returns it."""
        instant = time.time() + SETTLE_SECONDS
        for proc in self.procs:
            self.send(proc, {"go": instant, **extra})
        return instant

    def answers(self) -> list[dict[str, Any]]:
        return [self.receive(p) for p in self.procs]

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    self.send(proc, {"quit": True})
                except OSError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def job(setup: Setup, **extra: Any) -> dict[str, Any]:
    """A worker's job: the server, both clients and the password of every person, with ``extra``."""
    return {"server_id": SERVER, "service_id": setup.service[0], "service_secret": setup.service[1],
            "service_scope": setup.scope, "native_id": setup.native[0], "native_secret": setup.native[1],
            "password": PASSWORD, "user_scope": USER_SCOPE, **extra}


def in_process(setup: Setup, login: str | None = None) -> Worker:
    """The same calls as a worker's, through this process's handler (the parent's checks and the race's tokens)."""
    from app import app

    return Worker(job(setup, login=login), counter=None, app=app)
