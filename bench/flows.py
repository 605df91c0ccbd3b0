"""Every flow a deployment serves, through the real Lambda handler, against its floor (issue 20, "Measure").

Each flow is one user-visible operation made of one or more Lambda invocations (the code + PKCE login is four:
authorize, the sign-in page, the sign-in form's POST, the code's redemption). For each flow, in one run:

* CPU per operation of the handler (``time.thread_time`` of the benchmarking thread inside ``app(event, context)``,
  as the floor's minimal function is measured: moto's server threads are not charged, and neither is the bench's
  driving, building events and reading replies and pages), after a warm-up, every response checked;
* AWS calls per operation by service, operation and table (botocore hooks, bench/awscalls.py), DynamoDB read and
  write units, and cost per million operations (API Gateway, Lambda requests and duration, DynamoDB, KMS, Secrets
  Manager at performance.md's prices);
* the flow's **floor**, from primitives measured in the same run (bench/floor.py): the RS256 signatures and
  verifications it must make, the password hash it must check, the DynamoDB calls any correct design must make
  (``Floor.calls``, each priced at a bare botocore call of that kind) and a minimal Chalice function answering each
  of its invocations with the same response; and actual ÷ floor for CPU and for AWS calls.

Why each floor is what it is (the minimum calls) is written next to the flow below and in docs/performance.md.
"""
from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.awscalls import CHANGE_LOG, READ_OPERATIONS, AwsCallCounter, Tally
from bench.flow_world import LOGIN, PASSWORD, REDIRECT_URI, USER_SCOPES, World, pkce
from bench.gateway import Browser, Reply

TRANSACTIONS = ("TransactWriteItems", "TransactGetItems")


@dataclass(frozen=True)
class Floor:
    """What a flow must do at minimum: ``signs`` RS256 signatures, ``verifies`` RS256 verifications, ``hashes``
    Argon2id checks, and ``calls`` DynamoDB calls by operation (warm caches assumed: configuration, clients, keys)."""

    signs: int = 0
    verifies: int = 0
    hashes: int = 0
    calls: tuple[tuple[str, int], ...] = ()
    why: str = ""

    def total_calls(self) -> int:
        return sum(n for _op, n in self.calls)

    def writes(self) -> int:
        return sum(n for op, n in self.calls if op not in READ_OPERATIONS)


@dataclass
class Flow:
    name: str
    title: str
    floor: Floor
    setup: Callable[[], None]
    op: Callable[[], None]  # one operation; raises SystemExit on a wrong answer
    samples: int = 0  # operations to run at most (flows that consume a pool); 0: time-bound


@dataclass
class Measured:
    flow: Flow
    ops: int
    cpu: float  # seconds of this thread inside the handler (Recorder.invoke)
    wall: float
    invocations: int
    billed_ms: int  # Lambda's billed duration at the share of a vCPU, 1 ms steps per invocation
    tally: Tally
    driven_cpu: float = 0.0  # seconds of this thread for the whole operation, the bench's driving included

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.ops * 1e6

    def per_op(self, predicate: Callable[[str, str, str], bool]) -> float:
        return sum(n for key, n in self.tally.tables.items() if predicate(*key)) / self.ops

    def dynamodb(self, kind: str, log: bool = False) -> float:
        """DynamoDB calls per op of ``kind`` (read / write / transaction), the System Log's table apart (``log``) and
        without the change log's reads (once a second per container, not per operation)."""
        def match(service: str, op: str, table: str) -> bool:
            if service != "dynamodb" or table.endswith("-logs") != log or table.endswith(CHANGE_LOG):
                return False
            return {"read": op in READ_OPERATIONS, "transaction": op in TRANSACTIONS,
                    "write": op not in READ_OPERATIONS and op not in TRANSACTIONS}[kind]
        return self.per_op(match)

    def service(self, name: str) -> float:
        return self.per_op(lambda service, _op, _table: service == name)


