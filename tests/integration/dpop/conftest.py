"""Fixtures of the DPoP integration tests: the app in-process (root ``api``), a service client that requires DPoP,
one that does not, and a public native client with password + refresh_token."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

SCOPE = "dpop:read"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Dpop:
    api: Any
    container: Any

    def now(self) -> int:
        return int(self.container.clock.now().timestamp())

    def call(self, method: str, path: str, headers: dict[str, str], body: str = ""):
        response = getattr(self.api._client.http, method.lower())(path, headers=headers, body=body)
        response.data = json.loads(response.body) if response.body else None
        return response

    def token(self, client: dict[str, Any], proof: str | None, **params: str):
        headers = dict(FORM)
        if client.get("client_secret"):
            basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        else:
            params = {"client_id": client["client_id"], **params}
        if proof is not None:
            headers["DPoP"] = proof
        return self.call("POST", "/oauth2/default/v1/token", headers, urlencode(params))

    def client_credentials(self, client: dict[str, Any], proof: str | None):
        return self.token(client, proof, grant_type="client_credentials", scope=SCOPE)

    def nonce(self, client: dict[str, Any], holder: Any, url: str) -> str:
        """The server nonce, learnt as a client does: a first proof without one is refused with it."""
        from dpop_support import TOKEN_URL

        first = self.client_credentials(client, holder.proof("POST", url or TOKEN_URL, self.now()))
        assert first.status_code == 400 and first.data["error"] == "use_dpop_nonce", first.data
        return first.headers["DPoP-Nonce"]


@pytest.fixture
def dpop(api, container) -> Dpop:
    container.scopes.create("default", {"name": SCOPE, "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    return Dpop(api, container)


def _client(api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/oauth2/v1/clients", body)
    assert response.status_code == 201, response.data
    return response.data


@pytest.fixture
def required(api, dpop) -> dict[str, Any]:
    """A service client with ``dpop_bound_access_tokens: true``."""
    return _client(api, {"client_name": "dpop-service", "application_type": "service",
                         "dpop_bound_access_tokens": True})


@pytest.fixture
def optional(api, dpop) -> dict[str, Any]:
    """A service client without the setting: a proof still binds its tokens (RFC 9449 5)."""
    return _client(api, {"client_name": "plain-service", "application_type": "service"})
