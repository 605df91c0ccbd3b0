"""The System Log over real HTTP (issue 17): the official Okta SDK's ``list_log_events`` reads back the events of
management writes, key rotation, token grants and denials, revocation and the people's sign-in pages, with
``filter``, ``q``, ``since``/``until`` and paging; a client polling with ``next`` links while events arrive sees each
event exactly once. Every ``/api/v1/logs`` answer is validated against Okta's ``listLogEvents`` and ``LogEvent`` by
the suite's OpenAPI check (test_e2e_openapi.py), one test per event family here; and no event carries a secret."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
from okta import models
from okta.pagination import paginate_all

from e2e_support import call, enum_value, expect, policy_body, rule_body, scope_body
from oauth_support import ClientAdmin, create_server, drop_server
from test_e2e_code_flow import Browser

OKTA_SPEC_OPERATIONS = {"listLogEvents"}
PASSWORD = "Quiet-Lantern-42x"
CALLBACK = "https://app.example/e2e/log-callback"


def window() -> dict[str, str]:
    """A bounded query around now (published times are whole seconds)."""
    now = datetime.now(timezone.utc)
    return {"since": (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "until": (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")}


def read(okta_client: Any, **query: Any) -> list[models.LogEvent]:
    """Every event of a bounded query, following the SDK's ``next`` pages (the ``Link`` header)."""
    async def every() -> list[models.LogEvent]:
        return [e async for e in paginate_all(okta_client.list_log_events, **{**window(), **query})]

    return asyncio.run(every())


def types(events: list[models.LogEvent]) -> list[str]:
    return [e.event_type for e in events]


def no_secret(events: list[models.LogEvent], *secrets: str) -> None:
    text = json.dumps([e.to_dict() for e in events], default=str)
    for secret in secrets:
        assert secret and secret not in text


def test_the_sdk_reads_management_events_with_filters_and_paging(okta_client, stack):
    tag = uuid.uuid4().hex[:8]
    server = create_server(okta_client, stack.base_url)
    name = expect(200, okta_client.get_authorization_server(server.id)).name
    try:
        scope = expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(f"log.{tag}", description="v1")))
        scope.description = "v2"
        expect(200, okta_client.replace_o_auth2_scope(server.id, scope.id, scope))
        policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body(
            name=f"log policy {tag}")))
        expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
            name=f"log rule {tag}", scopes=[f"log.{tag}"])))
        expect(200, okta_client.rotate_authorization_server_keys(server.id, models.JwkUse(use="sig")))
        events = read(okta_client, filter=f'target.id eq "{server.id}"', limit=2)  # pages of two
        assert set(types(events)) >= {"oauth2.as.created", "oauth2.scope.created", "oauth2.scope.updated",
                                      "policy.lifecycle.create", "app.oauth2.as.key.rollover"}
        updated = next(e for e in events if e.event_type == "oauth2.scope.updated")
        assert updated.target[0].id == scope.id and updated.target[0].change_details.to == {"description": "v2"}
        assert enum_value(updated.outcome.result) == "SUCCESS" and updated.actor.id
        rules = read(okta_client, filter=f'eventType eq "policy.rule.add" and target.id eq "{policy.id}"')
        assert len(rules) == 1 and rules[0].target[0].display_name == f"log rule {tag}"
        assert types(read(okta_client, q=f"log.{tag} scope", filter='eventType sw "oauth2.scope"')) == \
            ["oauth2.scope.created", "oauth2.scope.updated"]
        newest = call(okta_client.list_log_events(filter=f'target.id eq "{server.id}"', sort_order="DESCENDING",
                                                  limit=1)).data
        assert types(newest) == ["app.oauth2.as.key.rollover"]
    finally:
        drop_server(okta_client, server.id)
    deleted = read(okta_client, filter=f'eventType eq "oauth2.as.deleted" and target.id eq "{server.id}"')
    assert deleted[0].target[0].display_name == name


