"""In-memory fakes and builders for the OAuth unit tests (an importable helper, not a test module).

Nothing here touches AWS or Chalice: clients live in a dict, client-assertion ids in a dict, revocations in a dict,
server configurations are plain ``chalicelib.domain`` dataclasses, and every "now" comes from a ``FixedClock``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Mapping

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chalicelib.clock import FixedClock
from chalicelib.domain import (
    ClientSecret,
    ACTIVE,
    AuthorizationServer,
    OAuthClient,
    Ordered,
    Policy,
    Rule,
    RuleConditions,
    Scope,
    ServerConfig,
    TokenActions,
)
from chalicelib.errors import NotFoundError
from chalicelib.keys import lifecycle
from chalicelib.keys.jwk import generate_private_key, public_jwk, thumbprint
from chalicelib.keys.signer import SigningKeyCache
from chalicelib.oauth.client_auth import ASSERTION_TYPE, ClientAuthenticator
from chalicelib.oauth.configuration import SERVER_TYPE, ServerConfigs
from chalicelib.oauth.context import OAuthServices
from chalicelib.oauth.remote_jwks import RemoteJwks

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
BASE = "https://tokenmint.test"
OIDC = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")


# -- keys ---------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One RSA-2048 key per name for the whole session (generation is the slow part of these tests)."""
    return generate_private_key()


