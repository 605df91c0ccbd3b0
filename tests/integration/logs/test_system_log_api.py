"""The System Log in-process (issue 17): management writes, key rotations and token decisions become events that
``GET /api/v1/logs`` reads back with Okta's semantics; refusals are clear 4xx in Okta's shape; no event carries a
secret. The front channel's events (sign-in, lockout, consent, logout, authorize) are
tests/integration/authorize/test_system_log_front_channel.py."""
from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib.audit.recorder import Recorder
from chalicelib.container import set_container
from chalicelib.errors import StorageUnavailableError
from tests.integration.api.apisupport import SERVERS, assert_error

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def events(api, **params: str) -> list[dict]:
    """Every event the System Log returns for ``params`` (bounded to now, oldest first), following ``next``."""
    found, query = [], {"until": "2030-01-01T00:00:00Z", "since": "2020-01-01T00:00:00Z", "limit": "1000",
                        **params}
    path = "/api/v1/logs?" + urlencode(query)
    while True:
        response = api.get(path)
        assert response.status_code == 200, response.data
        found += response.data
        following = next_link(response)
        if following is None:
            return found
        path = following


def next_link(response) -> str | None:
    for part in response.headers["Link"].split(", "):
        if part.endswith('rel="next"'):
            url = urlsplit(part[1:part.index(">")])
            return f"{url.path}?{url.query}"
    return None


def only(api, event_type: str, **params: str) -> dict:
    found = events(api, filter=f'eventType eq "{event_type}"', **params)
    assert len(found) == 1, [e["eventType"] for e in found]
    return found[0]


