"""Pushed authorization requests (RFC 9126) in-process: the endpoint, ``request_uri`` at ``/v1/authorize``, requiring
PAR per client, discovery and the System Log. Security cases PAR-01..PAR-10 (docs/security-cases/par.md)."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from authorize_support import (AUTHORIZE, ISSUER, PASSWORD, WEB_CB, assert_error_page, authorize, callback,
                               pkce_pair, redeem)
from par_support import URN, authorize_with, finish, par, push, pushed_uri


def test_par08_happy_path_push_authorize_sign_in_code_token(front, browser):
    web = front.clients["web"]
    verifier, challenge = pkce_pair()
    response = push(front, web, code_challenge=challenge, code_challenge_method="S256", nonce="n-1")
    assert response.status_code == 201, response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.data) == {"request_uri", "expires_in"} and response.data["expires_in"] == 60
    request_uri = response.data["request_uri"]
    assert request_uri.startswith(URN) and len(request_uri) == len(URN) + 43
    # RFC 9126 4: only client_id and request_uri count; anything else sent alongside is ignored (PAR-08)
    params = finish(browser, authorize_with(browser, web["client_id"], request_uri, state="evil",
                                            redirect_uri="https://evil.example/cb", scope="openid profile"))
    assert params["state"] == "pushed-state" and params["iss"] == ISSUER
    token = redeem(front, web, params["code"], verifier=verifier)
    assert token.status_code == 200, token.data
    assert token.data["scope"] == "openid" and "id_token" in token.data


def test_par09_client_secret_post_and_public_client_with_none(front, browser):
    assert push(front, front.clients["web"], auth="post").status_code == 201
    spa = front.clients["spa"]
    # PAR-09: a public client may push (RFC 9126 2), PKCE is still required of it
    refused = push(front, spa, auth="none")
    assert refused.status_code == 400 and refused.data["error"] == "invalid_request"
    assert "PKCE" in refused.data["error_description"]
    verifier, challenge = pkce_pair()
    request_uri = pushed_uri(front, spa, auth="none", code_challenge=challenge, code_challenge_method="S256")
    params = finish(browser, authorize_with(browser, spa["client_id"], request_uri))
    assert redeem(front, spa, params["code"], verifier=verifier).status_code == 200


def test_par04_client_authentication_is_required_like_at_the_token_endpoint(front):
    web = front.clients["web"]
    missing = push(front, web, auth="absent")
    assert missing.status_code == 401 and missing.data["error"] == "invalid_client"
    confidential_as_public = push(front, web, auth="none")
    assert confidential_as_public.status_code == 401 and confidential_as_public.data["error"] == "invalid_client"
    wrong = push(front, {**web, "client_secret": "not-the-secret-at-all"})
    assert wrong.status_code == 401 and wrong.data["error"] == "invalid_client"
    assert "WWW-Authenticate" in wrong.headers
    unknown = push(front, {**web, "client_id": "0oaNOSUCHCLIENT00000"}, auth="post")
    assert unknown.status_code == 401 and unknown.data["error"] == "invalid_client"


def test_par05_request_is_validated_before_it_is_stored(front):
    web = front.clients["web"]
    cases = [
        ({"redirect_uri": "https://app.example/cb/"}, "invalid_request"),  # REDIR-01 exact match
        ({"redirect_uri": None}, "invalid_request"),
        ({"response_type": "token"}, "unauthorized_client"),
        ({"response_type": "code device"}, "unsupported_response_type"),
        ({"scope": "openid nope:unknown"}, "invalid_scope"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"state": "s" * 2049}, "invalid_request"),
        ({"nonce": "n" * 2049}, "invalid_request"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "plain"},
         "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
    ]
    for extra, error in cases:
        response = push(front, web, **extra)
        assert response.status_code == 400 and response.data["error"] == error, (extra, response.data)
        assert response.headers["Cache-Control"] == "no-store"


def test_par12_a_request_uri_inside_a_pushed_request_is_refused(front):
    response = push(front, front.clients["web"], request_uri=URN + "x" * 43)
    assert response.status_code == 400 and response.data["error"] == "invalid_request"
    assert "request_uri" in response.data["error_description"]


def test_par04_redir11_repeated_parameters_and_get_are_refused(front):
    web = front.clients["web"]
    body = urlencode([("client_id", web["client_id"]), ("client_secret", web["client_secret"]),
                      ("response_type", "code"), ("redirect_uri", WEB_CB), ("scope", "openid"), ("scope", "email")])
    response = front.client.http.post("/oauth2/default/v1/par", body=body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and json.loads(response.body)["error"] == "invalid_request"
    get = front.client.http.get("/oauth2/default/v1/par")
    assert get.status_code == 405 and get.headers["Allow"] == "POST"


def test_par01_a_request_uri_is_good_once(front, browser, browser2):
    web = front.clients["web"]
    request_uri = pushed_uri(front, web)
    first = authorize_with(browser, web["client_id"], request_uri)
    assert first.status_code == 302 and "/signin?" in first.headers["Location"]
    again = authorize_with(browser2, web["client_id"], request_uri)
    assert_error_page(again, 400, "invalid_request_uri")


def test_par03_an_expired_request_uri_is_refused(front, browser):
    web = front.clients["web"]
    fresh = pushed_uri(front, web)
    stale = pushed_uri(front, web)
    front.clock.advance(seconds=59)
    assert authorize_with(browser, web["client_id"], fresh).status_code == 302
    front.clock.advance(seconds=1)
    assert_error_page(authorize_with(browser, web["client_id"], stale), 400, "invalid_request_uri")


def test_par02_jar10_unknown_or_foreign_request_uris_are_an_error_page(front, browser):
    web = front.clients["web"]
    for value in (URN + "A" * 43, URN + "short", "https://evil.example/request.jwt", "urn:example:x"):
        assert_error_page(authorize_with(browser, web["client_id"], value), 400, "invalid_request_uri")


def test_par07_a_request_uri_is_bound_to_its_server(front, browser):
    web = front.clients["web"]
    other = front.api.post("/api/v1/authorizationServers", {"name": "second", "audiences": ["api://2"]}).data
    request_uri = pushed_uri(front, web)
    response = authorize_with(browser, web["client_id"], request_uri,
                              url=f"https://tokenmint.test/oauth2/{other['id']}/v1/authorize")
    assert_error_page(response, 400, "invalid_request_uri")
    assert "another authorization server" in response.text
    # and it is spent: not usable at its own server afterwards either
    assert_error_page(authorize_with(browser, web["client_id"], request_uri), 400, "invalid_request_uri")


def test_par06_a_request_uri_is_bound_to_its_client(front, browser):
    web, other = front.clients["web"], front.clients["other"]
    request_uri = pushed_uri(front, web)
    response = authorize_with(browser, other["client_id"], request_uri)
    assert_error_page(response, 400, "invalid_client")
    assert "does not match" in response.text
    # presented by the wrong client, it is burnt for the right one too
    assert_error_page(authorize_with(browser, web["client_id"], request_uri), 400, "invalid_request_uri")


def test_par10_a_client_can_be_required_to_push(front, browser):
    web = front.clients["web"]
    path = f"/oauth2/v1/clients/{web['client_id']}"
    body = {k: v for k, v in front.api.get(path).data.items() if k not in ("_links", "client_secret")}
    body["require_pushed_authorization_requests"] = True
    updated = front.api.put(path, body)
    assert updated.status_code == 200 and updated.data["require_pushed_authorization_requests"] is True
    app = front.api.get(f"/api/v1/apps/{web['client_id']}").data
    assert app["settings"]["oauthClient"]["require_pushed_authorization_requests"] is True
    refused = callback(authorize(browser, web))
    assert refused["error"] == "invalid_request" and "pushed authorization" in refused["error_description"]
    assert refused["state"] == "st-1" and refused["iss"] == ISSUER
    params = finish(browser, authorize_with(browser, web["client_id"], pushed_uri(front, web)))
    assert params["code"] and params["state"] == "pushed-state"


def test_par10_the_applications_api_sets_the_requirement_too(front):
    body = {"name": "oidc_client", "label": "Pushy", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code"],
                                         "response_types": ["code"], "redirect_uris": [WEB_CB],
                                         "require_pushed_authorization_requests": True}}}
    app = front.api.post("/api/v1/apps", body)
    assert app.status_code == 200, app.data
    client = front.api.get(f"/oauth2/v1/clients/{app.data['id']}").data
    assert client["require_pushed_authorization_requests"] is True
    body["settings"]["oauthClient"]["require_pushed_authorization_requests"] = "yes"
    bad = front.api.post("/api/v1/apps", body)
    assert bad.status_code == 400
    assert "require_pushed_authorization_requests" in json.dumps(bad.data)


def test_par11_a_rule_without_authorization_code_still_refuses(front, browser):
    config = front.container.servers.load("default")
    rule = next(r for r in config.rules if r.is_default)
    path = f"/api/v1/authorizationServers/{front.server_id}/policies/{rule.policy_id}/rules/{rule.id}"
    body = front.api.get(path).data
    body["conditions"]["grantTypes"]["include"] = ["client_credentials"]
    assert front.api.put(path, body).status_code == 200
    web = front.clients["web"]
    params = finish(browser, authorize_with(browser, web["client_id"], pushed_uri(front, web)))
    assert params["error"] == "access_denied" and params["error_description"].startswith("Policy evaluation failed")
    assert params["state"] == "pushed-state"


def test_par11_a_redirect_uri_removed_after_the_push_is_never_used(front, browser):
    web = front.clients["web"]
    request_uri = pushed_uri(front, web, redirect_uri="https://app.example/q?a=1")
    path = f"/oauth2/v1/clients/{web['client_id']}"
    body = {k: v for k, v in front.api.get(path).data.items() if k not in ("_links", "client_secret")}
    body["redirect_uris"] = [WEB_CB]
    assert front.api.put(path, body).status_code == 200
    assert_error_page(authorize_with(browser, web["client_id"], request_uri), 400, "invalid_request")


def test_par_discovery_advertises_the_endpoint_and_request_objects(front):
    for path in ("/oauth2/default/.well-known/openid-configuration",
                 "/oauth2/default/.well-known/oauth-authorization-server"):
        doc = json.loads(front.client.http.get(path).body)
        assert doc["pushed_authorization_request_endpoint"] == f"{ISSUER}/v1/par"
        assert doc["require_pushed_authorization_requests"] is False
        assert doc["request_parameter_supported"] is True
        assert doc["request_uri_parameter_supported"] is False
        assert {"RS256", "ES256", "HS256"} <= set(doc["request_object_signing_alg_values_supported"])
        assert "none" not in doc["request_object_signing_alg_values_supported"]
    org = json.loads(front.client.http.get("/.well-known/openid-configuration").body)
    assert org["pushed_authorization_request_endpoint"] == "https://tokenmint.test/oauth2/v1/par"


def test_par_at_the_org_authorization_server(front, browser):
    web = front.clients["web"]
    response = push(front, web, path="/oauth2/v1/par")
    assert response.status_code == 201, response.data
    first = authorize_with(browser, web["client_id"], response.data["request_uri"],
                           url="https://tokenmint.test/oauth2/v1/authorize")
    assert first.status_code == 302 and "/signin?" in first.headers["Location"]
    # an org request_uri is not one of the default server's
    other = push(front, web, path="/oauth2/v1/par").data["request_uri"]
    assert_error_page(authorize_with(browser, web["client_id"], other), 400, "invalid_request_uri")


def _events(front, event_type: str) -> list[dict]:
    query = urlencode({"filter": f'eventType eq "{event_type}"', "since": "2020-01-01T00:00:00Z",
                       "until": "2030-01-01T00:00:00Z"})
    response = front.api.get(f"/api/v1/logs?{query}")
    assert response.status_code == 200, response.data
    return response.data


def test_par_pushes_are_system_log_events_without_secrets(front):
    web = front.clients["web"]
    pushed_uri(front, web, scope="openid email")
    push(front, {**web, "client_secret": "wrong-secret-value-123"})
    push(front, web, redirect_uri="https://evil.example/cb")
    found = _events(front, "app.oauth2.as.par")
    outcomes = sorted(e["outcome"]["result"] for e in found)
    assert outcomes == ["FAILURE", "FAILURE", "SUCCESS"], found
    success = next(e for e in found if e["outcome"]["result"] == "SUCCESS")
    assert success["actor"]["id"] == web["client_id"]
    assert success["debugContext"]["debugData"]["requestedScopes"] == "openid email"
    failures = [e for e in found if e["outcome"]["result"] == "FAILURE"]
    assert {e["debugContext"]["debugData"]["error"] for e in failures} == {"invalid_client", "invalid_request"}
    text = json.dumps(found)
    assert web["client_secret"] not in text and "wrong-secret-value-123" not in text and PASSWORD not in text
    assert URN not in text  # the request_uri is a bearer reference: never logged


def test_par_refused_request_uris_are_authorize_failures_in_the_log(front, browser):
    web = front.clients["web"]
    assert_error_page(authorize_with(browser, web["client_id"], URN + "B" * 43), 400, "invalid_request_uri")
    refused = [e for e in _events(front, "app.oauth2.as.authorize")
               if e["debugContext"]["debugData"].get("error") == "invalid_request_uri"]
    assert len(refused) == 1 and refused[0]["outcome"]["result"] == "FAILURE"
