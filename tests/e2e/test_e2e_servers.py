"""Authorization servers through the official Okta SDK: create, list/search/paging, get, replace, lifecycle, delete,
and the ``default`` server (okta-api.md 2)."""
from __future__ import annotations

import asyncio
import re
import uuid

from okta.pagination import PaginationHelper, paginate_all

from e2e_support import call, enum_value, expect, expect_error, not_found_summary, server_body

# The spec operations this module exercises: test_e2e_openapi.py requires a validated SDK success for each.
OKTA_SPEC_OPERATIONS = {
    "listAuthorizationServers", "createAuthorizationServer", "getAuthorizationServer", "replaceAuthorizationServer",
    "deleteAuthorizationServer", "activateAuthorizationServer", "deactivateAuthorizationServer",
}

SERVER_ID = re.compile(r"^aus[A-Za-z0-9]{17}$")


def test_create_answers_201_with_an_okta_shaped_server(okta_client, stack, new_server):
    name = f"e2e-as-{uuid.uuid4().hex[:8]}"
    created = new_server(name=name, audience=f"api://{name}", description="Created by the e2e suite")

    assert SERVER_ID.match(created.id)
    assert (created.name, created.description, created.audiences) == (name, "Created by the e2e suite",
                                                                      [f"api://{name}"])
    assert enum_value(created.status) == "ACTIVE"
    assert created.issuer == f"{stack.base_url}/oauth2/{created.id}"
    assert created.issuer_mode == "ORG_URL"
    assert enum_value(created.credentials.signing.rotation_mode) == "AUTO"
    assert created.created is not None and created.last_updated == created.created
    admin = f"{stack.base_url}/api/v1/authorizationServers/{created.id}"
    links = created.links
    assert links.var_self.href == admin
    assert links.deactivate.href == f"{admin}/lifecycle/deactivate"
    assert links.scopes.href == f"{admin}/scopes" and links.claims.href == f"{admin}/claims"
    assert links.policies.href == f"{admin}/policies"
    assert links.rotate_key.href == f"{admin}/credentials/lifecycle/keyRotate"
    assert [(m.name, m.href) for m in links.metadata] == [
        ("oauth-authorization-server", f"{created.issuer}/.well-known/oauth-authorization-server"),
        ("openid-configuration", f"{created.issuer}/.well-known/openid-configuration"),
    ]


def test_create_without_description_leaves_it_out_and_the_sdk_reads_none(okta_client, new_server):
    created = new_server(description=None)
    assert created.description is None
    result = call(okta_client.get_authorization_server(created.id))
    # Real Okta sends null here (okta-api.md 2.3), but its published spec types it as a string: absent instead.
    assert "description" not in result.json()


def test_get_returns_the_server(okta_client, server):
    fetched = expect(200, okta_client.get_authorization_server(server.id))
    assert fetched.to_dict() == server.to_dict()


def test_replace_round_trips_a_fetched_server(okta_client, server):
    fetched = expect(200, okta_client.get_authorization_server(server.id))
    fetched.name = server.name + "-renamed"
    fetched.description = "replaced"
    fetched.audiences = ["api://replaced"]
    fetched.credentials.signing.rotation_mode = "MANUAL"

    # The PUT body carries read-only fields back (_links, issuer, status...): the server must ignore them.
    replaced = expect(200, okta_client.replace_authorization_server(server.id, fetched))

    assert (replaced.id, replaced.created) == (server.id, server.created)
    assert (replaced.name, replaced.description, replaced.audiences) == (
        server.name + "-renamed", "replaced", ["api://replaced"])
    assert enum_value(replaced.credentials.signing.rotation_mode) == "MANUAL"
    assert replaced.last_updated >= server.last_updated
    again = expect(200, okta_client.get_authorization_server(server.id))
    assert again.to_dict() == replaced.to_dict()


def test_replace_refuses_an_invalid_body(okta_client, server):
    fetched = expect(200, okta_client.get_authorization_server(server.id))
    fetched.audiences = ["api://one", "api://two"]
    err = expect_error(400, "E0000001", okta_client.replace_authorization_server(server.id, fetched))
    assert err.error_summary == "Api validation failed: authorizationServer"
    assert "audiences: Only one audience is supported." in [c["errorSummary"] for c in err.error_causes]


def test_deactivate_and_activate_answer_204_and_change_status(okta_client, server):
    assert expect(204, okta_client.deactivate_authorization_server(server.id)) is None
    inactive = expect(200, okta_client.get_authorization_server(server.id))
    assert enum_value(inactive.status) == "INACTIVE"
    assert inactive.links.deactivate is None
    # Okta's lifecycle links follow the status (activate instead of deactivate).
    assert call(okta_client.get_authorization_server(server.id)).json()["_links"]["activate"]["href"].endswith(
        f"/api/v1/authorizationServers/{server.id}/lifecycle/activate")

    expect(204, okta_client.deactivate_authorization_server(server.id))  # already inactive: still 204
    expect(204, okta_client.activate_authorization_server(server.id))
    active = expect(200, okta_client.get_authorization_server(server.id))
    assert enum_value(active.status) == "ACTIVE"
    assert active.links.deactivate is not None
    expect(204, okta_client.activate_authorization_server(server.id))  # already active: still 204


