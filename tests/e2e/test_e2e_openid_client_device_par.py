"""openid-client v6 (node) against the local stack for the device authorization grant (RFC 8628) and pushed
authorization requests (RFC 9126), the person's side done here with ``requests`` through the hosted HTML forms while
node runs (``node_client.start_openid_client``: node's events come as JSON lines, the test answers on node's stdin).

- Device: openid-client's ``initiateDeviceAuthorization`` then ``pollDeviceAuthorizationGrant``; the person signs in
  on the device page and approves only after node's first poll was answered ``authorization_pending``, so the test
  sees openid-client wait that answer out (the server's interval is 5 s: about 10 s in all). The world is
  test_e2e_device.py's (a native public app registered for the device grant, a rule listing the grant).
- PAR: openid-client's ``buildAuthorizationUrlWithPAR`` (client_secret_basic, PKCE S256, state) pushes the request;
  the person follows the URL it gives (client_id + request_uri only), signs in and consents; node redeems the
  callback with ``authorizationCodeGrant`` (state, iss and PKCE checked by openid-client). The world is
  test_e2e_code_flow.py's (its confidential web client).
"""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import requests

from node_client import start_openid_client
from test_e2e_code_flow import PASSWORD as FLOW_PASSWORD
from test_e2e_code_flow import WEB_CB, Browser, answer, front  # noqa: F401 - fixture
from test_e2e_device import PASSWORD as DEVICE_PASSWORD
from test_e2e_device import _form, world  # noqa: F401 - fixture


def _verified(token: str, issuer: str, audience: str) -> dict[str, Any]:
    keys = jwt.PyJWKClient(f"{issuer}/v1/keys")
    return jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=audience,
                      issuer=issuer)


def _approve(world: dict[str, Any], device: dict[str, Any]) -> None:
    """The person: the complete verification URI, sign-in, the prefilled code, Approve."""
    person = requests.Session()
    person.trust_env = False
    page = person.get(device["verification_uri_complete"], timeout=30)
    form = _form(page.text)
    entry = person.post(form["action"], data={**form["fields"], "username": world["login"],
                                              "password": DEVICE_PASSWORD}, timeout=30)
    form = _form(entry.text)
    assert form["fields"]["user_code"] == device["user_code"]
    confirm = person.post(form["action"], data=form["fields"], timeout=30)
    assert "Connect this device?" in confirm.text and device["user_code"] in confirm.text
    form = _form(confirm.text)
    done = person.post(form["action"], data={**form["fields"], "decision": "approve"}, timeout=30)
    assert done.status_code == 200 and "Device connected" in done.text


