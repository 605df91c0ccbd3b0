"""Okta's associatedServers API in-process: the trusted servers of token exchange (list by trusted type, add,
remove, bad ids, authentication, System Log events)."""
from __future__ import annotations

from tests.integration.api.apisupport import SERVERS, assert_error, assert_not_found, assert_validation, causes_of
from tests.integration.logs.test_system_log_api import events


def test_add_list_and_remove_trusted_servers(tx):
    c = tx.api.post(SERVERS, {"name": "C", "audiences": ["api://c"]}).data["id"]
    added = tx.trust(tx.b, tx.a, "default", c)  # "default" names A again: each server once
    assert added.status_code == 200, added.data
    assert [s["id"] for s in added.data] == [tx.a, c]
    first = added.data[0]
    assert first["issuer"] == "https://tokenmint.test/oauth2/default" and first["audiences"] == ["api://default"]
    assert first["_links"] == {"self": {
        "href": f"https://tokenmint.test/api/v1/authorizationServers/{tx.b}/associatedServers/{tx.a}",
        "hints": {"allow": ["DELETE"]}}}
    listed = tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?trusted=true")
    # Listed in creation order; the test world's clock may give A and C the same second (then the id decides).
    assert listed.status_code == 200 and sorted(s["id"] for s in listed.data) == sorted([tx.a, c])
    assert sorted(s["id"] for s in tx.api.get(f"{SERVERS}/{tx.b}/associatedServers").data) == sorted([tx.a, c])
    assert tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?trusted=false").data == []
    # A's own view: B is a candidate (untrusted), A itself never is; trust is one-way.
    assert sorted(s["id"] for s in tx.api.get(f"{SERVERS}/default/associatedServers?trusted=false").data) == sorted(
        [tx.b, c])
    assert tx.api.get(f"{SERVERS}/default/associatedServers?trusted=true").data == []
    # Adding again is harmless; q searches name or audience.
    assert tx.trust(tx.b, c).status_code == 200
    assert [s["id"] for s in tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?q=api://c").data] == [c]
    paged = tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?limit=1")
    assert [s["id"] for s in paged.data] == [listed.data[0]["id"]] and 'rel="next"' in paged.headers["Link"]
    removed = tx.api.delete(f"{SERVERS}/{tx.b}/associatedServers/{c}")
    assert removed.status_code == 204 and removed.body in (b"", "")
    assert [s["id"] for s in tx.api.get(f"{SERVERS}/{tx.b}/associatedServers").data] == [tx.a]
    assert [s["id"] for s in tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?trusted=false").data] == [c]


def test_bad_ids_are_refused_with_a_cause_each_and_nothing_is_written(tx):
    response = tx.trust(tx.b, tx.a, "ausNoSuchServer00001", tx.b, "ausOrgAuthzServer001")
    assert_validation(response, "associatedServerMediated", "trusted")
    causes = causes_of(response)
    assert len(causes) == 3 and any("ausNoSuchServer00001" in c for c in causes)
    assert any("this authorization server" in c for c in causes)
    assert tx.api.get(f"{SERVERS}/{tx.b}/associatedServers").data == []
    for body in ({}, {"trusted": []}, {"trusted": "aus"}, {"trusted": [7]}):
        assert_validation(tx.api.post(f"{SERVERS}/{tx.b}/associatedServers", body), "associatedServerMediated",
                          "trusted")
    assert_error(tx.api.post(f"{SERVERS}/{tx.b}/associatedServers", raw="{nope",
                             headers={"Content-Type": "application/json"}), 400, "E0000003")
    assert_not_found(tx.trust("ausNoSuchServer00001", tx.a), "ausNoSuchServer00001", "AuthorizationServer")


def test_removing_or_listing_what_is_not_there_is_404(tx):
    assert_not_found(tx.api.delete(f"{SERVERS}/{tx.b}/associatedServers/{tx.a}"), tx.a, "AssociatedServer")
    assert_not_found(tx.api.delete(f"{SERVERS}/{tx.b}/associatedServers/ausNoSuchServer00001"),
                     "ausNoSuchServer00001", "AssociatedServer")
    assert_not_found(tx.api.get(f"{SERVERS}/ausNoSuchServer00001/associatedServers"), "ausNoSuchServer00001",
                     "AuthorizationServer")
    assert_error(tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?trusted=maybe"), 400, "E0000001")
    assert_error(tx.api.get(f"{SERVERS}/{tx.b}/associatedServers?limit=0"), 400, "E0000029")


def test_a_deleted_trusted_server_is_not_listed(tx):
    c = tx.api.post(SERVERS, {"name": "C", "audiences": ["api://c"]}).data["id"]
    assert tx.trust(tx.b, c).status_code == 200
    assert tx.api.post(f"{SERVERS}/{c}/lifecycle/deactivate").status_code == 204
    assert tx.api.delete(f"{SERVERS}/{c}").status_code == 204
    assert tx.api.get(f"{SERVERS}/{tx.b}/associatedServers").data == []


def test_authentication_is_required(tx, api):
    for method, path, body in (("GET", f"{SERVERS}/{tx.b}/associatedServers", None),
                               ("POST", f"{SERVERS}/{tx.b}/associatedServers", {"trusted": [tx.a]}),
                               ("DELETE", f"{SERVERS}/{tx.b}/associatedServers/{tx.a}", None)):
        for authorization in ("", "SSWS wrong-token"):
            response = api.call(method, path, body, headers={"Authorization": authorization})
            assert_error(response, 401, "E0000011")
    assert api.get(f"{SERVERS}/{tx.b}/associatedServers").data == []
    assert api.call("PUT", f"{SERVERS}/{tx.b}/associatedServers", {}).status_code == 405


def test_each_write_is_a_system_log_event_naming_the_servers(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    assert tx.api.delete(f"{SERVERS}/{tx.b}/associatedServers/{tx.a}").status_code == 204
    added = events(tx.api, filter='eventType eq "app.oauth2.trusted_server.add"')
    assert len(added) == 1 and added[0]["outcome"]["result"] == "SUCCESS"
    assert [(t["id"], t["type"]) for t in added[0]["target"]] == [(tx.b, "AuthorizationServer"),
                                                                  (tx.a, "AuthorizationServer")]
    deleted = events(tx.api, filter='eventType eq "app.oauth2.trusted_server.delete"')
    assert len(deleted) == 1
    assert [(t["id"], t["type"]) for t in deleted[0]["target"]] == [(tx.b, "AuthorizationServer"),
                                                                    (tx.a, "AuthorizationServer")]
    # A refused write records nothing.
    assert tx.trust(tx.b, "ausNoSuchServer00001").status_code == 400
    assert len(events(tx.api, filter='eventType eq "app.oauth2.trusted_server.add"')) == 1
