"""The per-container memo of client_credentials decisions and claims (chalicelib.oauth.plans)."""
from __future__ import annotations

import pytest

from chalicelib.oauth.plans import PlanMemo


class Record:
    """Stands in for a configuration or client record: equal values, distinct objects."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def counting_builder():
    calls: list[str] = []

    def build(label: str):
        def run() -> str:
            calls.append(label)
            return f"plan-{label}-{len(calls)}"
        return run
    return calls, build


def test_a_plan_is_built_once_for_the_same_records():
    memo: PlanMemo[str] = PlanMemo()
    calls, build = counting_builder()
    config, client = Record("c"), Record("k")
    first = memo.get(("aus", "svc", ("a",)), config, client, build("x"))
    again = memo.get(("aus", "svc", ("a",)), config, client, build("x"))
    assert first == again == "plan-x-1"
    assert calls == ["x"]


def test_a_reloaded_configuration_or_client_rebuilds_even_when_equal():
    # Reloads by the TTL caches hand out new objects: the memo must never outlive them (identity, not equality).
    memo: PlanMemo[str] = PlanMemo()
    calls, build = counting_builder()
    config, client = Record("c"), Record("k")
    key = ("aus", "svc", None)
    memo.get(key, config, client, build("first"))
    assert memo.get(key, Record("c"), client, build("new config")) == "plan-new config-2"
    assert memo.get(key, Record("c"), client, build("newer config")) == "plan-newer config-3"
    memo_config = Record("c")
    memo.get(key, memo_config, client, build("settled"))
    assert memo.get(key, memo_config, Record("k"), build("new client")) == "plan-new client-5"
    assert calls == ["first", "new config", "newer config", "settled", "new client"]


def test_keys_are_independent():
    memo: PlanMemo[str] = PlanMemo()
    calls, build = counting_builder()
    config, client = Record("c"), Record("k")
    memo.get(("aus", "svc", ("a",)), config, client, build("a"))
    memo.get(("aus", "svc", ("b",)), config, client, build("b"))
    memo.get(("aus", "svc", None), config, client, build("default"))
    assert memo.get(("aus", "svc", ("a",)), config, client, build("again")) == "plan-a-1"
    assert calls == ["a", "b", "default"]
    assert len(memo) == 3


def test_the_memo_is_bounded_and_forgets_the_oldest_entry_first():
    memo: PlanMemo[str] = PlanMemo(max_entries=2)
    calls, build = counting_builder()
    config, client = Record("c"), Record("k")
    for name in ("one", "two", "three"):
        memo.get(name, config, client, build(name))
    assert len(memo) == 2
    memo.get("three", config, client, build("three again"))
    memo.get("two", config, client, build("two again"))
    memo.get("one", config, client, build("one again"))
    assert calls == ["one", "two", "three", "one again"]


def test_a_failing_build_stores_nothing():
    memo: PlanMemo[str] = PlanMemo()
    config, client = Record("c"), Record("k")

    def boom() -> str:
        raise RuntimeError("storage down")

    with pytest.raises(RuntimeError, match="storage down"):
        memo.get("k", config, client, boom)
    assert len(memo) == 0
    assert memo.get("k", config, client, lambda: "built") == "built"


def test_a_plan_does_not_keep_its_records_alive():
    import gc
    import weakref

    memo: PlanMemo[str] = PlanMemo()
    calls, build = counting_builder()
    config, client = Record("c"), Record("k")
    memo.get(("aus", "svc", None), config, client, build("x"))
    gone = weakref.ref(config)
    del config
    gc.collect()
    assert gone() is None  # the cache let go of it: the memo does not pin it
    fresh = Record("c")
    assert memo.get(("aus", "svc", None), fresh, client, build("y")) == "plan-y-2"  # rebuilt for the new record
    assert calls == ["x", "y"]
