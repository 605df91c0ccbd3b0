"""Bad input to every management route, in-process (non-negotiable 3: a clear 4xx in Okta's format, never a 500).

tests/e2e/test_e2e_bad_input_probe.py sends unknown ids and malformed bodies to the authorization-server routes over
real HTTP (and the OpenAPI check then holds each status to Okta's spec). This module covers every route the app
registers, the Applications API, the directory, trusted origins, API tokens, roles, grants and the System Log
included, and goes further on the write routes: a valid body for each, with each member in turn set to a wrong
type or an odd value. Such probes found the 500s fixed on 2026-12-05 (a lone surrogate in a body or header, an
audience given as a number, an integer beyond 64 bits in an event); every answer here must be below 500 and, when
an error, Okta's error JSON. Bodies a route takes are read back too: what was stored must be readable.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Iterator

import pytest

from tests.integration.api.apisupport import (SERVERS, claim_body, policy_body, rule_body, scope_body,
                                              server_body)

BODIES = ["{not json", "[]", "7", '"s"', "null", "{}", '{"a":' * 40 + "1" + "}" * 40,
          '{"name": 7, "status": [], "profile": 5, "settings": "x", "credentials": [], "label": {}, "type": 3}',
          '{"profile": {"login": 7, "email": [], "name": {}}, "scopes": "x", "origin": 5}',
          '{"credentials": {"oauthClient": 5}, "settings": {"oauthClient": []}, "conditions": 1, "actions": []}']
QUERIES = ["limit=abc", "limit=-1", "after=%21%21%21", "limit=99999999999999999999999", "filter=bad%20(",
           "search=profile.x%20eq", "q=%00", "since=notadate", "sortOrder=sideways", "expand=x"]
# Each member of a valid body is set to each of these in turn.
ODD = [None, 0, -1, 1.5, 10 ** 30, True, "", "x" * 3000, [], [None], [1], {}, {"a": 1}, "\x00", "\ud800",
       "https://evil.example"]


SELF, CHILD = "self", "child"  # how a write's result reads back: the path written, or the new object under it


def _routes() -> list[tuple[str, str]]:
    from chalicelib.api.routing import AdminRoutes

    import app  # noqa: F401 - registers every route

    return sorted((path, method) for path, methods in AdminRoutes.registry.items() for method in methods)


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\+?\}", lambda m: ids.get(m.group(1), "x"), path)


def _answered(response: Any, what: Any) -> None:
    assert response.status_code < 500, (what, response.status_code, response.body[:300])
    if response.status_code >= 400:
        body = json.loads(response.body)
        assert body["errorCode"].startswith("E0000") and body["errorLink"] == body["errorCode"], (what, body)


@pytest.fixture
def made(api) -> dict[str, Any]:
    """One of each object the routes name, and a valid body for each write route."""
    server = api.post(SERVERS, server_body(name="Probe", audiences=["api://probe"])).data
    sid = server["id"]
    policy = api.post(f"{SERVERS}/{sid}/policies", policy_body()).data
    scope = api.post(f"{SERVERS}/{sid}/scopes", scope_body()).data
    claim = api.post(f"{SERVERS}/{sid}/claims", claim_body()).data
    rule = api.post(f"{SERVERS}/{sid}/policies/{policy['id']}/rules", rule_body()).data
    app_body = {"name": "oidc_client", "label": "probe", "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {"oauthClient": {"grant_types": ["authorization_code", "refresh_token"],
                                             "response_types": ["code"], "application_type": "web",
                                             "redirect_uris": ["https://app.example/cb"]}}}
    app = api.post("/api/v1/apps", app_body).data
    group = api.post("/api/v1/groups", {"profile": {"name": "probe", "description": "d"}}).data
    user_body = {"profile": {"firstName": "A", "lastName": "B", "email": "p@example.com", "login": "p@example.com"}}
    user = api.post("/api/v1/users?activate=false", user_body).data
    origin_body = {"name": "o", "origin": "https://o.example", "scopes": [{"type": "CORS"}]}
    origin = api.post("/api/v1/trustedOrigins", origin_body).data
    ids = {"authServerId": sid, "policyId": policy["id"], "scopeId": scope["id"], "claimId": claim["id"],
           "ruleId": rule["id"], "appId": app["id"], "groupId": group["id"], "userId": user["id"],
           "trustedOriginId": origin["id"], "clientId": app["credentials"]["oauthClient"]["client_id"]}
    server_path = f"{SERVERS}/{sid}"
    writes = [
        ("POST", SERVERS, server_body(name="Probe 2", audiences=["api://probe2"]), CHILD),
        ("PUT", server_path, server_body(name="Probe", audiences=["api://probe"]), SELF),
        ("POST", f"{server_path}/scopes", scope_body(name="probe:two"), CHILD),
        ("PUT", f"{server_path}/scopes/{scope['id']}", scope_body(), SELF),
        ("POST", f"{server_path}/claims", claim_body(name="probe2"), CHILD),
        ("PUT", f"{server_path}/claims/{claim['id']}", claim_body(), SELF),
        ("POST", f"{server_path}/policies", policy_body(name="Probe policy 2"), CHILD),
        ("PUT", f"{server_path}/policies/{policy['id']}", policy_body(), SELF),
        ("PUT", f"{server_path}/policies/{policy['id']}/rules/{rule['id']}", rule_body(), SELF),
        ("POST", "/api/v1/apps", app_body, CHILD),
        ("PUT", f"/api/v1/apps/{app['id']}", app_body, SELF),
        ("PUT", f"/api/v1/apps/{app['id']}/groups/{group['id']}", {"priority": 0, "profile": {"role": "x"}}, SELF),
        ("POST", f"/api/v1/apps/{app['id']}/credentials/secrets", {"client_secret": "s" * 40, "status": "ACTIVE"}, CHILD),
        ("POST", "/oauth2/v1/clients", {"client_name": "c", "application_type": "service",
                                        "grant_types": ["client_credentials"]}, None),
        ("POST", "/api/v1/users?activate=false", {"profile": {**user_body["profile"], "login": "q@example.com",
                                                              "email": "q@example.com"}}, None),
        ("POST", f"/api/v1/users/{user['id']}", {"profile": {"firstName": "Z"}}, SELF),
        ("PUT", f"/api/v1/groups/{group['id']}", {"profile": {"name": "probe", "description": "d"}}, SELF),
        ("PUT", f"/api/v1/trustedOrigins/{origin['id']}", origin_body, SELF),
        ("POST", "/api/v1/api-tokens", {"name": "t"}, None),
        ("POST", f"/api/v1/users/{user['id']}/roles", {"type": "APP_ADMIN"}, CHILD),
    ]
    return {"ids": ids, "writes": writes}


def test_every_route_answers_unknown_ids_bad_bodies_and_bad_queries_in_okta_s_format(api, made):
    unknown = {name: "zzNoSuch" + name for name in made["ids"]}
    routes = _routes()
    assert len(routes) > 300 and any(p.startswith("/api/v1/apps") for p, _ in routes)
    for path, method in routes:
        for ids in (unknown, made["ids"]):
            if method == "DELETE" and ids is made["ids"]:
                continue  # the objects stay for the other cases
            url = _fill(path, ids)
            if method in ("POST", "PUT", "PATCH"):
                for body in BODIES:
                    _answered(api.call(method, url, raw=body, headers={"Content-Type": "application/json"}),
                              (method, path, body[:40]))
            else:
                for query in [""] + QUERIES:
                    _answered(api.call(method, f"{url}?{query}" if query else url), (method, path, query))


def _members(document: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every member and array item of ``document``, nested ones included."""
    children = document.items() if isinstance(document, dict) else enumerate(document) \
        if isinstance(document, list) else ()
    for key, child in children:
        yield at + (key,)
        yield from _members(child, at + (key,))


def _with(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for key in at[:-1]:
        node = node[key]
    node[at[-1]] = value
    return changed


def test_each_write_with_any_member_mistyped_is_answered_and_what_it_keeps_reads_back(api, made):
    count = 0
    for method, path, body, read in made["writes"]:
        for at in list(_members(body)):
            for value in ODD:
                response = api.call(method, path, _with(body, at, value))
                _answered(response, (method, path, at, repr(value)[:30]))
                count += 1
                if response.status_code >= 300 or read is None:
                    continue
                # What the route kept (its answer, or the object it changed) must read back.
                back = path if read is SELF else f"{path}/{response.data['id']}"
                _answered(api.call("GET", back), ("read back", method, path, at, repr(value)[:30]))
    assert count > 1_500  # every member of every body, each odd value
