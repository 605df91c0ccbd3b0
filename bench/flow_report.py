"""``make bench`` section "Flows": runs bench/flows.py's flows (all, or those ``--flows`` names), measures their
floors' primitives in the same run (bench/floor.py) and prints, per flow, CPU and AWS calls against the floor and the
cost per million operations. Returns the figures for the summary."""
from __future__ import annotations

import os
from typing import Any, Callable

from bench.awscalls import AwsCallCounter
from bench.flows import (FLOW_NAMES, Flow, Measured, Primitives, Recorder, build_flows, call_breakdown, floor_us,
                         mean_primitives, measure)
from bench import floor as floors
from bench.flow_world import build as build_world
from chalicelib.storage.config_repository import server_pk

from bench.prices import (PRICE_APIGW_REST, PRICE_DDB_READ_UNIT, PRICE_DDB_WRITE_UNIT, PRICE_KMS_CALL,
                          PRICE_LAMBDA_GB_S_ARM, PRICE_LAMBDA_REQUEST, PRICE_SECRETS_CALL)

TARGET_CPU_RATIO = 1.5
# Times each flow's floor primitives are measured while the flow runs (then once more right after it).
FLOOR_PAUSES = 2


def cost_per_million(m: Measured, memory_mb: int) -> float:
    per_op = (m.invocations * (PRICE_APIGW_REST + PRICE_LAMBDA_REQUEST)
              + m.billed_ms / 1000 * memory_mb / 1024 * PRICE_LAMBDA_GB_S_ARM
              + m.tally.read_units * PRICE_DDB_READ_UNIT + m.tally.write_units * PRICE_DDB_WRITE_UNIT
              + m.tally.by_service()["kms"] * PRICE_KMS_CALL
              + m.tally.by_service()["secretsmanager"] * PRICE_SECRETS_CALL) / m.ops
    return per_op * 1e6


def run(line: Callable[[str, str], None], stack: Any, counter: AwsCallCounter, event: dict[str, Any],
        claims: dict[str, Any], kid: str, *, seconds: float, wanted: list[str] | None, memory_mb: int,
        mb_per_vcpu: int) -> dict[str, Any]:
    world = build_world(stack.app, stack.container, stack.client_id, stack.client_secret)
    flows = build_flows(world, event)
    if tuple(f.name for f in flows) != FLOW_NAMES:
        raise SystemExit("bench/flows.py: FLOW_NAMES and the flows built differ")
    unknown = sorted(set(wanted or ()) - {f.name for f in flows})
    if unknown:
        raise SystemExit(f"unknown flow(s) {unknown}; known: {[f.name for f in flows]}")
    chosen = [f for f in flows if not wanted or f.name in wanted]
    measurer = floors.FloorPrimitives(claims, kid, os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_REGION"],
                                      (stack.container.settings.config_table, server_pk(world.server_id)))
    primitives = measurer.measure()
    line("floor primitives at the start (CPU of this thread)",
         f"RS256 sign {primitives.sign_us:.0f} us, verify {primitives.verify_us:.0f} us, Argon2id "
         f"{primitives.hash_us / 1000:.1f} ms")
    line("  one bare botocore DynamoDB call (client CPU)",
         ", ".join(f"{op} {us:.0f}" for op, us in primitives.call_us.items()) + " (us)")
    share = memory_mb / mb_per_vcpu
    recorder = Recorder(world, share, counter)
    results: dict[str, Any] = {}
    print(f"  {'flow':<19}{'ops':>6}{'CPU/op':>11}{'floor':>10}{'ratio':>7}   {'DynamoDB R/W/T per op':<23}"
          f"{'floor':>7}{'KMS+SM':>8}{'RCU':>7}{'WCU':>6}{'$/1M':>8}", flush=True)
    for flow in chosen:
        # This flow's primitives, measured again twice while it runs and once right after it: machine drift over
        # the flow's seconds moves the floor with the flow (one measurement after the flow left ±0.2–0.4 of spread
        # in the ratios from run to run).
        during: list[Primitives] = []
        m = measure(flow, recorder, counter, seconds, between=lambda: during.append(
            measurer.measure(flow.floor, primitives)), pauses=FLOOR_PAUSES)
        minimal = floors.minimal_function_us(recorder.last)
        after = mean_primitives([*during, measurer.measure(flow.floor, primitives)])
        floor = floor_us(flow, after, minimal)
        reads, writes, transactions = (m.dynamodb(k) for k in ("read", "write", "transaction"))
        log_writes = m.dynamodb("write", log=True)
        secret_calls = m.service("kms") + m.service("secretsmanager")
        cost = cost_per_million(m, memory_mb)
        ratio = m.cpu_us / floor
        print(f"  {flow.name:<19}{m.ops:>6}{_us(m.cpu_us):>11}{_us(floor):>10}{ratio:>7.2f}   "
              f"{reads:>6.2f} / {writes:>4.2f} / {transactions:>4.2f}  {flow.floor.total_calls():>7}"
              f"{secret_calls:>8.2f}{m.tally.read_units / m.ops:>7.2f}{m.tally.write_units / m.ops:>6.2f}"
              f"{cost:>8.2f}", flush=True)
        print(f"      calls/op: {call_breakdown(m.tally, m.ops)}", flush=True)
        print(f"      floor: {flow.floor.why}; minimal function {minimal:.0f} us for {len(recorder.last)} "
              f"invocation(s); primitives during and after the flow (mean of {FLOOR_PAUSES + 1}): "
              f"{used_primitives(flow, after)}", flush=True)
        if len(recorder.steps) > 1:
            for step, calls in recorder.steps.items():
                described = ", ".join(f"{op} {table.replace('tokenmint-local-', '')} {n / m.ops:.3g}"
                                      for (service, op, table), n in sorted(calls.items()) if n / m.ops >= 0.01)
                print(f"        {step}: {described or 'no AWS call'}", flush=True)
        actual_calls = reads + writes + transactions
        results[flow.name] = {
            "ops": m.ops, "cpu_us": m.cpu_us, "floor_us": floor, "ratio": ratio, "reads": reads, "writes": writes,
            "transactions": transactions, "log_writes": log_writes, "calls": actual_calls,
            "floor_calls": flow.floor.total_calls(), "secret_calls": secret_calls, "cost": cost,
            "cpu_met": ratio <= TARGET_CPU_RATIO, "calls_met": actual_calls <= flow.floor.total_calls() + 1e-9,
        }
    measurer.close()
    return {"flows": results, "primitives": primitives}


