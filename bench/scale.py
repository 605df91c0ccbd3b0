"""Scale through the real handler (issue 20, "Scale"): ``python -m bench.scale [--quick] [--sizes 1,100,1000]``.

For 1, 100 and 1,000 authorization servers and 10,000 clients, under uniform and Zipf (s = 1.1, seeded) traffic over
(server, client) pairs, client_credentials tokens go through the real Lambda handler (``app(event, context)`` with
API Gateway REST proxy events) of a container whose clock is injected and advanced 10 ms per token: one container
at 100 tokens/s, simulated for ``--minutes`` (default 12) so that the figures after warm-up are a steady state.

Every scenario runs in a fresh child process (a cold container, and a process whose memory is the container's: moto
lives in this process, not in the child). The child counts every AWS call it makes (``bench/awscalls.py``) minute by
minute, checks every response (200 and an access token) and reports, after ``--warm-up`` simulated minutes and for
the rest of the run: DynamoDB reads and writes per token, KMS and Secrets Manager calls, CPU tokens/s of its one
thread, and its memory (RSS, and the caches' own accounting of what they hold), and every AWS operation it made
(which reads the token path makes: GetItem and base-table Query, no index Query).

moto's own base-table Query lists and sorts the whole table for every Query: at 1,000 servers (61,000
configuration items) moto, not the container, set the pace and the run did not finish. ``run`` installs
bench/fast_moto.py first (a Query reads its key's partition; same answers, tests/unit/bench/test_fast_moto.py).

The data is written straight into the tables (copies of the ``default`` server's partition with new ids, client
records with new ids and secrets), not through the admin services, which would take minutes; each copy is real:
every server mints tokens that its own JWKS verifies and every client authenticates with its own secret. What is
shared: every server copies the ``default`` server's key pair (same kid), but each has its own Secrets Manager secret
encrypted under its own KMS encryption context, so each server's first token pays its own GetSecretValue, Decrypt and
key parse (measured separately below) and each keeps its own parsed key in memory. What that hides: key generation
(an admin-side cost) and JWKS documents that differ between servers (not on the token path).
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 100, 1_000)
CLIENTS = 10_000
TOKENS_PER_SECOND = 100
ZIPF_S = 1.1
SEED = 20
SCOPE = "bench:read"
TARGET_READS_PER_TOKEN = 0.05
TARGET_MEMORY_MB = 128
_SECRET_SALT = "tokenmint-bench-scale"


def server_id(i: int) -> str:
    return f"ausScale{i:012d}"


def client_id(i: int) -> str:
    return f"0oaScale{i:012d}"


def client_secret(i: int) -> str:
    """Each client's own secret, derived so that the child needs no list of 10,000 secrets."""
    return hashlib.sha256(f"{_SECRET_SALT}/{i}".encode()).hexdigest()[:43]


def pairs(servers: int, clients: int = CLIENTS) -> list[tuple[int, int]]:
    """Client ``c`` talks to server ``c mod servers``: every client has one server, every server its share."""
    return [(c % servers, c) for c in range(clients)]


def traffic(kind: str, count: int, tokens: int, seed: int = SEED) -> list[int]:
    """Indices into the pairs, one per token: uniform, or Zipf with exponent ``ZIPF_S`` over a seeded ranking."""
    pick = random.Random(seed)
    if kind == "uniform":
        return [pick.randrange(count) for _ in range(tokens)]
    ranking = list(range(count))
    pick.shuffle(ranking)
    cumulative, total = [], 0.0
    for rank in range(1, count + 1):
        total += rank ** -ZIPF_S
        cumulative.append(total)
    return [ranking[min(bisect.bisect_left(cumulative, pick.random() * total), count - 1)] for _ in range(tokens)]


# -- populating the tables (parent) ----------------------------------------------------------------------------------

