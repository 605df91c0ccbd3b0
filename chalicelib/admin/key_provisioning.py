"""Creating signing keys and destroying their material: the private half of a new key is stored (KMS-encrypted,
in Secrets Manager) before anything publishes it. Shared by server creation (admin/servers.py) and rotation
(admin/signing_keys.py), which is why it is a module of its own.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ..clock import Clock
from ..errors import StorageUnavailableError, TokenmintError
from ..keys.errors import KeyStoreError
from ..keys.jwk import generate_private_key, public_jwk, thumbprint
from ..keys.lifecycle import ACTIVE, NEXT, KeyRecord, KeyStatus
from ..keys.store import KeyMaterialStore

log = logging.getLogger(__name__)


class KeyMaterialUnavailableError(StorageUnavailableError):
    """KMS or Secrets Manager failed; nothing was published."""


class KeyProvisioner:
    """Creates keys (private half stored first) and destroys material; shared by server creation and rotation."""

    def __init__(self, store: KeyMaterialStore, clock: Clock,
                 generate: Callable[[], RSAPrivateKey] = generate_private_key) -> None:
        self.store = store
        self._clock = clock
        self._generate = generate

    def new_key(self, server_id: str, status: KeyStatus, now: datetime) -> KeyRecord:
        private = self._generate()
        kid = thumbprint(private)
        try:
            self.store.put(server_id, kid, private)
        except KeyStoreError as exc:
            log.error("storing signing key material failed: %s", exc)
            raise KeyMaterialUnavailableError("the key store is unavailable") from None
        return KeyRecord(kid=kid, status=status, created=now,
                         activated=now if status == ACTIVE else None, expired=None, public_jwk=public_jwk(private))

    def provision(self, server_id: str) -> list[KeyRecord]:
        """An ACTIVE and a NEXT key for a new server, their private halves already stored."""
        now = self._clock.now()
        created: list[KeyRecord] = []
        try:
            for status in (ACTIVE, NEXT):
                created.append(self.new_key(server_id, status, now))
        except TokenmintError:
            self.discard(server_id, [k.kid for k in created])
            raise
        return created

    def discard(self, server_id: str, kids: list[str]) -> None:
        """Best effort: destroy material that was never published (a failed or lost write)."""
        for kid in kids:
            try:
                self.store.destroy(server_id, kid, force=True)
            except KeyStoreError as exc:
                log.error("discarding unpublished key material failed (swept later): %s", exc)

    def forget(self, server_id: str) -> None:
        """After a server is deleted: schedule the deletion of all its key material."""
        try:
            self.store.destroy_all(server_id)
        except KeyStoreError as exc:
            log.error("deleting the key material of a deleted server failed: %s", exc)
