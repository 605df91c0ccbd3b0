"""The API with plain ``requests``: the documented curl example, body-less POSTs as the SDK sends them, and the
HTTP details an SDK does not exercise (405, If-Match/412, paths outside Okta's spec)."""
from __future__ import annotations

import re
import shlex

import pytest

from e2e_support import expect, policy_body, rule_body


def _servers_url(stack) -> str:
    return f"{stack.base_url}/api/v1/authorizationServers"


def test_readme_curl_example(http, stack):
    """``curl -s -H "Authorization: SSWS <token>" <base>/api/v1/authorizationServers``"""
    response = http.get(_servers_url(stack), headers={"Authorization": f"SSWS {stack.token}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    servers = response.json()
    assert isinstance(servers, list)
    default = next(s for s in servers if s["name"] == "default")
    assert default["issuer"] == f"{stack.base_url}/oauth2/default"
    assert default["default"] is True


def test_the_curl_line_the_stack_prints_works(http, stack):
    """``make run`` prints a ready-to-paste curl command: run exactly that request."""
    line = next((l.strip() for l in stack.process.lines if l.strip().startswith("curl ")), None)
    assert line, "the stack printed no curl example:\n" + stack.process.output()
    args = shlex.split(line)
    headers = dict(h.split(": ", 1) for flag, h in zip(args, args[1:]) if flag == "-H")
    url = next(a for a in args if a.startswith("http"))
    assert url == _servers_url(stack)
    response = http.get(url, headers=headers)
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_the_sdk_header_form_without_a_space_works(http, stack):
    response = http.get(_servers_url(stack), headers={"Authorization": f"SSWS{stack.token}"})  # clients.md row 1
    assert response.status_code == 200


@pytest.fixture
def lifecycle_paths(okta_client, server, stack):
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
    rule = expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body()))
    base = f"{_servers_url(stack)}/{server.id}"
    return {
        "server": base,
        "policy": f"{base}/policies/{policy.id}",
        "rule": f"{base}/policies/{policy.id}/rules/{rule.id}",
    }


@pytest.mark.parametrize("kind", ["server", "policy", "rule"])
def test_bodyless_lifecycle_posts_as_octet_stream(http, admin_headers, lifecycle_paths, kind):
    """What the SDK sends for activate/deactivate: no body, ``Content-Type: application/octet-stream``,
    ``Content-Length: 0`` (clients.md row 4). Chalice's default would answer 415."""
    headers = {**admin_headers, "Content-Type": "application/octet-stream", "Content-Length": "0"}
    url = lifecycle_paths[kind]
    for action, status in (("deactivate", "INACTIVE"), ("activate", "ACTIVE")):
        response = http.post(f"{url}/lifecycle/{action}", headers=headers, data=b"")
        assert response.status_code == 204, response.text
        assert response.content == b""
        assert not response.headers.get("Content-Type", "").startswith("application/json")
        assert http.get(url, headers=admin_headers).json()["status"] == status
    # also without any Content-Type at all
    response = http.post(f"{url}/lifecycle/deactivate", headers={**admin_headers, "Content-Length": "0"})
    assert response.status_code == 204


def test_unsupported_method_is_okta_405(http, stack, admin_headers, server):
    response = http.patch(f"{_servers_url(stack)}/{server.id}", headers=admin_headers, json={"name": "x"})
    assert response.status_code == 405
    body = response.json()
    assert (body["errorCode"], body["errorSummary"]) == (
        "E0000022", "The endpoint does not support the provided HTTP method")
    assert set(re.split(r",\s*", response.headers["Allow"])) == {"GET", "PUT", "DELETE"}
    assert http.delete(_servers_url(stack), headers=admin_headers).status_code == 405


def test_if_match_guards_replace(http, stack, admin_headers, server):
    """tokenmint's optimistic locking: ETag on reads, If-Match honoured on writes (not an Okta feature)."""
    url = f"{_servers_url(stack)}/{server.id}"
    fetched = http.get(url, headers=admin_headers)
    etag = fetched.headers["ETag"]
    assert re.fullmatch(r'W/"\d+"', etag)
    body = {"name": server.name, "audiences": server.audiences, "description": "first"}

    first = http.put(url, headers={**admin_headers, "If-Match": etag}, json=body)
    assert first.status_code == 200 and first.headers["ETag"] != etag

    stale = http.put(url, headers={**admin_headers, "If-Match": etag}, json={**body, "description": "lost"})
    assert stale.status_code == 412
    assert stale.json()["errorCode"] == "E0000195"
    assert http.get(url, headers=admin_headers).json()["description"] == "first"


def test_malformed_json_is_okta_400_E0000003(http, stack, admin_headers):
    response = http.post(_servers_url(stack), headers={**admin_headers, "Content-Type": "application/json"},
                         data=b"{not json")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000003"


def test_paths_outside_okta_spec_are_recorded_too(http, stack, admin_headers):
    """/api/v1/api-tokens is ours (Okta creates tokens only in its console); the conformance check skips it."""
    response = http.get(f"{stack.base_url}/api/v1/api-tokens", headers=admin_headers)
    assert response.status_code == 200 and isinstance(response.json(), list)
    assert stack.token not in response.text


def test_unsupported_media_type_is_okta_415(http, stack, admin_headers):
    response = http.post(_servers_url(stack), headers={**admin_headers, "Content-Type": "image/png"},
                         data=b"\x89PNG")
    assert response.status_code == 415
    assert response.json()["errorCode"] == "E0000021"
