"""Shared machinery of the management-API and storage integration tests (imported by their conftests and tests).

Why a module-wide world instead of the root ``container`` fixture per test: building a container creates botocore
sessions, tables, the default server and its RSA keys (~0.6 s). A ``World`` is built once per module; its storage
is snapshotted right after bootstrap and restored after every test, so each test still starts from exactly what
the root fixture gives: a bootstrapped ``default`` server and one admin API token, at the same fixed time.

Storage is the in-memory backend (tests/contract holds it to DynamoDB's behaviour) unless the module is marked
``dynamodb``: modules that read DynamoDB's items or prove its semantics stay on moto. Snapshots, restores and the
"nothing changed" check read the backend directly (moto's in-memory DynamoDB, pinned in requirements-dev.txt, or
``InMemoryStorage.snapshot``): a Scan through boto3 costs ~40 ms against ~3 ms, and these run around every test and
every bad request. Tests that must see what DynamoDB itself returns use ``raw_scan``.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from types import SimpleNamespace

from chalicelib.clock import FixedClock
from chalicelib.container import Container, get_container
from chalicelib.storage.memory import InMemoryStorage
from tests.moto_world import BASE, CONFIG_TABLE, DIRECTORY_TABLE, REGION, START, test_settings  # noqa: F401
from tests.moto_world import dynamodb_backend as _backend

ERROR_ID = re.compile(r"^oae[A-Za-z0-9]{22}$")
SERVERS = "/api/v1/authorizationServers"

State = dict[str, dict[tuple[str, str], dict[str, Any]]]  # table -> (pk, sk) -> typed attributes


@dataclass
class World:
    container: Container
    clock: FixedClock
    token: str
    snapshot: dict[str, Any]
    # With ``other=True``: a second server with one scope, one policy and one rule (ids by kind).
    other: dict[str, str]
    # The default server, its seeded policy and that policy's default rule.
    default: dict[str, str]
    # The in-memory backend when the world stands on it (None: DynamoDB on moto).
    memory: InMemoryStorage | None = None

    def reset(self) -> None:
        """Put every table and the clock back to how bootstrap left them."""
        if self.memory is not None:
            self.memory.restore(self.snapshot)
        else:
            tables = _backend().tables
            for name, items in self.snapshot.items():
                tables[name].items = copy.deepcopy(items)
        self.clock.set(START)


def build_world(other: bool = False, memory: bool = True) -> World:
    """Call inside an active ``mock_aws``. ``other`` adds a second server to the snapshot (creating a server is the
    most expensive write there is, so modules that need one for "wrong parent" cases get it once); ``memory``: the
    in-memory storage backend, else DynamoDB on moto."""
    kms_key = boto3.client("kms", region_name=REGION).create_key(Description="tokenmint tests")["KeyMetadata"]
    settings = test_settings(TOKENMINT_KMS_KEY_ID=kms_key["KeyId"])
    clock = FixedClock(START)
    storage = InMemoryStorage() if memory else None
    container = Container.build(settings, clock, storage=storage)
    container.bootstrap()
    _token, secret = container.api_tokens.create({"name": "tests"})
    ids: dict[str, str] = {}
    if other:
        sid = ids["server"] = container.servers.create(server_body(name="Other", audiences=["api://other"])).id
        ids["scope"] = container.scopes.create(sid, scope_body(name="other:read")).id
        ids["policy"] = container.policies.create(sid, policy_body(name="Other policy"))[0].id
        ids["rule"] = container.rules.create(sid, ids["policy"], rule_body(name="Other rule"))[0].id
    config = container.servers.load("default")
    policy = next(p for p in config.policies if p.is_default)
    rule = next(r for r in config.rules if r.policy_id == policy.id and r.is_default)
    default = {"server": config.server.id, "policy": policy.id, "rule": rule.id}
    snapshot = storage.snapshot() if storage is not None else \
        {name: copy.deepcopy(table.items) for name, table in _backend().tables.items()}
    return World(container, clock, secret, snapshot, ids, default, storage)


def state() -> State:
    """Every item of every table of the current container's backend, by (pk, sk): in DynamoDB's typed form on moto,
    as stored records in memory. Not the System Log's: it records attempts, refused ones too (a failed sign-in is an
    event), which change nothing."""
    container = get_container()
    storage = container.storage
    if isinstance(storage, InMemoryStorage):
        return {f"table{i}": {key: {"record": record} for key, record in items.items()}
                for i, items in enumerate(storage.snapshot()[:3])}  # type: ignore[index]
    return {name: {(item.hash_key.value, item.range_key.value): item.to_json()["Attributes"]
                   for item in table.all_items()}
            for name, table in _backend().tables.items() if name != container.settings.log_table}


def raw_scan(table: str) -> list[dict[str, Any]]:
    """Every item of a table as a boto3 Scan returns it."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def raw_items(container: Container, pk: str) -> list[Any]:
    """Every item of one partition of the configuration table, read straight from the backend (each with ``sk``
    and ``doc``)."""
    if isinstance(container.storage, InMemoryStorage):
        table = container.storage.config._t  # the backend's own table: what is stored, under the port
        return [SimpleNamespace(sk=sk, doc=record.doc) for sk, record in table.query(pk)]
    return list(container.config_model.query(pk, consistent_read=True))


