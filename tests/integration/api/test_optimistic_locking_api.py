"""Optimistic locking through the API: ``ETag``/``If-Match`` (412) across requests, and 409 ``E0000195`` when another
write lands between a request's read and its write and the caller sent If-Match (without it, the request is
retried: api/conflict_retry.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.admin.policies import PolicyService
from chalicelib.admin.scopes import ScopeService
from chalicelib.container import set_container
from tests.integration.api.apisupport import (
    SERVERS,
    RacingServers,
    StaleServers,
    assert_error,
    assert_no_content,
    claim_body,
    etag_version,
    nothing_changes,
    policy_body,
    rule_body,
    scope_body,
    server_body,
)

DEFAULT = f"{SERVERS}/default"


class Resources:
    """kind -> (item path, a valid replacement body), creating the object of that kind on first use."""

    def __init__(self, api) -> None:
        self.api = api

    def __getitem__(self, kind: str) -> tuple[str, dict]:
        api = self.api
        if kind == "server":
            return DEFAULT, server_body(audiences=["api://default"])
        if kind == "scope":
            return f"{DEFAULT}/scopes/{api.post(f'{DEFAULT}/scopes', scope_body()).data['id']}", scope_body()
        if kind == "claim":
            return f"{DEFAULT}/claims/{api.post(f'{DEFAULT}/claims', claim_body()).data['id']}", claim_body()
        policy = f"{DEFAULT}/policies/{api.post(f'{DEFAULT}/policies', policy_body()).data['id']}"
        if kind == "policy":
            return policy, policy_body()
        return f"{policy}/rules/{api.post(f'{policy}/rules', rule_body()).data['id']}", rule_body()


@pytest.fixture
def resources(api) -> Resources:
    return Resources(api)


KINDS = ["server", "scope", "claim", "policy", "rule"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_second_of_two_admins_gets_412_and_the_first_change_survives(api, resources, kind):
    path, body = resources[kind]
    read_by_a = api.get(path)
    read_by_b = api.get(path)
    version = etag_version(read_by_a)
    assert etag_version(read_by_b) == version

    saved_by_a = api.put(path, {**body, "name": "saved_by_a"}, headers={"If-Match": read_by_a.headers["ETag"]})
    assert saved_by_a.status_code == 200, saved_by_a.data
    assert etag_version(saved_by_a) == version + 1

    with nothing_changes():
        saved_by_b = api.put(path, {**body, "name": "saved_by_b"}, headers={"If-Match": read_by_b.headers["ETag"]})
    assert_error(saved_by_b, 412, "E0000195")

    current = api.get(path)
    assert current.data["name"] == "saved_by_a"
    assert etag_version(current) == version + 1


@pytest.mark.parametrize("kind", ["scope", "claim", "policy", "rule"])
def test_a_delete_with_a_stale_if_match_is_412_and_deletes_nothing(api, resources, kind):
    path, body = resources[kind]
    stale = api.get(path).headers["ETag"]
    assert api.put(path, body).status_code == 200  # someone else saves meanwhile
    with nothing_changes():
        assert_error(api.delete(path, headers={"If-Match": stale}), 412, "E0000195")
    assert api.get(path).status_code == 200
    assert_no_content(api.delete(path, headers={"If-Match": api.get(path).headers["ETag"]}))
    assert api.get(path).status_code == 404


def test_a_server_delete_with_a_stale_if_match_is_412(api):
    created = api.post(SERVERS, server_body()).data
    path = f"{SERVERS}/{created['id']}"
    assert api.put(path, server_body(name="Changed")).status_code == 200
    with nothing_changes():
        assert_error(api.delete(path, headers={"If-Match": 'W/"1"'}), 412, "E0000195")
    assert_no_content(api.delete(path, headers={"If-Match": 'W/"2"'}))


@pytest.mark.parametrize("value", ["*", 'W/"1"', '"1"'])
def test_if_match_star_or_the_current_version_is_honoured(api, resources, value):
    path, body = resources["scope"]
    assert api.put(path, body, headers={"If-Match": value}).status_code == 200


@pytest.mark.parametrize("value", ["1", "W/1", 'W/"one"', "garbage", 'W/"' + "9" * 60_000 + '"'])
def test_an_if_match_we_never_issued_is_412(api, resources, value):
    path, body = resources["scope"]
    with nothing_changes():
        assert_error(api.put(path, {**body, "name": "x"}, headers={"If-Match": value}), 412, "E0000195")


def test_without_if_match_the_last_writer_wins_as_on_okta(api, resources):
    path, body = resources["scope"]
    assert api.put(path, {**body, "description": "A"}).status_code == 200
    assert api.put(path, {**body, "description": "B"}).data["description"] == "B"


def _put_racing(api, container, repo, path, body, headers=None):
    """PUT the scope while another admin saves it between this request's read and its (first) write."""
    scope_id = path.rsplit("/", 1)[1]

    def other_admin_saves() -> None:
        container.scopes.replace("default", scope_id, {**body, "description": "the other admin's"})

    racing = ScopeService(repo, RacingServers(container.servers, other_admin_saves, skip=1))
    set_container(replace(container, scopes=racing))
    try:
        return path, api.put(path, {**body, "description": "mine"}, headers=headers)
    finally:
        set_container(container)


def test_a_write_that_loses_a_race_inside_one_request_is_retried_and_the_last_writer_wins(api, container, repo,
                                                                                        resources):
    """Issue 14: without If-Match the request re-reads and re-applies its intent, as Okta's last-writer-wins."""
    path, response = _put_racing(api, container, repo, *resources["scope"])
    assert response.status_code == 200, response.body
    current = api.get(path)
    assert current.data["description"] == "mine"
    assert etag_version(current) == 3  # created, the other admin's save, then this one


def test_a_write_with_if_match_that_loses_a_race_inside_one_request_is_409(api, container, repo, resources):
    """A caller who asked for a precondition is not retried: the race is its answer, and nothing of it is written."""
    path, body = resources["scope"]
    version = etag_version(api.get(path))
    path, response = _put_racing(api, container, repo, path, body, headers={"If-Match": f'W/"{version}"'})
    assert_error(response, 409, "E0000195")
    current = api.get(path)
    assert current.data["description"] == "the other admin's"
    assert etag_version(current) == version + 1


def test_a_race_lost_on_every_attempt_answers_409_and_writes_nothing(api, container, repo, resources):
    """Retries are bounded: a request that keeps reading a configuration that is already stale gives up."""
    path, body = resources["scope"]
    stale = container.servers.load("default")
    api.put(path, {**body, "description": "moved on"})  # the stale read no longer holds
    set_container(replace(container, scopes=ScopeService(repo, StaleServers(container.servers, stale))))
    try:
        response = api.put(path, {**body, "description": "mine"})
    finally:
        set_container(container)
    assert_error(response, 409, "E0000195")
    assert api.get(path).data["description"] == "moved on"


def test_two_policies_created_at_once_both_land_in_order(api, container, repo, clock):
    """Both read the policy order; the one that writes second finds it changed, re-reads and goes last."""

    def other_admin_creates() -> None:
        container.policies.create("default", policy_body(name="Theirs"))

    racing = PolicyService(repo, RacingServers(container.servers, other_admin_creates), clock)
    set_container(replace(container, policies=racing))
    try:
        response = api.post(f"{DEFAULT}/policies", policy_body(name="Mine"))
    finally:
        set_container(container)
    assert response.status_code == 201, response.body
    assert [(p["name"], p["priority"]) for p in api.get(f"{DEFAULT}/policies").data] == \
        [("Default Policy", 1), ("Theirs", 2), ("Mine", 3)]
