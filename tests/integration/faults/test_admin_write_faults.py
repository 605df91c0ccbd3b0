"""Every admin write and the scheduled rotation, with each of their AWS calls failing in turn (issue 14; the table
of call sites is docs/ARCHITECTURE.md "What happens when AWS fails").

For each write, a clean run first lists its AWS calls. Then, for each call, in a fresh world, that call throttles:
* once (its first attempt): botocore's standard retry mode retries it and the write succeeds;
* on every attempt (retries exhausted): the answer is 2xx (only where the call is a best-effort one after the write
  is durable: the change log, the orphan sweep) or 503 in Okta's shape with ``Retry-After``; after a 503 the state
  seen through the public API is exactly what it was, and no secret exists without a key record. The same request
  sent again then succeeds.
After every write, the invariants hold: priorities are 1..N, every server has an ACTIVE and a NEXT key, and every
live secret belongs to a published key.

moto stands in for DynamoDB, KMS and Secrets Manager; the failures come from AWS's side of botocore (a ``before-send``
hook answering a throttling error), so the app, pynamodb and botocore run unchanged.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.oauth.issuer import ORG_SERVER_ID
from tests.integration.api.apisupport import claim_body, policy_body, rule_body, scope_body, server_body
from tests.integration.faults.aws_faults import injected

pytestmark = pytest.mark.dynamodb

SERVERS = "/api/v1/authorizationServers"
REGION = "us-east-1"


@dataclass
class Write:
    """``prepare(api) -> ctx`` runs without faults; ``send(api, ctx)`` is the write under test."""

    name: str
    prepare: Callable[[Any], dict[str, Any]]
    send: Callable[[Any, dict[str, Any]], Any]
    # Calls whose failure leaves key material behind on purpose: the write is durable and answered, and the
    # scheduled run's sweep removes the material (checked).
    swept_later: frozenset[str] = frozenset()


def _server(api, name: str = "faulty") -> dict[str, Any]:
    response = api.post(SERVERS, server_body(name=name, audiences=[f"api://{name}"]))
    assert response.status_code == 201, response.data
    return {"sid": response.data["id"]}


def _with_policies(api, count: int = 2) -> dict[str, Any]:
    ctx = _server(api)
    ctx["policies"] = []
    for i in range(count):
        made = api.post(f"{SERVERS}/{ctx['sid']}/policies", policy_body(name=f"p{i}"))
        assert made.status_code == 201, made.data
        ctx["policies"].append(made.data["id"])
    return ctx


def _with_rules(api) -> dict[str, Any]:
    ctx = _with_policies(api, 1)
    pid = ctx["policies"][0]
    for i in range(2):
        made = api.post(f"{SERVERS}/{ctx['sid']}/policies/{pid}/rules", rule_body(name=f"r{i}"))
        assert made.status_code == 201, made.data
    return ctx


def _client(api) -> dict[str, Any]:
    made = api.post("/oauth2/v1/clients", {"client_name": "faulty-app", "application_type": "service",
                                           "grant_types": ["client_credentials"],
                                           "token_endpoint_auth_method": "client_secret_basic"})
    assert made.status_code == 201, made.data
    return {"cid": made.data["client_id"]}


def _user_and_group(api) -> dict[str, Any]:
    group = api.post("/api/v1/groups", {"profile": {"name": "Faulty", "description": "x"}})
    assert group.status_code == 200, group.data
    return {"gid": group.data["id"], **_client(api)}


ORIGINS = "/api/v1/trustedOrigins"


def _origin_body(name: str, origin: str = "https://spa.example") -> dict[str, Any]:
    return {"name": name, "origin": origin, "scopes": [{"type": "CORS"}]}


def _trusted_origin(api) -> dict[str, Any]:
    made = api.post(ORIGINS, _origin_body("faulty-origin"))
    assert made.status_code == 200, made.data
    return {"oid": made.data["id"]}


def _policy_at_1(ctx: dict[str, Any]) -> dict[str, Any]:
    return policy_body(name="first", priority=1)


WRITES = [
    Write("create server", lambda api: {}, lambda api, c: api.post(SERVERS, server_body(name="new",
                                                                                        audiences=["api://new"]))),
    Write("update server", _server, lambda api, c: api.put(f"{SERVERS}/{c['sid']}", server_body(
        name="faulty", audiences=["api://faulty-v2"], description="changed"))),
    Write("rotate keys", _server,
          lambda api, c: api.post(f"{SERVERS}/{c['sid']}/credentials/lifecycle/keyRotate", {"use": "sig"})),
    Write("deactivate server", _server, lambda api, c: api.post(f"{SERVERS}/{c['sid']}/lifecycle/deactivate")),
    Write("delete server", lambda api: {**_server(api), "_": api.post(
        f"{SERVERS}/{_server_id(api)}/lifecycle/deactivate")}, lambda api, c: api.delete(f"{SERVERS}/{c['sid']}"),
          swept_later=frozenset({"secrets-manager.ListSecrets", "secrets-manager.DeleteSecret"})),
    Write("create scope", _server, lambda api, c: api.post(f"{SERVERS}/{c['sid']}/scopes", scope_body())),
    Write("create claim", _server, lambda api, c: api.post(f"{SERVERS}/{c['sid']}/claims", claim_body())),
    Write("create policy first", _with_policies,
          lambda api, c: api.post(f"{SERVERS}/{c['sid']}/policies", _policy_at_1(c))),
    Write("move policy first", _with_policies, lambda api, c: api.put(
        f"{SERVERS}/{c['sid']}/policies/{c['policies'][1]}", policy_body(name="p1", priority=1))),
    Write("delete policy", _with_policies,
          lambda api, c: api.delete(f"{SERVERS}/{c['sid']}/policies/{c['policies'][0]}")),
    Write("create rule first", _with_rules, lambda api, c: api.post(
        f"{SERVERS}/{c['sid']}/policies/{c['policies'][0]}/rules", rule_body(name="first", priority=1))),
    Write("create client", lambda api: {}, lambda api, c: api.post("/oauth2/v1/clients", {
        "client_name": "new-app", "application_type": "service", "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic"})),
    Write("new client secret", _client,
          lambda api, c: api.post(f"/oauth2/v1/clients/{c['cid']}/lifecycle/newSecret")),
    Write("create user in a group", _user_and_group, lambda api, c: api.post(
        "/api/v1/users?activate=true", {"profile": {"login": "fay@example.com", "email": "fay@example.com",
                                                    "firstName": "Fay", "lastName": "Ulty"},
                                        "credentials": {"password": {"value": "Quiet-Harb0ur-42"}},
                                        "groupIds": [c["gid"]]})),
    Write("assign group to app", _user_and_group,
          lambda api, c: api.put(f"/api/v1/apps/{c['cid']}/groups/{c['gid']}", {"priority": 0})),
    Write("create trusted origin", lambda api: {}, lambda api, c: api.post(ORIGINS, _origin_body("spa"))),
    Write("move trusted origin", _trusted_origin,
          lambda api, c: api.put(f"{ORIGINS}/{c['oid']}", _origin_body("moved", "https://moved.example"))),
    Write("delete trusted origin", _trusted_origin, lambda api, c: api.delete(f"{ORIGINS}/{c['oid']}")),
    Write("create app", lambda api: {}, lambda api, c: api.post("/api/v1/apps", {
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "faulty-app-2",
        "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"]}}})),
    Write("second app secret", _client, lambda api, c: api.post(f"/api/v1/apps/{c['cid']}/credentials/secrets")),
    Write("deactivate app", _client, lambda api, c: api.post(f"/api/v1/apps/{c['cid']}/lifecycle/deactivate")),
]


def _server_id(api) -> str:
    return next(s["id"] for s in api.get(SERVERS).data if s["name"] == "faulty")


# -- the public state and the invariants ---------------------------------------------------------------------------

def public_state(api) -> dict[str, Any]:
    """Everything the management API shows that these writes touch."""
    state: dict[str, Any] = {"servers": api.get(SERVERS).data, "clients": api.get("/oauth2/v1/clients").data,
                             "users": api.get("/api/v1/users?search=" + 'status pr').data,
                             "groups": api.get("/api/v1/groups").data, "trustedOrigins": api.get(ORIGINS).data,
                             "org_keys": api.get("/oauth2/v1/keys").data["keys"]}
    for server in state["servers"]:
        sid = server["id"]
        policies = api.get(f"{SERVERS}/{sid}/policies").data
        state[sid] = {"policies": policies, "scopes": api.get(f"{SERVERS}/{sid}/scopes").data,
                      "claims": api.get(f"{SERVERS}/{sid}/claims").data,
                      "keys": api.get(f"{SERVERS}/{sid}/credentials/keys").data,
                      "rules": {p["id"]: api.get(f"{SERVERS}/{sid}/policies/{p['id']}/rules").data
                                for p in policies}}
    for client in state["clients"]:
        app = f"/api/v1/apps/{client['client_id']}"
        state[client["client_id"]] = {"groups": api.get(f"{app}/groups").data, "app": api.get(app).data,
                                      "secrets": api.get(f"{app}/credentials/secrets").data}
    return state


def live_secrets() -> set[str]:
    client = boto3.client("secretsmanager", region_name=REGION)
    names = set()
    for page in client.get_paginator("list_secrets").paginate():
        names |= {s["Name"] for s in page["SecretList"] if "DeletedDate" not in s}
    return names


def published_keys(state: dict[str, Any]) -> set[str]:
    """``{server}/{kid}`` of every published key, the org authorization server's included."""
    published = {f"{s['id']}/{k['kid']}" for s in state["servers"] for k in state[s["id"]]["keys"]}
    return published | {f"{ORG_SERVER_ID}/{k['kid']}" for k in state["org_keys"]}


