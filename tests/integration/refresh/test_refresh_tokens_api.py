"""``/api/v1/authorizationServers/{id}/clients/{clientId}/tokens[/{tokenId}]`` on moto (okta-api.md 8.4; Okta's
``OAuth2RefreshToken`` shape; clients.md 2.3), and the repository under it."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.oauth.refresh_tokens import Family
from chalicelib.storage.refresh_token_repository import RefreshTokenRepository
from refresh_support import BASE, INVALID_RT

from tests.dynamodb_calls import dynamodb_calls

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


def tokens_path(client_id: str, server: str = "default", token_id: str | None = None) -> str:
    path = f"/api/v1/authorizationServers/{server}/clients/{client_id}/tokens"
    return f"{path}/{token_id}" if token_id else path


def test_list_and_get_in_okta_shape(world, app, alice, api, container):
    first = world.signed_in(app, alice)
    listed = api.get(tokens_path(app.client_id))
    assert listed.status_code == 200, listed.data
    assert len(listed.data) == 1
    token = listed.data[0]
    now = container.clock.now()
    assert re.fullmatch(r"oar[A-Za-z0-9]{17}", token["id"])
    href = f"{BASE}/api/v1/authorizationServers/default/clients/{app.client_id}/tokens/{token['id']}"
    app_name = api.get(f"/oauth2/v1/clients/{app.client_id}").data["client_name"]
    assert token == {
        "id": token["id"], "status": "ACTIVE", "created": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lastUpdated": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "expiresAt": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "issuer": f"{BASE}/oauth2/default", "clientId": app.client_id, "userId": alice.id,
        "scopes": ["openid", "profile", "email", "offline_access"],
        "_links": {
            "app": {"href": f"{BASE}/api/v1/apps/{app.client_id}", "title": app_name},
            "authorizationServer": {"href": f"{BASE}/api/v1/authorizationServers/default", "title": "default"},
            "self": {"href": href, "hints": {"allow": ["GET", "DELETE"]}},
            "revoke": {"href": href, "hints": {"allow": ["DELETE"]}},
            "client": {"href": f"{BASE}/oauth2/v1/clients/{app.client_id}", "title": app_name},
            "user": {"href": f"{BASE}/api/v1/users/{alice.id}", "title": "Alice Tester"},
        },
    }
    got = api.get(tokens_path(app.client_id, token_id=token["id"]))
    assert got.status_code == 200 and got.data == token
    # rotation keeps the id and moves lastUpdated / expiresAt
    world.advance(hours=1)
    world.refresh(app, first["refresh_token"])
    moved = api.get(tokens_path(app.client_id, token_id=token["id"])).data
    assert moved["id"] == token["id"] and moved["created"] == token["created"]
    assert moved["lastUpdated"] > token["lastUpdated"] and moved["expiresAt"] > token["expiresAt"]


def test_expand_scope_embeds_the_scope_objects(world, app, alice, api):
    world.signed_in(app, alice, scope="openid offline_access")
    token = api.get(tokens_path(app.client_id) + "?expand=scope").data[0]
    scopes = api.get("/api/v1/authorizationServers/default/scopes").data
    by_name = {s["name"]: s for s in scopes}
    embedded = token["_embedded"]["scopes"]
    assert [s["name"] for s in embedded] == ["openid", "offline_access"]
    for entry in embedded:
        assert entry["id"] == by_name[entry["name"]]["id"]
        assert entry["_links"]["scope"]["href"].endswith(f"/scopes/{entry['id']}")
    single = api.get(tokens_path(app.client_id, token_id=token["id"]) + "?expand=scope").data
    assert single["_embedded"] == token["_embedded"]
    assert "_embedded" not in api.get(tokens_path(app.client_id)).data[0]


def test_only_this_clients_live_tokens_are_listed(world, app, alice, api):
    bob = world.user("bob")
    world.assign(app, bob)
    other = world.client(assign=(alice,))
    world.signed_in(app, alice)
    world.signed_in(app, bob)
    world.signed_in(other, alice)
    world.signed_in(app, alice, scope="openid")  # no offline_access: no refresh token
    assert {t["userId"] for t in api.get(tokens_path(app.client_id)).data} == {alice.id, bob.id}
    assert len(api.get(tokens_path(other.client_id)).data) == 1
    world.advance(seconds=2)
    world.lifecycle(bob, "suspend")  # bob's family is dead, though its items remain until used or expired
    assert {t["userId"] for t in api.get(tokens_path(app.client_id)).data} == {alice.id}


def test_paging_with_limit_and_after(world, app, alice, api):
    for _ in range(5):
        world.signed_in(app, alice)
    everything = api.get(tokens_path(app.client_id)).data
    assert len(everything) == 5 and "next" not in api.get(tokens_path(app.client_id)).headers.get("Link", "")
    seen, url = [], tokens_path(app.client_id) + "?limit=2"
    while url:
        page = api.get(url)
        assert page.status_code == 200 and len(page.data) <= 2
        seen += [t["id"] for t in page.data]
        links = page.headers["Link"]
        nxt = re.search(r'<([^>]+)>; rel="next"', links)
        url = None
        if nxt:
            parts = urlsplit(nxt.group(1))
            assert parts.path == tokens_path(app.client_id)
            assert parse_qs(parts.query)["limit"] == ["2"]
            url = f"{parts.path}?{parts.query}"
    assert seen == [t["id"] for t in everything]
    assert api.get(tokens_path(app.client_id) + "?limit=-1").status_code == 200  # the spec's default


@pytest.mark.parametrize("query", ["?limit=0", "?limit=abc", "?after=!!!!", "?after=Zm9v"])
def test_bad_paging_is_e0000029(world, app, api, query):
    response = api.get(tokens_path(app.client_id) + query)
    assert response.status_code == 400 and response.data["errorCode"] == "E0000029"


def test_delete_one_revokes_that_family(world, app, alice, api):
    first = world.signed_in(app, alice)
    second = world.signed_in(app, alice)
    listed = api.get(tokens_path(app.client_id)).data
    target = next(t["id"] for t in listed)
    response = api.delete(tokens_path(app.client_id, token_id=target))
    assert response.status_code == 204 and response.body in (b"", "")
    assert response.headers["Content-Type"] == "text/plain"
    assert api.get(tokens_path(app.client_id, token_id=target)).status_code == 404
    assert api.delete(tokens_path(app.client_id, token_id=target)).status_code == 404
    results = [world.refresh(app, t["refresh_token"]).status_code for t in (first, second)]
    assert sorted(results) == [200, 400]


def test_delete_all_revokes_every_family_of_the_client(world, app, alice, api):
    other = world.client(assign=(alice,))
    mine = [world.signed_in(app, alice) for _ in range(3)]
    theirs = world.signed_in(other, alice)
    response = api.delete(tokens_path(app.client_id))
    assert response.status_code == 204
    assert api.get(tokens_path(app.client_id)).data == []
    for body in mine:
        assert world.refresh(app, body["refresh_token"]).data == INVALID_RT
        assert world.introspect(app, body["access_token"]).data == {"active": False}
    assert world.refresh(other, theirs["refresh_token"]).status_code == 200


def test_unknown_server_client_and_token_are_404(world, app, alice, api):
    world.signed_in(app, alice)
    cases = {
        tokens_path(app.client_id, server="ausNoSuchServer00000"): "AuthorizationServer",
        tokens_path("0oaNoSuchClient000000"): "PublicClientApp",
        tokens_path(app.client_id, token_id="oarNoSuchToken0000000"): "OAuth2RefreshToken",
        tokens_path(app.client_id, token_id="not-an-id"): "OAuth2RefreshToken",
    }
    for path, kind in cases.items():
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.data["errorCode"] == "E0000007" and response.data["errorSummary"].endswith(f"({kind})")
    assert api.delete(tokens_path("0oaNoSuchClient000000")).status_code == 404


def test_tokens_of_another_server_are_separate(world, app, alice, api):
    other = api.post("/api/v1/authorizationServers", {"name": "second", "audiences": ["api://second"]}).data["id"]
    world.signed_in(app, alice)
    assert api.get(tokens_path(app.client_id, server=other)).data == []
    by_id = api.get(tokens_path(app.client_id, server=world.container.servers.resolve_id("default"))).data
    assert len(by_id) == 1 and by_id[0]["issuer"].endswith("/oauth2/default")


def test_management_requires_the_admin_token(world, app, api):
    response = api._client.http.get(tokens_path(app.client_id), headers={})
    assert response.status_code == 401
    response = api.call("PUT", tokens_path(app.client_id), body={})
    assert response.status_code == 405 and response.data["errorCode"] == "E0000022"


# -- the repository on moto -----------------------------------------------------------------------------------------


@pytest.fixture
def repo(container) -> RefreshTokenRepository:
    assert isinstance(container.storage.refresh_tokens, RefreshTokenRepository)  # the module stands on DynamoDB
    return container.storage.refresh_tokens


def _family(family_id: str, expires: int = 2_000_000_000, **changes) -> Family:
    at = datetime.fromtimestamp(expires, timezone.utc)
    family = Family(id=family_id, server_id="ausX", client_id="0oaY", user_id="00uZ", scopes=("openid",),
                    auth_time=1, amr=("pwd",), grant_type="password", lifetime_minutes=0, window_minutes=60,
                    created=at, last_updated=at, ends_at=None, expires_at=at, current_hash="h1")
    return replace(family, **changes)


def test_repository_create_is_conditional(repo):
    assert repo.create(_family("oar1"))
    assert not repo.create(_family("oar1", current_hash="h2"))
    assert repo.family("ausX", "0oaY", "oar1").version == 1 and repo.family("ausX", "0oaY", "oar2") is None
    assert repo.locate("oar1") == ("ausX", "0oaY") and repo.locate("oar2") is None
    assert repo.token("h1") is None  # no record of its own: the family holds its hash


def test_repository_rotate_is_conditional_on_the_version(repo, container):
    repo.create(_family("oar1"))
    moved = _family("oar1", 2_100_000_000, current_hash="h2", version=1, rotated=(("h1", 2_000_000_000),))
    with dynamodb_calls(container) as calls:
        assert repo.rotate(moved, pointers=False)
    assert calls == ["PutItem"]  # a rotation that keeps the pointers is one conditional write of the family
    assert not repo.rotate(replace(moved, current_hash="h3"), pointers=False)  # stale version
    assert not repo.rotate(replace(moved, current_hash="h3"))  # stale version, with the pointers too
    family = repo.family("ausX", "0oaY", "oar1")
    assert (family.current_hash, family.version, family.rotated) == ("h2", 2, (("h1", 2_000_000_000),))
    with dynamodb_calls(container) as calls:
        assert repo.rotate(replace(family, current_hash="h5", pointers_until=family.expires_at))
    assert calls == ["TransactWriteItems"]  # the family and its two pointers
    assert repo.locate("oar1") == ("ausX", "0oaY")
    repo.delete("ausX", "0oaY", "oar1")
    assert not repo.rotate(replace(moved, current_hash="h4", version=3), pointers=False)  # gone
    assert repo.family("ausX", "0oaY", "oar1") is None and repo.locate("oar1") is None


def test_repository_lists_a_clients_families_in_id_order(repo):
    for family_id in ("oarC", "oarA", "oarB"):
        repo.create(_family(family_id, current_hash=f"h{family_id}"))
    repo.create(_family("oarZ", client_id="0oaOther"))
    assert [f.id for f in repo.families("ausX", "0oaY")] == ["oarA", "oarB", "oarC"]
    assert [f.id for f in repo.families("ausX", "0oaY", after="oarA")] == ["oarB", "oarC"]
    assert [f.id for f in repo.families("ausX", "0oaOther")] == ["oarZ"]