def test_openid_client_device_flow_polls_through_pending_to_tokens(world):
    token_path = urlsplit(f"{world['issuer']}/v1/token").path
    with start_openid_client("device_authorization", issuer=world["issuer"], clientId=world["client_id"],
                             scope="openid offline_access") as node:
        device = node.next_event("device_authorization")["response"]
        assert device["verification_uri"] == f"{world['issuer']}/device" and device["interval"] == 5
        assert device["expires_in"] == 600 and device["device_code"] and device["user_code"]
        assert device["verification_uri_complete"].startswith(f"{world['issuer']}/device?user_code=")
        started = time.monotonic()
        # openid-client waits the interval, then polls: the person has not approved yet.
        first_poll = node.next_event("exchange")
        assert (first_poll["path"], first_poll["status"], first_poll["error"]) == (
            token_path, 400, "authorization_pending")
        assert time.monotonic() - started >= 4  # it waited (about) the 5 s interval first
        _approve(world, device)
        outcome = node.finish()
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert result["device"]["device_code"] == device["device_code"]
    polls = [(e["method"], e["status"], e.get("error")) for e in outcome["exchanges"] if e["path"] == token_path]
    # pending once, then the tokens: no slow_down (openid-client kept the interval)
    assert polls == [("POST", 400, "authorization_pending"), ("POST", 200, None)]
    device_calls = [e for e in outcome["exchanges"] if e["path"].endswith("/v1/device/authorize")]
    assert [(e["method"], e["status"]) for e in device_calls] == [("POST", 200)]

    tokens = result["tokens"]
    assert tokens["token_type"].lower() == "bearer" and tokens["refresh_token"]  # openid-client lowercases the type
    assert set(tokens["scope"].split()) == {"openid", "offline_access"}
    claims = _verified(tokens["id_token"], world["issuer"], world["client_id"])
    assert claims["sub"] == world["user_id"]
    # openid-client's own view of the ID token (tokens.claims()) agrees
    assert (result["tokens"]["claims"]["sub"], result["tokens"]["claims"]["aud"]) == (world["user_id"],
                                                                                      world["client_id"])
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access["cid"] == world["client_id"] and access["uid"] == world["user_id"]
    assert set(access["scp"]) == {"openid", "offline_access"} and access["iss"] == world["issuer"]
    # the device code was redeemed: it is no good a second time
    again = requests.post(f"{world['issuer']}/v1/token", timeout=30, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device["device_code"],
        "client_id": world["client_id"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_openid_client_par_push_then_code_flow_with_pkce(front):  # noqa: F811 - fixture
    par_path = urlsplit(f"{front.issuer}/v1/par").path
    with start_openid_client("par_code_flow", issuer=front.issuer, clientId=front.web.client_id,
                             clientSecret=front.web.client_secret, clientAuth="client_secret_basic",
                             redirectUri=WEB_CB, scope="openid profile email") as node:
        pushed = node.next_event("authorization_url")
        url = urlsplit(pushed["url"])
        query = dict(parse_qsl(url.query))
        # only client_id and the request_uri travel through the browser: the rest was pushed
        assert f"{url.scheme}://{url.netloc}{url.path}" == front.authorize_url
        assert set(query) == {"client_id", "request_uri"} and query["client_id"] == front.web.client_id
        assert query["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")

        browser = front.browser()
        response = browser.follow(browser.get(pushed["url"]))
        assert response.status_code == 200 and "<h1>Sign in</h1>" in response.text, response.text[:300]
        response = browser.follow(browser.submit(response, username=front.login, password=FLOW_PASSWORD))
        if response.status_code == 200 and "Allow access?" in response.text:
            response = browser.follow(browser.submit(response, decision="allow"))
        callback = response.headers.get("Location", "")
        params = answer(response)
        assert callback.startswith(WEB_CB + "?")
        # the pushed state and redirect URI were the ones used
        assert params["state"] == pushed["state"] and params["iss"] == front.issuer and params["code"]
        node.send({"callback": callback})
        outcome = node.finish()
    assert "error" not in outcome, outcome
    exchanges = [(e["method"], e["path"], e["status"]) for e in outcome["exchanges"]]
    assert ("POST", par_path, 201) in exchanges
    assert ("POST", urlsplit(f"{front.issuer}/v1/token").path, 200) in exchanges
    tokens = outcome["result"]["tokens"]
    assert tokens["token_type"].lower() == "bearer"  # openid-client lowercases it
    assert set(tokens["scope"].split()) >= {"openid", "profile", "email"}
    claims = _verified(tokens["id_token"], front.issuer, front.web.client_id)
    assert claims["sub"] == front.user_id and tokens["claims"]["sub"] == front.user_id
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access["cid"] == front.web.client_id and access["uid"] == front.user_id
    # the request_uri was single use: the authorize endpoint refuses it now
    again = front.browser().get(front.authorize_url, client_id=front.web.client_id,
                                request_uri=query["request_uri"])
    assert again.status_code == 400 and "invalid_request_uri" in again.text
    # the pushed request carried PKCE: the code's redemption needed the verifier node kept (a replay fails)
    replay = front.token(front.web, grant_type="authorization_code", code=params["code"], redirect_uri=WEB_CB)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
