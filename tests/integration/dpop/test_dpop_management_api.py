"""DPoP-bound tokens of the org authorization server at the management API (RFC 9449 7; DPOP-14, DPOP-18): taken
only as ``Authorization: DPoP <token>`` with a proof by the token's key for that very request (method, public URL
without the query, ``ath``, ``jti`` once), as Okta's SDK sends them with ``dpopEnabled``; never as a bearer token.
Refusals are Okta's 401 E0000011 with a ``WWW-Authenticate: DPoP`` challenge saying what was wrong."""
from __future__ import annotations

import json
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


def bound_token(api, container, holder: Holder) -> str:
    now = int(container.clock.now().timestamp())
    app = service_app(api, SCOPE)
    first = org_token(api, container, app, holder.proof("POST", f"{BASE}{ORG_TOKEN}", now))
    nonce = first.headers["DPoP-Nonce"]
    issued = org_token(api, container, app, holder.proof("POST", f"{BASE}{ORG_TOKEN}", now, nonce=nonce))
    assert issued.status_code == 200 and issued.json_body["token_type"] == "DPoP", issued.body
    return issued.json_body["access_token"]


def dpop_call(api, method: str, path: str, token: str, proof: str | None, scheme: str = "DPoP"):
    headers = {"Authorization": f"{scheme} {token}", "Content-Type": "application/json"}
    if proof is not None:
        headers["DPoP"] = proof
    response = getattr(api._client.http, method.lower())(path, headers=headers, body=b"")
    response.data = json.loads(response.body) if response.body else None
    return response


def test_dpop18_a_bound_token_with_a_proof_for_the_request_is_taken(api, container):
    holder = Holder.ec()
    token = bound_token(api, container, holder)
    now = int(container.clock.now().timestamp())
    listed = dpop_call(api, "GET", SERVERS + "?limit=5", token,
                       holder.proof("GET", f"{BASE}{SERVERS}", now, access_token=token))  # htu without the query
    assert listed.status_code == 200, (listed.data, listed.headers)
    assert "default" in [s["name"] for s in listed.data]
    again = dpop_call(api, "GET", SERVERS, token, holder.proof("GET", f"{BASE}{SERVERS}", now, access_token=token))
    assert again.status_code == 200  # each request its own proof


def test_dpop18_what_a_bound_token_is_refused_with(api, container):
    holder, thief = Holder.ec(), Holder.ec()
    token = bound_token(api, container, holder)
    now = int(container.clock.now().timestamp())
    url = f"{BASE}{SERVERS}"
    cases = {
        "no proof": (None, "invalid_dpop_proof"),
        "another key": (thief.proof("GET", url, now, access_token=token), "invalid_dpop_proof"),
        "another method": (holder.proof("POST", url, now, access_token=token), "invalid_dpop_proof"),
        "another URL": (holder.proof("GET", f"{BASE}/api/v1/users", now, access_token=token), "invalid_dpop_proof"),
        "no ath": (holder.proof("GET", url, now), "invalid_dpop_proof"),
        "another token's ath": (holder.proof("GET", url, now, access_token=token + "x"), "invalid_dpop_proof"),
    }
    for name, (proof, error) in cases.items():
        refused = dpop_call(api, "GET", SERVERS, token, proof)
        assert (refused.status_code, refused.data["errorCode"]) == (401, "E0000011"), name
        assert refused.headers["WWW-Authenticate"].startswith("DPoP ") and f'error="{error}"' in \
            refused.headers["WWW-Authenticate"], (name, refused.headers)
    once = holder.proof("GET", url, now, access_token=token)
    assert dpop_call(api, "GET", SERVERS, token, once).status_code == 200
    replayed = dpop_call(api, "GET", SERVERS, token, once)
    assert replayed.status_code == 401 and "already been used" in replayed.headers["WWW-Authenticate"]
    as_bearer = dpop_call(api, "GET", SERVERS, token, holder.proof("GET", url, now, access_token=token), "Bearer")
    assert as_bearer.status_code == 401 and 'error="invalid_token"' in as_bearer.headers["WWW-Authenticate"]


def test_dpop18_the_dpop_scheme_with_an_unbound_token_is_refused(api, container):
    app, holder = service_app(api, SCOPE), Holder.ec()
    plain = org_token(api, container, app, None).json_body["access_token"]
    now = int(container.clock.now().timestamp())
    refused = dpop_call(api, "GET", SERVERS, plain, holder.proof("GET", f"{BASE}{SERVERS}", now, access_token=plain))
    assert refused.status_code == 401 and "not DPoP-bound" in refused.headers["WWW-Authenticate"]


def test_dpop18_an_unknown_path_with_a_bound_token_and_its_proof_is_404_as_with_any_good_token(api, container):
    """The local server answers the greedy route itself (api/unknown_paths.answer): a good DPoP token and proof
    make it 404, a missing proof 401, as ``AdminRoutes`` would."""
    from http.client import HTTPMessage

    from chalicelib.api import unknown_paths

    holder = Holder.ec()
    token = bound_token(api, container, holder)
    now = int(container.clock.now().timestamp())

    def headers(proof: str | None) -> HTTPMessage:
        message = HTTPMessage()
        message["Authorization"] = f"DPoP {token}"
        message["Host"] = BASE.removeprefix("https://")
        if proof:
            message["DPoP"] = proof
        return message

    path = "/api/v1/nothing-here"
    good = unknown_paths.answer(headers(holder.proof("GET", BASE + path, now, access_token=token)), "GET", path)
    assert good.status_code == 404
    missing = unknown_paths.answer(headers(None), "GET", path)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("DPoP ")
