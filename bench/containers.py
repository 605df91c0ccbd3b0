"""Many containers (issue 20): N Lambda instances sharing the local AWS, minting and refreshing at once.
``python -m bench.containers [--sizes 1,2,4,8] [--seconds S]``; ``run(line, ...)`` for bench.tokens.

This process starts moto's server (``bench.tokens.start_stack``) and sets up a service client (client_credentials,
scope ``bench:read``), a native app registered for ``password`` and ``refresh_token`` (a native app may not use
client_credentials, a service app may not use the password grant: two apps) and one user per worker, assigned to
it; the default server's default rule allows both grants and every scope, ``offline_access`` included. Then, for
each N, N fresh interpreters (``bench/container_worker.py``, each its own container) start up, obtain their
refresh-token chains by the password grant, wait at a shared start instant and, for a fixed time, alternate
client_credentials tokens and refresh rotations through the real handler with API Gateway events.

Checked afterwards, against the store itself: no request failed; every rotation a worker saw is in the store (the
family's ``version`` is 1 + its rotations, its ``currentHash`` is the hash of the worker's last token, it has
exactly 1 + rotations token items); the client has no family beyond the chains; each final token works exactly
once. Reuse of a rotated token is refused and revokes the family (a probe chain per worker). The race: several
instances present the same refresh token at the same instant; exactly one rotation wins, the others get
``invalid_grant``, and the family is revoked (docs/ARCHITECTURE.md, "Rotation on every use, reuse detection, no
grace period"; security-checklist RT-09). Timings are printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from bench.container_checks import check_chains, race
from bench.container_pool import Setup, Workers, prepare, serialized
from bench.container_worker import HOLDER_NOTE, ITEMS

READ_OPERATIONS = ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")
TRANSACTIONS = ("TransactWriteItems",)
FLAT_ABSOLUTE = 0.05  # calls/op: "flat" = within this plus FLAT_RELATIVE of the N=1 figure
FLAT_RELATIVE = 0.10

Line = Callable[[str, str], None]


# -- one N ---------------------------------------------------------------------------------------------------------

@dataclass
class Round:
    n: int
    seconds: float
    startup_wall: list[float]  # per worker: interpreter start to ready (import, container, chains, first token)
    startup_cpu: list[float]
    ops: Counter[str]
    errors: int
    error_samples: list[str]
    cpu: float  # the workers' CPU seconds in the steady state
    local_aws_cpu: float  # moto's CPU seconds meanwhile (this process)
    aws: dict[str, Counter[str]]  # kind -> "service operation" -> calls
    startup_aws: Counter[str]
    problems: list[str] = field(default_factory=list)
    probes_ok: int = 0

    container_seconds: float = 0.0  # the workers' steady-state wall seconds, added up

    def calls(self, kinds: tuple[str, ...], want: Callable[[str, str, str], bool]) -> int:
        """Calls of these kinds of operation for which ``want(service, operation, table)``."""
        total = 0
        for kind in kinds:
            for name, n in self.aws[kind].items():
                service, operation = name.split(" ", 1)
                operation, _, table = operation.partition("@")
                total += n if want(service, operation, table) else 0
        return total

    def dynamodb(self, kind: str) -> dict[str, float]:
        """A request's own DynamoDB calls per operation of this kind (the periodic ones left out), and its calls
        to other services."""
        def per_op(want: Callable[[str, str, str], bool]) -> float:
            return self.calls((kind,), want) / self.ops[kind] if self.ops[kind] else float("nan")

        return {
            "reads": per_op(lambda s, op, t: s == "dynamodb" and not periodic(op, t) and op in READ_OPERATIONS),
            "writes": per_op(lambda s, op, t: s == "dynamodb" and not periodic(op, t)
                             and op not in READ_OPERATIONS and op not in TRANSACTIONS),
            "transactions": per_op(lambda s, op, t: s == "dynamodb" and op in TRANSACTIONS),
            "transaction_items": per_op(lambda s, op, t: s == ITEMS),
            "other_services": per_op(lambda s, op, t: s not in ("dynamodb", ITEMS)),
        }

    def periodic(self) -> dict[str, float]:
        """The periodic DynamoDB calls per container-second (whatever the requests did meanwhile)."""
        def rate(want: Callable[[str, str, str], bool]) -> float:
            return self.calls(("client_credentials", "refresh"), want) / self.container_seconds

        return {
            "config": rate(lambda s, op, t: s == "dynamodb" and t == "config"),
            "log": rate(lambda s, op, t: s == "dynamodb" and t == "log"),
            "holders": rate(lambda s, op, t: s == "dynamodb" and t == "grants" + HOLDER_NOTE),
        }


def periodic(operation: str, table: str) -> bool:
    """A call a warm container makes per unit of time, not per request: the change-log poll and cache reloads
    (config table: at most one read per second, and one per entry per TOKENMINT_CACHE_SECONDS), the System Log's
    buffered events (log table: one write per 25 events or 5 s) and the note that a client holds tokens (a grants
    PutItem marked by the counter: once per client per container and hour; a refresh's rotation is a grants PutItem
    of its own)."""
    return table in ("config", "log", "grants" + HOLDER_NOTE)


def load_round(setup: Setup, n: int, seconds: float, chains: int) -> Round:
    jobs = [{"mode": "load", "login": setup.users[i][0], "chains": chains, "seconds": seconds} for i in range(n)]
    workers = Workers(setup, jobs)
    try:
        ready = workers.ready()
        cpu0 = time.process_time()  # this process: moto's server (the parent only waits meanwhile)
        workers.go()
        results = workers.answers()
        local_aws_cpu = time.process_time() - cpu0
    finally:
        workers.close()
    aws: dict[str, Counter[str]] = {"client_credentials": Counter(), "refresh": Counter()}
    startup: Counter[str] = Counter()
    ops: Counter[str] = Counter()
    for r in ready:
        startup.update(r["aws"]["calls"])
    samples: list[str] = []
    for r in results:
        ops.update(r["ops"])
        for kind, tally in r["aws"].items():
            aws[kind].update(tally["calls"])
        samples += r["error_samples"]
    result = Round(n=n, seconds=max(r["wall"] for r in results), startup_wall=[r["wall"] for r in ready],
                   startup_cpu=[r["cpu"] for r in ready], ops=ops,
                   errors=sum(r["errors"] for r in results), error_samples=samples[:3],
                   cpu=sum(r["cpu"] for r in results), local_aws_cpu=local_aws_cpu, aws=aws, startup_aws=startup,
                   probes_ok=sum(all(r["probe"].values()) for r in results),
                   container_seconds=sum(r["wall"] for r in results))
    not_rotated = sum(r["not_rotated"] for r in results)
    if not_rotated:
        result.problems.append(f"{not_rotated} refreshes answered the presented refresh token again")
    if result.probes_ok != n:
        result.problems.append(f"reuse probe failed in {n - result.probes_ok} of {n} workers: "
                               f"{[r['probe'] for r in results]}")
    seen = sum(c["rotations"] for r in results for c in r["chains"])
    if seen != ops["refresh"] - sum(r["refresh_errors"] for r in results):
        result.problems.append(f"{seen} rotations in the chains, {ops['refresh']} refreshes reported")
    result.problems += check_chains(setup, [c for r in results for c in r["chains"]])
    return result


# -- the report ----------------------------------------------------------------------------------------------------

def flat(values: list[float]) -> bool:
    base = values[0]
    return all(abs(v - base) <= FLAT_ABSOLUTE + FLAT_RELATIVE * base for v in values)


def run(line: Line, *, sizes: tuple[int, ...] = (1, 2, 4, 8), seconds: float = 3.0, chains: int = 4,
        racers: int = 4, race_rounds: int = 5, stack: Any = None) -> dict[str, Any]:
    """The many-containers section: prints its lines through ``line``, returns the figures for the summary.
    ``stack``: a running ``bench.tokens.Stack`` (None: start one here and stop it after)."""
    own = stack is None
    if own:
        from bench.tokens import start_stack

        stack = start_stack()
    try:
        with serialized(stack) as one_at_a_time:
            line("local AWS", f"moto server at {stack.endpoint}, "
                              + ("one request at a time (as DynamoDB's atomic conditional writes)" if one_at_a_time
                                 else "threaded (could not serialise it: conditional writes may race in moto)"))
            return _run(line, prepare(stack, max(sizes) + 1), sizes, seconds, chains, racers, race_rounds)
    finally:
        if own:
            stack.stop()


def _run(line: Line, setup: Setup, sizes: tuple[int, ...], seconds: float, chains: int, racers: int,
         race_rounds: int) -> dict[str, Any]:
    line("workers", f"fresh interpreters, each its own container, all against this moto server; {chains} refresh "
                    f"chains + 1 reuse probe each; {seconds:g} s alternating client_credentials / refresh")
    rounds: list[Round] = []
    for n in sizes:
        r = load_round(setup, n, seconds, chains)
        rounds.append(r)
        total = sum(r.ops.values())
        cc, rt = r.dynamodb("client_credentials"), r.dynamodb("refresh")
        line(f"N={n}: ops/s total (client_credentials + refresh)",
             f"{total / r.seconds:6.0f}/s  ({r.ops['client_credentials']} + {r.ops['refresh']} in {r.seconds:.1f} s; "
             f"start-up {max(r.startup_wall):.1f} s wall, {sum(r.startup_cpu) / n:.1f} s CPU per worker)")
        line(f"N={n}: CPU per op: workers (the handler); local AWS (moto)",
             f"{r.cpu / total * 1e3:.1f} ms; {r.local_aws_cpu / total * 1e3:.1f} ms "
             f"({(r.cpu + r.local_aws_cpu) / r.seconds / (os.cpu_count() or 1):.0%} of the machine's CPUs)")
        line(f"N={n}: DynamoDB per client_credentials token (its own calls)",
             f"reads {cc['reads']:.3f}, writes {cc['writes']:.3f}, transactions {cc['transactions']:.3f}; "
             f"other AWS {cc['other_services']:.3f}")
        line(f"N={n}: DynamoDB per refresh (its own calls)",
             f"reads {rt['reads']:.3f}, writes {rt['writes']:.3f}, transactions {rt['transactions']:.3f} "
             f"({rt['transaction_items']:.2f} items); "
             f"other AWS {rt['other_services']:.3f}")
        p = r.periodic()
        line(f"N={n}: periodic DynamoDB calls per container-second",
             f"config {p['config']:.2f} (change-log poll, cache reloads), log {p['log']:.2f} (System Log "
             f"batches), holder notes {p['holders']:.2f}")
        line(f"N={n}: errors; store checks; reuse probes",
             f"{r.errors} errors{' ' + repr(r.error_samples) if r.errors else ''}; "
             f"{'all rotations accounted for' if not r.problems else '; '.join(r.problems[:3])}; "
             f"{r.probes_ok}/{n} refused reuse")
    refresh_calls = {n: r.aws["refresh"] for n, r in zip(sizes, rounds)}
    last = rounds[-1]
    line(f"refresh calls per op at N={last.n}", ", ".join(
        f"{name} {count / last.ops['refresh']:.2f}" for name, count in sorted(last.aws["refresh"].items())))
    line(f"start-up calls per worker at N={last.n} (container, {chains + 1} password grants, 1 token)", ", ".join(
        f"{name} {count / last.n:.1f}" for name, count in sorted(last.startup_aws.items())))
    series = {kind: {metric: [r.dynamodb(kind)[metric] for r in rounds] for metric in ("reads", "writes",
                                                                                      "transactions")}
              for kind in ("client_credentials", "refresh")}
    is_flat = all(flat(v) for kinds in series.values() for v in kinds.values())
    line("DynamoDB calls/op flat as N grows", f"{'yes' if is_flat else 'NO'} (within {FLAT_ABSOLUTE} + "
                                              f"{FLAT_RELATIVE:.0%} of N={sizes[0]})")
    contest = race(setup, racers, race_rounds) if racers >= 2 and race_rounds else None
    race_ok = None
    if contest:
        race_ok = (all(w == 1 for w in contest.winners) and not contest.losers_other
                   and contest.family_revoked == contest.rounds)
        line(f"race: {contest.racers} containers, same refresh token, {contest.rounds} rounds",
             f"winners per round {contest.winners}; losers invalid_grant {contest.losers_invalid_grant}"
             f"{', other ' + repr(contest.losers_other) if contest.losers_other else ''}; "
             f"{'OK' if race_ok else 'FAILED'}")
        line("  losers that reached the conditional write (true contention)",
             f"{contest.losers_at_write} of {contest.losers_invalid_grant + len(contest.losers_other)}; start "
             f"spread per round {', '.join(f'{s:.1f}' for s in contest.spread_ms)} ms")
        line("  family revoked after the race (the winner's token refused)",
             f"{contest.family_revoked}/{contest.rounds} rounds")
    ok = all(r.errors == 0 and not r.problems for r in rounds) and is_flat and race_ok is not False
    return {
        "ok": ok,
        "sizes": list(sizes),
        "ops_per_s": [sum(r.ops.values()) / r.seconds for r in rounds],
        "errors": [r.errors for r in rounds],
        "problems": [p for r in rounds for p in r.problems],
        "dynamodb_per_op": series,
        "flat": is_flat,
        "refresh_calls": {n: dict(c) for n, c in refresh_calls.items()},
        "race": None if contest is None else {"winners": contest.winners, "losers_at_write": contest.losers_at_write,
                                              "family_revoked": contest.family_revoked, "ok": race_ok},
    }


def main(argv: list[str] | None = None) -> int:
    from bench.tokens import heading, line

    parser = argparse.ArgumentParser(prog="python -m bench.containers", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="numbers of containers, comma-separated; default 1,2,4,8")
    parser.add_argument("--seconds", type=float, default=3.0, help="steady-state seconds per N; default 3")
    parser.add_argument("--chains", type=int, default=4, help="refresh-token chains per container; default 4")
    parser.add_argument("--racers", type=int, default=4, help="containers in the same-token race (0: none)")
    parser.add_argument("--race-rounds", type=int, default=5, help="rounds of the race; default 5")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    if not sizes or min(sizes) < 1 or args.seconds <= 0 or args.chains < 1:
        parser.error("--sizes must be positive integers, --seconds positive, --chains at least 1")
    heading("Many containers: N Lambda instances minting and refreshing at once (bench/containers.py)")
    load = os.getloadavg()
    line("machine", f"{os.cpu_count()} logical CPUs; load average at the start {load[0]:.2f} / {load[1]:.2f} / "
                    f"{load[2]:.2f} (other work on the machine slows the workers, not their calls per op)")
    started = time.perf_counter()
    figures = run(line, sizes=sizes, seconds=args.seconds, chains=args.chains, racers=args.racers,
                  race_rounds=args.race_rounds)
    verdict = "all checks passed" if figures["ok"] else "CHECKS FAILED"
    line("section took", f"{time.perf_counter() - started:.0f} s; {verdict}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
