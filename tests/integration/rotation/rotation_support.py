"""Fault-injecting wrappers and checks shared by the rotation integration tests.

Faults are injected by wrapping the real objects (``KeyMaterialStore``, ``ConfigRepository``, boto3 clients) and
building a ``SigningKeyService`` by hand around the wrappers; no project code is patched. ``Crash`` models the
Lambda dying at that point: it is a ``BaseException``, so no ``except Exception`` handler of the code under test
(cleanup, ``run_all``'s per-server catch) runs, exactly as when the process is killed.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pynamodb.connection import Connection

from chalicelib.admin.signing_keys import KeyProvisioner, SigningKeyService
from chalicelib.container import Container, set_container
from chalicelib.keys import jws, lifecycle
from chalicelib.keys.errors import KeyMaterialError
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT, KeyRecord
from chalicelib.keys.signer import SigningKeyCache
from chalicelib.keys.store import KeyMaterialStore
from chalicelib.storage.config_repository import ConfigRepository

REGION = "us-east-1"
SERVERS = "/api/v1/authorizationServers"
SCHEDULED = "rotate_signing_keys"
FORBIDDEN_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class Crash(BaseException):
    """The Lambda died here (timeout, OOM, instance recycled): nothing after this point runs."""


Hook = Callable[[str, "str | None"], None]


class StoreWrapper:
    """A real ``KeyMaterialStore`` with per-operation hooks run before/after the real call, and a call log.

    A hook may raise (``KeyMaterialError`` for an AWS failure, ``Crash`` for a dying process) or run other code
    (another rotation run) at that exact point.
    """

    def __init__(self, inner: KeyMaterialStore) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str, str | None]] = []
        self.before: dict[str, Hook] = {}
        self.after: dict[str, Hook] = {}

    def _do(self, op: str, server_id: str, kid: str | None, thunk: Callable[[], Any]) -> Any:
        self.calls.append((op, server_id, kid))
        if op in self.before:
            self.before[op](server_id, kid)
        result = thunk()
        if op in self.after:
            self.after[op](server_id, kid)
        return result

    def ops(self, op: str) -> list[tuple[str, str | None]]:
        return [(sid, kid) for name, sid, kid in self.calls if name == op]

    def secret_name(self, server_id: str, kid: str) -> str:
        return self.inner.secret_name(server_id, kid)

    def put(self, server_id: str, kid: str, private_key: Any) -> None:
        return self._do("put", server_id, kid, lambda: self.inner.put(server_id, kid, private_key))

    def load(self, server_id: str, kid: str) -> Any:
        return self._do("load", server_id, kid, lambda: self.inner.load(server_id, kid))

    def destroy(self, server_id: str, kid: str, *, force: bool = False) -> None:
        return self._do("destroy", server_id, kid, lambda: self.inner.destroy(server_id, kid, force=force))

    def destroy_all(self, server_id: str, *, force: bool = False) -> list[str]:
        return self._do("destroy_all", server_id, None, lambda: self.inner.destroy_all(server_id, force=force))

    def stored(self, server_id: str) -> dict[str, Any]:
        return self._do("stored", server_id, None, lambda: self.inner.stored(server_id))

    def stored_servers(self) -> dict[str, Any]:
        return self._do("stored_servers", "*", None, self.inner.stored_servers)


class RepoWrapper:
    """A real ``ConfigRepository`` whose ``load`` can serve queued snapshots and whose ``save_keys`` has hooks."""

    def __init__(self, inner: ConfigRepository) -> None:
        self.inner = inner
        self.snapshots: list[Any] = []
        self.before_save: Callable[[], None] | None = None
        self.after_save: Callable[[], None] | None = None
        self.saves = 0

    def load(self, server_id: str) -> Any:
        if self.snapshots:
            return self.snapshots.pop(0)
        return self.inner.load(server_id)

    def save_keys(self, *args: Any, **kwargs: Any) -> Any:
        self.saves += 1
        if self.before_save:
            self.before_save()
        result = self.inner.save_keys(*args, **kwargs)
        if self.after_save:
            self.after_save()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class ClientWrapper:
    """A boto3 client that counts API calls and can fail chosen operations with a ``ClientError``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.failing: dict[str, str] = {}  # method name -> AWS error code

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name == "meta" or name.startswith("_") or not callable(attr):
            return attr
        # Note: a paginator (get_paginator) is recorded once; the pages it then fetches bypass this wrapper.

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            if name in self.failing:
                code = self.failing[name]
                raise ClientError({"Error": {"Code": code, "Message": "injected"}}, name)
            return attr(*args, **kwargs)

        return call


# -- building blocks ----------------------------------------------------------------------------------------------


def real_store(container: Container, kms: Any = None, secrets: Any = None) -> KeyMaterialStore:
    settings = container.settings
    return KeyMaterialStore(kms or boto3.client("kms", region_name=REGION),
                            secrets or boto3.client("secretsmanager", region_name=REGION),
                            settings.kms_key_id, settings.secret_prefix)


