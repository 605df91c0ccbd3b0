"""Short-lived grant state of the token endpoint in the "grants" table, one repository per concern: revoked
access-token ids, used client-assertion ids, and which clients hold tokens of which server. Every item carries
``expiresAt`` (DynamoDB's TTL attribute); DynamoDB deletes expired items up to days late, so every read checks
expiry itself.

========================================  ================================================
``pk = REVOKED#{jti}``, ``sk = AT``        an access token revoked before it expired (RFC 7009)
``pk = ASSERTION#{clientId}#{jti}``, ``sk = JTI``  a client assertion already used (RFC 7523 3.)
``pk = HOLDERS#{authServerId}``, ``sk = {clientId}``  a client that may hold unexpired tokens of the server
========================================  ================================================

The front channel's items (sessions, pending authorize requests, codes, consent) are
``storage/front_channel_repository.py``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException

from ..errors import StorageUnavailableError
from ..ports import WriteConflict
from .grant_documents import revocation_key
from .models import Item
from .transactions import Transaction

UNAVAILABLE = "the grants store is unavailable"


class GrantsTable:
    """What every repository of the grants table shares: markers with an expiry, documents with a version."""

    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def _remember(self, pk: str, sk: str, expires_at: datetime, doc: dict[str, Any]) -> bool:
        """Write a marker unless one exists; False when it already existed (and has not expired)."""
        item = self._model(pk, sk, doc={**doc, "expiresAt": int(expires_at.timestamp())},
                           expiresAt=int(expires_at.timestamp()))
        tx = Transaction(self._model, self._connection)
        tx.put(item, "marker")
        try:
            tx.commit()
        except WriteConflict:
            return False
        return True

    def _live(self, pk: str, sk: str, now: datetime) -> bool:
        try:
            item = self._model.get(pk, sk, consistent_read=True)
        except self._model.DoesNotExist:
            return False
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return int(item.doc.get("expiresAt", 0)) > int(now.timestamp())

    def _put(self, pk: str, sk: str, doc: dict[str, Any], expires_at: datetime | None, version: int | None = None,
             *, overwrite: bool = False) -> bool:
        """Write a document. ``overwrite``: unconditionally; else only if the stored ``version`` is still
        ``version`` (None: only if there is no item yet). False when that condition failed."""
        expires = int(expires_at.timestamp()) if expires_at is not None else None
        body = {**doc, "expiresAt": expires} if expires is not None else dict(doc)
        item = self._model(pk, sk, doc=body, expiresAt=expires)
        if version is not None:
            item.version = version
        try:
            item.save(add_version_condition=not overwrite)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageUnavailableError(UNAVAILABLE) from None
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return True

    def _get(self, pk: str, sk: str, now: datetime | None) -> tuple[dict[str, Any], int] | None:
        """The document and its version (strongly consistent); None when absent or, with ``now``, expired."""
        try:
            item = self._model.get(pk, sk, consistent_read=True)
        except self._model.DoesNotExist:
            return None
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        doc = dict(item.doc or {})
        if now is not None and "expiresAt" in doc and int(doc["expiresAt"]) <= int(now.timestamp()):
            return None
        return doc, int(item.version or 0)

    def _delete(self, pk: str, sk: str) -> None:
        try:
            self._model(pk, sk).delete(add_version_condition=False)
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None

    def _delete_version(self, pk: str, sk: str, version: int) -> bool:
        """Delete the item only if its ``version`` is still ``version``; False when that condition failed (it
        changed, or is gone)."""
        item = self._model(pk, sk)
        item.version = version
        try:
            item.delete(add_version_condition=True)
        except DeleteError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageUnavailableError(UNAVAILABLE) from None
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return True

    def _query(self, pk: str, consistent: bool = False) -> list[Item]:
        try:
            return list(self._model.query(pk, consistent_read=consistent))
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None


class RevocationRepository(GrantsTable):
    """Access tokens revoked before they expired (RFC 7009; read by introspection)."""

    def revoke_access_token(self, jti: str, client_id: str, expires_at: datetime) -> None:
        self._remember(*revocation_key(jti), expires_at, {"clientId": client_id})

    def is_access_token_revoked(self, jti: str, now: datetime) -> bool:
        return self._live(*revocation_key(jti), now)


class AssertionRepository(GrantsTable):
    """Client assertions (``private_key_jwt``) already used: a ``jti`` is accepted once until it expires."""

    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        """Record a client assertion's ``jti``; False when it was used before (a replay)."""
        pk = f"ASSERTION#{client_id}#{jti}"
        if self._remember(pk, "JTI", expires_at, {}):
            return True
        if self._live(pk, "JTI", now):
            return False
        # An expired marker DynamoDB has not deleted yet: the jti may be reused after expiry, so replace it. The
        # delete must not check ``version`` (this instance has none, the stored one does) and must only remove a
        # marker that is still expired: a concurrent request may have replaced it with a live one already.
        try:
            self._model(pk, "JTI").delete(self._model.expiresAt <= int(now.timestamp()), add_version_condition=False)
        except DeleteError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageUnavailableError(UNAVAILABLE) from None
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None
        return self._remember(pk, "JTI", expires_at, {})


class HolderRepository(GrantsTable):
    """Which clients may hold unexpired tokens of a server (``GET /authorizationServers/{id}/clients``)."""

    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None:
        """Note that ``client_id`` holds tokens of ``server_id`` that may live until ``until`` (overwrites)."""
        item = self._model(f"HOLDERS#{server_id}", client_id, doc={"expiresAt": int(until.timestamp())},
                           expiresAt=int(until.timestamp()))
        try:
            item.save(add_version_condition=False)
        except PynamoDBException:
            raise StorageUnavailableError(UNAVAILABLE) from None

    def holders(self, server_id: str, now: datetime) -> list[str]:
        """Client ids that may still hold unexpired tokens of ``server_id``, in id order."""
        items = self._query(f"HOLDERS#{server_id}")
        return [i.sk for i in items if int(i.doc.get("expiresAt", 0)) > int(now.timestamp())]