def used_primitives(flow: Flow, primitives: Any) -> str:
    f = flow.floor
    used = [(f.signs, "sign", primitives.sign_us), (f.verifies, "verify", primitives.verify_us),
            (f.hashes, "Argon2id", primitives.hash_us)] + [(n, op, primitives.call_us[op]) for op, n in f.calls]
    return ", ".join(f"{name} {_us(us)}" for n, name, us in used if n) or "none"


def _us(value: float) -> str:
    return f"{value / 1000:.2f} ms" if value >= 10_000 else f"{value:.0f} us"


__all__ = ["FLOW_NAMES", "Flow", "run"]


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.flow_report [--flows a,b] [--seconds N]``: this section alone."""
    import argparse
    import json

    import jwt

    from bench.apigw import LambdaContext, token_event
    from bench.prices import LAMBDA_MB_PER_VCPU, LAMBDA_MEMORY_MB
    from bench.tokens import SCOPE, heading, line, start_stack

    parser = argparse.ArgumentParser(prog="python -m bench.flow_report")
    parser.add_argument("--flows", default="", help="comma-separated flow names; default all")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per flow; default 3")
    args = parser.parse_args(argv)
    unknown = sorted(set(n for n in args.flows.split(",") if n) - set(FLOW_NAMES))
    if unknown:
        parser.error(f"unknown flow(s) {unknown}; known: {', '.join(FLOW_NAMES)}")
    counter = AwsCallCounter().install()
    stack = start_stack()
    try:
        event = token_event("default", stack.client_id, stack.client_secret, SCOPE)
        token = json.loads(stack.app(event, LambdaContext())["body"])["access_token"]
        heading("Flows: CPU and AWS calls per operation against each flow's floor (bench/flows.py)")
        run(line, stack, counter, event, jwt.decode(token, options={"verify_signature": False}),
            jwt.get_unverified_header(token)["kid"], seconds=args.seconds,
            wanted=[n for n in args.flows.split(",") if n] or None, memory_mb=LAMBDA_MEMORY_MB,
            mb_per_vcpu=LAMBDA_MB_PER_VCPU)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