def real_repo(container: Container) -> ConfigRepository:
    return ConfigRepository(container.config_model, Connection(region=REGION))


def service(container: Container, store: Any = None, repo: Any = None) -> SigningKeyService:
    """A ``SigningKeyService`` like the container's, around the given (wrapped) store and repository."""
    clock = container.clock
    return SigningKeyService(repo or real_repo(container), container.servers,
                             KeyProvisioner(store or real_store(container), clock), clock,
                             container.signing_keys.policy)


def install(container: Container, **services: Any) -> Container:
    """Make the app (HTTP routes, scheduled function) use a container with some services replaced."""
    patched = replace(container, **services)
    set_container(patched)
    return patched


def invoke_schedule(client: Any) -> Any:
    """Invoke the scheduled rotation Lambda the way EventBridge does (a "Scheduled Event")."""
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={},
        resources=[f"arn:aws:events:{REGION}:123456789012:rule/tokenmint-dev-{SCHEDULED}"], region=REGION)
    return client.lambda_.invoke(SCHEDULED, event).payload


def create_server(api: Any, name: str) -> dict[str, Any]:
    response = api.post(SERVERS, {"name": name, "audiences": [f"api://{name}"]})
    assert response.status_code == 201, response.data
    return response.data


def set_rotation_mode(api: Any, server: dict[str, Any], mode: str) -> dict[str, Any]:
    body = {"name": server["name"], "audiences": server["audiences"],
            "credentials": {"signing": {"rotationMode": mode}}}
    response = api.put(f"{SERVERS}/{server['id']}", body)
    assert response.status_code == 200, response.data
    return response.data


def keys(container: Container, server_id: str) -> list[KeyRecord]:
    return list(real_repo(container).load(server_id).keys)


def by_status(records: Iterable[KeyRecord]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {ACTIVE: [], NEXT: [], EXPIRED: []}
    for k in records:
        out[k.status].append(k.kid)
    return out


def key_state(container: Container, server_id: str) -> tuple[Any, ...]:
    """Everything a rotation may change, for before/after equality."""
    config = real_repo(container).load(server_id)
    server = config.server
    return (server.signing_kid, server.last_rotated, server.version,
            tuple(sorted((k.kid, k.status, k.activated, k.expired) for k in config.keys)))


def jwks_of(container: Container, server_id: str) -> dict[str, Any]:
    """The published JWKS, as ``/v1/keys`` builds it (from the configuration partition only)."""
    from chalicelib.oauth.issuer import ORG_SERVER_ID

    body, _max_age = container.signing_keys.jwks_document(server_id, org=server_id == ORG_SERVER_ID)
    return json.loads(body)


def claims_at(container: Container, server_id: str, minutes: int = 60) -> dict[str, Any]:
    now = int(container.clock.now().timestamp())
    return {"iss": f"https://tokenmint.test/oauth2/{server_id}", "aud": "api://default", "sub": "alice",
            "iat": now, "exp": now + minutes * 60}


def mint(container: Container, server_id: str, signer: SigningKeyCache | None = None,
         kid: str | None = None, minutes: int = 60) -> str:
    """Sign a token the way the token endpoint will: ACTIVE kid from the config, key from the signer cache."""
    if kid is None:
        kid = real_repo(container).load(server_id).server.signing_kid
    loaded = (signer or container.signer).get(server_id, kid)
    return jws.sign(claims_at(container, server_id, minutes), loaded)


def assert_usable(container: Container, server_id: str) -> None:
    """The state is one a token endpoint can work with (KEY-06, KEY-07, KEY-09):

    the planner's invariants hold; ``credentials.signing.kid`` is the ACTIVE key; every published key's private
    half is stored and loads (so it belongs to that kid); a cold signer signs with the ACTIVE key and the token
    verifies against the published JWKS.
    """
    config = real_repo(container).load(server_id)
    assert config is not None
    assert lifecycle.validate_invariants(config.keys) == []
    statuses = by_status(config.keys)
    assert len(statuses[ACTIVE]) == 1 and len(statuses[NEXT]) == 1, statuses
    assert config.server.signing_kid == statuses[ACTIVE][0]
    store = real_store(container)
    published = {k.kid for k in config.keys}
    assert published <= set(store.stored(server_id)), "a published key has no private half"
    for kid in published:
        store.load(server_id, kid)
    cold = SigningKeyCache(store.load, container.clock.now)
    token = mint(container, server_id, signer=cold)
    verified = jws.verify(token, jwks_of(container, server_id), now=container.clock.now())
    assert verified["iss"].endswith(server_id)
    assert jws_kid(token) == statuses[ACTIVE][0]


def jws_kid(token: str) -> str:
    import jwt

    return jwt.get_unverified_header(token)["kid"]


def fail_with(message: str = "injected AWS failure") -> Hook:
    def hook(server_id: str, kid: str | None) -> None:
        raise KeyMaterialError(f"{message} ({server_id})")

    return hook


def crash(server_id: str, kid: str | None) -> None:
    raise Crash(f"process died ({server_id})")
