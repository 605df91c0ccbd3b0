"""Counting AWS calls with botocore's own event hooks.

Every botocore client of the process (the container's KMS and Secrets Manager clients, pynamodb's lazily created
DynamoDB clients, one per thread-local botocore session) is made by ``botocore.session.Session.create_client``.
``install`` wraps that one method so that each new client gets three handlers on ``client.meta.events``:

* ``before-parameter-build``: remembers ``ConsistentRead`` of the call (for read-unit pricing);
* ``before-call``: counts the call by service and operation (once per API call, whatever the retries);
* ``after-call``: records the time the call took and, for DynamoDB reads, the size of what it returned.

Only calls made on the threads being measured, or on the threads the app starts (named ``tokenmint-…``), count
(moto's server runs in the same process when benchmarking and is not ours to count). Clients made before
``install`` are not seen: install first, then build the container.
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import botocore.session

from chalicelib.storage.change_log_repository import PK as CHANGE_LOG_PK

READ_OPERATIONS = ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")


@dataclass
class Tally:
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)  # (service, operation) -> calls
    seconds: defaultdict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))  # (service, operation) -> seconds
    read_units: float = 0.0  # DynamoDB read request units (estimated from the items returned)
    # DynamoDB writes (on the token path: the System Log's batches and a holder note per new (server, client))
    write_calls: int = 0
    write_units: int = 0  # DynamoDB write request units of those writes (a batch: one per started KB of each item)
    # (service, operation, table) -> calls; table: the DynamoDB table(s) a call names ("" for other services)
    tables: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def by_service(self) -> Counter[str]:
        services: Counter[str] = Counter()
        for (service, _op), n in self.calls.items():
            services[service] += n
        return services

    def total(self) -> int:
        return sum(self.calls.values())

    def describe(self) -> str:
        if not self.calls:
            return "none"
        return ", ".join(f"{service} {op} x{n} ({self.seconds[(service, op)] * 1000:.1f} ms)"
                         for (service, op), n in sorted(self.calls.items()))


class AwsCallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads = {threading.get_ident()}
        self.tally = Tally()
        self.clients_seen: list[str] = []

    # -- set-up ------------------------------------------------------------------------------------------------

    def install(self) -> "AwsCallCounter":
        original = botocore.session.Session.create_client
        if getattr(original, "_bench_counter", None) is not None:
            raise RuntimeError("an AWS call counter is already installed")
        counter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            counter.attach(client)
            return client

        create_client._bench_counter = self  # type: ignore[attr-defined]
        botocore.session.Session.create_client = create_client
        return self

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build", self._before_parameter_build)
        events.register("before-call", self._before_call)
        events.register("after-call", self._after_call)
        with self._lock:
            self.clients_seen.append(client.meta.service_model.service_name)

    def reset(self) -> Tally:
        """Start a new measurement; returns what was counted so far."""
        with self._lock:
            previous, self.tally = self.tally, Tally()
        return previous

    def resume(self, tally: Tally) -> None:
        """Go on counting into ``tally`` (what ``reset`` returned): the calls made since are forgotten."""
        with self._lock:
            self.tally = tally

    # -- handlers ----------------------------------------------------------------------------------------------

    def _counted(self) -> bool:
        # The threads the app starts itself (keys/signer.py, container.build_ahead: named "tokenmint-…") count too.
        return threading.get_ident() in self._threads or threading.current_thread().name.startswith("tokenmint-")

    def _before_parameter_build(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_consistent"] = bool(params.get("ConsistentRead"))
        context["bench_write_units"] = write_units(params)
        context["bench_table"] = table_names(params)

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if not self._counted():
            return
        context["bench_started"] = time.perf_counter()
        key = (model.service_model.service_name, model.name)
        with self._lock:
            self.tally.calls[key] += 1
            self.tally.tables[(*key, context.get("bench_table", ""))] += 1

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        started = context.get("bench_started")
        if started is None or not self._counted():
            return
        service, operation = model.service_model.service_name, model.name
        units = 0.0
        writes = written = 0
        if service == "dynamodb":
            if operation in READ_OPERATIONS:
                units = read_units(parsed, consistent=bool(context.get("bench_consistent")))
            elif operation not in ("DescribeTable", "ListTables"):
                writes, written = 1, max(1, int(context.get("bench_write_units") or 1))
        with self._lock:
            self.tally.seconds[(service, operation)] += time.perf_counter() - started
            self.tally.read_units += units
            self.tally.write_calls += writes
            self.tally.write_units += written


# -- DynamoDB request units ----------------------------------------------------------------------------------------

def write_units(params: dict[str, Any]) -> int:
    """Write request units of a write, estimated from what it sends: one per started KB of each item put, two per
    item of a transaction (DynamoDB's transactional price), 0 when it cannot tell (an update or delete: the caller
    counts one). Names and values count; number sizes are approximated."""
    total = 0
    for requests in (params.get("RequestItems") or {}).values():
        for request in requests:
            item = (request.get("PutRequest") or {}).get("Item") or {}
            total += _kb(item)
    if "Item" in params:
        total += _kb(params["Item"])
    for action in params.get("TransactItems") or ():
        for kind, body in action.items():
            total += 2 * (_kb(body.get("Item") or {}) if kind == "Put" else 1)
    return total


def _kb(item: dict[str, Any]) -> int:
    return max(1, math.ceil(item_size(item) / 1024))


CHANGE_LOG = "#changes"  # suffix of the table of a read of the change log (chalicelib/changes.py)


def table_names(params: dict[str, Any]) -> str:
    """The DynamoDB table(s) a call's parameters name, joined with "+" when several (batches, transactions); a read
    of the change log's item (once a second per container, whatever the traffic) is marked with ``CHANGE_LOG``."""
    if "TableName" in params:
        changes = (params.get("Key") or {}).get("pk") == {"S": CHANGE_LOG_PK}
        return str(params["TableName"]) + (CHANGE_LOG if changes else "")
    names = set(params.get("RequestItems") or {})
    for item in params.get("TransactItems") or ():
        for action in item.values():
            if isinstance(action, dict) and "TableName" in action:
                names.add(action["TableName"])
    return "+".join(sorted(names))


def read_units(parsed: dict[str, Any], consistent: bool) -> float:
    """Read request units of one read, from the items it returned (DynamoDB rounds the summed item size up to 4 KB;
    an eventually consistent read costs half). An estimate: the size rule below is DynamoDB's documented one, but
    number sizes are approximated."""
    if "Item" in parsed:
        items = [parsed["Item"]]
    elif "Items" in parsed:
        items = parsed["Items"]
    elif "Responses" in parsed:  # BatchGetItem / TransactGetItems
        responses = parsed["Responses"]
        items = [i for table in responses.values() for i in table] if isinstance(responses, dict) else \
            [r.get("Item", {}) for r in responses]
    else:
        items = []
    size = sum(item_size(item) for item in items)
    blocks = max(1, math.ceil(size / 4096))
    return blocks * (1.0 if consistent else 0.5)


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in data.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(len(s) // 2 + 1 for s in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    return 0
