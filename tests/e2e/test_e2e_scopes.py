"""Scopes through the official Okta SDK (okta-api.md 4): system scopes, CRUD, name rules, search and paging."""
from __future__ import annotations

import asyncio
import re

from okta.pagination import PaginationHelper, paginate_all

from e2e_support import call, causes, enum_value, expect, expect_error, not_found_summary, scope_body

OKTA_SPEC_OPERATIONS = {
    "listOAuth2Scopes", "createOAuth2Scope", "getOAuth2Scope", "replaceOAuth2Scope", "deleteOAuth2Scope",
}

SYSTEM_SCOPES = {"openid", "profile", "email", "address", "phone", "offline_access", "device_sso"}
SCOPE_ID = re.compile(r"^scp[A-Za-z0-9]{17}$")


def test_a_new_server_has_the_system_scopes(okta_client, server):
    scopes = expect(200, okta_client.list_o_auth2_scopes(server.id))
    assert {s.name for s in scopes} == SYSTEM_SCOPES
    for scope in scopes:
        assert SCOPE_ID.match(scope.id)
        assert scope.system is True and scope.default is False and scope.optional is False
        assert (enum_value(scope.consent), enum_value(scope.metadata_publish)) == ("IMPLICIT", "ALL_CLIENTS")
    openid = next(s for s in scopes if s.name == "openid")
    assert (openid.display_name, openid.description) == ("openid", "Signals that a request is an OpenID request.")


def test_scope_crud(okta_client, stack, server):
    created = expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(
        "read:things", display_name="Read things", description="Lets the app read things", consent="REQUIRED",
        metadata_publish="ALL_CLIENTS")))
    assert SCOPE_ID.match(created.id)
    assert (created.name, created.display_name, created.description) == (
        "read:things", "Read things", "Lets the app read things")
    assert (enum_value(created.consent), enum_value(created.metadata_publish)) == ("REQUIRED", "ALL_CLIENTS")
    assert created.system is False
    assert created.links.var_self.href == (
        f"{stack.base_url}/api/v1/authorizationServers/{server.id}/scopes/{created.id}")

    fetched = expect(200, okta_client.get_o_auth2_scope(server.id, created.id))
    assert fetched.to_dict() == created.to_dict()

    fetched.description = "Now reads more things"
    fetched.consent = "FLEXIBLE"
    fetched.default = True
    replaced = expect(200, okta_client.replace_o_auth2_scope(server.id, created.id, fetched))
    assert (replaced.id, replaced.name, replaced.description) == (created.id, "read:things", "Now reads more things")
    assert enum_value(replaced.consent) == "FLEXIBLE" and replaced.default is True

    listed = expect(200, okta_client.list_o_auth2_scopes(server.id))
    assert {s.name for s in listed} == SYSTEM_SCOPES | {"read:things"}

    expect(204, okta_client.delete_o_auth2_scope(server.id, created.id))
    err = expect_error(404, "E0000007", okta_client.get_o_auth2_scope(server.id, created.id))
    assert err.error_summary == not_found_summary(created.id, "OAuth2Scope")
    expect_error(404, "E0000007", okta_client.delete_o_auth2_scope(server.id, created.id))


def test_scope_defaults_and_absent_strings(okta_client, server):
    created = expect(201, okta_client.create_o_auth2_scope(server.id, scope_body("write:things")))
    assert enum_value(created.consent) == "IMPLICIT"
    assert enum_value(created.metadata_publish) == "NO_CLIENTS"
    assert (created.display_name, created.description) == (None, None)
    body = call(okta_client.get_o_auth2_scope(server.id, created.id)).json()
    # Okta's spec types both as strings: absent, never null (the SDK reads either as None, as asserted above).
    assert "displayName" not in body and "description" not in body and body["apiResourceId"] is None


def test_system_scopes_cannot_be_deleted(okta_client, server):
    openid = next(s for s in expect(200, okta_client.list_o_auth2_scopes(server.id)) if s.name == "openid")
    err = expect_error(403, "E0000006", okta_client.delete_o_auth2_scope(server.id, openid.id))
    assert err.error_summary == "You do not have permission to perform the requested action"
    assert causes(err) == ["'openid' is a system scope and cannot be deleted."]
    expect(200, okta_client.get_o_auth2_scope(server.id, openid.id))


def test_system_scope_name_cannot_change(okta_client, server):
    email = next(s for s in expect(200, okta_client.list_o_auth2_scopes(server.id)) if s.name == "email")
    email.name = "mail"
    err = expect_error(400, "E0000001", okta_client.replace_o_auth2_scope(server.id, email.id, email))
    assert causes(err) == ["name: The name of a system scope cannot be changed."]


def test_duplicate_scope_name_is_refused(okta_client, server):
    expect(201, okta_client.create_o_auth2_scope(server.id, scope_body("dup:scope")))
    err = expect_error(400, "E0000001", okta_client.create_o_auth2_scope(server.id, scope_body("dup:scope")))
    assert err.error_summary == "Api validation failed: scope"
    assert causes(err) == ["name: A scope named 'dup:scope' already exists on this authorization server."]
    # a system scope's name is taken too
    expect_error(400, "E0000001", okta_client.create_o_auth2_scope(server.id, scope_body("openid")))


def test_invalid_scope_names_are_refused(okta_client, server):
    for name in ("okta.users.read", "*", "has space", "a<b>"):
        err = expect_error(400, "E0000001", okta_client.create_o_auth2_scope(server.id, scope_body(name)))
        assert causes(err) and causes(err)[0].startswith("name: "), (name, causes(err))


def test_scopes_of_an_unknown_server(okta_client):
    err = expect_error(404, "E0000007", okta_client.list_o_auth2_scopes("ausNoSuchServer00000"))
    assert err.error_summary == not_found_summary("ausNoSuchServer00000", "AuthorizationServer")
    expect_error(404, "E0000007", okta_client.create_o_auth2_scope("ausNoSuchServer00000", scope_body("x:y")))


def test_scope_search_and_paging(okta_client, server):
    names = [f"e2e:page{i}" for i in range(5)]
    for name in names:
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(name)))

    pages, after = [], None
    while True:
        result = call(okta_client.list_o_auth2_scopes(server.id, q="e2e:", limit=2, after=after))
        assert result.error is None and result.status == 200
        pages.append([s.name for s in result.data])
        after = PaginationHelper.extract_next_cursor(result.headers)
        if after is None:
            break
        assert len(pages) < 10, "paging does not end"
    assert pages == [names[0:2], names[2:4], names[4:]]

    async def everything():
        return [s.name async for s in paginate_all(okta_client.list_o_auth2_scopes, limit=3,
                                                   auth_server_id=server.id)]

    assert sorted(asyncio.run(everything())) == sorted(SYSTEM_SCOPES | set(names))
    expect_error(400, "E0000029", okta_client.list_o_auth2_scopes(server.id, limit=-1))
