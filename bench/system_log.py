"""What the System Log costs a token (issue 17), measured in the same run as everything else in ``make bench``.

The same warm client_credentials request through the app, in interleaved rounds with successful token events kept
(``TOKENMINT_LOG_TOKEN_SAMPLE=1``, the default) and switched off (``0``): the difference is the System Log's CPU per
token (building the event, its JSON log line, the buffer, and one write of five items per 500 tokens, client
side). The
writes are counted with botocore's hooks; write units come from the size of the items as stored (DynamoDB charges one
unit per started KB of each item; an item holds a batch of events, compressed), and the cost per million tokens adds
the log line's CloudWatch Logs ingestion and the table's storage for the retention.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

# Prices (performance.md, AWS list prices, us-east-1), in dollars.
PRICE_DDB_WRITE_UNIT = 0.625 / 1e6
PRICE_DDB_GB_MONTH = 0.25
PRICE_CW_LOGS_INGEST_GB = 0.50
PRICE_LAMBDA_GB_S_ARM = 0.0000133
GB = 1024 ** 3


def _item_bytes(item: Any) -> int:
    """DynamoDB's item size of a batch exactly as the log table's repository writes it (compressed)."""
    from bench.awscalls import item_size
    from chalicelib.storage.log_repository import wire_item

    return item_size(wire_item(item))


def run(line: Callable[[str, str], None], *, container: Any, handler: Callable[[], None], counter: Any,
        timed_loop: Callable[[Callable[[], Any], float], Any], seconds: float, rounds: int,
        memory_mb: int, mb_per_vcpu: int) -> dict[str, float]:
    from chalicelib.audit.log_keys import EVENTS_PER_ITEM, item
    from chalicelib.audit.recorder import BATCH, serialize
    from datetime import timedelta

    recorder = container.audit
    original = recorder.sample
    lines: list[int] = []
    emit = recorder._emit  # noqa: SLF001 - wrapped to measure each JSON line's size, then restored

    def measured(text: str) -> None:
        lines.append(len(text))
        emit(text)

    recorder._emit = measured  # noqa: SLF001
    on_loops, off_loops = [], []
    writes = 0
    try:
        slice_seconds = seconds / rounds
        for _ in range(rounds):
            recorder.sample = 0.0
            recorder.flush()
            counter.reset()
            off_loops.append(timed_loop(handler, slice_seconds))
            counter.reset()
            recorder.sample = 1.0
            on_loops.append(timed_loop(handler, slice_seconds))
            writes += counter.reset().calls.get(("dynamodb", "BatchWriteItem"), 0)
        recorder.flush()
    finally:
        recorder.sample = original
        recorder._emit = emit  # noqa: SLF001
    on = sum(on_loops[1:], on_loops[0])
    off = sum(off_loops[1:], off_loops[0])
    added_us = 1e6 / on.cpu_rate - 1e6 / off.cpu_rate
    events = on.calls  # one event per client_credentials token
    # A full item as the table holds it (the newest batch of the run), to size its write.
    sample = container.storage.log_events.read(_newest_partition(container), None, None, True, 1,
                                                container.clock.now())
    batch = sample[0][1]
    stored = item([serialize(e) for e in batch], container.clock.now(), 1,
                  timedelta(days=container.settings.log_retention_days))
    item_bytes = _item_bytes(stored)
    units_per_item = math.ceil(item_bytes / 1024)
    wcu_per_1000 = units_per_item * 1000 / len(batch)
    line_bytes = sum(lines) / max(1, len(lines))
    retention_months = container.settings.log_retention_days / 30.4
    share = memory_mb / mb_per_vcpu
    cost = {
        "DynamoDB write units": wcu_per_1000 * 1000 * PRICE_DDB_WRITE_UNIT,
        f"DynamoDB storage for {container.settings.log_retention_days} days":
            item_bytes / len(batch) * 1e6 / GB * PRICE_DDB_GB_MONTH * retention_months,
        "CloudWatch Logs ingestion of the JSON line": line_bytes * 1e6 / GB * PRICE_CW_LOGS_INGEST_GB,
        f"Lambda CPU at {memory_mb} MB": added_us / 1e6 / share * memory_mb / 1024 * PRICE_LAMBDA_GB_S_ARM * 1e6,
    }
    total = sum(cost.values())
    line("tokens with events on / off (CPU rate of this thread)",
         f"{on.cpu_rate:.0f} / {off.cpu_rate:.0f} tokens/s ({on.calls} / {off.calls} tokens)")
    line("added CPU per token (events on minus off)", f"{added_us:.1f} us ({added_us / (1e6 / off.cpu_rate):.1%})")
    line("BatchWriteItem calls per 1,000 tokens", f"{writes * 1000 / events:.1f} (items of up to {EVENTS_PER_ITEM} events, "
                                                     f"{BATCH} events a call)")
    line("stored item / events in it / JSON log line per event",
         f"{item_bytes} B ({units_per_item} write units) / {len(batch)} / {line_bytes:.0f} B")
    line("DynamoDB write units per 1,000 tokens", f"{wcu_per_1000:.0f}")
    for label, value in cost.items():
        line(f"  per 1M tokens: {label}", f"${value:.4f}")
    line("System Log cost per 1M tokens (sample 1; 0.1 keeps a tenth)", f"${total:.4f}")
    return {"added_us": added_us, "wcu_per_1000": wcu_per_1000, "cost_per_million": total,
            "writes_per_1000": writes * 1000 / events}


def _newest_partition(container: Any) -> str:
    """A partition holding the newest events (today's, any shard that has one)."""
    from chalicelib.audit.log_keys import SHARDS, partition

    now = container.clock.now()
    for shard in range(SHARDS):
        name = partition(now, shard)
        if container.storage.log_events.read(name, None, None, True, 1, now):
            return name
    raise SystemExit("the System Log stored no event during the benchmark")
