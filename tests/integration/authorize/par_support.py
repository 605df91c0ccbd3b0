"""Helpers of the PAR and request-object integration tests (imported as ``par_support``): pushing to ``/v1/par``,
authorizing with a ``request_uri``, clients with an RSA key, and signing request objects with PyJWT."""
from __future__ import annotations

import base64
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from authorize_support import AUTHORIZE, ISSUER, PASSWORD, WEB_CB, Browser, callback, through

PAR_PATH = "/oauth2/default/v1/par"
URN = "urn:ietf:params:oauth:request_uri:"


def par(front: Any, client: dict, data: dict[str, str], auth: str = "basic", path: str = PAR_PATH,
        extra_headers: dict[str, str] | None = None) -> Any:
    """POST to the PAR endpoint, authenticating as ``auth`` says: basic, post, none (client_id only) or absent."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(extra_headers or {})}
    body = dict(data)
    if auth == "basic":
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{client['client_id']}:{client['client_secret']}".encode()).decode()
    elif auth == "post":
        body.update(client_id=client["client_id"], client_secret=client["client_secret"])
    elif auth == "none":
        body["client_id"] = client["client_id"]
    response = front.client.http.post(path, headers=headers, body=urlencode(body))
    response.data = json.loads(response.body) if response.body else None
    return response


def push(front: Any, client: dict, auth: str = "basic", path: str = PAR_PATH,
         extra_headers: dict[str, str] | None = None, **params: str) -> Any:
    data = {"response_type": "code", "redirect_uri": client["redirect_uris"][0], "scope": "openid",
            "state": "pushed-state"}
    data.update(params)
    return par(front, client, {k: v for k, v in data.items() if v is not None}, auth, path, extra_headers)


def pushed_uri(front: Any, client: dict, **params: str) -> str:
    response = push(front, client, **params)
    assert response.status_code == 201, (response.status_code, response.data)
    return response.data["request_uri"]


def authorize_with(browser: Browser, client_id: str, request_uri: str, url: str = AUTHORIZE, **extra: str) -> Any:
    return browser.get(url, client_id=client_id, request_uri=request_uri, **extra)


def finish(browser: Browser, response: Any, username: str = "alice@example.com") -> dict[str, str]:
    """Follow an authorize response through sign-in (and consent) to the client's callback parameters."""
    response = browser.follow(response)
    if response.status_code == 200 and "<h1>Sign in</h1>" in response.text:
        response = browser.submit(response, username=username, password=PASSWORD)
    return callback(through(browser, response))


# -- clients with keys, and request objects -------------------------------------------------------------------------


def rsa_key() -> tuple[Any, dict[str, Any]]:
    """A private key and its public JWK (with a kid)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update(kid="k-" + secrets.token_hex(4), use="sig")
    return key, public


def keyed_client(front: Any, *, method: str = "client_secret_basic", jwk: dict[str, Any] | None = None,
                 **extra: Any) -> dict:
    """A web client (assigned to alice and dave) with ``jwk`` registered."""
    body: dict[str, Any] = {"application_type": "web", "grant_types": ["authorization_code"],
                            "response_types": ["code"], "redirect_uris": [WEB_CB], "client_name": "Keyed",
                            "token_endpoint_auth_method": method, **extra}
    if jwk is not None:
        body["jwks"] = {"keys": [jwk]}
    response = front.api.post("/oauth2/v1/clients", body)
    assert response.status_code == 201, response.data
    client = response.data
    for user in ("alice", "dave"):
        assert front.api.post(f"/api/v1/apps/{client['client_id']}/users",
                              {"id": front.users[user]["id"]}).status_code == 200
    return client


def request_object(front: Any, cid: str, key: Any, alg: str = "RS256", kid: str | None = None,
                   headers: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **claims: Any) -> str:
    """A request object signed with ``key`` (claims at the test world's clock: iss, aud, iat, exp 5 min, jti)."""
    now = int(front.clock.now().timestamp())
    body: dict[str, Any] = {"iss": cid, "aud": ISSUER, "iat": now, "exp": now + 300,
                            "jti": secrets.token_urlsafe(16), "client_id": cid, "response_type": "code",
                            "redirect_uri": WEB_CB, "scope": "openid", "state": "signed-state"}
    body.update(claims)
    for name in drop:
        body.pop(name, None)
    header = dict(headers or {})
    if kid:
        header["kid"] = kid
    return jwt.encode(body, key, algorithm=alg, headers=header or None)


def client_assertion(front: Any, client_id: str, key: Any, kid: str, aud: str) -> str:
    now = int(front.clock.now().timestamp())
    return jwt.encode({"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60,
                       "jti": secrets.token_urlsafe(16)}, key, algorithm="RS256", headers={"kid": kid})