def orphans(state: dict[str, Any]) -> set[str]:
    published = published_keys(state)
    return {name for name in live_secrets() if "/".join(name.split("/")[-2:]) not in published}


def sweep(container, clock) -> None:
    """The scheduled run, once the material is older than the orphan grace by Secrets Manager's clock (moto's
    ``CreatedDate`` is the machine's time)."""
    from datetime import datetime, timezone

    from chalicelib.admin.signing_keys import ORPHAN_GRACE

    ahead = datetime.now(timezone.utc) + ORPHAN_GRACE + timedelta(minutes=5) - clock.now()
    clock.advance(seconds=max(ahead.total_seconds(), 0))
    report = container.signing_keys.run_all()
    assert report.failed == [], report


def assert_invariants(api, state: dict[str, Any], where: str = "") -> None:
    published = published_keys(state)
    for server in state["servers"]:
        sid = server["id"]
        keys = state[sid]["keys"]
        assert {k["status"] for k in keys} >= {"ACTIVE", "NEXT"}, (where, sid, keys)
        policies = state[sid]["policies"]
        assert sorted(p["priority"] for p in policies) == list(range(1, len(policies) + 1))
        for rules in state[sid]["rules"].values():
            assert sorted(r["priority"] for r in rules) == list(range(1, len(rules) + 1))
    # Every live secret is the material of a published key (tokenmint/<stack>/<server>/<kid>).
    for name in live_secrets():
        assert "/".join(name.split("/")[-2:]) in published, (where, name)


