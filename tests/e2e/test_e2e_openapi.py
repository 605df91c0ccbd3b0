"""Every response the suite recorded, checked against Okta's published OpenAPI specs (see ``e2e_openapi.py``).

Both tests are marked ``e2e_final``: conftest runs them after every other test, so the recorder holds the whole
session's traffic. The first proves the validator rejects what it must (a validator that validates nothing must
fail); the second validates the recordings and insists they cover every operation the collected modules declare.
"""
from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from pathlib import Path

import pytest
from okta import models

from e2e_openapi import REFERENCE_DIR_SETTING, SPEC_NAMES, Conformance, spec_paths, summarise
from e2e_support import NOT_RUN_KEY, SUMMARY_KEY, Exchange, call, expect, server_body

NOT_RUN_MESSAGE = (f"Okta OpenAPI conformance check NOT RUN: {REFERENCE_DIR_SETTING} is not set (CI's .ci/run sets it to "
                   "../shared/reference, which a clone of the repository does not have)")

pytestmark = pytest.mark.e2e_final

PROBE_MODULE = "tests/e2e/test_e2e_bad_input_probe.py"


@pytest.fixture(scope="module")
def conformance(request) -> Conformance:
    paths = spec_paths()
    if paths is None:
        # A user's clone has no ../shared: this check cannot run there, and the session's summary says so plainly.
        request.config.stash[NOT_RUN_KEY] = NOT_RUN_MESSAGE
        pytest.skip(NOT_RUN_MESSAGE)
    return Conformance(paths)


def _with_body(exchange: Exchange, body) -> Exchange:
    return dataclasses.replace(exchange, response_body=json.dumps(body).encode())


def _with_header(exchange: Exchange, name: str, value: str) -> Exchange:
    headers = tuple((k, v) for k, v in exchange.response_headers if k.lower() != name.lower()) + ((name, value),)
    return dataclasses.replace(exchange, response_headers=headers)


def _app_assignment_traffic(okta_client, http, admin_headers, stack) -> str:
    """Real /api/v1/apps/{appId}/users exchanges for the okta-apps-logs spec: assign, list, a paging error, a missing
    assignment, unassign. Returns the user id; everything made is removed again."""
    base = stack.base_url
    client = http.post(f"{base}/oauth2/v1/clients", headers=admin_headers,
                       json={"client_name": "e2e-openapi-negative", "redirect_uris": ["https://app.example/cb"]})
    assert client.status_code == 201, client.text
    app_id = client.json()["client_id"]
    user = http.post(f"{base}/api/v1/users?activate=true", headers=admin_headers, json={"profile": {
        "login": f"e2e-openapi-{app_id}@example.com", "email": f"e2e-openapi-{app_id}@example.com",
        "firstName": "OpenAPI", "lastName": "Negative"}})
    assert user.status_code == 200, user.text
    user_id = user.json()["id"]
    try:
        expect(200, okta_client.assign_user_to_application(app_id, models.AppUserAssignRequest(id=user_id,
                                                                                               scope="USER")))
        expect(200, okta_client.list_application_users(app_id))
        assert http.get(f"{base}/api/v1/apps/{app_id}/users?limit=0", headers=admin_headers).status_code == 400
        call(okta_client.get_application_user(app_id, "00u0000000000000000x"))
        expect(204, okta_client.unassign_user_from_application(app_id, user_id))
    finally:
        http.delete(f"{base}/api/v1/users/{user_id}", headers=admin_headers)  # deactivates
        http.delete(f"{base}/api/v1/users/{user_id}", headers=admin_headers)  # deletes
        http.delete(f"{base}/oauth2/v1/clients/{app_id}", headers=admin_headers)
    return user_id


