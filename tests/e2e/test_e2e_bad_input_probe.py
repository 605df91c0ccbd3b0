"""Bad input to every route of the authorization-server API, over real HTTP (issue 12, "Okta's contract, exactly").

A deterministic stand-in for a spec fuzzer: for every method of every registered /api/v1/authorizationServers route
it sends unknown ids, malformed and mistyped bodies and bad paging parameters. Every answer must be Okta's error
JSON with a 4xx status (never a 5xx, never a stack trace); and because the recorder keeps these exchanges,
``test_e2e_openapi.py`` (run last) then holds each status to what Okta's spec documents for that operation.
"""
from __future__ import annotations

import re

import pytest

PREFIX = "/api/v1/authorizationServers"
UNKNOWN = {"authServerId": "ausNoSuchServer00001", "policyId": "00pNoSuchPolicy00001", "ruleId": "0prNoSuchRule000001",
           "scopeId": "scpNoSuchScope000001", "claimId": "oclNoSuchClaim000001", "keyId": "NoSuchKey",
           "clientId": "0oaNoSuchClient00001", "tokenId": "oarNoSuchToken000001"}
BODIES = {"malformed JSON": "{not json", "a list": "[]", "a number": "7", "wrong types": '{"name": 7, "status": []}'}
PAGING = ["limit=abc", "limit=0", "limit=-1", "after=%21%21%21", "limit=99999999999999999999999"]


def routes() -> list[tuple[str, str]]:
    from chalicelib.api.routing import AdminRoutes

    import app  # noqa: F401 - registers every route

    return sorted((path, method) for path, methods in AdminRoutes.registry.items()
                  if path.startswith(PREFIX) for method in methods)


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), path)


@pytest.fixture(scope="module")
def real(okta_client, new_server_module):
    server = new_server_module
    return {"authServerId": server.id}


@pytest.fixture(scope="module")
def new_server_module(okta_client):
    from e2e_support import call, expect, server_body

    server = expect(201, okta_client.create_authorization_server(server_body()))
    yield server
    call(okta_client.deactivate_authorization_server(server.id))
    call(okta_client.delete_authorization_server(server.id))


def _okta_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.request.method, response.url, response.status_code,
                                               response.text[:300])
    body = response.json()
    assert body["errorCode"].startswith("E0000") and body["errorLink"] == body["errorCode"], body
    assert "Traceback" not in response.text


def test_unknown_ids_on_every_route(http, stack, admin_headers, real):
    for path, method in routes():
        params = re.findall(r"\{(\w+)\}", path)
        variants = [UNKNOWN] if params else []  # the collection itself has nothing to be unknown
        if len(params) > 1:
            variants.append({**UNKNOWN, **real})  # a real server, unknown children
        for ids in variants:
            response = http.request(method, f"{stack.base_url}{fill(path, ids)}",
                                    headers={**admin_headers, "Content-Type": "application/json"},
                                    data="{}" if method in ("POST", "PUT") else None)
            _okta_error(response)


def test_bad_bodies_on_every_write_route(http, stack, admin_headers, real):
    for path, method in routes():
        if method not in ("POST", "PUT"):
            continue
        url = f"{stack.base_url}{fill(path, {**UNKNOWN, **real})}"
        for body in BODIES.values():
            response = http.request(method, url, headers={**admin_headers, "Content-Type": "application/json"},
                                    data=body)
            if response.status_code < 400:  # lifecycle calls take no body and may ignore one
                assert method == "POST" and "/lifecycle/" in path, (path, body, response.status_code)
                continue
            _okta_error(response)


def test_bad_paging_on_every_list_route(http, stack, admin_headers, real):
    for path, method in routes():
        if method != "GET":
            continue
        for query in PAGING:
            url = f"{stack.base_url}{fill(path, {**UNKNOWN, **real})}?{query}"
            response = http.get(url, headers=admin_headers)
            if response.status_code < 400:
                continue  # a route without paging ignores the parameter, as Okta's do
            _okta_error(response)
