"""PUT edge cases: settings a PUT leaves out that must not silently change, blank names, a JSON null body."""
from __future__ import annotations


def test_a_put_without_rotation_mode_keeps_a_manual_server_manual(api):
    created = api.post("/api/v1/authorizationServers", {"name": "m", "audiences": ["api://m"]}).data
    sid = created["id"]
    manual = api.put(f"/api/v1/authorizationServers/{sid}", {
        "name": "m", "audiences": ["api://m"], "issuerMode": "DYNAMIC",
        "credentials": {"signing": {"rotationMode": "MANUAL"}}})
    assert manual.data["credentials"]["signing"]["rotationMode"] == "MANUAL"
    renamed = api.put(f"/api/v1/authorizationServers/{sid}", {"name": "renamed", "audiences": ["api://m"]})
    assert renamed.status_code == 200
    assert renamed.data["name"] == "renamed"
    assert renamed.data["credentials"]["signing"]["rotationMode"] == "MANUAL"
    assert renamed.data["issuerMode"] == "DYNAMIC"
    assert "nextRotation" not in renamed.data["credentials"]["signing"]


def test_a_put_on_a_system_scope_keeps_what_it_leaves_out(api):
    scopes = api.get("/api/v1/authorizationServers/default/scopes").data
    openid = next(s for s in scopes if s["name"] == "openid")
    response = api.put(f"/api/v1/authorizationServers/default/scopes/{openid['id']}",
                       {"name": "openid", "consent": "REQUIRED"})
    assert response.status_code == 200
    assert response.data["consent"] == "REQUIRED"
    assert response.data["metadataPublish"] == "ALL_CLIENTS"
    assert response.data["description"] == openid["description"]


def test_a_put_on_a_custom_scope_replaces_it_in_full(api):
    scope = api.post("/api/v1/authorizationServers/default/scopes",
                     {"name": "full:replace", "metadataPublish": "ALL_CLIENTS", "description": "d"}).data
    response = api.put(f"/api/v1/authorizationServers/default/scopes/{scope['id']}", {"name": "full:replace"})
    assert response.data["metadataPublish"] == "NO_CLIENTS"
    assert "description" not in response.data


def test_names_made_of_spaces_are_blank(api):
    response = api.post("/api/v1/authorizationServers", {"name": "   ", "audiences": ["api://x"]})
    assert response.status_code == 400
    assert response.data["errorCauses"] == [{"errorSummary": "name: The field cannot be left blank."}]


def test_a_json_null_body_is_not_well_formed(api):
    response = api.post("/api/v1/authorizationServers", raw="null", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.data["errorCode"] == "E0000003"