@contextmanager
def nothing_changes() -> Iterator[None]:
    """Assert that the block leaves every item of every table exactly as it found it."""
    before = state()
    yield
    after = state()
    for table in before:
        added = sorted(after[table].keys() - before[table].keys())
        removed = sorted(before[table].keys() - after[table].keys())
        changed = sorted(k for k in before[table].keys() & after[table].keys() if before[table][k] != after[table][k])
        assert (added, removed, changed) == ([], [], []), f"{table} changed: +{added} -{removed} ~{changed}"


# -- what every server starts with (okta-api.md 4.4, 5.3) ----------------------------------------------------------
SYSTEM_SCOPES = {
    "openid": ("openid", "Signals that a request is an OpenID request."),
    "profile": ("View your profile information.",
                "The exact data varies based on what profile information you have provided, such as: name, time "
                "zone, picture, or birthday."),
    "email": ("View your email address.", "This allows the app to view your email address."),
    "address": ("View your address.",
                "This allows the app to view your address, such as: street address, city, state, and zip code."),
    "phone": ("View your phone number.", "This allows the app to view your phone number."),
    "offline_access": ("Keep you signed in to the app.",
                       "This keeps you signed in to the app, even when you are not using it."),
    "device_sso": ("Request device secret.",
                   "This allows you to single sign on between native client applications on your device."),
}
SUB_EXPRESSION = "(appuser != null) ? appuser.userName : app.clientId"
ALWAYS_INCLUDED = {"name", "preferred_username", "email"}
IDENTITY_SCOPES = {
    "name": "profile", "preferred_username": "profile", "email": "email", "email_verified": "email",
    "address": "address", "phone_number": "phone", "middle_name": "profile", "zoneinfo": "profile",
    "website": "profile", "updated_at": "profile", "profile": "profile", "picture": "profile", "nickname": "profile",
    "locale": "profile", "given_name": "profile", "gender": "profile", "family_name": "profile",
    "birthdate": "profile",
}


# -- assertions ----------------------------------------------------------------------------------------------------


def assert_error(response: Any, status: int, code: str, summary: str | None = None,
                 causes: list[str] | None = None) -> dict[str, Any]:
    """An Okta error response (okta-api.md 1.2): status, code, JSON shape; optionally exact summary and causes."""
    assert response.status_code == status, (response.status_code, response.body)
    assert response.headers["Content-Type"].startswith("application/json")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Okta-Request-Id"])
    body = json.loads(response.body)
    assert list(body) == ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"], body
    assert body["errorCode"] == code, body
    assert body["errorLink"] == code
    assert ERROR_ID.match(body["errorId"]), body["errorId"]
    assert all(list(c) == ["errorSummary"] for c in body["errorCauses"])
    if summary is not None:
        assert body["errorSummary"] == summary, body
    if causes is not None:
        assert [c["errorSummary"] for c in body["errorCauses"]] == causes, body
    assert "Traceback" not in response.body.decode()
    return body