def test_delete_answers_204_and_the_server_is_gone(okta_client):
    created = expect(201, okta_client.create_authorization_server(server_body()))
    expect(204, okta_client.deactivate_authorization_server(created.id))
    expect(204, okta_client.delete_authorization_server(created.id))

    err = expect_error(404, "E0000007", okta_client.get_authorization_server(created.id))
    assert err.error_summary == not_found_summary(created.id, "AuthorizationServer")
    expect_error(404, "E0000007", okta_client.delete_authorization_server(created.id))
    expect_error(404, "E0000007", okta_client.activate_authorization_server(created.id))
    servers = expect(200, okta_client.list_authorization_servers())
    assert created.id not in {s.id for s in servers}


def test_list_contains_the_default_server_and_new_ones(okta_client, server):
    servers = expect(200, okta_client.list_authorization_servers())
    ids = [s.id for s in servers]
    assert server.id in ids
    assert "default" in [s.name for s in servers]
    assert len(ids) == len(set(ids))


def test_list_pages_through_link_headers(okta_client, stack, new_server):
    audience = f"api://e2e-paging-{uuid.uuid4().hex[:8]}"
    servers = [new_server(audience=audience) for _ in range(5)]
    # Listing order is creation time (whole seconds, as Okta renders it), then id.
    created = [s.id for s in sorted(servers, key=lambda s: (s.created, s.id))]

    # By hand: q + limit, then the `after` cursor of each rel="next" Link.
    pages, after = [], None
    while True:
        result = call(okta_client.list_authorization_servers(q=audience, limit=2, after=after))
        assert result.error is None and result.status == 200
        pages.append([s.id for s in result.data])
        link = result.headers.get("Link") or result.headers.get("link")
        assert f'<{stack.base_url}/api/v1/authorizationServers?' in link and 'rel="self"' in link
        after = PaginationHelper.extract_next_cursor(result.headers)
        if after is None:
            assert 'rel="next"' not in link
            break
        assert len(pages) < 10, "paging does not end"
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for page in pages for i in page] == created  # in order, nothing twice, nothing lost

    # With the SDK's own helper.
    async def everything():
        return [s.id async for s in paginate_all(okta_client.list_authorization_servers, limit=2, q=audience)]

    assert asyncio.run(everything()) == created


def test_list_searches_name_and_audience(okta_client, new_server):
    target = new_server()
    new_server()
    by_name = expect(200, okta_client.list_authorization_servers(q=target.name))
    assert [s.id for s in by_name] == [target.id]
    by_audience = expect(200, okta_client.list_authorization_servers(q=target.audiences[0]))
    assert [s.id for s in by_audience] == [target.id]
    assert expect(200, okta_client.list_authorization_servers(q=f"no-such-{uuid.uuid4().hex}")) == []


def test_list_refuses_an_invalid_limit(okta_client):
    err = expect_error(400, "E0000029", okta_client.list_authorization_servers(limit=0))
    assert err.error_summary == "Invalid paging request."
    expect_error(400, "E0000029", okta_client.list_authorization_servers(after="%%%not-a-cursor"))


def test_default_alias_and_default_issuer(okta_client, stack):
    by_alias = call(okta_client.get_authorization_server("default"))
    assert by_alias.error is None and by_alias.status == 200
    default = by_alias.data
    assert SERVER_ID.match(default.id)  # the alias resolves to the real id
    assert (default.name, default.audiences) == ("default", ["api://default"])
    assert by_alias.json()["default"] is True
    assert default.issuer == f"{stack.base_url}/oauth2/default"
    admin = f"{stack.base_url}/api/v1/authorizationServers/default"
    assert default.links.var_self.href == admin
    assert default.links.scopes.href == f"{admin}/scopes"
    assert [m.href for m in default.links.metadata] == [
        f"{stack.base_url}/oauth2/default/.well-known/oauth-authorization-server",
        f"{stack.base_url}/oauth2/default/.well-known/openid-configuration",
    ]

    # The real id gives the same object, still written with `default` (okta-api.md 2.5).
    by_id = expect(200, okta_client.get_authorization_server(default.id))
    assert by_id.to_dict() == default.to_dict()

    # The alias works below the server too, and links keep saying `default`.
    scopes = expect(200, okta_client.list_o_auth2_scopes("default"))
    assert all(s.links.var_self.href.startswith(f"{admin}/scopes/") for s in scopes)
    listed = next(s for s in expect(200, okta_client.list_authorization_servers()) if s.id == default.id)
    assert (listed.issuer, listed.links.var_self.href) == (default.issuer, admin)


def test_default_server_cannot_be_deleted(okta_client):
    err = expect_error(403, "E0000006", okta_client.delete_authorization_server("default"))
    assert err.error_causes and "cannot be deleted" in err.error_causes[0]["errorSummary"]
    expect(200, okta_client.get_authorization_server("default"))