def test_validator_rejects_what_it_must(conformance, okta_client, http, admin_headers, stack, recorder, request):
    assert conformance.spec_names == list(SPEC_NAMES)  # both specs are loaded, so both are enforced
    created = expect(201, okta_client.create_authorization_server(server_body()))
    expect(204, okta_client.deactivate_authorization_server(created.id))
    expect(204, okta_client.delete_authorization_server(created.id))
    call(okta_client.get_authorization_server(created.id))
    mine = [e for e in recorder.snapshot() if e.test == request.node.nodeid]
    create, _deactivate, delete, missing = mine[-4:]
    assert [(e.method, e.status) for e in (create, delete, missing)] == [("POST", 201), ("DELETE", 204), ("GET", 404)]

    for good in (create, delete, missing):  # the real responses pass...
        verdict = conformance.check(good)
        assert verdict.kind == "validated" and verdict.problems == [], verdict.problems

    body = create.json()
    broken = {  # ...and each of these must be caught
        "create answering 200": dataclasses.replace(create, status=200),
        "status outside the enum": _with_body(create, {**body, "status": "DELETED"}),
        "audiences not an array": _with_body(create, {**body, "audiences": "api://x"}),
        "_links.metadata not an array": _with_body(create, {**body, "_links": {
            **body["_links"], "metadata": body["_links"]["metadata"][0]}}),
        "link without href": _with_body(create, {**body, "_links": {**body["_links"], "self": {"hints": {}}}}),
        "created not a date-time": _with_body(create, {**body, "created": "yesterday"}),
        "success body as text/plain": _with_header(create, "Content-Type", "text/plain"),
        "204 with a JSON body": _with_header(_with_body(delete, {}), "Content-Type", "application/json"),
        "404 without errorCode": _with_body(missing, {"errorSummary": "Not found"}),
        "404 with errorLink != errorCode": _with_body(missing, {**missing.json(), "errorLink": "E0000001"}),
        "error as text/plain": _with_header(missing, "Content-Type", "text/plain"),
        "undocumented status 418": dataclasses.replace(missing, status=418),
        "allow-listed status, wrong code": dataclasses.replace(missing, status=401),
        "no operation, not a 405": dataclasses.replace(missing, method="PATCH", status=403),
    }
    for what, exchange in broken.items():
        verdict = conformance.check(exchange)
        assert verdict.kind == "validated" and verdict.problems, f"the validator accepted: {what}"

    not_in_spec = dataclasses.replace(missing, url=missing.url.replace("/authorizationServers/", "/api-tokens/"))
    assert conformance.check(not_in_spec).kind == "not-in-spec"

    # The second spec (okta-apps-logs) is enforced with the same rules, on real app-assignment responses. Whether
    # those responses conform is test_recorded_traffic_conforms_to_okta_spec's verdict; here each mutation must be
    # reported by name, so the cases prove enforcement whatever the real responses' own state.
    user_id = _app_assignment_traffic(okta_client, http, admin_headers, stack)
    apps = [e for e in recorder.snapshot() if e.test == request.node.nodeid and "/api/v1/apps/" in e.url]
    assert [(e.method, e.status) for e in apps] == [("POST", 200), ("GET", 200), ("GET", 400), ("GET", 404),
                                                    ("DELETE", 204)], [e.describe() for e in apps]
    assign, listed, bad_paging, missing_user, unassign = apps
    verdicts = [conformance.check(e) for e in apps]
    assert {(v.kind, v.spec) for v in verdicts} == {("validated", SPEC_NAMES[1])}
    assert [v.operation_id for v in verdicts] == ["assignUserToApplication", "listApplicationUsers",
                                                  "listApplicationUsers", "getApplicationUser",
                                                  "unassignUserFromApplication"]
    # A paging error is allowed on the paged list (listApplicationUsers is in LIST_OPERATIONS), nowhere else.
    assert bad_paging.json()["errorCode"] == "E0000029" and verdicts[2].problems == [], verdicts[2].problems
    assert verdicts[2].allowance is not None and verdicts[2].allowance.status == 400

    items = listed.json()
    assert [item["id"] for item in items] == [user_id]
    broken = {  # what -> (mutated exchange, text the report must contain)
        "app users not an array": (_with_body(listed, items[0]), "is not of type 'array'"),
        "app user scope outside the enum": (_with_body(listed, [{**items[0], "scope": "ORG"}]), "0/scope:"),
        "app user status outside the enum": (_with_body(listed, [{**items[0], "status": "ENABLED"}]), "0/status:"),
        "app user created not a date-time": (_with_body(listed, [{**items[0], "created": "yesterday"}]),
                                             "0/created:"),
        "app user credentials not an object": (_with_body(listed, [{**items[0], "credentials": "secret"}]),
                                               "0/credentials:"),
        "app users as text/plain": (_with_header(listed, "Content-Type", "text/plain"), "text/plain"),
        "assign answering 201": (dataclasses.replace(assign, status=201), "status 201"),
        "unassign 204 with a JSON body": (_with_header(_with_body(unassign, {}), "Content-Type", "application/json"),
                                          "documented without content"),
        "app 404 without errorCode": (_with_body(missing_user, {"errorSummary": "Not found"}), "errorCode must be"),
        "app 404 with errorLink != errorCode": (_with_body(missing_user, {**missing_user.json(),
                                                                          "errorLink": "E0000001"}),
                                                "errorLink must equal errorCode"),
        "paging error on a get, not a list": (dataclasses.replace(bad_paging, url=missing_user.url),
                                              "status 400 (errorCode E0000029) is not documented"),
        "app path, undocumented status 418": (dataclasses.replace(missing_user, status=418), "status 418"),
    }
    for what, (exchange, expected) in broken.items():
        verdict = conformance.check(exchange)
        assert verdict.kind == "validated" and verdict.spec == SPEC_NAMES[1], what
        assert any(expected in problem for problem in verdict.problems), (
            f"the validator did not report {what} ({expected!r} in none of {verdict.problems})")


