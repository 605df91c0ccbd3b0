"""bench/fast_moto.py answers every Query exactly as moto does without it.

One in-process moto (``mock_aws``) holds a table with a range key (several partitions of different sizes, a GSI, a
few items big enough to hit the 1 MB page), a numeric-keyed one and one without a range key. Each Query runs twice,
with moto's own ``Table.query`` and with the speed-up installed, page after page (``LastEvaluatedKey`` fed back as
``ExclusiveStartKey``); the responses (items, ``Count``, ``ScannedCount``, ``LastEvaluatedKey``) must be equal. A
last test shows that the speed-up really reads one partition: moto's ``all_items`` sees only the partition's items.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from bench import fast_moto

RANGE_TABLE, NUMBER_TABLE, HASH_TABLE = "ranged", "numbered", "hashed"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


@pytest.fixture(scope="module")
def ddb() -> Iterator[Any]:
    fast_moto.uninstall()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=RANGE_TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "gsi1pk", "gsi1sk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"},
                              {"AttributeName": "gsi1sk", "KeyType": "RANGE"}]}])
        client.create_table(
            TableName=NUMBER_TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "n", "AttributeType": "N"},
                                  {"AttributeName": "r", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "n", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}])
        client.create_table(
            TableName=HASH_TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        # Partitions of 1, 7 and 40 items, written in a shuffled order; sort keys with shared prefixes.
        rows = [(f"AS#{p}", f"{kind}#{i:03d}") for p, n in (("a", 1), ("b", 7), ("c", 40))
                for i in range(n) for kind in (("SCOPE", "CLAIM", "POLICY")[i % 3],)]
        rows.sort(key=lambda row: hash(row) % 97)
        for n, (pk, sk) in enumerate(rows):
            item = {"pk": _s(pk), "sk": _s(sk), "n": {"N": str(n)}, "doc": _s(f"doc {n}"),
                    "flag": {"BOOL": n % 2 == 0}}
            if n % 4:
                item.update(gsi1pk=_s(f"LIST#{pk}"), gsi1sk=_s(f"name {n % 5}#{sk}"))
            client.put_item(TableName=RANGE_TABLE, Item=item)
        # Five items of ~300 KB in one partition: a Query without Limit stops at moto's 1 MB page.
        for i in range(5):
            client.put_item(TableName=RANGE_TABLE, Item={"pk": _s("AS#big"), "sk": _s(f"BLOB#{i}"),
                                                         "doc": _s(str(i) * 300_000)})
        for n in range(30):
            client.put_item(TableName=NUMBER_TABLE, Item={"n": {"N": str(n % 3)}, "r": {"N": str(n * 1.5)}})
        for n in range(20):
            client.put_item(TableName=HASH_TABLE, Item={"pk": _s(f"K#{n}"), "v": {"N": str(n)}})
        yield client
    fast_moto.uninstall()


def _key(pk: str, expression: str = "", values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"KeyConditionExpression": "pk = :p" + (f" AND {expression}" if expression else ""),
            "ExpressionAttributeValues": {":p": _s(pk), **(values or {})}}


QUERIES: dict[str, dict[str, Any]] = {
    "hash key only": {"TableName": RANGE_TABLE, **_key("AS#c")},
    "one-item partition": {"TableName": RANGE_TABLE, **_key("AS#a")},
    "missing partition": {"TableName": RANGE_TABLE, **_key("AS#nothing")},
    "consistent read": {"TableName": RANGE_TABLE, "ConsistentRead": True, **_key("AS#b")},
    "begins_with": {"TableName": RANGE_TABLE, **_key("AS#c", "begins_with(sk, :s)", {":s": _s("SCOPE#")})},
    "between": {"TableName": RANGE_TABLE,
                **_key("AS#c", "sk BETWEEN :lo AND :hi", {":lo": _s("CLAIM#"), ":hi": _s("POLICY#020")})},
    "greater than": {"TableName": RANGE_TABLE, **_key("AS#c", "sk > :s", {":s": _s("POLICY#")})},
    "equal range key": {"TableName": RANGE_TABLE, **_key("AS#b", "sk = :s", {":s": _s("CLAIM#001")})},
    "backwards": {"TableName": RANGE_TABLE, "ScanIndexForward": False, **_key("AS#c")},
    "backwards begins_with": {"TableName": RANGE_TABLE, "ScanIndexForward": False,
                              **_key("AS#c", "begins_with(sk, :s)", {":s": _s("CLAIM#")})},
    "pages of 4": {"TableName": RANGE_TABLE, "Limit": 4, **_key("AS#c")},
    "pages of 3 backwards, begins_with": {"TableName": RANGE_TABLE, "Limit": 3, "ScanIndexForward": False,
                                          **_key("AS#c", "begins_with(sk, :s)", {":s": _s("POLICY#")})},
    "pages of 7 (a full partition)": {"TableName": RANGE_TABLE, "Limit": 7, **_key("AS#b")},
    "filter": {"TableName": RANGE_TABLE, "FilterExpression": "flag = :t",
               **_key("AS#c", "", {":t": {"BOOL": True}})},
    "filter, pages of 5": {"TableName": RANGE_TABLE, "Limit": 5, "FilterExpression": "attribute_exists(gsi1pk)",
                           **_key("AS#c")},
    "projection": {"TableName": RANGE_TABLE, "ProjectionExpression": "sk, #d",
                   "ExpressionAttributeNames": {"#d": "doc"}, **_key("AS#b")},
    "select count": {"TableName": RANGE_TABLE, "Select": "COUNT", **_key("AS#c")},
    "1 MB pages": {"TableName": RANGE_TABLE, **_key("AS#big")},
    "number keys, between": {"TableName": NUMBER_TABLE, "KeyConditionExpression": "n = :n AND r BETWEEN :a AND :b",
                             "ExpressionAttributeValues": {":n": {"N": "1"}, ":a": {"N": "3"}, ":b": {"N": "30.0"}}},
    "number keys, written differently": {"TableName": NUMBER_TABLE, "KeyConditionExpression": "n = :n",
                                         "ExpressionAttributeValues": {":n": {"N": "2.0"}}, "Limit": 4},
    "no range key": {"TableName": HASH_TABLE, **_key("K#7")},
    "no range key, missing": {"TableName": HASH_TABLE, **_key("K#99")},
    "index (left to moto)": {"TableName": RANGE_TABLE, "IndexName": "gsi1", "Limit": 6,
                             "KeyConditionExpression": "gsi1pk = :p AND begins_with(gsi1sk, :n)",
                             "ExpressionAttributeValues": {":p": _s("LIST#AS#c"), ":n": _s("name ")}},
}


def _all_pages(client: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        page = client.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        page.pop("ResponseMetadata", None)
        pages.append(page)
        start = page.get("LastEvaluatedKey")
        if not start or len(pages) > 100:
            return pages


@pytest.mark.parametrize("name", list(QUERIES))
def test_same_answer_with_and_without_the_speed_up(ddb: Any, name: str) -> None:
    request = QUERIES[name]
    fast_moto.uninstall()
    assert not fast_moto.installed()
    expected = _all_pages(ddb, request)
    fast_moto.install()
    try:
        assert fast_moto.installed()
        assert _all_pages(ddb, request) == expected
    finally:
        fast_moto.uninstall()


def test_the_queries_cover_what_they_claim(ddb: Any) -> None:
    """Guards the comparison above against vacuous cases: several pages, empty answers, partial answers."""
    pages = {name: _all_pages(ddb, request) for name, request in QUERIES.items()}
    assert len(pages["pages of 4"]) >= 10 and sum(p["Count"] for p in pages["pages of 4"]) == 40
    assert len(pages["1 MB pages"]) > 1
    assert pages["missing partition"][0]["Count"] == 0 and pages["no range key"][0]["Count"] == 1
    assert 0 < pages["between"][0]["Count"] < 40 and 0 < pages["filter"][0]["Count"] < 40
    assert [i["sk"]["S"] for i in pages["backwards"][0]["Items"]][0] == "SCOPE#039"
    assert sum(p["Count"] for p in pages["number keys, between"]) > 0


def test_a_query_reads_only_its_partition(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    all_items = Table.all_items

    def counting(self: Table) -> Any:
        items = all_items(self)
        seen.append(len(items))
        return items

    monkeypatch.setattr(Table, "all_items", counting)
    fast_moto.install()
    try:
        ddb.query(TableName=RANGE_TABLE, **_key("AS#b"))
        ddb.query(TableName=RANGE_TABLE, **_key("AS#nothing"))
    finally:
        fast_moto.uninstall()
    ddb.query(TableName=RANGE_TABLE, **_key("AS#b"))
    assert seen == [7, 0, 48 + 5]
    # The missing key's Query left no empty partition behind in moto's defaultdict.
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(RANGE_TABLE)
    assert sorted(key.value for key in table.items) == ["AS#a", "AS#b", "AS#big", "AS#c"]
