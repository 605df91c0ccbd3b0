"""Helpers for the OAuth end-to-end tests (``test_e2e_oauth_*.py``): clients registered through the admin API, a
fresh authorization server shaped by scopes, a claim, a policy and a rule, client assertions, and the checks every
OAuth error response must pass.

Everything talks to the real local stack over HTTP (the ``stack`` fixture of ``conftest.py``); nothing is mocked.
Test modules import it as ``oauth_support`` (this directory is on ``sys.path`` because it holds a ``conftest.py``).
"""
from __future__ import annotations

import base64
import json
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import quote_plus

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from e2e_support import call, claim_body, expect, policy_body, rule_body, scope_body, server_body, unique

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# RFC 6749 5.2: error and error_description may hold only these characters.
ERROR_CHARS = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]+$")
# RFC 6749 Appendix A.12 (access_token is VSCHAR); a JWT is narrower still: base64url segments and dots.
JWT_CHARS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
BASIC_CHALLENGE = re.compile(r"^Basic\b", re.IGNORECASE)

# The world's scopes and claim (on the fresh server).
READ = "e2e:read"  # default scope, published in discovery
WRITE = "e2e:write"  # not published (NO_CLIENTS); the custom claim rides on it
ADMIN = "e2e:admin"  # defined on the server, not allowed by the rule
CONSENTED = "e2e:consent"  # consent REQUIRED: never grantable to client_credentials
CLAIM = "e2e_tier"
RULE_MINUTES = 15


# --------------------------------------------------------------------------------------------------------------
# Servers and clients
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthServer:
    id: str
    issuer: str
    audience: str

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/v1/token"

    @property
    def introspect_url(self) -> str:
        return f"{self.issuer}/v1/introspect"

    @property
    def revoke_url(self) -> str:
        return f"{self.issuer}/v1/revoke"

    @property
    def keys_url(self) -> str:
        return f"{self.issuer}/v1/keys"

    def metadata_url(self, openid: bool) -> str:
        return f"{self.issuer}/.well-known/{'openid-configuration' if openid else 'oauth-authorization-server'}"


@dataclass
class RegisteredClient:
    client_id: str
    client_secret: str | None
    registration: dict[str, Any]
    private_key: rsa.RSAPrivateKey | None = None
    kid: str | None = None

    @property
    def auth(self) -> tuple[str, str]:
        assert self.client_secret is not None
        return self.client_id, self.client_secret

    @property
    def private_pem(self) -> bytes:
        assert self.private_key is not None
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


