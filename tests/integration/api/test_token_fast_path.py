"""The token endpoint's fast path (chalicelib/api/fastpath.py) answers exactly as Chalice's routing does.

Every event below goes once through ``app(event, context)`` (the fast path, which is what Lambda and the local stack
call) and once through ``Chalice.__call__`` (the same app, routed by Chalice to the blueprint's view), and the two
responses must be the same but for the random parts: the request id and the token's ``jti`` and signature.
"""
from __future__ import annotations

import base64
import json
import re
from urllib.parse import urlencode

import jwt
import pytest
from chalice import Chalice

from bench.apigw import LambdaContext, gateway_headers, keys_event, proxy_event

TOKEN = "/oauth2/{authServerId}/v1/token"
SCOPE = "fast:read"


@pytest.fixture
def app(container):
    from app import app

    return app


@pytest.fixture
def service(container):
    container.scopes.create("default", {"name": SCOPE, "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    client, secret = container.clients.create({"client_name": "fast", "application_type": "service"})
    return client.client_id, secret


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_event(body: str | None, headers: dict[str, str], server: str = "default", **changes) -> dict:
    event = proxy_event("POST", TOKEN, server, gateway_headers(headers), body)
    event.update(changes)
    return event


def both(app, event) -> tuple[dict, dict]:
    fast = app(event, LambdaContext())
    routed = Chalice.__call__(app, event, LambdaContext())
    return fast, routed


def comparable(response: dict) -> dict:
    """The response without its random parts (request id, Okta's errorId; jti, signature and so the token's
    bytes)."""
    out = json.loads(json.dumps(response))
    request_id = out["headers"].pop("X-Okta-Request-Id")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    body = out.get("body")
    if isinstance(body, str) and body.startswith("{"):
        out["body"] = json.loads(body)
        if "errorId" in out["body"]:
            assert re.fullmatch(r"oae[A-Za-z0-9]{22}", out["body"].pop("errorId"))
        access_token = out["body"].get("access_token")
        if access_token:
            header = jwt.get_unverified_header(access_token)
            claims = jwt.decode(access_token, options={"verify_signature": False})
            assert claims.pop("jti").startswith("AT.")
            out["body"]["access_token"] = {"header": header, "claims": claims}
    return out


def assert_same(app, event) -> dict:
    fast, routed = both(app, event)
    assert comparable(fast) == comparable(routed)
    assert set(fast) == set(routed)
    return fast


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CC = urlencode({"grant_type": "client_credentials", "scope": SCOPE})


def test_a_token_is_the_same_either_way(app, service):
    response = assert_same(app, token_event(CC, {**FORM, "Authorization": basic(*service)}))
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "no-store"
    assert json.loads(response["body"])["scope"] == SCOPE


def test_client_secret_post_and_lower_case_header_names(app, service):
    client_id, secret = service
    body = urlencode({"grant_type": "client_credentials", "scope": SCOPE, "client_id": client_id,
                      "client_secret": secret})
    response = assert_same(app, token_event(body, {"content-type": "application/x-www-form-urlencoded"}))
    assert response["statusCode"] == 200


def test_a_base64_encoded_body(app, service):
    event = token_event(base64.b64encode(CC.encode()).decode(), {**FORM, "Authorization": basic(*service)},
                        isBase64Encoded=True)
    assert assert_same(app, event)["statusCode"] == 200


@pytest.mark.parametrize("case", [
    "wrong secret", "no credentials", "json body", "no content type", "image body", "repeated parameter",
    "empty body", "no body", "not utf-8", "unknown scope", "no grant type", "unknown grant type", "unknown server",
    "broken base64",
])
def test_errors_are_the_same_either_way(app, service, case):
    client_id, secret = service
    auth = {"Authorization": basic(client_id, secret)}
    events = {
        "wrong secret": token_event(CC, {**FORM, "Authorization": basic(client_id, secret + "x")}),
        "no credentials": token_event(CC, FORM),
        "json body": token_event(json.dumps({"grant_type": "client_credentials"}),
                                 {"Content-Type": "application/json", **auth}),
        "no content type": token_event(CC, auth),
        "image body": token_event("\x89PNG", {"Content-Type": "image/png", **auth}),
        "repeated parameter": token_event(CC + "&scope=" + SCOPE, {**FORM, **auth}),
        "empty body": token_event("", {**FORM, **auth}),
        "no body": token_event(None, {**FORM, **auth}),
        "not utf-8": token_event(base64.b64encode(b"grant_type=\xff").decode(), {**FORM, **auth},
                                 isBase64Encoded=True),
        "unknown scope": token_event(urlencode({"grant_type": "client_credentials", "scope": "nope"}),
                                     {**FORM, **auth}),
        "no grant type": token_event("scope=" + SCOPE, {**FORM, **auth}),
        "unknown grant type": token_event("grant_type=urn:x", {**FORM, **auth}),
        "unknown server": token_event(CC, {**FORM, **auth}, server="ausNoSuchServer0000"),
        "broken base64": token_event("%%%", {**FORM, **auth}, isBase64Encoded=True),
    }
    response = assert_same(app, events[case])
    assert response["statusCode"] >= 400
    assert response["headers"]["Cache-Control"] == "no-store"


def test_a_wrong_secret_carries_the_basic_challenge(app, service):
    response = assert_same(app, token_event(CC, {**FORM, "Authorization": basic(service[0], "wrong")}))
    assert response["statusCode"] == 401
    assert response["headers"]["WWW-Authenticate"] == 'Basic realm="tokenmint"'


def test_other_methods_and_routes_are_left_to_chalice(app, service):
    get = proxy_event("GET", TOKEN, "default", gateway_headers({}), None)
    response = app(get, LambdaContext())
    assert response["statusCode"] == 405 and response["headers"]["Allow"] == "POST"
    keys = app(keys_event("default"), LambdaContext())
    assert keys["statusCode"] == 200 and json.loads(keys["body"])["keys"]
    # The fast path leaves Chalice's state alone: a routed request after a fast one still sees its own request.
    assert app(token_event(CC, {**FORM, "Authorization": basic(*service)}), LambdaContext())["statusCode"] == 200
    assert app(keys_event("default"), LambdaContext())["statusCode"] == 200


@pytest.mark.parametrize("origin, allowed", [("https://spa.example.com", True), ("https://evil.example.com", False),
                                             (None, False)])
def test_cors_headers_are_the_same_either_way(app, service, container, origin, allowed):
    """security-checklist DISC-05: the fast path answers a browser app's token request with the same CORS headers."""
    container.trusted_origins.create({"name": "spa", "origin": "https://spa.example.com", "scopes": [{"type": "CORS"}]},
                                     None)
    headers = {**FORM, "Authorization": basic(*service), **({"Origin": origin} if origin else {})}
    for event in (token_event(CC, headers), token_event(CC, {**headers, "Authorization": basic(service[0], "x")})):
        response = assert_same(app, event)
        assert response["headers"]["Vary"] == "Origin"
        assert response["headers"].get("Access-Control-Allow-Origin") == (origin if allowed else None)


# -- DPoP (RFC 9449; docs/security-cases/dpop.md): the proof header and the nonce header reach both paths alike ----

def _dpop_holder():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dpop"))
    from dpop_support import Holder

    return Holder.ec()


@pytest.fixture
def dpop_service(container):
    container.scopes.create("default", {"name": SCOPE, "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    client, secret = container.clients.create({"client_name": "fast-dpop", "application_type": "service",
                                               "dpop_bound_access_tokens": True})
    return client.client_id, secret


def _now(container) -> int:
    return int(container.clock.now().timestamp())


def test_dpop_refusals_and_the_nonce_are_the_same_either_way(app, dpop_service, container):
    url = f"{container.settings.base_url}/oauth2/default/v1/token"
    holder = _dpop_holder()
    headers = {**FORM, "Authorization": basic(*dpop_service)}
    missing = assert_same(app, token_event(CC, headers))
    assert (missing["statusCode"], json.loads(missing["body"])["error"]) == (400, "invalid_dpop_proof")
    # Without a nonce: nothing is spent, so one proof serves both paths; both hand out the same nonce.
    challenge = assert_same(app, token_event(CC, {**headers, "DPoP": holder.proof("POST", url, _now(container))}))
    assert json.loads(challenge["body"])["error"] == "use_dpop_nonce"
    nonce = challenge["headers"]["DPoP-Nonce"]
    bad = holder.proof("GET", url, _now(container), nonce=nonce)
    assert json.loads(assert_same(app, token_event(CC, {**headers, "DPoP": bad}))["body"])["error"] == \
        "invalid_dpop_proof"


def test_dpop_two_proof_headers_are_refused_either_way(app, dpop_service, container):
    """DPOP-02: two DPoP header fields (API Gateway's multiValueHeaders), or two values in one."""
    url = f"{container.settings.base_url}/oauth2/default/v1/token"
    holder = _dpop_holder()
    one, two = (holder.proof("POST", url, _now(container)) for _ in range(2))
    headers = {**FORM, "Authorization": basic(*dpop_service), "DPoP": two}
    event = token_event(CC, headers)
    event["multiValueHeaders"]["DPoP"] = [one, two]
    for sent in (event, token_event(CC, {**headers, "DPoP": f"{one}, {two}"})):
        response = assert_same(app, sent)
        assert (response["statusCode"], json.loads(response["body"])) == (400, {
            "error": "invalid_dpop_proof", "error_description": "Multiple DPoP proof JWT headers are present."})


def test_a_dpop_token_is_the_same_either_way(app, dpop_service, container):
    url = f"{container.settings.base_url}/oauth2/default/v1/token"
    holder = _dpop_holder()
    headers = {**FORM, "Authorization": basic(*dpop_service)}
    nonce = app(token_event(CC, {**headers, "DPoP": holder.proof("POST", url, _now(container))}),
                LambdaContext())["headers"]["DPoP-Nonce"]
    # Each path spends its proof's jti: two proofs by the same key.
    fast = app(token_event(CC, {**headers, "DPoP": holder.proof("POST", url, _now(container), nonce=nonce)}),
               LambdaContext())
    routed = Chalice.__call__(app, token_event(CC, {**headers, "DPoP": holder.proof("POST", url, _now(container),
                                                                                      nonce=nonce)}), LambdaContext())
    assert comparable(fast) == comparable(routed)
    body = comparable(fast)["body"]
    assert body["token_type"] == "DPoP"
    assert body["access_token"]["claims"]["cnf"] == {"jkt": holder.jkt()}
