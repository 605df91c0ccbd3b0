"""Token-path benchmark: ``python -m bench.tokens [--seconds N]`` (``make bench``). Prints a report; exits 0.

In one run, on this machine, against moto's server started in this process (the local stack of devstack/):

1. raw RS256 signing rate: PyJWT ``jwt.encode`` of the very claims the server issues, already-parsed RSA-2048 key;
2. client_credentials tokens/s through the real Chalice app object (``app(event, context)``) with API Gateway REST
   proxy events, after warm-up, interleaved with (1) in rounds so both see the same machine state;
3. AWS calls per warm token, counted with botocore event hooks by service and operation, and a short-TTL run that
   shows the cache TTL (``TOKENMINT_CACHE_SECONDS``) is what bounds DynamoDB reads;
4. cold start: fresh interpreters that import the app, build the container and serve a first token, alternated
   with a minimal Chalice + boto3 function's (bench/cold.py: the ratio of issue 20);
5. AWS cost per million tokens from the counted calls and docs/../performance.md prices, next to Cognito's;
6. the caches at scale: hit rates and DynamoDB reads per token with 1,000 servers and 10,000 clients (cache_scale.py);
7. a password sign-in: Argon2id at OWASP's parameters against the app's whole ``sign_in`` (sign_in.py);
   the System Log's share of a token: CPU, DynamoDB write units and cost, events on against off (system_log.py);
8. the memory of ``make run`` after a fixed admin workload (local_memory.py).
9. every flow (code + PKCE login, refresh, password, introspection, userinfo, revocation, JWKS, discovery, token
   preview, management reads) against its floor (flow_report.py; ``--flows`` picks);
10. many containers at once (containers.py; ``--skip containers`` leaves it out); with ``--scale``, 1/100/1,000
   servers and 10,000 clients through the real handler, uniform and Zipf (scale.py: 10+ minutes).

See docs/performance.md for a recorded run and what each figure includes.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from bench.apigw import LambdaContext, keys_event, token_event
from bench import cache_scale, container_memory, flow_report, local_memory, sign_in, system_log
from bench import containers as containers_bench
from bench import scale as scale_bench
from bench.awscalls import READ_OPERATIONS, AwsCallCounter, Tally
# Prices (performance.md, AWS list prices, us-east-1), in dollars.
from bench.prices import (COGNITO_PER_MILLION, LAMBDA_MB_PER_VCPU, LAMBDA_MEMORY_MB, PRICE_APIGW_REST,
                          PRICE_DDB_READ_UNIT, PRICE_DDB_WRITE_UNIT, PRICE_KMS_CALL, PRICE_LAMBDA_GB_S_ARM,
                          PRICE_LAMBDA_REQUEST, PRICE_SECRETS_CALL)
from bench import cold as cold_bench

ROOT = Path(__file__).resolve().parent.parent
SCOPE = "bench:read"

# Targets (issue 4, "Speed and cost").
TARGET_RATIO = 0.85
TARGET_DYNAMODB_PER_TOKEN = 0.05
TARGET_COLD_MS = 300.0



# -- report helpers ------------------------------------------------------------------------------------------------

def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 100 - len(title) - 4), flush=True)


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for dist in ("cryptography", "PyJWT", "chalice", "boto3", "pynamodb", "moto"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app.py", "chalicelib"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        code = f"{commit}{' + uncommitted changes in app.py/chalicelib' if dirty else ''}" if commit else "unknown"
    except (OSError, subprocess.SubprocessError):
        code = "unknown"
    return {"cpu": f"{cpu}, {os.cpu_count()} logical CPUs, {memory} RAM", "os": platform.platform(), "code": code,
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "libraries": ", ".join(versions)}


@dataclass
class Loop:
    calls: int
    wall: float  # seconds
    cpu: float  # seconds of this thread's CPU time (what other processes on the machine do not inflate)

    def __add__(self, other: "Loop") -> "Loop":
        return Loop(self.calls + other.calls, self.wall + other.wall, self.cpu + other.cpu)

    @property
    def rate(self) -> float:
        return self.calls / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.calls / self.cpu


def timed_loop(call: Callable[[], Any], seconds: float) -> Loop:
    """Calls ``call`` until ``seconds`` of wall time have passed."""
    clock, cpu = time.perf_counter, time.thread_time
    start, cpu_start = clock(), cpu()
    deadline = start + seconds
    n = 0
    while True:
        call()
        n += 1
        if n & 7 == 0 and clock() >= deadline:
            break
    return Loop(n, clock() - start, cpu() - cpu_start)


def cpu_us(call: Callable[[], Any], seconds: float = 0.4) -> float:
    """CPU microseconds per call of ``call``."""
    loop = timed_loop(call, seconds)
    return loop.cpu / loop.calls * 1e6


# -- the local stack -----------------------------------------------------------------------------------------------

@dataclass
class Stack:
    moto: Any
    endpoint: str
    app: Any
    container: Any
    client_id: str
    client_secret: str

    def stop(self) -> None:
        self.moto.stop()


def start_stack() -> Stack:
    """moto's server in this process (answering a transaction's retried client request token as DynamoDB does:
    bench/moto_idempotency.py), settings in the environment, tables and the default server, a service client and a
    custom scope: what devstack/stack.py does, without the HTTP server."""
    from moto.server import ThreadedMotoServer

    from bench import moto_idempotency
    from devstack.stack import LOCAL_ENV, free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # DynamoDB keeps transactions' client request tokens; moto does not (bench/moto_idempotency.py).
    moto_idempotency.install()
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(LOCAL_ENV)
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    # Defaults of a deployed stage: the 30 s cache, issuer from the request, no operator token.
    for name in ("TOKENMINT_CACHE_SECONDS", "TOKENMINT_BASE_URL", "TOKENMINT_ADMIN_TOKEN", "TOKENMINT_SECRET_PREFIX"):
        os.environ.pop(name, None)

    import boto3

    kms = boto3.client("kms", endpoint_url=endpoint, region_name=os.environ["AWS_REGION"])
    os.environ["TOKENMINT_KMS_KEY_ID"] = kms.create_key(Description="tokenmint bench")["KeyMetadata"]["KeyId"]

    from app import app
    from chalicelib.audit.log_lines import StreamLines
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    container = Container.build(Settings.from_env())
    # Each System Log line written and flushed as the packaged stack writes it to standard output (audit/log_lines.py:
    # one write per event), to /dev/null: this process's standard output is the report.
    sink = open(os.devnull, "w")  # noqa: SIM115 - open for the process's life, as a Lambda's stdout
    container.audit._emit = StreamLines(lambda: sink)  # noqa: SLF001 - the bench picks the packaged stack's sink
    container.bootstrap()
    set_container(container)
    client, secret = container.clients.create({"client_name": "bench service", "application_type": "service"})
    container.scopes.create("default", {"name": SCOPE, "displayName": "Bench", "description": "Bench scope",
                                        "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    assert secret is not None  # a service client gets a secret
    return Stack(moto=moto, endpoint=endpoint, app=app, container=container, client_id=client.client_id,
                  client_secret=secret)


def check_token_response(response: dict[str, Any]) -> str:
    if response.get("statusCode") != 200:
        raise SystemExit(f"token request failed: {response.get('statusCode')} {response.get('body')!r}")
    body = json.loads(response["body"])
    token = body.get("access_token")
    if not isinstance(token, str) or body.get("token_type") != "Bearer":
        raise SystemExit(f"token response without an access token: {body!r}")
    return token


# -- phases --------------------------------------------------------------------------------------------------------

@dataclass
class Throughput:
    raw_rounds: list[Loop]
    handler_rounds: list[Loop]
    tally: Tally
    token_bytes: int

    @property
    def raw(self) -> Loop:
        return sum(self.raw_rounds[1:], self.raw_rounds[0])

    @property
    def handler(self) -> Loop:
        return sum(self.handler_rounds[1:], self.handler_rounds[0])

    @property
    def tokens(self) -> int:
        return self.handler.calls

    def ratios(self, cpu: bool) -> list[float]:
        if cpu:
            return [h.cpu_rate / r.cpu_rate for h, r in zip(self.handler_rounds, self.raw_rounds)]
        return [h.rate / r.rate for h, r in zip(self.handler_rounds, self.raw_rounds)]

    def ratio(self, cpu: bool) -> float:
        return self.handler.cpu_rate / self.raw.cpu_rate if cpu else self.handler.rate / self.raw.rate

    def per_token(self, service: str) -> float:
        return self.tally.by_service()[service] / self.tokens

    def dynamodb_reads_per_token(self) -> float:
        return sum(n for (service, op), n in self.tally.calls.items()
                   if service == "dynamodb" and op in READ_OPERATIONS) / self.tokens


def warm_up(stack: Stack, counter: AwsCallCounter, event: dict[str, Any]) -> tuple[str, Tally]:
    counter.reset()
    token = check_token_response(stack.app(event, LambdaContext()))
    first = counter.reset()
    for _ in range(200):
        check_token_response(stack.app(event, LambdaContext()))
    counter.reset()
    return token, first


def verify_sample(stack: Stack, token: str) -> dict[str, Any]:
    """Checks a token end to end: the JWKS the app publishes verifies it (signature, kid, aud, exp)."""
    from chalicelib.keys import jws

    jwks_response = stack.app(keys_event("default"), LambdaContext())
    if jwks_response["statusCode"] != 200:
        raise SystemExit(f"/v1/keys failed: {jwks_response['statusCode']} {jwks_response['body']!r}")
    return jws.verify(token, json.loads(jwks_response["body"]), audience="api://default")


def raw_signer(claims: dict[str, Any], kid: str) -> tuple[Callable[[], str], Any]:
    """PyJWT ``jwt.encode`` of ``claims`` with a freshly generated, already-parsed RSA-2048 key, with the header
    keys/jws.sign writes (byte for byte): the ceiling of the handler as recorded since issue 4."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = {"kid": kid, "typ": None}
    return (lambda: jwt.encode(claims, key, algorithm="RS256", headers=headers)), key