class ClientAdmin:
    """``/oauth2/v1/clients`` with the admin token (plain requests; the path is outside Okta's management spec)."""

    def __init__(self, http: requests.Session, base_url: str, token: str) -> None:
        self.http = http
        self.url = f"{base_url}/oauth2/v1/clients"
        self.headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
        self.created: list[str] = []

    def register(self, **body: Any) -> RegisteredClient:
        body.setdefault("client_name", unique("e2e-oauth-client"))
        response = self.http.post(self.url, headers=self.headers, json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        assert response.headers.get("Cache-Control") == "no-store" or data.get("client_secret") is None
        self.created.append(data["client_id"])
        return RegisteredClient(client_id=data["client_id"], client_secret=data.get("client_secret"),
                                registration=data)

    def service(self, method: str = "client_secret_basic", **body: Any) -> RegisteredClient:
        return self.register(application_type="service", token_endpoint_auth_method=method, **body)

    def private_key_jwt(self) -> RegisteredClient:
        key, kid = new_rsa_key(), unique("e2e-kid")
        client = self.service("private_key_jwt", jwks={"keys": [public_jwk(key, kid)]})
        client.private_key, client.kid = key, kid
        return client

    def new_secret(self, client_id: str) -> str:
        response = self.http.post(f"{self.url}/{client_id}/lifecycle/newSecret", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["client_secret"]

    def delete(self, client_id: str) -> None:
        response = self.http.delete(f"{self.url}/{client_id}", headers=self.headers)
        assert response.status_code in (204, 404), response.text
        if client_id in self.created:
            self.created.remove(client_id)

    def delete_all(self) -> None:
        for client_id in list(self.created):
            self.delete(client_id)


def server_of(okta_server: Any, base_url: str) -> AuthServer:
    """The server as the management API describes it: its ``issuer`` is what tokens and discovery must carry."""
    path_id = "default" if okta_server.name == "default" else okta_server.id
    assert okta_server.issuer == f"{base_url}/oauth2/{path_id}", okta_server.issuer
    return AuthServer(id=okta_server.id, issuer=okta_server.issuer, audience=okta_server.audiences[0])


def create_server(okta_client: Any, base_url: str) -> AuthServer:
    return server_of(expect(201, okta_client.create_authorization_server(server_body(name=unique("e2e-oauth-as")))),
                     base_url)


def drop_server(okta_client: Any, server_id: str) -> None:
    call(okta_client.deactivate_authorization_server(server_id))
    call(okta_client.delete_authorization_server(server_id))


# --------------------------------------------------------------------------------------------------------------
# The world every OAuth module works in
# --------------------------------------------------------------------------------------------------------------


@dataclass
class World:
    stack: Any
    http: requests.Session
    admin: ClientAdmin
    server: AuthServer  # fresh: scopes READ/WRITE/ADMIN/CONSENTED, claim CLAIM, one policy for the clients below
    default: AuthServer  # the ``default`` server, with ``default_scope`` added (its own policy: ALL_CLIENTS)
    default_scope: str
    policy_id: str
    basic: RegisteredClient  # service, client_secret_basic
    post: RegisteredClient  # service, client_secret_post
    key_jwt: RegisteredClient  # service, private_key_jwt (jwks)
    public: RegisteredClient  # browser, none
    code_only: RegisteredClient  # web, client_secret_basic, authorization_code only
    outsider: RegisteredClient  # service, client_secret_basic, not in the policy

    def token(self, client: RegisteredClient, server: AuthServer | None = None, scope: str | None = READ,
              **extra: str) -> dict[str, Any]:
        """A token through plain HTTP with client_secret_basic (or an assertion for the private_key_jwt client)."""
        server = server or self.server
        data = {"grant_type": "client_credentials", **extra}
        if scope is not None:
            data["scope"] = scope
        if client.private_key is not None:
            data.update(client_assertion_type=ASSERTION_TYPE,
                        client_assertion=assertion(client, server.token_url))
            response = self.http.post(server.token_url, data=data)
        else:
            response = self.http.post(server.token_url, data=data, auth=client.auth)
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def world(okta_client: Any, http: requests.Session, stack: Any) -> Iterator[World]:
    admin = ClientAdmin(http, stack.base_url, stack.token)
    server = create_server(okta_client, stack.base_url)
    default = server_of(expect(200, okta_client.get_authorization_server("default")), stack.base_url)
    default_scope = unique("e2e.default")
    default_scope_id = None
    try:
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(
            READ, default=True, metadata_publish="ALL_CLIENTS")))
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(WRITE, metadata_publish="NO_CLIENTS")))
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(ADMIN, metadata_publish="ALL_CLIENTS")))
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(CONSENTED, consent="REQUIRED")))
        expect(201, okta_client.create_o_auth2_claim(server.id, claim_body(
            CLAIM, value='"gold-" + app.clientId', scopes=[WRITE], always_include_in_token=True)))
        default_scope_id = expect(201, okta_client.create_o_auth2_scope(default.id, scope_body(
            default_scope, metadata_publish="ALL_CLIENTS"))).id

        clients = {
            "basic": admin.service("client_secret_basic"),
            "post": admin.service("client_secret_post"),
            "key_jwt": admin.private_key_jwt(),
            "public": admin.register(application_type="browser", token_endpoint_auth_method="none",
                                     grant_types=["authorization_code"], response_types=["code"],
                                     redirect_uris=["http://127.0.0.1/e2e/callback"]),
            "code_only": admin.register(application_type="web", grant_types=["authorization_code"],
                                        response_types=["code"], redirect_uris=["https://app.example/e2e/cb"]),
            "outsider": admin.service("client_secret_basic"),
        }
        members = [c.client_id for name, c in clients.items() if name != "outsider"]
        policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body(
            clients=members)))
        expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
            scopes=[READ, WRITE, CONSENTED], access_minutes=RULE_MINUTES)))
        yield World(stack=stack, http=http, admin=admin, server=server, default=default,
                    default_scope=default_scope, policy_id=policy.id, **clients)
    finally:
        admin.delete_all()
        if default_scope_id:
            call(okta_client.delete_o_auth2_scope(default.id, default_scope_id))
        drop_server(okta_client, server.id)


