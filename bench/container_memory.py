"""Memory of one container holding the whole working set of 1,000 servers and 10,000 clients (issue 20: ≤ 128 MB
per container at that size), measured in a fresh interpreter as Lambda would run it.

The child imports the app and builds the container from the environment (Lambda's INIT), reads the stack's
``default`` configuration and the bench's client once, then fills the token path's caches (the real
``TokenPathCaches``, as bench/cache_scale.py builds them) with 1,000 deep copies of that configuration (every scope,
claim, policy and rule its own object, as 1,000 servers' would be) and 10,000 copies of that client (their strings
shared with the template's: a little less than distinct clients would take), and parses one RSA-2048 signing key per server (each server has its own key, and a warm
container keeps each parsed). It reports its resident memory (``VmRSS``) after the build and with everything held.
Run by ``make bench`` (section "Caches at scale") with the local stack's environment; prints one JSON line.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 128


def rss_mb() -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def child() -> None:
    from app import app  # noqa: F401 - the measured import (Lambda INIT)
    from chalicelib.container import get_container

    container = get_container()
    built = rss_mb()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from bench import cache_scale

    default_id = container.servers.default_id()
    assert default_id is not None  # bootstrap made the default server
    template = container.storage.config.load(default_id)
    client = container.clients.get_for_token(os.environ["BENCH_CLIENT_ID"])
    held: dict[str, Any] = {}
    # Every server and client read once and kept (no TTL or budget pressure: the whole working set, held).
    cache_scale.simulate(template, client, ttl_seconds=container.settings.cache_seconds,
                         megabytes=container.settings.cache_megabytes, warm_up=0, tokens=cache_scale.CLIENTS,
                         label="all held", keep=held, distinct=True)
    caches = held["caches"]
    for server_id in held["server_ids"]:  # every one of them held, not only those the random traffic reached
        caches.configs.active(server_id)
    for client_id in held["client_ids"]:
        caches.clients.find(client_id)
    stats = (caches.configs.stats(), caches.clients.stats())
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    keys = [serialization.load_pem_private_key(pem, None, unsafe_skip_rsa_key_validation=True)
            for _ in range(cache_scale.SERVERS)]
    print(json.dumps({"built_mb": built, "held_mb": rss_mb(),
                      "cache_mb": sum(s.bytes for s in stats) / 1024 / 1024,
                      "evictions": sum(s.evictions for s in stats), "keys": len(keys)}))


def run(line: Callable[[str, str], None], client_id: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", "from bench.container_memory import child; child()"], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "BENCH_CLIENT_ID": client_id},
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"container memory child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    line("one container holding 1,000 servers / 10,000 clients (RSS)",
         f"{result['held_mb']:.0f} MB  {'MET' if result['held_mb'] <= TARGET_MB else 'MISSED'} (target <= "
         f"{TARGET_MB} MB; after the build {result['built_mb']:.0f} MB, caches {result['cache_mb']:.1f} MB with "
         f"{result['evictions']} evictions, {result['keys']:,} parsed signing keys)")
    return result