class Recorder:
    """Wraps the gateway so that each invocation's CPU, the handler's own (``app(event, context)`` and nothing of the
    bench's driving: building the event, reading the reply, parsing pages), is counted as the floor's minimal
    function is measured, and billed as Lambda would: rounded up to 1 ms per invocation at the function's share of a
    vCPU; and keeps the last operation's requests and replies (for the floor's minimal function)."""

    def __init__(self, world: World, share: float, counter: AwsCallCounter) -> None:
        self.counter = counter
        self.steps: dict[str, Counter[tuple[str, str, str]]] = {}  # "METHOD resource" -> (service, op, table) -> calls, this flow
        self.gateway = world.gateway
        self.share = share
        self.invocations = 0
        self.billed_ms = 0
        self.handler_cpu = 0.0  # seconds of this thread inside the handler since the last reset
        self.last: list[tuple[dict[str, Any], Reply]] = []
        self._send = self.gateway.send
        self._app = self.gateway.app
        self.gateway.send = self.send  # type: ignore[method-assign]
        self.gateway.app = self.invoke

    def invoke(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.thread_time()
        raw: dict[str, Any] = self._app(event, context)
        used = time.thread_time() - started
        self.handler_cpu += used
        self.invocations += 1
        self.billed_ms += max(1, math.ceil(used / self.share * 1000))
        return raw

    def send(self, event: dict[str, Any]) -> Reply:
        before = Counter(self.counter.tally.tables)
        reply = self._send(event)
        step = self.steps.setdefault(f"{event['httpMethod']} {event['resource']}", Counter())
        step.update(Counter(self.counter.tally.tables) - before)
        self.last.append((event, reply))
        return reply

    def reset(self) -> None:
        self.steps = {}
        self.invocations = 0
        self.billed_ms = 0
        self.handler_cpu = 0.0
        self.last = []


def expect(reply: Reply, status: int | tuple[int, ...], what: str) -> Reply:
    if reply.status not in ((status,) if isinstance(status, int) else status):
        raise SystemExit(f"{what}: expected {status}, got {reply.status} {reply.body[:400]!r}")
    return reply


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def form_action(html: str) -> str:
    found = re.search(r'<form method="post" action="([^"]+)"', html)
    if not found:
        raise SystemExit(f"no form on the page: {html[:300]!r}")
    return found.group(1)


def tokens(reply: Reply, what: str, *names: str) -> dict[str, Any]:
    body: dict[str, Any] = expect(reply, 200, what).json()
    missing = [n for n in names if not isinstance(body.get(n), str)]
    if missing:
        raise SystemExit(f"{what}: no {missing} in {sorted(body)}")
    return body


# -- the flows -----------------------------------------------------------------------------------------------------

def build_flows(world: World, client_credentials_event: dict[str, Any]) -> list[Flow]:
    gw = world.gateway
    oauth = world.oauth
    state: dict[str, Any] = {}

    def client_credentials() -> None:
        tokens(gw.send(client_credentials_event), "client_credentials", "access_token")

    def login() -> dict[str, Any]:
        browser = Browser(gw)
        verifier, challenge = pkce()
        query = urlencode({"client_id": world.web_id, "response_type": "code", "redirect_uri": REDIRECT_URI,
                           "scope": USER_SCOPES, "state": "bench-state", "nonce": "bench-nonce",
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        to_sign_in = expect(browser.get(f"{oauth}/v1/authorize?{query}"), 302, "authorize")
        page = expect(browser.get(to_sign_in.location), 200, "sign-in page")
        back = expect(browser.post(form_action(page.body), {**hidden_fields(page.body), "username": LOGIN,
                                                            "password": PASSWORD}), (302, 303), "sign-in")
        answer = {k: v[0] for k, v in parse_qs(urlsplit(back.location).query).items()}
        if not back.location.startswith(REDIRECT_URI) or answer.get("state") != "bench-state" or "code" not in answer:
            raise SystemExit(f"sign-in did not come back with a code: {back.location[:300]}")
        return tokens(gw.form(f"{oauth}/v1/token", {"grant_type": "authorization_code", "code": answer["code"],
                                                   "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
                              world.web()), "code redemption", "access_token", "id_token", "refresh_token")

    def password_grant() -> dict[str, Any]:
        return tokens(gw.form(f"{oauth}/v1/token", {"grant_type": "password", "username": LOGIN,
                                                   "password": PASSWORD, "scope": USER_SCOPES}, world.native()),
                      "password grant", "access_token", "id_token", "refresh_token")

    def setup_user_tokens() -> None:
        state["user"] = password_grant()
        state["refresh"] = state["user"]["refresh_token"]

    def refresh_with(token: str) -> str:
        return str(tokens(gw.form(f"{oauth}/v1/token", {"grant_type": "refresh_token", "refresh_token": token},
                                  world.native()), "refresh", "access_token", "id_token", "refresh_token")
                   ["refresh_token"])

    def fill_refresh_pool() -> None:
        state["refresh_pool"] = [password_grant()["refresh_token"] for _ in range(REFRESHES)]

    def refresh() -> None:
        # Each family refreshed once, as a client refreshes when its access token runs out: the family then
        # remembers the one or two access tokens still unexpired.
        refresh_with(state["refresh_pool"].pop())

    def refresh_hot() -> None:
        # One family rotated back to back: it remembers every access token it issued within their lifetime, up to
        # MAX_ACCESS_TOKENS (100), so its item (read, then written in the rotation's transaction) is the largest.
        state["refresh"] = refresh_with(state["refresh"])

    def introspect() -> None:
        body = expect(gw.form(f"{oauth}/v1/introspect", {"token": state["user"]["access_token"],
                                                        "token_type_hint": "access_token"}, world.native()),
                      200, "introspect").json()
        if body.get("active") is not True:
            raise SystemExit(f"introspection: token not active: {body}")

    def userinfo() -> None:
        body = expect(gw.request("GET", f"{oauth}/v1/userinfo",
                                 {"Authorization": f"Bearer {state['user']['access_token']}"}), 200, "userinfo").json()
        if body.get("sub") != world.user_id:
            raise SystemExit(f"userinfo: wrong subject: {body}")

    def fill_revocation_pool() -> None:
        state["pool"] = [password_grant()["refresh_token"] for _ in range(REVOCATIONS)]

    def revoke() -> None:
        expect(gw.form(f"{oauth}/v1/revoke", {"token": state["pool"].pop(), "token_type_hint": "refresh_token"},
                       world.native()), 200, "revoke")

    def jwks() -> None:
        if not expect(gw.request("GET", f"{oauth}/v1/keys"), 200, "keys").json().get("keys"):
            raise SystemExit("keys: empty key set")

    def discovery() -> None:
        if expect(gw.request("GET", f"{oauth}/.well-known/openid-configuration"), 200,
                  "discovery").json().get("issuer") != world.issuer:
            raise SystemExit("discovery: wrong issuer")

    def preview() -> None:
        body = json.dumps({"clientId": world.service_id, "grantType": "client_credentials",
                           "scopes": ["bench:read"]})
        reply = expect(gw.request("POST", f"/api/v1/authorizationServers/{world.server_id}/tokenPreview",
                                  {**world.admin, "Content-Type": "application/json"}, body), 200, "token preview")
        if not reply.json().get("accessToken", {}).get("payload"):
            raise SystemExit(f"token preview without a token: {reply.body[:300]}")

    def list_servers() -> None:
        listed = expect(gw.request("GET", "/api/v1/authorizationServers", world.admin), 200, "list servers").json()
        if not any(s.get("id") == world.server_id for s in listed):
            raise SystemExit("list servers: default server missing")

    def get_server() -> None:
        got = expect(gw.request("GET", f"/api/v1/authorizationServers/{world.server_id}", world.admin), 200,
                     "get server").json()
        if got.get("id") != world.server_id:
            raise SystemExit("get server: wrong server")

    nothing = (lambda: None)
    return [
        Flow("client_credentials", "client_credentials token", Floor(
            signs=1, why="one signature; configuration, client and key are cached"), nothing, client_credentials),
        Flow("login", "code + PKCE login: authorize, sign-in page, sign-in, code redemption (4 invocations)", Floor(
            signs=2, hashes=1, calls=(("PutItem", 1), ("GetItem", 5), ("Query", 1), ("UpdateItem", 1),
                                      ("TransactWriteItems", 2)),
            why="authorize stores the request (1 write); the page and the form read it (2); the person read by "
                "login, the assignment (2 reads), the attempt reserved before the password is checked (lockout, "
                "1 write), one transaction: session, code, lastLogin, request consumed; the code and the person "
                "re-read at redemption (2), one transaction: code consumed + refresh family; access + ID token"),
            nothing, lambda: None if login() else None),
        Flow("refresh", "refresh_token grant (rotation, access + ID token), each family refreshed once", Floor(
            signs=2, calls=(("GetItem", 2), ("UpdateItem", 1)),
            why="the token's family and the person (still active, assigned, groups for the policy) read, one "
                "conditional write that rotates"),
            fill_refresh_pool, refresh, samples=REFRESHES),
        Flow("password", "password grant (access + ID + refresh token)", Floor(
            signs=2, hashes=1, calls=(("GetItem", 2), ("UpdateItem", 1), ("TransactWriteItems", 1)),
            why="the person read by login and its assignment, the attempt reserved before the password is checked "
                "(lockout), one transaction: lastLogin + the refresh family"),
            nothing, lambda: None if password_grant() else None),
        Flow("refresh_hot", "refresh_token grant, one family rotated back to back (its largest item)", Floor(
            signs=2, calls=(("GetItem", 2), ("UpdateItem", 1)),
            why="as refresh; the family remembers its last 100 unexpired access tokens, so the item read and "
                "written is ~5 KB, which the floor's calls do not carry"),
            setup_user_tokens, refresh_hot),
        Flow("introspect", "introspection of a person's access token", Floor(
            verifies=1, calls=(("GetItem", 2),),
            why="the signature verified; two reads: is the token revoked, is its person still active"),
            setup_user_tokens, introspect),
        Flow("userinfo", "userinfo with a person's access token", Floor(
            verifies=1, calls=(("GetItem", 2),),
            why="the signature verified; two reads: is the token revoked, the person (active? claims, groups)"),
            setup_user_tokens, userinfo),
        Flow("revoke", "revocation of a refresh token", Floor(
            calls=(("GetItem", 1), ("TransactWriteItems", 1)),
            why="the token's family read (whose is it, which access tokens it issued), one transaction that deletes "
                "it and revokes those access tokens"),
            fill_revocation_pool, revoke, samples=REVOCATIONS),
        Flow("jwks", "JWKS (/v1/keys)", Floor(why="nothing but the cached key set"), nothing, jwks),
        Flow("discovery", "OpenID discovery document", Floor(why="nothing but the cached configuration"),
             nothing, discovery),
        Flow("token_preview", "token preview (admin API)", Floor(
            calls=(("GetItem", 2), ("Query config", 1)),
            why="the admin's API token read (revocable at once), the server's configuration (all its items) and "
                "the client read fresh (an admin previews what they just saved, whichever container saved it); "
                "nothing signed"),
            nothing, preview),
        Flow("list_servers", "list authorization servers (admin API)", Floor(
            calls=(("GetItem", 1), ("Query", 1)), why="the admin's API token read, one query of the servers"),
            nothing, list_servers),
        Flow("get_server", "get an authorization server (admin API)", Floor(
            calls=(("GetItem", 2),), why="the admin's API token read, the server's item read"),
            nothing, get_server),
    ]


REVOCATIONS = 120
REFRESHES = 120  # families made for the refresh flow (a password grant each, ~30 ms), each refreshed once
FLOW_NAMES = ("client_credentials", "login", "refresh", "password", "refresh_hot", "introspect", "userinfo", "revoke",
              "jwks", "discovery", "token_preview", "list_servers", "get_server")


# -- measuring -----------------------------------------------------------------------------------------------------

def measure(flow: Flow, recorder: Recorder, counter: AwsCallCounter, seconds: float, warmup: int = 20, *,
            between: Callable[[], None] | None = None, pauses: int = 0) -> Measured:
    """``flow`` run for ``seconds`` (or its ``samples``), after ``warmup`` operations. ``between`` is called
    ``pauses`` times, evenly spread through the run (the floor's primitives, measured alongside the flow so that
    both see the same machine); neither its time nor its AWS calls count."""
    flow.setup()
    if flow.samples:
        warmup = min(warmup, flow.samples // 6)
    for _ in range(warmup):
        flow.op()
    counter.reset()
    recorder.reset()
    clock, cpu = time.perf_counter, time.thread_time
    limit = flow.samples - warmup if flow.samples else 0
    started, cpu_started = clock(), cpu()
    paused = paused_cpu = 0.0
    ops = done_pauses = 0
    while True:
        recorder.last = []
        flow.op()
        ops += 1
        progress = ops / limit if limit else (clock() - started - paused) / seconds
        if progress >= 1:
            break
        if between is not None and done_pauses < pauses and progress >= (done_pauses + 1) / (pauses + 1):
            pause_wall, pause_cpu = clock(), cpu()
            kept = counter.reset()
            between()
            counter.resume(kept)
            paused += clock() - pause_wall
            paused_cpu += cpu() - pause_cpu
            done_pauses += 1
    measured = Measured(flow, ops, recorder.handler_cpu, clock() - started - paused, recorder.invocations,
                        recorder.billed_ms, counter.reset(), driven_cpu=cpu() - cpu_started - paused_cpu)
    return measured


@dataclass
class Primitives:
    """CPU microseconds of what floors are made of, measured in this run (bench/floor.py)."""

    sign_us: float
    verify_us: float
    hash_us: float
    call_us: dict[str, float] = field(default_factory=dict)


def mean_primitives(measured: list[Primitives]) -> Primitives:
    """The mean of each primitive over ``measured`` (the same floor measured several times through one flow)."""
    n = len(measured)
    return Primitives(sign_us=sum(p.sign_us for p in measured) / n, verify_us=sum(p.verify_us for p in measured) / n,
                      hash_us=sum(p.hash_us for p in measured) / n,
                      call_us={op: sum(p.call_us[op] for p in measured) / n for op in measured[0].call_us})


def floor_us(flow: Flow, primitives: Primitives, minimal_us: float) -> float:
    f = flow.floor
    calls = sum(primitives.call_us[op] * n for op, n in f.calls)
    return f.signs * primitives.sign_us + f.verifies * primitives.verify_us + f.hashes * primitives.hash_us + \
        calls + minimal_us


def call_breakdown(tally: Tally, ops: int) -> str:
    rows: Counter[str] = Counter()
    for (service, op, table), n in tally.tables.items():
        short = table.replace("tokenmint-local-", "") if table else ""
        if short.endswith(CHANGE_LOG):
            short = "change log (once a second per container)"
        rows[f"{service} {op}{' ' + short if short else ''}"] += n
    return ", ".join(f"{name} {n / ops:.3g}" for name, n in sorted(rows.items())) or "none"
