"""bench/awscalls.py names the table(s) each DynamoDB call touches; a read of the change log's item is marked apart,
so that the Flows section counts it as the once-a-second read it is, not as a call of the flow's operation."""
from __future__ import annotations

from bench.awscalls import CHANGE_LOG, table_names
from bench.flows import Measured, call_breakdown
from chalicelib.storage.change_log_repository import PK, SK


def test_a_read_of_the_change_log_is_marked_and_other_reads_are_not():
    assert table_names({"TableName": "t-config", "Key": {"pk": {"S": PK}, "sk": {"S": SK}}}) == "t-config" + CHANGE_LOG
    assert table_names({"TableName": "t-config", "Key": {"pk": {"S": "SERVER#aus1"}, "sk": {"S": "SERVER"}}}) == \
        "t-config"
    assert table_names({"TransactItems": [{"Put": {"TableName": "b"}}, {"Delete": {"TableName": "a"}}]}) == "a+b"


def test_the_flows_leave_the_change_log_out_of_the_calls_per_operation():
    from bench.awscalls import Tally

    tally = Tally()
    tally.tables[("dynamodb", "GetItem", "tokenmint-local-config" + CHANGE_LOG)] += 3
    tally.tables[("dynamodb", "GetItem", "tokenmint-local-grants")] += 100
    tally.tables[("dynamodb", "BatchWriteItem", "tokenmint-local-logs")] += 1
    measured = Measured(flow=None, ops=100, cpu=0.0, wall=0.0, invocations=100, billed_ms=0,  # type: ignore[arg-type]
                        tally=tally)
    assert measured.dynamodb("read") == 1.0
    assert measured.dynamodb("write", log=True) == 0.01
    assert "change log (once a second per container) 0.03" in call_breakdown(tally, 100)

def test_the_floor_measured_during_a_flow_is_left_out_of_the_flows_time_and_calls():
    import time
    from types import SimpleNamespace

    from bench.awscalls import AwsCallCounter
    from bench.flows import Flow, Floor, Primitives, measure, mean_primitives

    counter = AwsCallCounter()
    recorder = SimpleNamespace(last=[], handler_cpu=0.0, invocations=0, billed_ms=0,
                               reset=lambda: None)
    ops: list[float] = []

    def op() -> None:
        counter.tally.calls[("dynamodb", "GetItem")] += 1
        ops.append(time.perf_counter())

    def between() -> None:
        counter.tally.calls[("dynamodb", "TransactWriteItems")] += 5  # the floor's own calls
        pauses.append(len(ops))
        time.sleep(0.2)

    pauses: list[int] = []
    flow = Flow("f", "f", Floor(), setup=lambda: None, op=op, samples=60)
    measured = measure(flow, recorder, counter, seconds=10, warmup=6, between=between, pauses=2)  # type: ignore[arg-type]
    assert measured.ops == 54 and pauses == [6 + 18, 6 + 36]  # evenly spread through the 54 measured operations
    assert dict(measured.tally.calls) == {("dynamodb", "GetItem"): 54}
    assert measured.wall < 0.2
    assert mean_primitives([Primitives(1, 2, 3, {"GetItem": 10}), Primitives(3, 4, 5, {"GetItem": 20})]) == \
        Primitives(2, 3, 4, {"GetItem": 15})
