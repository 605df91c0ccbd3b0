"""Issue 13 item 5, the blind SSRF through ``jwks_uri``, end to end through the app (CAUTH-09 with a jwks_uri).

The attack: register a private_key_jwt client whose jwks_uri is https://127.0.0.1/..., then send an
unauthenticated token request with a made-up assertion: the server connected there to fetch the keys. Now the
registration is refused, and a client stored before that check (or by any other way) still makes no connection."""
from __future__ import annotations

import base64
import dataclasses
import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from app import app

from tests.local_servers import LOCALHOST, counting_listener

COLLECTION = "/oauth2/v1/clients"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def keyed_client(jwks_uri: str) -> dict:
    return {"client_name": "Keyed", "application_type": "service", "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": jwks_uri}


def _b64(document: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def made_up_assertion(client_id: str) -> str:
    """RS256 in name only, with a signature of nothing: what it would be checked against is what the attacker
    wants fetched."""
    claims = {"iss": client_id, "sub": client_id, "aud": "https://tokenmint.test/oauth2/default/v1/token",
              "exp": 4102444800, "jti": "made-up"}
    return f"{_b64({'alg': 'RS256', 'kid': 'any'})}.{_b64(claims)}.AAAA"


@pytest.mark.parametrize("host", [LOCALHOST, "169.254.169.254", "[::1]", "localhost", "2130706433"])
def test_cauth09_ssrf_registering_a_jwks_uri_on_a_non_public_host_is_refused(api, host):
    with counting_listener() as listener:
        uri = f"https://{host}:{listener.port}/jwks"
        response = api.post(COLLECTION, keyed_client(uri))
        assert response.status_code == 400, response.data
        assert response.data["errorCode"] == "E0000001"
        assert response.data["errorCauses"][0]["errorSummary"].startswith(f"jwks_uri: '{uri}' must ")
    assert listener.accepted == 0
    assert api.get(COLLECTION).data == []


def test_cauth09_ssrf_a_token_request_never_connects_to_a_stored_loopback_jwks_uri(api, container):
    created = api.post(COLLECTION, keyed_client("https://keys.app.example/jwks")).data
    client_id = created["client_id"]
    with counting_listener() as listener:
        # As if registered before registration refused it (or written by any other path into the store).
        stored = container.storage.clients.get(client_id)
        container.storage.clients.replace(stored, dataclasses.replace(
            stored, jwks_uri=f"https://{LOCALHOST}:{listener.port}/latest/meta-data/"))
        container.caches.clear()
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": made_up_assertion(client_id)}
        with Client(app) as anonymous:
            response = anonymous.http.post("/oauth2/default/v1/token", headers=FORM, body=urlencode(form))
        assert response.status_code == 401, response.body
        assert json.loads(response.body)["error"] == "invalid_client"
    assert listener.accepted == 0