def test_directory_and_origin_events_carry_no_password(okta_client):
    tag = uuid.uuid4().hex[:8]
    user = expect(200, okta_client.create_user(models.CreateUserRequest.from_dict({
        "profile": {"login": f"log-{tag}@example.com", "email": f"log-{tag}@example.com", "firstName": "Log",
                    "lastName": "Reader"}, "credentials": {"password": {"value": PASSWORD}}}), activate=True))
    group = expect(200, okta_client.add_group(models.AddGroupRequest(
        profile=models.OktaUserGroupProfile(name=f"log-group-{tag}"))))
    expect(204, okta_client.assign_user_to_group(group.id, user.id))
    origin = expect(200, okta_client.create_trusted_origin(models.TrustedOriginWrite.from_dict(
        {"name": f"log-{tag}", "origin": f"https://{tag}.example", "scopes": [{"type": "CORS"}]})))
    try:
        events = read(okta_client, filter=f'target.id eq "{user.id}" or target.id eq "{group.id}" or '
                                          f'target.id eq "{origin.id}"')
        assert set(types(events)) == {"user.lifecycle.create", "group.lifecycle.create", "group.user_membership.add",
                                      "trustedorigin.lifecycle.create"}
        no_secret(events, PASSWORD)
    finally:
        expect(204, okta_client.delete_trusted_origin(origin.id))
        expect(204, okta_client.delete_group(group.id))
        expect(200, okta_client.deactivate_user(user.id))
        expect(204, okta_client.delete_user(user.id))


def test_token_grants_denials_and_revocations_name_the_policy_rule_and_jti(okta_client, http, stack):
    admin = ClientAdmin(http, stack.base_url, stack.token)
    server = create_server(okta_client, stack.base_url)
    try:
        tag = uuid.uuid4().hex[:8]
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(f"read.{tag}")))
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(f"write.{tag}")))
        client = admin.service("client_secret_basic")
        policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body(
            clients=[client.client_id])))
        rule = expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
            scopes=[f"read.{tag}"])))
        granted = http.post(server.token_url, data={"grant_type": "client_credentials", "scope": f"read.{tag}"},
                            auth=client.auth)
        assert granted.status_code == 200, granted.text
        token = granted.json()["access_token"]
        denied = http.post(server.token_url, data={"grant_type": "client_credentials", "scope": f"write.{tag}"},
                           auth=client.auth)
        assert denied.status_code in (400, 403)
        assert http.post(f"{server.issuer}/v1/revoke", data={"token": token}, auth=client.auth).status_code == 200

        events = read(okta_client, filter=f'actor.id eq "{client.client_id}"')
        by_type = {e.event_type: e for e in events}
        assert set(by_type) == {"app.oauth2.as.token.grant.access_token", "app.oauth2.as.token.grant",
                                "app.oauth2.as.token.revoke"}
        access = by_type["app.oauth2.as.token.grant.access_token"].debug_context.debug_data
        jti = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))["jti"]
        assert (access["grantType"], access["jti"], access["policyId"], access["ruleId"]) == (
            "client_credentials", jti, policy.id, rule.id)
        refusal = by_type["app.oauth2.as.token.grant"]
        assert enum_value(refusal.outcome.result) == "FAILURE"
        assert (refusal.debug_context.debug_data["policyId"], refusal.debug_context.debug_data["ruleId"]) == (
            policy.id, rule.id)
        grant_events = read(okta_client, filter='debugContext.debugData.grantType eq "client_credentials" and '
                                                f'actor.id eq "{client.client_id}"')
        assert len(grant_events) == 2
        no_secret(events, token, client.client_secret or "")
    finally:
        admin.delete_all()
        drop_server(okta_client, server.id)


