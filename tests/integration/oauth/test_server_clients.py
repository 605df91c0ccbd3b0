"""GET /api/v1/authorizationServers/{id}/clients lists the clients holding tokens of that server (okta-api.md 2.1)."""
from __future__ import annotations

import base64
from datetime import timedelta

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _service_client(api, name):
    created = api.post("/oauth2/v1/clients", {"client_name": name, "application_type": "service",
                                               "grant_types": ["client_credentials"]})
    assert created.status_code == 201
    return created.data["client_id"], created.data["client_secret"]


def _token(api, server, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = api.call("POST", f"/oauth2/{server}/v1/token", headers={**FORM, "Authorization": f"Basic {basic}"},
                        raw="grant_type=client_credentials&scope=holders:read")
    assert response.status_code == 200, response.body
    return response


def test_lists_only_clients_that_got_tokens_from_that_server(api, container):
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": "holders:read"}).status_code == 201
    other = api.post("/api/v1/authorizationServers", {"name": "other", "audiences": ["api://other"]}).data["id"]
    alpha = _service_client(api, "Alpha")
    beta = _service_client(api, "beta")
    _service_client(api, "never asked")
    _token(api, "default", *beta)
    _token(api, "default", *alpha)
    _token(api, "default", *alpha)

    listed = api.get("/api/v1/authorizationServers/default/clients")
    assert listed.status_code == 200
    assert [c["client_name"] for c in listed.data] == ["Alpha", "beta"]
    assert listed.data[0] == {
        "client_id": alpha[0], "client_name": "Alpha",
        "_links": {"client": {"href": f"https://tokenmint.test/oauth2/v1/clients/{alpha[0]}",
                              "hints": {"allow": ["GET"]}}},
    }
    assert api.get(f"/api/v1/authorizationServers/{other}/clients").data == []


def test_a_client_drops_out_once_its_tokens_must_have_expired_or_it_is_deleted(api, container):
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": "holders:read"}).status_code == 201
    gone = _service_client(api, "gone")
    stays = _service_client(api, "stays")
    _token(api, "default", *gone)
    assert api.delete(f"/oauth2/v1/clients/{gone[0]}").status_code == 204
    assert [c["client_name"] for c in api.get("/api/v1/authorizationServers/default/clients").data] == []

    _token(api, "default", *stays)
    container.clock.advance(hours=26)
    assert api.get("/api/v1/authorizationServers/default/clients").data == []


def test_unknown_server_is_404(api):
    response = api.get("/api/v1/authorizationServers/ausNoSuchServer00000/clients")
    assert response.status_code == 404
    assert response.data["errorCode"] == "E0000007"