def _key_of(stack: Stack) -> Any:
    config, read_at = stack.container.oauth.services.configs.active("default")
    return stack.container.signer.get(config.server.id, config.server.signing_kid or "", kid_read_at=read_at)


def bare_signature_us(key: Any, token: str, seconds: float) -> float:
    """CPU microseconds of the RSA signature of ``token``'s signing input alone, with the server's own key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = token.rsplit(".", 1)[0].encode()
    private_key, pkcs1, sha256 = key.private_key, padding.PKCS1v15(), hashes.SHA256()
    return cpu_us(lambda: private_key.sign(signing_input, pkcs1, sha256), seconds)


def throughput(stack: Stack, counter: AwsCallCounter, event: dict[str, Any], claims: dict[str, Any],
               kid: str, seconds: float, rounds: int) -> Throughput:
    raw, _key = raw_signer(claims, kid)
    app, context = stack.app, LambdaContext()
    failures: list[dict[str, Any]] = []

    def handler() -> None:
        response = app(event, context)
        if response["statusCode"] != 200 or '"access_token":"ey' not in response["body"]:
            failures.append(response)

    token_bytes = len(raw())
    for _ in range(200):  # warm the raw path as the handler path was warmed
        raw()
    slice_seconds = seconds / rounds
    raw_rounds, handler_rounds = [], []
    counter.reset()
    for _ in range(rounds):
        raw_rounds.append(timed_loop(raw, slice_seconds))
        handler_rounds.append(timed_loop(handler, slice_seconds))
        if failures:
            raise SystemExit(f"{len(failures)} token requests failed, first: {failures[0]!r}")
    return Throughput(raw_rounds, handler_rounds, counter.reset(), token_bytes)


@dataclass
class Breakdown:
    handler_us: float
    endpoint_us: float
    sign_us: float
    policy_us: float
    chalice_floor_us: float


def breakdown(stack: Stack, event: dict[str, Any], claims: dict[str, Any]) -> Breakdown | None:
    """CPU time per warm token, layer by layer. Uses internal entry points (OAuthRequest, oauth.token,
    policy.evaluate, the signer cache): returns None if they changed shape."""
    try:
        from chalice.app import Chalice, Response

        from chalicelib.keys import jws
        from chalicelib.oauth.context import OAuthRequest
        from chalicelib.oauth.form import parse_form
        from chalicelib.policy import AccessRequest, evaluate

        container = stack.container
        request = OAuthRequest(server_id="default", base_url="https://" + event["headers"]["Host"],
                               params=parse_form(event["body"].encode(), event["headers"]["Content-Type"]),
                               authorization=event["headers"]["Authorization"])
        config, _read_at = container.oauth.services.configs.active("default")
        key = _key_of(stack)
        access = AccessRequest(client_id=stack.client_id, grant_type="client_credentials",
                               requested_scopes=(SCOPE,), user_id=None)
        # The framework floor: a Chalice app configured as app.py's (binary media types, the token route's content
        # types) with one POST route and one middleware, that returns a small JSON body.
        token_route = stack.app.routes["/oauth2/{authServerId}/v1/token"]["POST"]
        floor = Chalice(app_name="floor")
        floor.api.binary_types = list(stack.app.api.binary_types)

        @floor.middleware("http")
        def passthrough(request: Any, get_response: Any) -> Any:
            return get_response(request)

        @floor.route("/oauth2/{authServerId}/v1/token", methods=["POST"], content_types=token_route.content_types)
        def token(authServerId: str) -> Any:
            return Response(body=json.dumps({"access_token": "x"}), status_code=200,
                            headers={"Content-Type": "application/json"})

        app, context = stack.app, LambdaContext()
        return Breakdown(
            handler_us=cpu_us(lambda: app(event, context)),
            endpoint_us=cpu_us(lambda: container.oauth.token(request)),
            sign_us=cpu_us(lambda: jws.sign(claims, key)),
            policy_us=cpu_us(lambda: evaluate(config, access)),
            chalice_floor_us=cpu_us(lambda: floor(event, context)),
        )
    except Exception as exc:  # noqa: BLE001 - an optional section
        print(f"  (breakdown skipped: {type(exc).__name__}: {exc})")
        return None


def runtime_serialization_us(stack: Stack, event: dict[str, Any]) -> float:
    """What the Lambda runtime adds around the handler per invocation: decoding the event JSON and encoding the
    handler's response (not part of the handler figure)."""
    event_json = json.dumps(event)
    response = stack.app(event, LambdaContext())

    def once() -> None:
        json.loads(event_json)
        json.dumps(response)

    return cpu_us(once, 0.3)