def test_sign_in_pages_record_the_people_s_events(okta_client, http, stack):
    admin = ClientAdmin(http, stack.base_url, stack.token)
    tag = uuid.uuid4().hex[:8]
    login = f"signer-{tag}@example.com"
    user = expect(200, okta_client.create_user(models.CreateUserRequest.from_dict({
        "profile": {"login": login, "email": login, "firstName": "Sign", "lastName": "In"},
        "credentials": {"password": {"value": PASSWORD}}}), activate=True))
    try:
        web = admin.register(application_type="web", grant_types=["authorization_code"], response_types=["code"],
                             redirect_uris=[CALLBACK])
        expect(200, okta_client.assign_user_to_application(web.client_id, models.AppUserAssignRequest(id=user.id,
                                                                                              scope="USER")))
        browser = Browser(stack.base_url)
        authorize = f"{stack.base_url}/oauth2/default/v1/authorize"
        query = {"client_id": web.client_id, "response_type": "code", "scope": "openid", "redirect_uri": CALLBACK,
                 "state": "s"}
        page = browser.follow(browser.get(authorize, **query))
        browser.submit(page, username=login, password="Wrong-Password-1")
        page = browser.follow(browser.get(authorize, **query))
        answer = browser.follow(browser.submit(page, username=login, password=PASSWORD))
        assert answer.status_code in (302, 303) and "code=" in answer.headers["Location"]
        events = read(okta_client, filter=f'actor.id eq "{user.id}"')
        sessions = [e for e in events if e.event_type == "user.session.start"]
        assert [enum_value(e.outcome.result) for e in sessions] == ["FAILURE", "SUCCESS"]
        assert sessions[0].outcome.reason == "INVALID_CREDENTIALS"
        assert "app.oauth2.as.authorize.code" in types(events)
        no_secret(events, PASSWORD, "Wrong-Password-1")
    finally:
        admin.delete_all()
        expect(200, okta_client.deactivate_user(user.id))
        expect(204, okta_client.delete_user(user.id))


def _next(response: requests.Response) -> str:
    links = [part for part in response.headers["Link"].split(", ") if part.endswith('rel="next"')]
    assert links, "a poll always has a next link"
    url = urlsplit(links[0][1:links[0].index(">")])
    return f"{url.scheme}://{url.netloc}{url.path}?{url.query}"


def test_polling_with_next_links_returns_each_event_once_while_events_arrive(okta_client, http, stack):
    """Okta's polling: no ``until``, ascending; each page's ``next`` link, also of an empty page. The local stack
    polls 1 s behind now (TOKENMINT_LOG_POLL_LAG_SECONDS in tests/e2e/conftest.py)."""
    headers = {"Authorization": f"SSWS {stack.token}", "Accept": "application/json"}
    since = (datetime.now(timezone.utc) - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tag = uuid.uuid4().hex[:8]
    first = http.get(f"{stack.base_url}/api/v1/logs", params={"since": since, "limit": "2",
                                                              "filter": 'displayMessage sw "Create Okta group"'},
                     headers=headers)
    assert first.status_code == 200, first.text
    url, seen, made = _next(first), [e["uuid"] for e in first.json()], []
    for round_ in range(4):
        for i in range(3):
            made.append(expect(200, okta_client.add_group(models.AddGroupRequest(
                profile=models.OktaUserGroupProfile(name=f"poll-{tag}-{round_}-{i}")))).id)
        page = http.get(url, headers=headers)
        assert page.status_code == 200
        seen += [e["uuid"] for e in page.json()]
        url = _next(page)
    time.sleep(2.5)  # the horizon is 1 s behind the whole second of now
    for _ in range(20):
        page = http.get(url, headers=headers)
        url = _next(page)
        if not page.json():
            break
        seen += [e["uuid"] for e in page.json()]
    assert len(seen) == len(set(seen)), "an event came twice"
    mine = read(okta_client, filter='eventType eq "group.lifecycle.create"', q=f"poll-{tag}")
    assert {e.target[0].id for e in mine} == set(made)
    assert {e.uuid for e in mine} <= set(seen), "an event was skipped"
    for group_id in made:
        expect(204, okta_client.delete_group(group_id))
