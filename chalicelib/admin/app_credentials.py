"""An app's client secrets and client JWKs (Okta's ``/api/v1/apps/{appId}/credentials/secrets`` and ``/jwks``;
okta-next.md 1.1-1.2).

Secrets: at most two, so a secret can be rotated without downtime (create a second, move the callers, deactivate
then delete the first); every ACTIVE one authenticates at ``/v1/token``. A new secret is shown once, in the answer
that creates it: only its SHA-256 is stored (so unlike Okta, listing never shows the plaintext). Only an INACTIVE
secret can be deleted, and the last ACTIVE secret of a client that authenticates with one cannot be deactivated
(its callers would be locked out).

JWKs: the keys that verify a ``private_key_jwt`` client's assertions, each with an id and a status; the same rules
(delete only INACTIVE, never deactivate the last ACTIVE key of a ``private_key_jwt`` client without a
``jwks_uri``).
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from typing import Any

from .. import ids
from ..clock import Clock, okta_time
from ..domain import ACTIVE, INACTIVE, ClientSecret, OAuthClient
from ..errors import NotFoundError, ValidationError
from .app_fields import read_own_secret
from .applications import ApplicationService
from .client_fields import MAX_KEYS
from .client_metadata import PRIVATE_KEY_JWT, SECRET_METHODS, key_problem, public_key
from .clients import MAX_SECRETS, SECRET_ID_PREFIX, ClientService, fresh_secret, hash_secret
from .jwk_ids import JWK_ID_PREFIX
from .validation import Fields, require_object

SECRET_TARGET = "clientSecret"
JWK_TARGET = "jsonWebKey"
SECRET_TYPE = "OAuth2ClientSecret"
JWK_TYPE = "OAuth2ClientJsonWebKey"


def secret_hash_view(secret: ClientSecret) -> str:
    """Okta's 22-character ``secret_hash``: tells secrets apart without revealing anything to guess against. It is
    derived from the secret's id and stored hash, not the secret's digest itself, so even a short secret an admin
    chose cannot be brute-forced from it."""
    digest = hashlib.sha256(f"{secret.id}:{secret.hash}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


class AppCredentialService:
    def __init__(self, apps: ApplicationService, clients: ClientService, clock: Clock) -> None:
        self._apps = apps
        self._clients = clients
        self._clock = clock

    # -- secrets --------------------------------------------------------------------------------------------------

    def secrets(self, app_id: str) -> list[ClientSecret]:
        return list(self._apps.get(app_id).secrets)

    def secret(self, app_id: str, secret_id: str) -> ClientSecret:
        return self._find_secret(self._apps.get(app_id), secret_id)

    @staticmethod
    def _find_secret(client: OAuthClient, secret_id: str) -> ClientSecret:
        found = next((s for s in client.secrets if s.id == secret_id), None)
        if found is None:
            raise NotFoundError(secret_id, SECRET_TYPE)
        return found

    def create_secret(self, app_id: str, body: Any) -> tuple[ClientSecret, str]:
        """A new secret (generated, or the caller's ``client_secret``), ACTIVE unless ``status`` says INACTIVE."""
        f = Fields(require_object(body), SECRET_TARGET)
        own = read_own_secret(f, "client_secret")
        status = f.enum("status", (ACTIVE, INACTIVE), default=ACTIVE) or ACTIVE
        f.check()
        current = self._apps.get(app_id)
        if current.token_endpoint_auth_method not in SECRET_METHODS:
            raise ValidationError(SECRET_TARGET, [
                "token_endpoint_auth_method: Only apps that authenticate with client_secret_basic or "
                "client_secret_post have client secrets."])
        if len(current.secrets) >= MAX_SECRETS:
            raise ValidationError(SECRET_TARGET, [
                f"client_secret: An app can have at most {MAX_SECRETS} client secrets; delete an inactive one "
                "first."])
        now = self._clock.now()
        if own is not None:
            made, raw = ClientSecret(ids.new_id(SECRET_ID_PREFIX), hash_secret(own), status, now, now), own
        else:
            made, raw = fresh_secret(now)
            made = replace(made, status=status)
        self._clients.save(current, replace(current, secrets=current.secrets + (made,), last_updated=now))
        return made, raw

    def set_secret_status(self, app_id: str, secret_id: str, status: str) -> ClientSecret:
        current = self._apps.get(app_id)
        secret = self._find_secret(current, secret_id)
        if secret.status == status:
            return secret
        if status == INACTIVE and current.token_endpoint_auth_method in SECRET_METHODS and \
                current.active_secret_hashes == (secret.hash,):
            raise ValidationError(SECRET_TARGET, [
                "status: The last active client secret cannot be deactivated: create and activate another first."])
        now = self._clock.now()
        changed = replace(secret, status=status, last_updated=now)
        self._clients.save(current, replace(current, secrets=tuple(changed if s.id == secret_id else s
                                                                   for s in current.secrets), last_updated=now))
        return changed

    def delete_secret(self, app_id: str, secret_id: str) -> None:
        current = self._apps.get(app_id)
        secret = self._find_secret(current, secret_id)
        if secret.status == ACTIVE:
            raise ValidationError(SECRET_TARGET, [
                "status: An active client secret cannot be deleted: deactivate it first."])
        self._clients.save(current, replace(current, secrets=tuple(s for s in current.secrets if s.id != secret_id),
                                            last_updated=self._clock.now()))

    # -- JWKs -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _keys(client: OAuthClient) -> list[dict[str, Any]]:
        keys = (client.jwks or {}).get("keys")
        return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []

    def jwks(self, app_id: str) -> list[dict[str, Any]]:
        return self._keys(self._apps.get(app_id))

    def jwk(self, app_id: str, key_id: str) -> dict[str, Any]:
        return self._find_key(self._apps.get(app_id), key_id)

    def _find_key(self, client: OAuthClient, key_id: str) -> dict[str, Any]:
        found = next((k for k in self._keys(client) if k.get("id") == key_id), None)
        if found is None:
            raise NotFoundError(key_id, JWK_TYPE)
        return found

    def add_jwk(self, app_id: str, body: Any) -> dict[str, Any]:
        raw = require_object(body)
        f = Fields(raw, JWK_TARGET)
        status = f.enum("status", (ACTIVE, INACTIVE), default=ACTIVE) or ACTIVE
        key = {m: v for m, v in raw.items() if m not in ("status", "id", "created", "lastUpdated", "_links")}
        if problem := key_problem(key):
            f.error("key", problem)
        f.check()
        current = self._apps.get(app_id)
        keys = self._keys(current)
        if current.jwks_uri:
            raise ValidationError(JWK_TARGET, ["jwks_uri: The app's keys come from its jwks_uri; remove it first."])
        if len(keys) >= MAX_KEYS:
            raise ValidationError(JWK_TARGET, [f"keys: An app can hold at most {MAX_KEYS} keys."])
        plain = public_key(key)
        if plain.get("kid") is None or any(k.get("kid") is None for k in keys):
            raise ValidationError(JWK_TARGET, ["kid: Every key of an app with several keys needs a 'kid'."])
        if any(k.get("kid") == plain["kid"] for k in keys):
            raise ValidationError(JWK_TARGET, ["kid: An object with this field already exists in the current "
                                               "organization"])
        now = self._clock.now()
        made = {**plain, "id": ids.new_id(JWK_ID_PREFIX), "status": status, "created": okta_time(now),
                "lastUpdated": okta_time(now)}
        self._clients.save(current, replace(current, jwks={"keys": [*keys, made]}, last_updated=now))
        return made

    def set_jwk_status(self, app_id: str, key_id: str, status: str) -> dict[str, Any]:
        current = self._apps.get(app_id)
        key = self._find_key(current, key_id)
        if key.get("status", ACTIVE) == status:
            return key
        keys = self._keys(current)
        active = [k for k in keys if k.get("status", ACTIVE) == ACTIVE]
        if status == INACTIVE and current.token_endpoint_auth_method == PRIVATE_KEY_JWT and \
                not current.jwks_uri and [k.get("id") for k in active] == [key_id]:
            raise ValidationError(JWK_TARGET, [
                "status: The last active key of a private_key_jwt app cannot be deactivated: add another first."])
        now = self._clock.now()
        changed = {**key, "status": status, "lastUpdated": okta_time(now)}
        self._clients.save(current, replace(current, jwks={"keys": [changed if k.get("id") == key_id else k
                                                                     for k in keys]}, last_updated=now))
        return changed

    def delete_jwk(self, app_id: str, key_id: str) -> None:
        current = self._apps.get(app_id)
        key = self._find_key(current, key_id)
        if key.get("status", ACTIVE) == ACTIVE:
            raise ValidationError(JWK_TARGET, ["status: An active key cannot be deleted: deactivate it first."])
        remaining = [k for k in self._keys(current) if k.get("id") != key_id]
        self._clients.save(current, replace(current, jwks={"keys": remaining} if remaining else None,
                                            last_updated=self._clock.now()))