@dataclass
class TtlRun:
    ttl: int
    seconds: float
    tokens: int
    tally: Tally


def ttl_run(stack: Stack, counter: AwsCallCounter, event: dict[str, Any], ttl: int, seconds: float) -> TtlRun:
    """A second container with TOKENMINT_CACHE_SECONDS=ttl, warmed, then run for ``seconds``."""
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    short = Container.build(Settings.from_env({**os.environ, "TOKENMINT_CACHE_SECONDS": str(ttl)}))
    set_container(short)
    try:
        app, context = stack.app, LambdaContext()
        check_token_response(app(event, context))  # cold caches of this container
        counter.reset()
        failures = 0

        def handler() -> None:
            nonlocal failures
            if app(event, context)["statusCode"] != 200:
                failures += 1

        loop = timed_loop(handler, seconds)
        if failures:
            raise SystemExit(f"{failures} token requests failed in the TTL run")
        return TtlRun(ttl, loop.wall, loop.calls, counter.reset())
    finally:
        set_container(stack.container)


# -- cost ----------------------------------------------------------------------------------------------------------

@dataclass
class Cost:
    label: str
    lambda_billed_ms: int
    dynamodb_read_units: float  # per token
    dynamodb_writes: float  # per token
    kms_calls: float  # per token
    secrets_calls: float  # per token

    def items(self) -> list[tuple[str, float]]:
        million = 1e6
        gb = LAMBDA_MEMORY_MB / 1024
        return [
            ("API Gateway REST requests", PRICE_APIGW_REST * million),
            ("Lambda requests", PRICE_LAMBDA_REQUEST * million),
            (f"Lambda duration ({self.lambda_billed_ms} ms billed x {LAMBDA_MEMORY_MB} MB arm64)",
             gb * self.lambda_billed_ms / 1000 * PRICE_LAMBDA_GB_S_ARM * million),
            (f"DynamoDB reads ({self.dynamodb_read_units:.3g} RRU/token)",
             self.dynamodb_read_units * PRICE_DDB_READ_UNIT * million),
            (f"DynamoDB writes ({self.dynamodb_writes:.3g} WRU/token)",
             self.dynamodb_writes * PRICE_DDB_WRITE_UNIT * million),
            (f"KMS ({self.kms_calls:.3g} calls/token)", self.kms_calls * PRICE_KMS_CALL * million),
            (f"Secrets Manager ({self.secrets_calls:.3g} calls/token)",
             self.secrets_calls * PRICE_SECRETS_CALL * million),
        ]

    def total(self) -> float:
        return sum(v for _, v in self.items())


