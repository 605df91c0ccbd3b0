"""A DPoP-bound token of the org authorization server is not a bearer token of the management API (DPOP-14): the
management API takes no DPoP proofs yet, so it refuses such a token rather than accept it without one."""
from __future__ import annotations

from urllib.parse import urlencode

from dpop_support import BASE, Holder
from tests.integration.org.test_org_server_and_bearer_admin import (
    ASSERTION, FORM, ORG_TOKEN, SERVERS, assertion, bearer, service_app)

SCOPE = "okta.authorizationServers.read"


def org_token(api, container, app, proof: str | None):
    body = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION, "scope": SCOPE,
            "client_assertion": assertion(container, app, f"{BASE}{ORG_TOKEN}")}
    headers = {**FORM, **({"DPoP": proof} if proof else {})}
    return api._client.http.post(ORG_TOKEN, headers=headers, body=urlencode(body))


def test_dpop14_a_bound_org_token_is_refused_as_a_bearer_token(api, container):
    app = service_app(api, SCOPE)
    holder = Holder.ec()
    now = int(container.clock.now().timestamp())
    first = org_token(api, container, app, holder.proof("POST", f"{BASE}{ORG_TOKEN}", now))
    assert (first.status_code, first.json_body["error"]) == (400, "use_dpop_nonce")
    nonce = first.headers["DPoP-Nonce"]
    bound = org_token(api, container, app, holder.proof("POST", f"{BASE}{ORG_TOKEN}", now, nonce=nonce))
    assert bound.status_code == 200, bound.body
    assert bound.json_body["token_type"] == "DPoP"
    assert bearer(api, "GET", SERVERS, bound.json_body["access_token"]).status_code == 401
    plain = org_token(api, container, app, None)
    assert plain.json_body["token_type"] == "Bearer"
    assert bearer(api, "GET", SERVERS, plain.json_body["access_token"]).status_code == 200
