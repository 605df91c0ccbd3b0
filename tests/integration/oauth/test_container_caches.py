"""The container builds the token path's caches once (oauth/token_path_caches.py) and the token path uses them:
``container.caches.clear()`` makes the next token see a change at once instead of after the cache period."""
from __future__ import annotations

import base64

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _token(api, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return api.call("POST", "/oauth2/default/v1/token", headers={**FORM, "Authorization": f"Basic {basic}"},
                    raw="grant_type=client_credentials&scope=caches:read")


def test_the_token_path_is_wired_to_the_containers_caches(container):
    caches, services = container.caches, container.oauth.services
    assert services.configs is caches.configs
    assert services.signer is caches.signer is container.signer
    assert services.holders is caches.holders
    assert container.servers.default_id() == caches.default_server_id.get() is not None


def test_a_deleted_client_keeps_its_cached_record_until_the_caches_are_cleared(api, container):
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": "caches:read"}).status_code == 201
    created = api.post("/oauth2/v1/clients", {"client_name": "cached", "application_type": "service",
                                              "grant_types": ["client_credentials"]}).data
    credentials = created["client_id"], created["client_secret"]
    assert _token(api, *credentials).status_code == 200
    assert api.delete(f"/oauth2/v1/clients/{created['client_id']}").status_code == 204
    assert _token(api, *credentials).status_code == 200  # the staleness bound: cached for the cache period

    container.caches.clear()
    refused = _token(api, *credentials)
    assert refused.status_code == 401
    assert refused.data["error"] == "invalid_client"
