"""Issue 14: tools write in parallel (Terraform runs 10 operations at once). Twelve threads, released together by a
barrier, create, reorder, replace and delete policies, rules and scopes of one server over real HTTP against the
local stack (moto's server, DynamoDB requests serialized as DynamoDB serializes writes: devstack/moto_server.py).
No request may fail, every create that answered 2xx exists exactly once, nothing else does, and priorities stay
1..N with the default rule last. None of these requests sends If-Match (as no Okta client does)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from e2e_support import unique

THREADS = 12


@pytest.fixture
def admin(http, stack, admin_headers):
    def call(method: str, path: str, body: Any = None):
        return http.request(method, f"{stack.base_url}/api/v1/authorizationServers{path}", json=body,
                            headers=admin_headers, timeout=60)

    return call


def together(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run every task at the same moment (a barrier releases them together) and return their results."""
    barrier = threading.Barrier(len(tasks))

    def run(task: Callable[[], Any]) -> Any:
        barrier.wait(30)
        return task()

    with ThreadPoolExecutor(len(tasks)) as pool:
        return list(pool.map(run, tasks))


def policy(name: str, priority: int | None = None) -> dict[str, Any]:
    body = {"type": "OAUTH_AUTHORIZATION_POLICY", "name": name, "description": "concurrent", "status": "ACTIVE",
            "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}}
    return body if priority is None else {**body, "priority": priority}


def rule(name: str, priority: int | None = None) -> dict[str, Any]:
    body = {"type": "RESOURCE_ACCESS", "name": name, "status": "ACTIVE",
            "conditions": {"people": {"groups": {"include": ["EVERYONE"]}},
                           "grantTypes": {"include": ["client_credentials"]}, "scopes": {"include": ["*"]}},
            "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                  "refreshTokenWindowMinutes": 10080}}}
    return body if priority is None else {**body, "priority": priority}


def ok(responses, status: int) -> list[dict[str, Any]]:
    failed = [(r.status_code, r.text[:200]) for r in responses if r.status_code != status]
    assert failed == [], failed
    return [r.json() for r in responses if r.content]


def test_concurrent_creates_of_policies_rules_and_scopes_all_land_exactly_once(admin, server):
    sid = f"/{server.id}"
    base = ok([admin("POST", f"{sid}/policies", policy(unique("base")))], 201)[0]
    names = [unique("p") for _ in range(THREADS)]
    created = ok(together([lambda n=n, i=i: admin("POST", f"{sid}/policies", policy(n, priority=1 + i % 3))
                           for i, n in enumerate(names)]), 201)
    rule_names = [unique("r") for _ in range(THREADS)]
    rules = ok(together([lambda n=n: admin("POST", f"{sid}/policies/{base['id']}/rules", rule(n))
                         for n in rule_names]), 201)
    scope_names = [unique("conc:s") for _ in range(THREADS)]
    ok(together([lambda n=n: admin("POST", f"{sid}/scopes", {"name": n}) for n in scope_names]), 201)

    policies = ok([admin("GET", f"{sid}/policies")], 200)[0]
    assert sorted(p["name"] for p in policies) == sorted([base["name"], *names])
    assert sorted(p["priority"] for p in policies) == list(range(1, len(policies) + 1))
    assert {p["id"] for p in created} <= {p["id"] for p in policies}
    listed = ok([admin("GET", f"{sid}/policies/{base['id']}/rules")], 200)[0]
    assert sorted(r["name"] for r in listed) == sorted(rule_names)
    assert [r["priority"] for r in listed] == list(range(1, len(listed) + 1))
    assert {r["id"] for r in rules} == {r["id"] for r in listed}
    scopes = {s["name"] for s in ok([admin("GET", f"{sid}/scopes")], 200)[0]}
    assert set(scope_names) <= scopes


def test_concurrent_reorders_and_deletes_keep_priorities_a_permutation(admin, server):
    sid = f"/{server.id}"
    made = [ok([admin("POST", f"{sid}/policies", policy(unique("q")))], 201)[0] for _ in range(THREADS)]
    doomed, kept = made[: THREADS // 2], made[THREADS // 2:]
    tasks = [lambda p=p: admin("DELETE", f"{sid}/policies/{p['id']}") for p in doomed]
    tasks += [lambda p=p, i=i: admin("PUT", f"{sid}/policies/{p['id']}", {**policy(p["name"]), "priority": 1 + i})
              for i, p in enumerate(kept)]
    results = together(tasks)
    ok(results[: len(doomed)], 204)
    ok(results[len(doomed):], 200)
    policies = ok([admin("GET", f"{sid}/policies")], 200)[0]
    assert {p["id"] for p in policies} == {p["id"] for p in kept}
    assert sorted(p["priority"] for p in policies) == list(range(1, len(kept) + 1))


def test_concurrent_puts_of_one_policy_all_succeed_and_one_of_them_is_the_result(admin, server):
    sid = f"/{server.id}"
    target = ok([admin("POST", f"{sid}/policies", policy(unique("put")))], 201)[0]
    descriptions = [f"writer {i}" for i in range(THREADS)]
    ok(together([lambda d=d: admin("PUT", f"{sid}/policies/{target['id']}", {**policy(target["name"]),
                                                                               "description": d})
                 for d in descriptions]), 200)
    final = ok([admin("GET", f"{sid}/policies/{target['id']}")], 200)[0]
    assert final["description"] in descriptions