# --------------------------------------------------------------------------------------------------------------
# Client assertions (RFC 7523)
# --------------------------------------------------------------------------------------------------------------


def assertion_claims(client_id: str, audience: Any, lifetime: int = 60, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now,
                              "exp": now + lifetime, "jti": uuid.uuid4().hex}
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def assertion(client: RegisteredClient, audience: Any, *, alg: str = "RS256", key: Any = None,
              headers: Mapping[str, Any] | None = None, **changes: Any) -> str:
    """A client assertion of ``client`` (signed with its registered key unless ``key`` is given); a claim
    set to None in ``changes`` is left out."""
    claims = assertion_claims(client.client_id, audience, **changes)
    header = {k: v for k, v in {"kid": client.kid, **(headers or {})}.items() if v is not None}
    return jwt.encode(claims, key if key is not None else client.private_key, algorithm=alg, headers=header)


def unsigned(claims: Mapping[str, Any], header: Mapping[str, Any] | None = None) -> str:
    """An ``alg: none`` JWT (no signature)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = {"alg": "none", "typ": "JWT", **(header or {})}
    return f"{b64(json.dumps(head).encode())}.{b64(json.dumps(dict(claims)).encode())}."


# --------------------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------------------


def assert_no_store(response: requests.Response) -> None:
    assert response.headers.get("Cache-Control") == "no-store", response.headers
    assert response.headers.get("Pragma") == "no-cache", response.headers


def assert_oauth_error(response: requests.Response, status: int, error: str,
                       description: str | Callable[[str], bool] | None = None) -> dict[str, str]:
    """An RFC 6749 5.2 error: the status, JSON ``{error, error_description}`` and nothing else, only the allowed
    characters, ``Cache-Control: no-store``; ``description`` is the exact text or a predicate on it."""
    assert response.status_code == status, f"expected {status} {error}, got {response.status_code}: {response.text}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert ERROR_CHARS.match(body["error"]) and ERROR_CHARS.match(body["error_description"]), body
    if callable(description):
        assert description(body["error_description"]), body
    elif description is not None:
        assert body["error_description"] == description, body
    assert_no_store(response)
    assert "access_token" not in response.text
    if status == 401 and error == "invalid_client" and response.request.headers.get("Authorization"):
        # RFC 6749 5.2: a client that tried the Authorization header gets the challenge back.
        assert BASIC_CHALLENGE.match(response.headers.get("WWW-Authenticate", "")), response.headers
    return body


def percent_encode_all(value: str) -> str:
    """Every character as %XX: the most heavily form-encoded spelling of a value (RFC 6749 Appendix B)."""
    return "".join(f"%{b:02X}" for b in value.encode("utf-8"))


def openid_client_encode(value: str) -> str:
    """What openid-client does before base64 (clients.md row 14): ``-`` ``_`` ``.`` ``~`` percent-encoded too."""
    return quote_plus(value).replace("-", "%2D").replace("_", "%5F").replace(".", "%2E").replace("~", "%7E")


def basic_header(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