def populate(stack: Any, servers: int, clients: int, line: Callable[[str, str], None]) -> None:
    """Copies of the default server's partition and of the bench client, written with BatchWriteItem."""
    import boto3

    from chalicelib.keys.store import KeyMaterialStore

    started = time.perf_counter()
    container = stack.container
    settings = container.settings
    region = os.environ["AWS_REGION"]
    ddb = boto3.client("dynamodb", endpoint_url=stack.endpoint, region_name=region)
    default_id = container.servers.default_id()
    partition = ddb.query(TableName=settings.config_table, KeyConditionExpression="pk = :p", ConsistentRead=True,
                          ExpressionAttributeValues={":p": {"S": f"AS#{default_id}"}})["Items"]
    server_doc = next(json.loads(i["doc"]["S"]) for i in partition if i["sk"]["S"] == "SERVER")
    kid = server_doc["signingKid"]
    config_items: list[dict[str, Any]] = []
    for n in range(servers):
        sid = server_id(n)
        for item in partition:
            copy = dict(item, pk={"S": f"AS#{sid}"})
            if item["sk"]["S"] == "SERVER":
                doc = dict(server_doc, id=sid, name=f"scale-{n}", default=False)
                doc["description"] = f"bench/scale.py server {n}"
                copy["doc"] = {"S": json.dumps(doc)}
                copy["gsi1sk"] = {"S": f"{doc['created']}#{sid}"}
            config_items.append(copy)
    client_item = ddb.get_item(TableName=settings.directory_table, ConsistentRead=True,
                               Key={"pk": {"S": f"CLIENT#{stack.client_id}"}, "sk": {"S": "CLIENT"}})["Item"]
    client_doc = json.loads(client_item["doc"]["S"])
    directory_items = []
    for n in range(clients):
        cid = client_id(n)
        secret = dict(client_doc["secrets"][0], id=f"ocsScale{n:012d}",
                      hash=hashlib.sha256(client_secret(n).encode()).hexdigest())
        doc = dict(client_doc, clientId=cid, clientName=f"scale client {n}", secrets=[secret])
        directory_items.append(dict(client_item, pk={"S": f"CLIENT#{cid}"}, doc={"S": json.dumps(doc)},
                                    gsi1sk={"S": f"scale client {n}#{cid}"}))

    def write(table: str, items: list[dict[str, Any]]) -> None:
        client = boto3.client("dynamodb", endpoint_url=stack.endpoint, region_name=region)
        for start in range(0, len(items), 25):
            request = {table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    chunks = [(settings.config_table, config_items[i:i + 2500]) for i in range(0, len(config_items), 2500)]
    chunks += [(settings.directory_table, directory_items[i:i + 2500]) for i in range(0, len(directory_items), 2500)]
    store = KeyMaterialStore(boto3.client("kms", endpoint_url=stack.endpoint, region_name=region),
                             boto3.client("secretsmanager", endpoint_url=stack.endpoint, region_name=region),
                             settings.kms_key_id, settings.secret_prefix)
    private_key = store.load(default_id, kid)
    with ThreadPoolExecutor(4) as pool:
        done = [pool.submit(write, table, items) for table, items in chunks]
        # Each server's own secret: the default's key pair under the server's own encryption context.
        done += [pool.submit(store.put, server_id(n), kid, private_key) for n in range(servers)]
        for future in done:
            future.result()
    line("populated (BatchWriteItem copies + one secret per server)",
         f"{servers:,} servers x {len(partition)} items, {clients:,} clients, {servers:,} secrets in "
         f"{time.perf_counter() - started:.0f} s")


# -- one scenario (child process) ------------------------------------------------------------------------------------

CHILD = "bench.scale"


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One cold container serving ``spec['minutes']`` simulated minutes of tokens; returns its figures."""
    t0 = time.perf_counter()
    from bench.awscalls import READ_OPERATIONS, AwsCallCounter

    counter = AwsCallCounter().install()
    from bench.apigw import LambdaContext, token_event
    from app import app
    from chalicelib.clock import FixedClock
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    clock = FixedClock(datetime.now(timezone.utc).replace(microsecond=0))
    container = Container.build(Settings.from_env(), clock=clock)
    set_container(container)
    links = pairs(spec["servers"])
    per_minute = 60 * TOKENS_PER_SECOND
    order = traffic(spec["traffic"], len(links), spec["minutes"] * per_minute)
    step = timedelta(seconds=1 / TOKENS_PER_SECOND)
    context = LambdaContext()
    rss_built = _rss_mb()
    minutes: list[dict[str, Any]] = []
    failures: list[str] = []
    counter.reset()
    now = clock.now()
    cpu = time.thread_time
    for minute in range(spec["minutes"]):
        spent, wall_start, failed = 0.0, time.perf_counter(), 0
        for index in order[minute * per_minute:(minute + 1) * per_minute]:
            # Built per token, outside the CPU measured: 10,000 events held at once would weigh ~25 MB of RSS.
            event = token_event(server_id(links[index][0]), client_id(index), client_secret(index), SCOPE)
            started = cpu()
            response = app(event, context)
            spent += cpu() - started
            if response["statusCode"] != 200 or '"access_token":"ey' not in response["body"]:
                failed += 1  # counted and reported, not fatal: a 503 from an overloaded local moto is a figure too
                if len(failures) < 5:
                    failures.append(f"{response['statusCode']} {response['body'][:200]}")
            now += step
            clock.set(now)
        tally = counter.reset()
        reads = sum(n for (s, op), n in tally.calls.items() if s == "dynamodb" and op in READ_OPERATIONS)
        by_service = tally.by_service()
        minutes.append({
            "cpu": spent, "wall": time.perf_counter() - wall_start,
            "reads": reads, "read_units": tally.read_units, "writes": tally.write_calls,
            "write_units": tally.write_units,
            "kms": by_service.get("kms", 0), "secretsmanager": by_service.get("secretsmanager", 0),
            "calls": {f"{s} {op}": n for (s, op), n in tally.calls.items()},
            "aws_seconds": sum(tally.seconds.values()), "failed": failed,
        })
    caches = container.caches
    held = {"configs": caches.configs.stats().__dict__, "clients": caches.clients.stats().__dict__}
    # The last token, verified against the JWKS its server publishes.
    last = order[-1]
    sample = _verify_sample(app, LambdaContext, token_event(server_id(links[last][0]), client_id(last),
                                                            client_secret(last), SCOPE), links[last][0], clock.now())
    return {"minutes": minutes, "rss_built_mb": rss_built, "rss_mb": _rss_mb(), "hwm_mb": _rss_mb("VmHWM"),
            "caches": held, "plans": len(getattr(caches.plans, "_entries", {}) or {}),
            "signer_keys": len(getattr(caches.signer, "_entries", {})), "sample": sample, "failures": failures,
            "process_seconds": time.perf_counter() - t0}


def _verify_sample(app: Any, context: Any, event: dict[str, Any], server: int, now: datetime) -> str:
    from bench.apigw import keys_event
    from chalicelib.keys import jws

    token = json.loads(app(event, context())["body"])["access_token"]
    jwks = json.loads(app(keys_event(server_id(server)), context())["body"])
    claims = jws.verify(token, jwks, audience="api://default", now=now)
    return f"{claims['cid']} at {server_id(server)}" if "cid" in claims else str(claims.get("sub"))


def _rss_mb(field: str = "VmRSS") -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith(field + ":"):
            return int(row.split()[1]) / 1024
    return 0.0


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", CHILD, "--child", json.dumps(spec)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"scale child {spec} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr[-1500:]  # what the app logged, for failed requests
    return result


# -- figures (parent) ------------------------------------------------------------------------------------------------

@dataclass
class Window:
    tokens: int
    reads: float
    read_units: float
    writes: float
    kms: float
    secretsmanager: float
    cpu_rate: float


def window(minutes: list[dict[str, Any]]) -> Window:
    tokens = len(minutes) * 60 * TOKENS_PER_SECOND
    total = {k: sum(m[k] for m in minutes) for k in ("reads", "read_units", "writes", "kms", "secretsmanager", "cpu")}
    return Window(tokens, total["reads"] / tokens, total["read_units"] / tokens, total["writes"] / tokens,
                  total["kms"] / tokens, total["secretsmanager"] / tokens, tokens / total["cpu"])


def describe(result: dict[str, Any], warm_up: int) -> dict[str, Any]:
    minutes = result["minutes"]
    warm, steady = window(minutes[:warm_up]), window(minutes[warm_up:])
    caches = result["caches"]
    return {"warm": warm, "steady": steady,
            "cache_mb": (caches["configs"]["bytes"] + caches["clients"]["bytes"]) / 1024 / 1024,
            "entries": caches["configs"]["entries"] + caches["clients"]["entries"],
            "evictions": caches["configs"]["evictions"] + caches["clients"]["evictions"],
            "rss_mb": result["rss_mb"], "rss_built_mb": result["rss_built_mb"], "hwm_mb": result["hwm_mb"],
            "per_minute_reads": [m["reads"] for m in minutes], "signer_keys": result["signer_keys"],
            "plans": result["plans"], "sample": result["sample"],
            "failed": sum(m["failed"] for m in minutes), "failures": result["failures"],
            "calls": _calls(minutes)}


def _calls(minutes: list[dict[str, Any]]) -> str:
    """Every AWS operation the child made, summed over its minutes: which reads the token path makes."""
    total: dict[str, int] = {}
    for m in minutes:
        for name, n in m["calls"].items():
            total[name] = total.get(name, 0) + n
    return ", ".join(f"{name} x{n:,}" for name, n in sorted(total.items())) or "none"


def change_log_units(line: Callable[[str, str], None]) -> None:
    """Read units of the change log's strongly consistent GetItem (every container, every second) with the record
    as full as it gets: ``MAX_KEYS`` client stamps and the floor, as the repository stores it (a JSON string)."""
    from bench.awscalls import item_size
    from chalicelib.changes import MAX_KEYS, marked, new_stamp

    now = datetime.now(timezone.utc)
    record: dict[str, str] = {}
    try:
        for n in range(MAX_KEYS + 10):
            record = marked(record, [f"client:{client_id(n)}"], new_stamp(now), now)
    except TypeError:  # a version of marked() without a floor (before issue 20): not measured
        return
    item = {"pk": {"S": "CHANGES"}, "sk": {"S": "CHANGES"}, "doc": {"S": json.dumps(record)}, "version": {"N": "999"}}
    size = item_size(item)
    line("change log GetItem with a full record (strongly consistent)",
         f"{len(record)} entries, {size / 1024:.1f} KB: {-(-size // 4096)} read units per read, once a second")


def run(line: Callable[[str, str], None], stack: Any = None, *, sizes: tuple[int, ...] = SIZES,
        kinds: tuple[str, ...] = ("uniform", "zipf"), minutes: int = 12, warm_up: int = 10,
        parallel: int = 2) -> dict[str, Any]:
    """Populate, run every (size, traffic) scenario in a child process, print the figures; returns them keyed by
    ``"{servers}/{traffic}"`` (for the summary)."""
    from bench import fast_moto

    # moto's base-table Query scans the whole table (61,000 configuration items at 1,000 servers): read the
    # partition instead (same answers; bench/fast_moto.py), for this bench only.
    patched = not fast_moto.installed()
    fast_moto.install()
    run_started = time.perf_counter()
    own = stack is None
    if own:
        from bench.tokens import start_stack

        stack = start_stack()
    try:
        populate(stack, max(sizes), CLIENTS, line)
        settings = stack.container.settings
        line("container under test", f"TOKENMINT_CACHE_SECONDS={settings.cache_seconds}, "
                                     f"TOKENMINT_CACHE_MEGABYTES={settings.cache_megabytes}, clock advanced 10 ms "
                                     f"per token, {minutes} simulated min, first {warm_up} = warm-up")
        change_log_units(line)
        specs = [{"servers": n, "traffic": kind, "minutes": minutes} for n in sizes for kind in kinds]
        started = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            results = list(pool.map(run_child, specs))
        line("scenarios run", f"{len(specs)} child processes, {parallel} at a time, "
                              f"{time.perf_counter() - started:.0f} s")
        figures: dict[str, Any] = {}
        for spec, result in zip(specs, results):
            f = describe(result, warm_up)
            figures[f"{spec['servers']}/{spec['traffic']}"] = f
            w, s = f["warm"], f["steady"]
            print(f"  {spec['servers']:>5,} servers, {CLIENTS:,} clients, {spec['traffic']:<7}", flush=True)
            line("    warm-up: DynamoDB reads / writes per token",
                 f"{w.reads:.4f} / {w.writes:.4f}  (KMS {w.kms:.4f}, Secrets Manager {w.secretsmanager:.4f} "
                 f"per token; {w.cpu_rate:,.0f} tokens/s CPU)")
            line("    steady state: DynamoDB reads / writes per token",
                 f"{s.reads:.4f} / {s.writes:.4f}  ({s.read_units:.4f} RRU; KMS {s.kms:.4f}, SM "
                 f"{s.secretsmanager:.4f}; {s.cpu_rate:,.0f} tokens/s CPU)")
            line("    reads per simulated minute", " ".join(str(r) for r in f["per_minute_reads"]))
            line("    AWS calls, whole run (warm-up + steady state)", f["calls"])
            line("    responses", "all 200 + access token; last one verified against its server's /v1/keys"
                 if not f["failed"] else f"{f['failed']} FAILED, e.g. {f['failures'][0]}")
            if f["failed"]:
                print("      the child's log ends with:\n" + result["stderr"], flush=True)
            line("    memory after warm-up: RSS (after build) / caches hold",
                 f"{f['rss_mb']:.0f} MB ({f['rss_built_mb']:.0f} MB) / {f['cache_mb']:.1f} MB in {f['entries']:,} "
                 f"entries, {f['evictions']} evictions, {f['signer_keys']} signing keys, {f['plans']} plans")
            reads_ok, memory_ok = s.reads <= TARGET_READS_PER_TOKEN, f["rss_mb"] <= TARGET_MEMORY_MB
            line(f"    targets: reads per token <= {TARGET_READS_PER_TOKEN}, RSS <= {TARGET_MEMORY_MB} MB",
                 f"{s.reads:.4f} {'MET' if reads_ok else 'MISSED'}, {f['rss_mb']:.0f} MB "
                 f"{'MET' if memory_ok else 'MISSED'}")
        line("scale run wall time (populate + scenarios)", f"{time.perf_counter() - run_started:.0f} s")
        return figures
    finally:
        if own:
            stack.stop()
        if patched:
            fast_moto.uninstall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 servers only, uniform and Zipf, 6 minutes")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="servers per scenario; default 1,100,1000")
    parser.add_argument("--minutes", type=int, default=12, help="simulated minutes per scenario; default 12")
    parser.add_argument("--warm-up", type=int, default=10, help="simulated minutes reported as warm-up; default 10")
    parser.add_argument("--parallel", type=int, default=2, help="scenarios at a time; default 2")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    from bench.tokens import heading, line

    sizes = (1_000,) if args.quick else tuple(int(s) for s in args.sizes.split(","))
    minutes, warm_up = (6, 4) if args.quick else (args.minutes, args.warm_up)
    if not 0 < warm_up < minutes or not all(1 <= s <= 1_000 for s in sizes):
        parser.error("need 0 < --warm-up < --minutes and sizes between 1 and 1,000")
    heading("Scale: tokens through the handler, 10,000 clients, 100 tokens/s per container (bench/scale.py)")
    run(line, sizes=sizes, minutes=minutes, warm_up=warm_up, parallel=args.parallel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
