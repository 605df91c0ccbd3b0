"""Memory of ``make run`` under a fixed admin workload (issue 14): the local stack is started as ``make run``
starts it (``python -m devstack.run``, moto's server in the same process), then 600 admin writes (create, rename
and delete a scope, 200 times: each a DynamoDB transaction) go to it over HTTP. Printed: the process's resident
memory when ready and after the workload. Before moto's instance record was emptied after each DynamoDB request
(devstack/moto_server.py), every transaction kept a copy of each table it touched: memory grew with the number of
transactions times the size of the tables.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 200


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run(line: Callable[[str, str], None], port: int) -> dict[str, float]:
    import requests

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKENMINT_", "AWS_"))}
    env.update(TOKENMINT_PORT=str(port), PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        token, base = None, None
        assert child.stdout is not None
        for text in child.stdout:
            if match := re.search(r"Admin API token:\s+(\S+)", text):
                token = match.group(1)
            if match := re.match(r"READY (\S+)", text.strip()):
                base = match.group(1)
                break
        if not (token and base):
            raise RuntimeError("the local stack did not start")
        threading_drain(child)
        ready = _rss_mb(child.pid)
        headers = {"Authorization": f"SSWS {token}", "Content-Type": "application/json"}
        scopes = f"{base}/api/v1/authorizationServers/default/scopes"
        started = time.perf_counter()
        with requests.Session() as http:
            for i in range(ROUNDS):
                made = http.post(scopes, json={"name": f"bench:{i}"}, headers=headers).json()
                http.put(f"{scopes}/{made['id']}", json={"name": f"bench:{i}:renamed"}, headers=headers)
                http.delete(f"{scopes}/{made['id']}", headers=headers)
        elapsed = time.perf_counter() - started
        after = _rss_mb(child.pid)
    finally:
        child.terminate()
        child.wait(30)
    line("make run resident memory: ready / after 600 admin writes",
         f"{ready:.0f} MB / {after:.0f} MB  (+{after - ready:.0f} MB; {3 * ROUNDS / elapsed:.0f} writes/s)")
    return {"ready_mb": ready, "after_mb": after}


def threading_drain(child: subprocess.Popen[str]) -> None:
    """Keep reading the stack's output (a request line each) so its pipe never fills."""
    import threading

    def drain() -> None:
        assert child.stdout is not None
        for _ in child.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


if __name__ == "__main__":
    from devstack.stack import free_port

    run(lambda a, b: print(f"{a:60s} {b}"), free_port())