def test_recorded_traffic_conforms_to_okta_spec(conformance, recorder, request):
    exchanges = recorder.snapshot()
    verdicts = [conformance.check(e) for e in exchanges]
    summary = summarise(verdicts, conformance.spec_names)
    request.config.stash[SUMMARY_KEY] = summary

    # What this run had to cover: the operations declared by every collected module of this suite.
    here = Path(__file__).resolve().parent
    modules = {item.module for item in request.session.items
               if getattr(item, "module", None) is not None and Path(item.module.__file__).resolve().parent == here}
    required = set().union(*(getattr(m, "OKTA_SPEC_OPERATIONS", set()) for m in modules))
    assert required, "no SDK test module was collected: run the whole tests/e2e suite"
    assert required <= conformance.operation_ids, required - conformance.operation_ids

    failures = defaultdict(list)
    for verdict in verdicts:
        for problem in verdict.problems:
            failures[verdict.exchange.test].append(f"{verdict.exchange.describe()}\n      -> {problem}")
    assert not failures, "responses that do not conform to Okta's spec:\n" + "\n".join(
        f"  {test}:\n    " + "\n    ".join(items) for test, items in failures.items())

    sdk = [v for v in verdicts if v.exchange.source == "sdk"]
    assert all(v.exchange.header("X-Okta-Request-Id") for v in sdk), "a recorded SDK response did not come from the app"
    covered = {v.operation_id for v in sdk if v.kind == "validated" and 200 <= v.exchange.status < 300}
    assert not required - covered, f"operations with no validated SDK success response: {sorted(required - covered)}"
    minimum = 5 * len(required)
    assert summary["validated"] >= minimum, (
        f"only {summary['validated']} exchanges were validated (expected at least {minimum}): {summary}")
    # Most ordinary traffic must come from the official SDK; the bad-input probe's plain-HTTP requests are extra.
    ordinary = [v for v in verdicts if v.kind == "validated" and not v.exchange.test.startswith(PROBE_MODULE)]
    assert sum(1 for v in sdk if v.kind == "validated") >= len(ordinary) // 2
