"""Helpers of the directory API tests (imported by their conftest and tests as ``directory_support``)."""
from __future__ import annotations

import itertools

import boto3

USERS = "/api/v1/users"
GROUPS = "/api/v1/groups"
APPS = "/api/v1/apps"
CLIENTS = "/oauth2/v1/clients"
BASE = "https://tokenmint.test"
PASSWORD = "Tokenm1nt-Secret"

_counter = itertools.count(1)


def next_name(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def profile(name: str | None = None, **extra) -> dict:
    name = name or next_name("user")
    return {"login": f"{name}@example.com", "email": f"{name}@example.com", "firstName": name.capitalize(),
            "lastName": "Tester", **extra}


def raw_items() -> list[dict]:
    """Every item of the directory table as DynamoDB stores it."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    items, start = [], None
    while True:
        page = client.scan(TableName="tm-directory", **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def keys() -> set[tuple[str, str]]:
    return {(i["pk"]["S"], i["sk"]["S"]) for i in raw_items()}


def assert_okta_error(response, status: int, code: str, summary: str | None = None) -> dict:
    assert response.status_code == status, response.data
    assert response.data["errorCode"] == code and response.data["errorLink"] == code, response.data
    if summary is not None:
        assert response.data["errorSummary"] == summary
    return response.data


def causes(response) -> list[str]:
    return [c["errorSummary"] for c in response.data["errorCauses"]]