def assert_no_secret(event: dict, *secrets: str) -> None:
    text = json.dumps(event)
    for secret in secrets:
        assert secret not in text


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {**FORM, "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


SCOPE = "log:read"


def service_client(api) -> tuple[str, str]:
    """A client_credentials client, and the scope it asks for (``SCOPE``) on the default server."""
    api.post(f"{SERVERS}/default/scopes", {"name": SCOPE})
    created = api.post("/oauth2/v1/clients", {"client_name": "log-svc", "application_type": "service",
                                              "grant_types": ["client_credentials"]}).data
    return created["client_id"], created["client_secret"]


# -- management writes -------------------------------------------------------------------------------------------


def test_a_management_write_names_who_what_and_what_changed(api, container, admin_token):
    scope = api.post(f"{SERVERS}/default/scopes", {"name": "orders:read", "description": "old"}).data
    api.put(f"{SERVERS}/default/scopes/{scope['id']}", {"name": "orders:read", "description": "new"})
    updated = only(api, "oauth2.scope.updated")
    token = container.api_tokens.authenticate(admin_token)
    assert updated["actor"]["id"] == token.id and updated["transaction"]["detail"] == {"requestApiTokenId": token.id}
    target, server = updated["target"]
    assert (target["id"], target["type"], target["displayName"]) == (scope["id"], "OAuth2Scope", "orders:read")
    assert target["changeDetails"] == {"from": {"description": "old"}, "to": {"description": "new"}}
    assert server == {"id": container.servers.resolve_id("default"), "type": "AuthorizationServer",
                      "displayName": "default"}
    assert updated["outcome"] == {"result": "SUCCESS"} and updated["severity"] == "INFO"
    assert updated["debugContext"]["debugData"]["requestUri"] == f"{SERVERS}/default/scopes/{scope['id']}"
    assert updated["client"]["ipAddress"] == "127.0.0.1"
    assert_no_secret(updated, admin_token)


def test_the_request_id_of_the_response_finds_its_event(api):
    response = api.post(f"{SERVERS}", {"name": "Logged", "audiences": ["api://logged"]})
    request_id = response.headers["X-Okta-Request-Id"]
    found = events(api, filter=f'debugContext.debugData.requestId eq "{request_id}"')
    assert [e["eventType"] for e in found] == ["oauth2.as.created"]
    assert found[0]["target"][0]["id"] == response.data["id"]


@pytest.mark.parametrize("method, path, body, event_type", [
    ("POST", "/api/v1/groups", {"profile": {"name": "auditors"}}, "group.lifecycle.create"),
    ("POST", "/api/v1/trustedOrigins", {"name": "spa", "origin": "https://spa.example",
                                        "scopes": [{"type": "CORS"}]}, "trustedorigin.lifecycle.create"),
    ("POST", "/api/v1/api-tokens", {"name": "ci"}, "system.api_token.create"),
    ("POST", f"{SERVERS}/default/claims", {"name": "dept", "claimType": "RESOURCE", "valueType": "EXPRESSION",
                                           "value": '"x"', "conditions": {"scopes": []}}, "oauth2.claim.created"),
])
def test_each_management_family_records_its_event(api, method, path, body, event_type):
    response = api.call(method, path, body)
    assert response.status_code in (200, 201), response.data
    event = only(api, event_type)
    assert event["target"][0]["id"] == response.data["id"]
    if "token" in response.data:  # an API token's value is shown once, never logged
        assert_no_secret(event, response.data["token"])


def test_a_user_created_with_a_password_logs_no_password(api):
    password = "Quiet-Harb0ur-42x"
    user = api.post("/api/v1/users?activate=true", {
        "profile": {"login": "pat@example.com", "email": "pat@example.com", "firstName": "Pat", "lastName": "Log"},
        "credentials": {"password": {"value": password}}}).data
    event = only(api, "user.lifecycle.create")
    assert event["target"][0]["displayName"] == "pat@example.com" and event["target"][0]["id"] == user["id"]
    assert_no_secret(event, password)


def test_a_deletion_names_what_was_deleted_and_a_lifecycle_change_its_status(api):
    server = api.post(SERVERS, {"name": "Short-lived", "audiences": ["api://short"]}).data
    api.post(f"{SERVERS}/{server['id']}/lifecycle/deactivate")
    api.delete(f"{SERVERS}/{server['id']}")
    deactivated = only(api, "oauth2.as.deactivated")
    assert deactivated["target"][0]["changeDetails"] == {"from": {"status": "ACTIVE"}, "to": {"status": "INACTIVE"}}
    deleted = only(api, "oauth2.as.deleted")
    assert (deleted["target"][0]["id"], deleted["target"][0]["displayName"]) == (server["id"], "Short-lived")


def test_an_app_secret_never_reaches_the_log(api):
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "secretive",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    secret = app["credentials"]["oauthClient"]["client_secret"]
    added = api.post(f"/api/v1/apps/{app['id']}/credentials/secrets", {}).data
    for event in events(api, filter=f'target.id eq "{app["id"]}"'):
        assert_no_secret(event, secret, added["client_secret"])
    assert only(api, "app.oauth2.credentials.lifecycle.create")["target"][1]["id"] == app["id"]


def test_every_target_is_named_parents_and_assignments_included(api):
    # Named by the object's own document even when the write's request and answer do not carry its name: an app by
    # its label (not its kind, "oidc_client"), a parent server or app, an assigned group, a group's new member.
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "Billing API",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    group = api.post("/api/v1/groups", {"profile": {"name": "Finance"}}).data
    user = api.post("/api/v1/users?activate=false", {"profile": {
        "login": "kim@example.com", "email": "kim@example.com", "firstName": "Kim", "lastName": "Lee"}}).data
    assert api.post(f"/api/v1/apps/{app['id']}/credentials/secrets", {}).status_code == 201
    assert api.put(f"/api/v1/apps/{app['id']}/groups/{group['id']}", {}).status_code == 200
    assert api.put(f"/api/v1/groups/{group['id']}/users/{user['id']}", {}).status_code == 204
    scope = api.post(f"{SERVERS}/default/scopes", {"name": "billing:read"}).data

    def named(event_type: str) -> list[tuple[str, str, str | None]]:
        return [(t["type"], t["id"], t.get("displayName")) for t in only(api, event_type)["target"]]

    default = api.get(f"{SERVERS}/default").data
    app_target = ("AppInstance", app["id"], "Billing API")
    assert named("application.lifecycle.create") == [app_target]
    assert named("app.oauth2.credentials.lifecycle.create")[1] == app_target
    assert named("group.application_assignment.add") == [("UserGroup", group["id"], "Finance"), app_target]
    assert named("group.user_membership.add") == [("User", user["id"], "kim@example.com"),
                                                   ("UserGroup", group["id"], "Finance")]
    assert named("oauth2.scope.created") == [("OAuth2Scope", scope["id"], "billing:read"),
                                             ("AuthorizationServer", default["id"], default["name"])]


def test_a_write_whose_document_holds_what_orjson_refuses_succeeds_and_is_logged(api):
    # An app group assignment's profile is free-form: an integer beyond 64 bits was saved, then its event could not
    # be serialized and the caller got a 500 for a done write (found by a mutation probe). The standard library
    # writes what orjson refuses (recorder.serialize).
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "Big",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    group = api.post("/api/v1/groups", {"profile": {"name": "Big"}}).data
    response = api.put(f"/api/v1/apps/{app['id']}/groups/{group['id']}", {"profile": {"quota": 10 ** 20}})
    assert response.status_code == 200, response.body
    assert response.data["profile"] == {"quota": 10 ** 20}
    assert only(api, "group.application_assignment.add")["target"][0]["id"] == group["id"]


def test_a_refused_write_records_nothing(api):
    assert api.post(f"{SERVERS}/default/scopes", {"name": ""}).status_code == 400
    assert api.delete(f"{SERVERS}/nope0000").status_code == 404
    assert events(api) == []


def test_token_preview_records_nothing(api, container):
    client_id, _secret = service_client(api)
    before = len(events(api))
    preview = api.post(f"{SERVERS}/default/tokenPreview", {"clientId": client_id, "grantType": "client_credentials",
                                                           "scopes": [SCOPE]})
    assert preview.status_code == 200, preview.data
    container.audit.flush()
    assert len(events(api)) == before


# -- tokens ------------------------------------------------------------------------------------------------------


def test_a_token_grant_names_the_client_the_policy_the_rule_and_the_jti(api, container, client):
    client_id, secret = service_client(api)
    answer = client.http.post("/oauth2/default/v1/token", headers=basic(client_id, secret),
                              body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
    assert answer.status_code == 200, answer.body
    token = answer.json_body["access_token"]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert container.audit.pending == 1  # buffered: the token cost no write
    granted = only(api, "app.oauth2.as.token.grant.access_token")
    data = granted["debugContext"]["debugData"]
    config = container.servers.load("default")
    policy = next(p for p in config.policies if p.is_default)
    rule = next(r for r in config.rules if r.policy_id == policy.id)
    assert (data["grantType"], data["clientId"], data["jti"]) == ("client_credentials", client_id, claims["jti"])
    assert (data["policyId"], data["ruleId"], data["decision"]) == (policy.id, rule.id, "granted")
    assert granted["actor"]["id"] == client_id and granted["target"][0] == {
        "id": claims["jti"], "type": "access_token", "detailEntry": {"expires": claims["exp"],
                                                                    "scopes": answer.json_body["scope"]}}
    assert_no_secret(granted, token, secret)


def test_a_quiet_container_s_token_event_is_in_the_table_when_the_response_leaves(api, container, client, clock):
    """Lambda may reclaim a container that gets no more requests: after a quiet spell (here 10 s since its previous
    request) a token request writes its event as it ends, rather than buffering it for a next request."""
    client_id, secret = service_client(api)
    clock.advance(seconds=10)
    answer = client.http.post("/oauth2/default/v1/token", headers=basic(client_id, secret),
                              body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
    assert answer.status_code == 200, answer.body
    assert container.audit.pending == 0
    stored = container.storage.log_events.snapshot()
    assert "app.oauth2.as.token.grant.access_token" in json.dumps(stored)


def test_a_denied_token_request_names_the_policy_and_rule_that_denied_it(api, container, client):
    client_id, secret = service_client(api)
    config = container.servers.load("default")
    policy = next(p for p in config.policies if p.is_default)
    rule = next(r for r in config.rules if r.policy_id == policy.id)
    api.post(f"{SERVERS}/default/scopes", {"name": "payments:write"})
    # The default rule allows every scope: restrict it to one the request does not ask for.
    rule_path = f"{SERVERS}/default/policies/{policy.id}/rules/{rule.id}"
    current = api.get(rule_path).data
    assert api.put(rule_path, {**current, "conditions": {**current["conditions"],
                                                         "scopes": {"include": ["openid"]}}}).status_code == 200
    answer = client.http.post("/oauth2/default/v1/token", headers=basic(client_id, secret),
                              body=urlencode({"grant_type": "client_credentials", "scope": "payments:write"}))
    assert answer.status_code in (400, 403) and answer.json_body["error"] in ("invalid_scope", "access_denied")
    denied = events(api, filter='eventType eq "app.oauth2.as.token.grant" and outcome.result eq "FAILURE"')
    assert len(denied) == 1
    data = denied[0]["debugContext"]["debugData"]
    assert (data["policyId"], data["ruleId"]) == (policy.id, rule.id)
    assert denied[0]["outcome"]["reason"].startswith(answer.json_body["error"])
    assert_no_secret(denied[0], secret)


def test_a_bad_client_secret_is_a_failure_event_without_the_secret(api, container, client):
    client_id, _secret = service_client(api)
    answer = client.http.post("/oauth2/default/v1/token", headers=basic(client_id, "wrong-secret-value-123"),
                              body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
    assert answer.status_code == 401
    failure = only(api, "app.oauth2.as.token.grant")
    assert failure["outcome"]["result"] == "FAILURE" and failure["outcome"]["reason"].startswith("invalid_client")
    assert failure["actor"]["id"] == client_id
    assert_no_secret(failure, "wrong-secret-value-123")


def test_a_revocation_is_an_event_naming_the_token_by_jti(api, container, client):
    client_id, secret = service_client(api)
    token = client.http.post("/oauth2/default/v1/token", headers=basic(client_id, secret),
                             body=urlencode({"grant_type": "client_credentials", "scope": SCOPE})).json_body["access_token"]
    assert client.http.post("/oauth2/default/v1/revoke", headers=basic(client_id, secret),
                            body=urlencode({"token": token})).status_code == 200
    revoked = only(api, "app.oauth2.as.token.revoke")
    jti = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["jti"]
    assert revoked["target"][0] == {"id": jti, "type": "access_token"}
    assert_no_secret(revoked, token, secret)


def test_token_events_can_be_switched_off_but_failures_are_kept(api, container, client):
    client_id, secret = service_client(api)
    quiet = replace(container.settings, log_token_sample=0.0)
    off = replace(container, settings=quiet)
    off.audit.sample = 0.0
    set_container(off)
    try:
        for _ in range(3):
            client.http.post("/oauth2/default/v1/token", headers=basic(client_id, secret),
                             body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
        client.http.post("/oauth2/default/v1/token", headers=basic(client_id, "nope-nope-nope-nope"),
                         body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
        found = events(api, filter='eventType sw "app.oauth2.as.token"')
        assert [e["outcome"]["result"] for e in found] == ["FAILURE"]
    finally:
        container.audit.sample = 1.0
        set_container(container)


# -- the API -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, status, code", [
    ("since=yesterday", 400, "E0000001"),
    ("sortOrder=SIDEWAYS", 400, "E0000001"),
    ("filter=published%20gt%20%222026-01-01T00%3A00%3A00Z%22", 400, "E0000031"),
    ("after=!!!", 400, "E0000029"),
    ("limit=-5", 400, "E0000029"),
    ("q=" + "x" * 41, 400, "E0000001"),
])
def test_bad_queries_are_okta_errors(api, query, status, code):
    assert_error(api.get(f"/api/v1/logs?{query}"), status, code)


def test_reading_the_log_needs_authentication(client):
    response = client.http.get("/api/v1/logs")
    assert response.status_code == 401 and response.json_body["errorCode"] == "E0000011"
    assert client.http.post("/api/v1/logs", headers={"Authorization": "SSWS nope"}, body=b"").status_code == 401


def test_polling_returns_each_event_once_across_two_containers(api, container, clock):
    """Two warm containers record events (buffered, flushed at different times) while a client polls."""
    other = Recorder(container.storage.log_events, clock.now, retention=timedelta(days=90))
    from chalicelib.audit.event import Party, log_event

    def made(name: str) -> list[dict]:
        return [log_event(name, published=clock.now(), actor=Party(id="x", type="PublicClientApp"))]

    first = api.get("/api/v1/logs?" + urlencode({"since": "2020-01-01T00:00:00Z", "limit": "2"}))
    cursor = next_link(first)
    assert first.data == [] and cursor
    seen, made_names = [], []
    for step in range(10):
        for recorder, prefix in ((container.audit, "mine"), (other, "other")):
            name = f"{prefix}-{step}"
            made_names.append(name)
            recorder.record_token(lambda name=name: made(name), success=True)
        if step % 3 == 2:
            other.flush()  # the other container flushes now and then; this one when it serves a read
        clock.advance(seconds=5)
        page = api.get(cursor)
        seen += [e["eventType"] for e in page.data]
        cursor = next_link(page)
        assert cursor, "a poll always has a next link"
    other.flush()
    clock.advance(seconds=container.settings.log_poll_lag_seconds + 1)
    while True:
        page = api.get(cursor)
        cursor = next_link(page)
        if not page.data:
            break
        seen += [e["eventType"] for e in page.data]
    assert sorted(seen) == sorted(made_names)


def test_a_bearer_token_reads_the_log_with_okta_logs_read(api, container):
    from tests.integration.org.test_management_auth_matrix import _mint

    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "siem",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    assert api.post(f"/api/v1/apps/{app['id']}/grants",
                    {"issuer": "https://tokenmint.test", "scopeId": "okta.logs.read"}).status_code == 201
    token = _mint(container, app["id"], ("okta.logs.read",))
    response = api._client.http.get("/api/v1/logs?sortOrder=DESCENDING&limit=1",
                                    headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert json.loads(response.body)[0]["eventType"] == "app.oauth2.admin.consent.grant"
    wrong = _mint(container, app["id"], ("okta.users.read",))
    assert api._client.http.get("/api/v1/logs", headers={"Authorization": f"Bearer {wrong}"}).status_code == 403


def test_when_the_log_table_is_down_admin_writes_still_succeed_and_their_events_come_later(api, container):
    store = container.storage.log_events

    class Down:
        def append(self, items):  # noqa: ANN001, ANN201
            raise StorageUnavailableError("the log table is unavailable")

        def read(self, *args):  # noqa: ANN002, ANN201
            return store.read(*args)

    container.audit._store = Down()  # noqa: SLF001 - the recorder's store port, swapped for an outage
    try:
        assert api.post(SERVERS, {"name": "During outage", "audiences": ["api://outage"]}).status_code == 201
        assert container.audit.pending == 1
    finally:
        container.audit._store = store  # noqa: SLF001
    assert only(api, "oauth2.as.created")["target"][0]["displayName"] == "During outage"


def test_next_links_keep_the_query_and_drop_since(api):
    for i in range(3):
        api.post(f"{SERVERS}/default/scopes", {"name": f"s{i}"})
    response = api.get("/api/v1/logs?" + urlencode({"since": "2020-01-01T00:00:00Z",
                                                    "until": "2030-01-01T00:00:00Z", "limit": "2",
                                                    "filter": 'eventType eq "oauth2.scope.created"'}))
    following = next_link(response)
    query = parse_qs(urlsplit(following).query)
    assert "since" not in query and query["limit"] == ["2"] and query["filter"] == ['eventType eq "oauth2.scope.created"']
    assert len(response.data) == 2 and len(api.get(following).data) == 1