def billed_ms(seconds_per_token: float, cpu_share: float) -> int:
    """Lambda bills duration in 1 ms steps; a CPU-bound handler slows down by the inverse of its CPU share."""
    return max(1, math.ceil(seconds_per_token * 1000 / cpu_share))


# -- main ----------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="seconds per measured phase (raw signing, handler, TTL run); default 6")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved raw/handler rounds; default 6")
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes for the cold start; default 7")
    parser.add_argument("--ttl", type=int, default=1,
                        help="TOKENMINT_CACHE_SECONDS of the short-TTL run; default 1")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of 2,000 warm requests")
    parser.add_argument("--flows", default="", metavar="A,B,...",
                        help="the flows of the Flows section (default all: " + ", ".join(flow_report.FLOW_NAMES) + ")")
    parser.add_argument("--flow-seconds", type=float, default=3.0, help="seconds per flow; default 3")
    parser.add_argument("--skip", default="", metavar="SECTION,...",
                        help="leave out sections of issue 20: containers (~1.5 min)")
    parser.add_argument("--scale", action="store_true",
                        help="also run bench/scale.py through the real handler (1/100/1,000 servers, 10,000 clients; "
                             "10+ minutes on the in-process moto; `make bench SCALE=1`)")
    args = parser.parse_args(argv)
    if set(s for s in args.skip.split(",") if s) - {"containers"}:
        parser.error("--skip takes containers")
    unknown = sorted(set(n for n in args.flows.split(",") if n) - set(flow_report.FLOW_NAMES))
    if unknown:
        parser.error(f"unknown flow(s) {unknown}; known: {', '.join(flow_report.FLOW_NAMES)}")
    if args.seconds <= 0 or args.rounds < 1 or args.cold_runs < 1 or not 1 <= args.ttl <= 300:
        parser.error("--seconds must be positive, --rounds and --cold-runs at least 1, --ttl 1..300")

    bench_started = time.perf_counter()
    info = machine()
    heading("tokenmint token-path benchmark")
    line("date (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"))
    line("machine", info["cpu"])
    line("os", info["os"])
    line("python", info["python"])
    line("libraries", info["libraries"])
    line("code", info["code"])
    load = os.getloadavg()
    line("load average at the start (1/5/15 min)", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    line("phase length", f"{args.seconds:g} s per phase, {args.rounds} interleaved rounds, "
                         f"{args.cold_runs} cold processes")

    counter = AwsCallCounter().install()  # before any botocore client exists
    stack = start_stack()
    try:
        return run(args, stack, counter, bench_started)
    finally:
        stack.stop()


def run(args: argparse.Namespace, stack: Stack, counter: AwsCallCounter, bench_started: float) -> int:
    import jwt

    settings = stack.container.settings
    event = token_event("default", stack.client_id, stack.client_secret, SCOPE)
    token, first_tally = warm_up(stack, counter, event)
    claims = verify_sample(stack, token)
    kid = jwt.get_unverified_header(token)["kid"]
    line("local AWS", f"moto server at {stack.endpoint} (same process, another thread; its work is not counted)")
    line("cache TTL of the measured container", f"TOKENMINT_CACHE_SECONDS={settings.cache_seconds} (default)")
    line("sample token", f"verified against /v1/keys; claims {', '.join(claims)}")

    # 1 + 2 ---------------------------------------------------------------------------------------------------------
    heading("1+2. RS256 signing vs. client_credentials through the Lambda handler (single thread)")
    result = throughput(stack, counter, event, claims, kid, args.seconds, args.rounds)
    raw, handler = result.raw, result.handler
    line("raw jwt.encode RS256, loaded RSA-2048 key (wall)",
         f"{raw.rate:7.0f} tokens/s  ({1e6 / raw.rate:.0f} us each, {result.token_bytes} B token)")
    line("client_credentials via app(event, context) (wall)",
         f"{handler.rate:7.0f} tokens/s  ({1e6 / handler.rate:.0f} us each, {handler.calls} tokens, "
         "all 200 + access_token)")
    line("same two by CPU time of this thread",
         f"raw {raw.cpu_rate:.0f}/s ({1e6 / raw.cpu_rate:.0f} us), handler {handler.cpu_rate:.0f}/s "
         f"({1e6 / handler.cpu_rate:.0f} us)")
    ratio_cpu, ratio_wall = result.ratio(cpu=True), result.ratio(cpu=False)
    per_round_cpu, per_round_wall = result.ratios(cpu=True), result.ratios(cpu=False)
    line(f"ratio handler/raw by CPU time (target >= {TARGET_RATIO})",
         f"{ratio_cpu:.3f}  (rounds {min(per_round_cpu):.3f}..{max(per_round_cpu):.3f})  "
         f"{verdict(ratio_cpu >= TARGET_RATIO)}")
    line("ratio handler/raw by wall time",
         f"{ratio_wall:.3f}  (rounds {min(per_round_wall):.3f}..{max(per_round_wall):.3f})")
    line("handler overhead beyond signing (CPU)", f"{1e6 / handler.cpu_rate - 1e6 / raw.cpu_rate:.0f} us/token")
    serialization = runtime_serialization_us(stack, event)
    line("not included: Lambda runtime's JSON decode + encode",
         f"~{serialization:.0f} us/token (CPU ratio with it: "
         f"{(1e6 / raw.cpu_rate) / (1e6 / handler.cpu_rate + serialization):.3f})")
    bare = bare_signature_us(_key_of(stack), token, min(2.0, args.seconds / 2))
    line("the RSA signature alone (cryptography's sign, no JWS encoding)",
         f"{bare:.0f} us CPU: the handler / it, with the runtime's JSON: "
         f"{bare / (1e6 / handler.cpu_rate + serialization):.3f} (jws.sign encodes the JWS itself since "
         "2026-12-05; jwt.encode's own work is ~15 us)")
    line("included: the System Log's JSON line of each token",
         "written and flushed as the packaged stack writes it (TOKENMINT_SYSTEM_LOG_LINES=stdout), to /dev/null")
    parts = breakdown(stack, event, claims)
    if parts:
        print("  where a warm token's CPU time goes (each measured alone, so the parts only roughly add up):")
        rows = [
            ("jws.sign: JWS encoding + RSA signature", parts.sign_us),
            ("token endpoint minus signing (config, client auth, memoised plan, claims)",
             parts.endpoint_us - parts.sign_us),
            ("policy.evaluate, for reference (memoised: not per token)", parts.policy_us),
            ("around the endpoint: event, form, envelope, response (handler minus endpoint)",
             parts.handler_us - parts.endpoint_us),
            ("for reference, a bare Chalice app with one route (what the fast path skips)", parts.chalice_floor_us),
            ("whole handler", parts.handler_us),
        ]
        for label, value in rows:
            print(f"      {label:<74} {value:6.1f} us", flush=True)

    # 3 -------------------------------------------------------------------------------------------------------------
    heading("3. AWS calls per token (botocore before-call hooks, warm loop only)")
    line("first request of the container (cold caches)", first_tally.describe())
    by_service = result.tally.by_service()
    for service in ("dynamodb", "kms", "secretsmanager"):
        target = TARGET_DYNAMODB_PER_TOKEN if service == "dynamodb" else 0.0
        per_token = by_service[service] / result.tokens
        line(f"{service} calls/warm token (target <= {target:g})",
             f"{per_token:.5f} ({by_service[service]} calls in {result.tokens} tokens)  {verdict(per_token <= target)}")
    others = {s: n for s, n in by_service.items() if s not in ("dynamodb", "kms", "secretsmanager")}
    if others:
        line("other services", ", ".join(f"{s} {n}" for s, n in others.items()))
    if result.tally.calls:
        line("warm calls seen", result.tally.describe())
    ttl = ttl_run(stack, counter, event, args.ttl, args.seconds)
    ttl_services = ttl.tally.by_service()
    # Reads only: the System Log's batch writes are counted apart (section "System Log").
    ttl_reads = sum(n for (service, op), n in ttl.tally.calls.items()
                    if service == "dynamodb" and op in READ_OPERATIONS)
    line(f"short-TTL container, TOKENMINT_CACHE_SECONDS={ttl.ttl}", f"{ttl.tokens} tokens in {ttl.seconds:.1f} s:")
    print(f"      {ttl.tally.describe()}", flush=True)
    # While the change log is read, it vouches for the cached records (one read a second, whatever the TTL; records
    # are re-read when it names them or after an hour); the TTL bounds them only when it cannot be read.
    line("  DynamoDB reads/s (the change log's poll: 1/s while it is read)",
         f"{ttl_reads / ttl.seconds:.2f}/s (the TTL alone would make {2 / ttl.ttl:.2f}/s)")
    line("  KMS + Secrets Manager calls across config refreshes",
         f"{ttl_services['kms'] + ttl_services['secretsmanager']} (the signer cache is keyed by kid)")
    reads_per_s = 1.0  # the change log's poll
    line("per warm container, the log being read", f"{reads_per_s:.3f} DynamoDB reads/s whatever the load, plus "
                                                   "each record's re-read once an hour")
    line("  DynamoDB calls/token at the measured single-container rate",
         f"{reads_per_s / handler.rate:.6f}; <= 0.05 whenever a container serves > {reads_per_s / 0.05:.2f} tokens/s")
    units_per_read = ttl.tally.read_units / ttl_reads if ttl_reads else 0.0

    # 4 -------------------------------------------------------------------------------------------------------------
    heading("4. Cold start against a minimal Chalice + boto3 function (fresh interpreters, alternated; bench/cold.py)")
    cold = cold_bench.run(line, stack, SCOPE, args.cold_runs)
    cold_ms = cold["cold_ms"]
    line(f"tokenmint import + build + first token (target <= {TARGET_COLD_MS:.0f} ms)",
         f"{cold_ms:6.1f} ms  {verdict(cold_ms <= TARGET_COLD_MS)}")
    sample = cold["sample"]  # the median run: its first token's AWS calls are priced below

    # 5 -------------------------------------------------------------------------------------------------------------
    heading("5. AWS cost per million client_credentials tokens (performance.md prices, us-east-1)")
    tokens = result.tokens
    warm_units = result.tally.read_units / tokens
    # Lambda bills wall duration; on a quiet Lambda CPU the handler's CPU time is its duration.
    per_token_s = 1 / handler.cpu_rate + serialization / 1e6
    share = LAMBDA_MEMORY_MB / LAMBDA_MB_PER_VCPU
    cold_service: dict[str, int] = {"kms": 0, "secretsmanager": 0, "dynamodb": 0}
    cold_writes = 0
    for s, o, n, _sec in sample.first_calls:
        cold_service[s] = cold_service.get(s, 0) + n
        if s == "dynamodb" and o not in READ_OPERATIONS:
            cold_writes += n
    cold_cpu_s = (sample.first_ms - sum(c[3] for c in sample.first_calls) * 1000) / 1000
    cold_wait_s = sum(c[3] for c in sample.first_calls)
    scenarios = [
        Cost(f"warm, as measured ({per_token_s * 1e6:.0f} us of CPU per token on a full core of this machine)",
             billed_ms(per_token_s, 1.0), warm_units, result.tally.write_units / tokens,
             result.per_token("kms"), result.per_token("secretsmanager")),
        Cost(f"warm, CPU scaled to {LAMBDA_MEMORY_MB} MB's share of a vCPU ({share:.2f})",
             billed_ms(per_token_s, share), warm_units, result.tally.write_units / tokens,
             result.per_token("kms"), result.per_token("secretsmanager")),
        Cost("no caching at all (every token like a container's first: reads, write, KMS, SM, key parse)",
             max(1, math.ceil((cold_cpu_s / share + cold_wait_s) * 1000)), sample.first_read_units, cold_writes,
             cold_service["kms"], cold_service["secretsmanager"]),
    ]
    for cost in scenarios:
        print(f"  {cost.label}")
        for label, value in cost.items():
            print(f"      {label:<64} ${value:9.4f}")
        print(f"      {'total per 1M tokens':<64} ${cost.total():9.4f}", flush=True)
    line("Amazon Cognito M2M tokens (performance.md)", f"${COGNITO_PER_MILLION:,.0f} per 1M (+$6/app client-month)")
    line("tokenmint warm (512 MB share) vs Cognito", f"{COGNITO_PER_MILLION / scenarios[1].total():,.0f}x cheaper")
    line("DynamoDB per change-log poll (strongly consistent GetItem)",
         f"{units_per_read:.2f} RRU as measured (a full record of 500 changes: ~9, section Scale)")
    line("  per 1M tokens, one poll a second, container at 1 token/s",
         f"${units_per_read * PRICE_DDB_READ_UNIT * 1e6:.4f} (at 100 tokens/s: "
         f"${units_per_read / 100 * PRICE_DDB_READ_UNIT * 1e6:.6f})")
    line("not per token", "KMS key $1/month, $0.40/secret-month per signing key, cold-start INIT, logs")

    heading("Flows: CPU and AWS calls per operation against each flow's floor (bench/flows.py, bench/floor.py)")
    flows = flow_report.run(line, stack, counter, event, claims, kid, seconds=args.flow_seconds,
                            wanted=[n for n in args.flows.split(",") if n] or None, memory_mb=LAMBDA_MEMORY_MB,
                            mb_per_vcpu=LAMBDA_MB_PER_VCPU)["flows"]

    heading("System Log: token events on vs off, interleaved rounds, CPU of this thread (bench/system_log.py)")

    def one_token() -> None:
        response = stack.app(event, LambdaContext())
        if response["statusCode"] != 200:
            raise SystemExit(f"token request failed: {response['statusCode']} {response['body']!r}")

    audit = system_log.run(line, container=stack.container, handler=one_token, counter=counter,
                           timed_loop=timed_loop, seconds=args.seconds, rounds=args.rounds,
                           memory_mb=LAMBDA_MEMORY_MB, mb_per_vcpu=LAMBDA_MB_PER_VCPU)

    heading(f"Caches at scale: {cache_scale.SERVERS:,} servers, {cache_scale.CLIENTS:,} clients, uniform traffic, "
            f"{cache_scale.TOKENS_PER_SECOND} tokens/s (bench/cache_scale.py)")
    container = stack.container
    at_scale = cache_scale.run(container.storage.config.load(container.servers.default_id()),
                               container.clients.get_for_token(stack.client_id), container.settings.cache_seconds,
                               container.settings.cache_megabytes, line)

    held = container_memory.run(line, stack.client_id)

    heading("Sign-in: Argon2id at OWASP's parameters (m=19 MiB, t=2, p=1), CPU of one thread (bench/sign_in.py)")
    signing_in = sign_in.run(line, memory_mb=LAMBDA_MEMORY_MB, mb_per_vcpu=LAMBDA_MB_PER_VCPU,
                             price_gb_s=PRICE_LAMBDA_GB_S_ARM)

    heading("make run memory after a fixed admin workload (bench/local_memory.py)")
    from devstack.stack import free_port

    memory = local_memory.run(line, free_port())

    skip = set(args.skip.split(","))
    many: dict[str, Any] = {}
    if "containers" not in skip:
        heading("Many containers: N Lambda instances minting and refreshing at once (bench/containers.py)")
        many = containers_bench.run(line, stack=stack)
    # Last: it fills the shared local tables with 1,000 servers and 10,000 clients, which the sections above do not
    # expect (the many-containers set-up's assignment transaction failed on moto after it).
    scaled: dict[str, Any] = {}
    if args.scale:
        heading("Scale: 1, 100 and 1,000 servers, 10,000 clients, uniform and Zipf, 100 tokens/s simulated per "
                "container (bench/scale.py)")
        scaled = scale_bench.run(line, stack)

    if args.profile:
        profile(stack, event)

    # summary -------------------------------------------------------------------------------------------------------
    heading("Summary")
    line("raw RS256 signing (wall / CPU)", f"{raw.rate:.0f} / {raw.cpu_rate:.0f} tokens/s")
    line("client_credentials through the handler (wall / CPU)",
         f"{handler.rate:.0f} / {handler.cpu_rate:.0f} tokens/s")
    line(f"ratio by CPU time (target >= {TARGET_RATIO})", f"{ratio_cpu:.3f}  {verdict(ratio_cpu >= TARGET_RATIO)}"
                                                          f"  (wall: {ratio_wall:.3f})")
    # Reads: the target of issue 4. Writes: the System Log's batches (one per 25 tokens, by design; issue 17).
    warm_ddb = result.dynamodb_reads_per_token()
    warm_batches = result.per_token("dynamodb") - warm_ddb
    warm_secret = result.per_token("kms") + result.per_token("secretsmanager")
    line("KMS + Secrets Manager calls per warm token (target 0)", f"{warm_secret:g}  {verdict(warm_secret == 0)}")
    line(f"DynamoDB reads per warm token (target <= {TARGET_DYNAMODB_PER_TOKEN})",
         f"{warm_ddb:.5f}  {verdict(warm_ddb <= TARGET_DYNAMODB_PER_TOKEN)}")
    line("DynamoDB writes per warm token (the System Log's batches)", f"{warm_batches:.5f}")
    line("at scale (1,000 servers, 10,000 clients, uniform; defaults)",
         f"{at_scale.config_hit_rate:.1%} / {at_scale.client_hit_rate:.1%} config / client hits, "
         f"{at_scale.reads_per_token:.3f} DynamoDB reads per token, {at_scale.evictions} evictions")
    line(f"cold start, import + build + first token (target <= {TARGET_COLD_MS:.0f} ms)",
         f"{cold_ms:.0f} ms  {verdict(cold_ms <= TARGET_COLD_MS)}  (median wall; best {cold['best_ms']:.0f}, "
         f"CPU + AWS wait {cold['cpu_wait_ms']:.0f})")
    line(f"cold start / minimal Chalice + boto3 function's (target <= {cold_bench.TARGET_RATIO})",
         f"{cold['ratio']:.2f}  {verdict(cold['ratio'] <= cold_bench.TARGET_RATIO)}  (wall, medians; CPU "
         f"{cold['ratio_cpu']:.2f}; vs minimal + RS256 signing: wall {cold['ratio_signing']:.2f}, CPU "
         f"{cold['ratio_signing_cpu']:.2f})")
    line("  the same with app / app + dependencies compiled at start",
         f"{cold['compiling_ms']:.0f} ms / {cold['packaged_ms']:.0f} ms (`make package` ships bytecode: the first "
         "figure above is what deploys)")
    line("password sign-in: Argon2id floor / whole sign_in (CPU)",
         f"{signing_in['floor_ms']:.1f} ms / {signing_in['sign_in_ms']:.1f} ms, ~{signing_in['lambda_ms']:.0f} ms "
         f"at {LAMBDA_MEMORY_MB} MB on Lambda")
    line("make run memory: ready / after 600 admin writes",
         f"{memory['ready_mb']:.0f} MB / {memory['after_mb']:.0f} MB")
    line("System Log per token: CPU / write units per 1,000 / cost per 1M",
         f"{audit['added_us']:.1f} us / {audit['wcu_per_1000']:.0f} WCU / ${audit['cost_per_million']:.2f}")
    line("cost per 1M tokens (warm, 512 MB share)", f"${scenarios[1].total():.2f} vs Cognito "
                                                    f"${COGNITO_PER_MILLION:,.0f}")
    line("server CPU per client_credentials token (for node-oidc-provider)",
         f"{1e6 / handler.cpu_rate:.0f} us handler + ~{serialization:.0f} us Lambda event JSON")
    for name, f in flows.items():
        line(f"flow {name}: CPU / floor, DynamoDB calls / floor",
             f"{f['ratio']:.2f}x {verdict(f['cpu_met'])}, {f['calls']:.2f} / {f['floor_calls']} "
             f"{verdict(f['calls_met'])}, ${f['cost']:.2f} per 1M")
    line(f"memory of a container holding that working set (target <= {container_memory.TARGET_MB} MB)",
         f"{held['held_mb']:.0f} MB  {verdict(held['held_mb'] <= container_memory.TARGET_MB)}")
    for key in ("1000/uniform", "1000/zipf"):
        if key in scaled:
            steady = scaled[key]["steady"]
            line(f"at scale, {key}: DynamoDB reads per token (target <= {TARGET_DYNAMODB_PER_TOKEN}), memory "
                 "(target <= 128 MB)",
                 f"{steady.reads:.4f} {verdict(steady.reads <= TARGET_DYNAMODB_PER_TOKEN)}, "
                 f"{scaled[key]['rss_mb']:.0f} MB {verdict(scaled[key]['rss_mb'] <= 128)}")
    if many:
        line("many containers: N, errors, lost rotations, calls/op flat, same-token race",
             f"N={many['sizes']}, errors {many['errors']}, problems {len(many['problems'])}, flat "
             f"{'yes' if many['flat'] else 'NO'}, race {'OK' if (many['race'] or {}).get('ok') else 'FAILED'}  "
             f"{verdict(many['ok'])}")
    load = os.getloadavg()
    line("load average at the end (1/5/15 min)", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    line("bench wall time", f"{time.perf_counter() - bench_started:.0f} s")
    return 0


def profile(stack: Stack, event: dict[str, Any]) -> None:
    import cProfile
    import io
    import pstats

    heading("cProfile of 2,000 warm token requests (top 25 by own time)")
    app, context = stack.app, LambdaContext()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(2000):
        app(event, context)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
