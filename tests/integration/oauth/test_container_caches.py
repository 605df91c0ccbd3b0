"""The container builds the token path's caches once (oauth/token_path_caches.py) and the token path uses them:
``container.caches.clear()`` makes the next token read everything again."""
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


def test_a_write_that_bypasses_the_change_notices_is_cached_until_the_caches_are_cleared(api, container):
    """Management writes announce themselves (tests/integration/freshness); a write straight to storage does not,
    and the token path keeps answering from its cache until ``clear``."""
    assert api.post("/api/v1/authorizationServers/default/scopes", {"name": "caches:read"}).status_code == 201
    created = api.post("/oauth2/v1/clients", {"client_name": "cached", "application_type": "service",
                                              "grant_types": ["client_credentials"]}).data
    credentials = created["client_id"], created["client_secret"]
    assert _token(api, *credentials).status_code == 200
    container.storage.clients.delete(container.storage.clients.get(created["client_id"]))
    assert _token(api, *credentials).status_code == 200  # cached, and nobody said it changed

    container.caches.clear()
    refused = _token(api, *credentials)
    assert refused.status_code == 401
    assert refused.data["error"] == "invalid_client"
