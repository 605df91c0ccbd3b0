"""Pushed authorization requests (RFC 9126) and a signed request object (RFC 9101) over real HTTP on the local
stack, with Authlib: its ``OAuth2Session`` builds the authorization request (state, PKCE S256) and redeems the code,
its ``OAuth2ClientAuth`` authenticates the POST to ``/v1/par`` exactly as at the token endpoint, and PyJWT signs a
request object with the client secret (HS256, accepted inside a PAR authenticated with that secret; Authlib's own
``authlib.jose`` is deprecated in 1.9). The
person signs in through the hosted forms with ``requests`` (no browser), as in test_e2e_code_flow.py, whose world
(server, user, group, clients, policy and rule made with the official SDK) this module reuses.

Authlib 1.9 has no PAR helper of its own (no ``pushed_authorization_request`` in the package): the push is a plain
authenticated POST of the parameters Authlib put in the authorization URL. Security cases PAR-01, PAR-08, JAR-03.
"""
from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qsl, urlsplit

import jwt
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.requests_client.oauth2_session import OAuth2ClientAuth

from test_e2e_code_flow import (PASSWORD, WEB_CB, Browser, answer, assert_error_page,  # noqa: F401 - fixture
                                front)


def _session(front, **kwargs) -> OAuth2Session:
    session = OAuth2Session(front.web.client_id, front.web.client_secret, scope="openid profile email",
                            redirect_uri=WEB_CB, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic", **kwargs)
    session.trust_env = False
    return session


def _push(front, session: OAuth2Session, params: dict[str, str]):
    return session.post(f"{front.issuer}/v1/par", data=params, timeout=30, withhold_token=True,
                        auth=OAuth2ClientAuth(front.web.client_id, front.web.client_secret, "client_secret_basic"))


def _through_pages(front, browser: Browser, first) -> dict[str, str]:
    response = browser.follow(first)
    if response.status_code == 200 and "<h1>Sign in</h1>" in response.text:
        response = browser.follow(browser.submit(response, username=front.login, password=PASSWORD))
    if response.status_code == 200 and "Allow access?" in response.text:
        response = browser.follow(browser.submit(response, decision="allow"))
    return answer(response)


def test_authlib_par_flow_to_tokens_and_single_use(front):
    session = _session(front)
    verifier = generate_token(48)
    url, state = session.create_authorization_url(front.authorize_url, code_verifier=verifier)
    pushed = _push(front, session, dict(parse_qsl(urlsplit(url).query)))
    assert pushed.status_code == 201, pushed.text
    assert pushed.headers["Cache-Control"] == "no-store"
    request_uri = pushed.json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:") and pushed.json()["expires_in"] == 60
    browser = front.browser()
    # PAR-08: only client_id and request_uri count at the authorize endpoint
    first = browser.get(front.authorize_url, client_id=front.web.client_id, request_uri=request_uri,
                        state="not-the-pushed-one")
    params = _through_pages(front, browser, first)
    assert params["state"] == state and params["iss"] == front.issuer
    token = session.fetch_token(f"{front.issuer}/v1/token", code=params["code"], code_verifier=verifier,
                                state=state)
    assert token["token_type"] == "Bearer" and token["id_token"] and "openid" in token["scope"]
    # PAR-01: the request_uri was good once
    again = front.browser().get(front.authorize_url, client_id=front.web.client_id, request_uri=request_uri)
    assert_error_page(again, 400)
    assert "invalid_request_uri" in again.text


def test_authlib_par_with_a_request_object_signed_by_the_client_secret(front):
    session = _session(front)
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(front.authorize_url, code_verifier=verifier)
    params = dict(parse_qsl(urlsplit(url).query))
    now = int(time.time())
    claims = {"iss": front.web.client_id, "aud": front.issuer, "iat": now, "exp": now + 120,
              "jti": secrets.token_urlsafe(16), **params, "state": "signed-state"}
    request_object = jwt.encode(claims, front.web.client_secret, algorithm="HS256",
                                headers={"typ": "oauth-authz-req+jwt"})
    pushed = _push(front, session, {"client_id": front.web.client_id, "request": request_object})
    assert pushed.status_code == 201, pushed.text
    browser = front.browser()
    first = browser.get(front.authorize_url, client_id=front.web.client_id, request_uri=pushed.json()["request_uri"])
    answered = _through_pages(front, browser, first)
    assert answered["state"] == "signed-state"
    token = session.fetch_token(f"{front.issuer}/v1/token", code=answered["code"], code_verifier=verifier)
    assert token["access_token"]
    # JAR-07: the same request object again is a replay
    replay = _push(front, session, {"client_id": front.web.client_id, "request": request_object})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_request_object"


def test_par_errors_over_the_wire(front):
    session = _session(front)
    unauthenticated = session.post(f"{front.issuer}/v1/par", withhold_token=True, timeout=30, data={
        "client_id": front.web.client_id, "response_type": "code", "redirect_uri": WEB_CB, "scope": "openid"})
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"
    bad_redirect = _push(front, session, {"response_type": "code", "redirect_uri": WEB_CB + "/x", "scope": "openid"})
    assert bad_redirect.status_code == 400 and bad_redirect.json()["error"] == "invalid_request"
    metadata = session.get(f"{front.issuer}/.well-known/oauth-authorization-server", timeout=30,
                           withhold_token=True).json()
    assert metadata["pushed_authorization_request_endpoint"] == f"{front.issuer}/v1/par"
    assert metadata["require_pushed_authorization_requests"] is False