def assert_unavailable(response) -> None:
    assert response.status_code == 503, (response.status_code, response.data)
    assert response.data["errorCode"] == "E0000009" and response.headers["Retry-After"] == "1"


# -- the matrix ----------------------------------------------------------------------------------------------------

@pytest.fixture
def fresh(moto_world, clock, world_start, admin_token):
    """A callable giving a fresh world (restored tables and secrets, a new container) and its API client."""
    from chalice.test import Client

    from app import app
    from chalicelib.container import set_container

    clients = []

    def make():
        clock.set(world_start)
        moto_world.restore()
        container = moto_world.container(clock)
        set_container(container)
        _token, secret = container.api_tokens.create({"name": "faults"})
        client = Client(app)
        clients.append(client)
        from tests.conftest import Api

        return Api(client, secret), container

    yield make
    set_container(None)


def ready(fresh, write: Write) -> tuple[Any, Any, dict[str, Any], dict[str, Any]]:
    """A fresh world with the write's prerequisites, and the public state before the write (read in every run,
    so that every run of the write makes the same AWS calls)."""
    api, container = fresh()
    ctx = write.prepare(api)
    return api, container, ctx, public_state(api)


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_each_aws_call_of_the_write_failing(fresh, write, clock):
    api, container, ctx, _ = ready(fresh, write)
    with injected(container) as faults:
        faults.fail(10 ** 9)  # count only
        clean = write.send(api, ctx)
        sites = list(faults.calls)
    assert 200 <= clean.status_code < 300, (clean.status_code, clean.data)
    assert sites, "the write made no AWS call"
    assert_invariants(api, public_state(api), "clean run")

    outcomes = []
    for index, site in enumerate(sites):
        # Throttled once: botocore retries, the write succeeds.
        api, container, ctx, _ = ready(fresh, write)
        with injected(container) as faults:
            faults.fail(index, attempts=1)
            once = write.send(api, ctx)
        assert faults.failed == [site], (index, site, faults.failed)
        assert 200 <= once.status_code < 300, (site, once.status_code, once.data)

        # Throttled on every attempt: 503 and nothing changed, or (best-effort calls) 2xx; then a retry succeeds.
        api, container, ctx, before = ready(fresh, write)
        with injected(container) as faults:
            faults.fail(index)
            failed = write.send(api, ctx)
        assert faults.failed == [site], (index, site, faults.failed)
        state = public_state(api)
        if site in write.swept_later and orphans(state):
            sweep(container, clock)
            state = public_state(api)
            assert orphans(state) == set(), f"{site}: the scheduled run left material behind"
        assert_invariants(api, state, f"{site} (call {index}) throttled")
        if 200 <= failed.status_code < 300:
            outcomes.append((site, "done anyway"))
            continue
        assert_unavailable(failed)
        assert state == before, f"{write.name}: {site} (call {index}) failing left a change"
        again = write.send(api, ctx)
        assert 200 <= again.status_code < 300, (site, again.status_code, again.data)
        assert_invariants(api, public_state(api), f"retry after {site} (call {index})")
        outcomes.append((site, "503, retry ok"))
    print(write.name, outcomes)
