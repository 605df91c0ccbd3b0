"""``/api/v1/apps/{appId}/tokens[/{tokenId}]``: an app's refresh tokens at every authorization server (Okta's
``listOAuth2TokensForApplication`` and friends), over the per-server management of test_refresh_tokens_api.py."""
from __future__ import annotations

from refresh_support import BASE

from tests.integration.api.apisupport import parse_links, policy_body, rule_body, server_body, with_path


def tokens(app_id: str, token_id: str | None = None) -> str:
    return f"/api/v1/apps/{app_id}/tokens" + (f"/{token_id}" if token_id else "")


def other_server(api) -> str:
    """A second server whose policy lets every app use the password grant."""
    server = api.post("/api/v1/authorizationServers", server_body(name="second", audiences=["api://second"])).data
    policy = api.post(f"/api/v1/authorizationServers/{server['id']}/policies", policy_body())
    assert policy.status_code == 201, policy.data
    rule = api.post(f"/api/v1/authorizationServers/{server['id']}/policies/{policy.data['id']}/rules",
                    with_path(rule_body(), "conditions.grantTypes.include", ["password"]))
    assert rule.status_code == 201, rule.data
    return server["id"]


def test_an_app_s_tokens_at_every_server_paged_read_and_revoked(world, app, alice, api):
    world.signed_in(app, alice)
    world.signed_in(app, alice)
    second = other_server(api)
    issued = world.password(app, alice, server=second)
    assert issued.status_code == 200, issued.data

    listed = api.get(tokens(app.client_id))
    assert listed.status_code == 200, listed.data
    assert len(listed.data) == 3
    issuers = sorted(t["issuer"] for t in listed.data)
    assert issuers.count(f"{BASE}/oauth2/default") == 2 and issuers.count(f"{BASE}/oauth2/{second}") == 1
    assert {t["clientId"] for t in listed.data} == {app.client_id}

    seen, url = [], tokens(app.client_id) + "?limit=1"
    while url:  # one token a page, following each Link header's next
        page = api.get(url)
        assert page.status_code == 200 and len(page.data) == 1
        seen += [t["id"] for t in page.data]
        url = parse_links(page.headers["Link"]).get("next", "").removeprefix(BASE)
    assert sorted(seen) == sorted(t["id"] for t in listed.data)

    one = listed.data[0]
    got = api.get(tokens(app.client_id, one["id"]) + "?expand=scope")
    assert got.status_code == 200 and got.data["id"] == one["id"] and "_embedded" in got.data
    assert api.delete(tokens(app.client_id, one["id"])).status_code == 204
    assert api.get(tokens(app.client_id, one["id"])).status_code == 404
    assert api.delete(tokens(app.client_id)).status_code == 204
    assert api.get(tokens(app.client_id)).data == []


def test_bad_ids_and_cursors(app, api):
    assert api.get(tokens("0oaNOPE")).status_code == 404
    assert api.get(tokens(app.client_id, "oarNOPE")).data["errorCode"] == "E0000007"
    bad = api.get(tokens(app.client_id) + "?after=bm90LWEtY3Vyc29y")
    assert (bad.status_code, bad.data["errorCode"]) == (400, "E0000029")


def test_a_token_is_read_and_revoked_only_through_its_own_app(world, app, alice, api):
    other = world.client(assign=(alice,))
    issued = world.password(app, alice, server=other_server(api))
    assert issued.status_code == 200, issued.data
    token_id = api.get(tokens(app.client_id)).data[0]["id"]
    for method in (api.get, api.delete):  # another app's token is not found: nothing is revoked
        answer = method(tokens(other.client_id, token_id))
        assert (answer.status_code, answer.data["errorCode"]) == (404, "E0000007")
        assert answer.data["errorSummary"] == f"Not found: Resource not found: {token_id} (OAuth2RefreshToken)"
    assert api.get(tokens(app.client_id, token_id)).data["id"] == token_id
    assert world.refresh(app, issued.data["refresh_token"], server=issued_server(api, app, token_id)).status_code == 200


def test_a_token_of_a_deleted_server_is_not_found(world, app, alice, api):
    second = other_server(api)
    issued = world.password(app, alice, server=second)
    assert issued.status_code == 200, issued.data
    token_id = api.get(tokens(app.client_id)).data[0]["id"]
    assert api.post(f"/api/v1/authorizationServers/{second}/lifecycle/deactivate").status_code == 204
    assert api.delete(f"/api/v1/authorizationServers/{second}").status_code == 204
    for method in (api.get, api.delete):
        answer = method(tokens(app.client_id, token_id))
        assert (answer.status_code, answer.data["errorCode"]) == (404, "E0000007")
        assert answer.data["errorSummary"] == f"Not found: Resource not found: {token_id} (OAuth2RefreshToken)"


def issued_server(api, app, token_id: str) -> str:
    """The server id of the app's token, from its issuer."""
    return api.get(tokens(app.client_id, token_id)).data["issuer"].rsplit("/", 1)[-1]