def causes_of(response: Any) -> list[str]:
    return [c["errorSummary"] for c in json.loads(response.body)["errorCauses"]]


def assert_validation(response: Any, target: str, *fields: str) -> list[str]:
    """400 E0000001 ``Api validation failed: <target>`` whose causes name exactly ``fields`` (in any order)."""
    body = assert_error(response, 400, "E0000001", f"Api validation failed: {target}")
    causes = [c["errorSummary"] for c in body["errorCauses"]]
    assert causes, body
    assert sorted({c.split(":", 1)[0] for c in causes}) == sorted(set(fields)), causes
    return causes


def assert_not_found(response: Any, resource_id: str, resource_type: str) -> None:
    assert_error(response, 404, "E0000007", f"Not found: Resource not found: {resource_id} ({resource_type})", [])


def assert_no_content(response: Any) -> None:
    assert response.status_code == 204, (response.status_code, response.body)
    assert response.body in (b"", "")
    assert "json" not in response.headers.get("Content-Type", "")


def etag_version(response: Any) -> int:
    match = re.fullmatch(r'W/"(\d+)"', response.headers["ETag"])
    assert match, response.headers["ETag"]
    return int(match.group(1))


def parse_links(header: str) -> dict[str, str]:
    """``<url>; rel="x", <url>; rel="y"`` -> {"x": url, "y": url}."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', header)}


# -- request bodies ------------------------------------------------------------------------------------------------


def server_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "Orders", "description": "Orders API", "audiences": ["api://orders"], **overrides}


def scope_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "orders:read", "displayName": "Read orders", "description": "Read your orders",
            "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS", **overrides}


def claim_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "department", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "user.department",
            "status": "ACTIVE", "conditions": {"scopes": []}, **overrides}


def policy_body(**overrides: Any) -> dict[str, Any]:
    return {"type": "OAUTH_AUTHORIZATION_POLICY", "name": "Orders policy", "description": "Who gets orders",
            "status": "ACTIVE", "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}, **overrides}


def rule_body(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "RESOURCE_ACCESS", "name": "Orders rule", "status": "ACTIVE",
        "conditions": {
            "people": {"groups": {"include": ["EVERYONE"]}},
            "grantTypes": {"include": ["authorization_code", "client_credentials"]},
            "scopes": {"include": ["*"]},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080}},
        **overrides,
    }


def with_path(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``body`` with ``path`` (dotted) set to ``value`` (or removed when value is ``DELETE``)."""
    result = json.loads(json.dumps(body))
    node = result
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if value is DELETE:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    return result


DELETE = object()


# -- races ---------------------------------------------------------------------------------------------------------


class RacingServers:
    """A ``ServerService`` stand-in for the services under test: the real one, except that a competing write
    (``race``) lands right after the next ``load``, between the service's read and its own write. Injected through
    the services' constructors; the project's code is not patched. ``skip``: loads to let pass first (over HTTP, a
    replace is preceded by the System Log's read of its target, api/admin_audit.py)."""

    def __init__(self, real: Any, race: Any, skip: int = 0) -> None:
        self._real = real
        self._race = race
        self._skip = skip

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def load(self, server_id: str) -> Any:
        config = self._real.load(server_id)
        if self._skip:
            self._skip -= 1
            return config
        race, self._race = self._race, None
        if race is not None:
            race()
        return config


class StaleServers:
    """A ``ServerService`` stand-in whose ``load`` always returns the same configuration, read once, earlier."""

    def __init__(self, real: Any, config: Any) -> None:
        self._real = real
        self._config = config

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def load(self, server_id: str) -> Any:
        return self._config