@lru_cache(maxsize=None)
def ec_key(name: str, curve: str = "P-256") -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key({"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[curve])


def _b64(value: int, length: int | None = None) -> str:
    raw = value.to_bytes(length or max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def client_rsa_jwk(key: rsa.RSAPrivateKey, kid: str | None) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    jwk: dict[str, Any] = {"kty": "RSA", "use": "sig", "e": _b64(numbers.e), "n": _b64(numbers.n)}
    if kid is not None:
        jwk["kid"] = kid
    return jwk


def client_ec_jwk(key: ec.EllipticCurvePrivateKey, kid: str | None) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    size = (key.curve.key_size + 7) // 8
    jwk: dict[str, Any] = {"kty": "EC", "crv": {256: "P-256", 384: "P-384"}[key.curve.key_size],
                           "x": _b64(numbers.x, size), "y": _b64(numbers.y, size)}
    if kid is not None:
        jwk["kid"] = kid
    return jwk


# -- clients ------------------------------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    """What the client registry keeps of a secret (``OAuthClient.secret_hash``)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def verify_secret(client: OAuthClient, presented: str) -> bool:
    """The registry's check: SHA-256 digests compared with ``hmac.compare_digest``."""
    return any(hmac.compare_digest(h, secret_hash(presented)) for h in client.active_secret_hashes)


def fake_client(client_id: str, token_endpoint_auth_method: str = "client_secret_basic", status: str = ACTIVE,
                jwks: dict[str, object] | None = None, jwks_uri: str | None = None, secret: str | None = None,
                grant_types: tuple[str, ...] = ("client_credentials",), client_name: str | None = None,
                response_types: tuple[str, ...] = (), redirect_uris: tuple[str, ...] = (),
                post_logout_redirect_uris: tuple[str, ...] = ()) -> OAuthClient:
    """A registered client (the frozen ``domain.OAuthClient`` the client cache hands out); ``secret`` is kept as
    its hash, as the registry keeps it."""
    return OAuthClient(
        client_id=client_id, client_name=client_name or client_id,
        application_type="browser" if token_endpoint_auth_method == "none" else "service",
        token_endpoint_auth_method=token_endpoint_auth_method, grant_types=grant_types,
        response_types=response_types, redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris, client_uri=None, logo_uri=None, jwks=jwks,
        jwks_uri=jwks_uri, status=status,
        secrets=(ClientSecret("ocsFAKE", secret_hash(secret), ACTIVE, NOW, NOW),) if secret is not None else (),
        created=NOW, last_updated=NOW)


class FakeDirectory:
    """``ClientDirectory``: clients by id; secrets checked as the registry checks them (``verify_secret``)."""

    def __init__(self, *clients: OAuthClient) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.secret_checks = 0

    def add(self, client: OAuthClient) -> OAuthClient:
        self.clients[client.client_id] = client
        return client

    def update(self, client_id: str, **changes: Any) -> OAuthClient:
        """The client changed through the registry (clients are frozen: a new record replaces the old one)."""
        return self.add(replace(self.clients[client_id], **changes))

    def find(self, client_id: str) -> OAuthClient | None:
        return self.clients.get(client_id)

    def verify_secret(self, client: OAuthClient, presented: str) -> bool:
        self.secret_checks += 1
        return verify_secret(client, presented)


class FakeLedger:
    """``AssertionLedger``: a jti may be used once until its assertion expires."""

    def __init__(self) -> None:
        self.used: dict[tuple[str, str], datetime] = {}

    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        previous = self.used.get((client_id, jti))
        if previous is not None and previous > now:
            return False
        self.used[(client_id, jti)] = expires_at
        return True


class FakeFetcher:
    """The ``fetch`` of ``RemoteJwks``: answers from ``documents`` (or raises ``error``) and counts calls."""

    def __init__(self, documents: dict[str, Mapping[str, Any]] | None = None) -> None:
        self.documents = dict(documents or {})
        self.calls: list[str] = []
        self.error: Exception | None = None

    def __call__(self, uri: str) -> Mapping[str, Any]:
        self.calls.append(uri)
        if self.error is not None:
            raise self.error
        return self.documents[uri]


class FakeRevocations:
    def __init__(self) -> None:
        self.revoked: dict[str, tuple[str, datetime]] = {}

    def revoke_access_token(self, jti: str, client_id: str, expires_at: datetime) -> None:
        self.revoked.setdefault(jti, (client_id, expires_at))

    def is_access_token_revoked(self, jti: str, now: datetime) -> bool:
        entry = self.revoked.get(jti)
        return entry is not None and entry[1] > now


class FakeHolders:
    def __init__(self) -> None:
        self.noted: list[tuple[str, str]] = []

    def note(self, server_id: str, client_id: str) -> None:
        self.noted.append((server_id, client_id))


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode("utf-8")).decode("ascii")


_JTIS = itertools.count(1)


def assertion(key: Any, alg: str = "RS256", kid: str | None = "k1", omit: tuple[str, ...] = (),
              now: datetime = NOW, headers: Mapping[str, Any] | None = None, **claims: Any) -> str:
    """A client assertion (RFC 7523 3) for ``client1`` at ``{BASE}/oauth2/aus_a/v1/token``, valid for 5 minutes;
    keyword arguments replace claims, ``omit`` drops them."""
    body: dict[str, Any] = {
        "iss": "client1", "sub": "client1", "aud": f"{BASE}/oauth2/aus_a/v1/token",
        "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": claims.pop("jti", None) or f"jti-{next(_JTIS)}",
    }
    body.update(claims)
    for name in omit:
        body.pop(name, None)
    head: dict[str, Any] = {} if kid is None else {"kid": kid}
    head.update(headers or {})
    return jwt.encode(body, key, algorithm=alg, headers=head)


def assertion_params(token: str, **extra: str) -> dict[str, str]:
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": token, **extra}


# -- authorization servers ----------------------------------------------------------------------------------------


def scope(name: str, *, default: bool = False, publish: str = "ALL_CLIENTS") -> Scope:
    return Scope(id=f"scp_{name}", name=name, display_name=name, description=None, system=name in OIDC,
                 metadata_publish=publish, consent="IMPLICIT", optional=False, default=default)


def server_config(server_id: str, key: rsa.RSAPrivateKey, *, audience: str | None = None, default: bool = False,
                  status: str = ACTIVE, scopes: list[Scope] | None = None, access_minutes: int = 60,
                  extra_keys: tuple[tuple[rsa.RSAPrivateKey, str], ...] = ()) -> ServerConfig:
    kid = thumbprint(key)
    server = AuthorizationServer(id=server_id, name=server_id, description=None,
                                 audiences=(audience or f"api://{server_id}",), issuer_mode="ORG_URL", status=status,
                                 created=NOW, last_updated=NOW, rotation_mode="AUTO", default=default,
                                 signing_kid=kid, last_rotated=NOW)
    keys = [lifecycle.KeyRecord(kid=kid, status=lifecycle.ACTIVE, created=NOW, activated=NOW, expired=None,
                                public_jwk=public_jwk(key))]
    for other, status_ in extra_keys:
        keys.append(lifecycle.KeyRecord(kid=thumbprint(other), status=status_, created=NOW,
                                        activated=NOW if status_ != lifecycle.NEXT else None,
                                        expired=NOW if status_ == lifecycle.EXPIRED else None,
                                        public_jwk=public_jwk(other)))
    policy = Policy(id="pol1", name="Default Policy", description="test", status=ACTIVE, system=False,
                    clients=("ALL_CLIENTS",), created=NOW, last_updated=NOW)
    rule = Rule(id="rul1", policy_id="pol1", name="Default Rule", status=ACTIVE, system=False,
                conditions=RuleConditions(grant_types=("client_credentials", "authorization_code"), scopes=("*",),
                                          groups_include=("EVERYONE",)),
                actions=TokenActions(access_token_lifetime_minutes=access_minutes), created=NOW, last_updated=NOW)
    if scopes is None:
        scopes = [scope(n) for n in OIDC] + [scope("api:read", default=True), scope("api:write"),
                                            scope("api:hidden", publish="NO_CLIENTS")]
    return ServerConfig(server=server, scopes=scopes, policies=[policy], rules=[rule],
                        policy_order=Ordered(ids=("pol1",)), rule_orders={"pol1": Ordered(ids=("rul1",))}, keys=keys)


class FakeConfigLoader:
    """``ConfigLoader`` over a dict, counting loads (the cache must make repeated reads free)."""

    def __init__(self, *configs: ServerConfig) -> None:
        self.configs = {c.server.id: c for c in configs}
        self.loads: list[str] = []

    def load(self, server_id: str) -> ServerConfig | None:
        self.loads.append(server_id)
        return self.configs.get(server_id)

    def resolve(self, server_id: str) -> str:
        if server_id != "default":
            return server_id
        for config in self.configs.values():
            if config.server.default:
                return config.server.id
        raise NotFoundError(server_id, SERVER_TYPE)


@dataclass
class World:
    """Two authorization servers (``aus_a``, ``aus_b``, own keys and audiences) and the default one, plus clients:
    ``svc`` (client_secret_basic, client_credentials), ``post`` (client_secret_post), ``other`` (a second secret
    client), ``spa`` (public, ``none``), ``nogrant`` (secret client without client_credentials)."""

    clock: FixedClock
    loader: FakeConfigLoader
    directory: FakeDirectory
    ledger: FakeLedger
    revocations: FakeRevocations
    holders: FakeHolders
    services: OAuthServices
    private_keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)

    def config(self, server_id: str) -> ServerConfig:
        return self.loader.configs[server_id]


def world(*, cache_ttl: timedelta = timedelta(seconds=30)) -> World:
    clock = FixedClock(NOW)
    key_a, key_b, key_d = rsa_key("server-a"), rsa_key("server-b"), rsa_key("server-default")
    loader = FakeConfigLoader(server_config("aus_a", key_a), server_config("aus_b", key_b),
                              server_config("aus_default", key_d, audience="api://default", default=True))
    private_keys = {thumbprint(k): k for k in (key_a, key_b, key_d)}
    directory = FakeDirectory(
        fake_client("svc", secret="svc-secret"),
        fake_client("post", token_endpoint_auth_method="client_secret_post", secret="post-secret"),
        fake_client("other", secret="other-secret"),
        fake_client("spa", token_endpoint_auth_method="none", grant_types=("authorization_code",)),
        fake_client("nogrant", secret="nogrant-secret", grant_types=("authorization_code",)),
    )
    ledger = FakeLedger()
    revocations = FakeRevocations()
    holders = FakeHolders()
    signer = SigningKeyCache(lambda _server, kid: private_keys[kid], clock.now)
    services = OAuthServices(
        configs=ServerConfigs(loader, loader.resolve, cache_ttl, clock.now),
        authenticator=ClientAuthenticator(directory, ledger, clock.now, RemoteJwks(clock.now, FakeFetcher())),
        signer=signer, revocations=revocations, now=clock.now, holders=holders,
    )
    return World(clock=clock, loader=loader, directory=directory, ledger=ledger, revocations=revocations,
                 holders=holders, services=services, private_keys=private_keys)
