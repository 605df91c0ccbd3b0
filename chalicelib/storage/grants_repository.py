"""Repository of short-lived grant state (the "grants" table): revoked access-token ids and used client-assertion
ids. Every item carries ``expiresAt`` (DynamoDB's TTL attribute); DynamoDB deletes expired items up to days late,
so every read checks expiry itself.

========================================  ================================================
``pk = REVOKED#{jti}``, ``sk = AT``        an access token revoked before it expired (RFC 7009)
``pk = ASSERTION#{clientId}#{jti}``, ``sk = JTI``  a client assertion already used (RFC 7523 3.)
``pk = HOLDERS#{authServerId}``, ``sk = {clientId}``  a client that may hold unexpired tokens of the server
========================================  ================================================
"""
from __future__ import annotations

from datetime import datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PynamoDBException

from ..errors import StorageUnavailableError
from .models import Item
from .transactions import Transaction, WriteConflict


class GrantsRepository:
    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    def _remember(self, pk: str, sk: str, expires_at: datetime, doc: dict) -> bool:
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
            raise StorageUnavailableError("the grants store is unavailable") from None
        return int(item.doc.get("expiresAt", 0)) > int(now.timestamp())

    def revoke_access_token(self, jti: str, client_id: str, expires_at: datetime) -> None:
        self._remember(f"REVOKED#{jti}", "AT", expires_at, {"clientId": client_id})

    def is_access_token_revoked(self, jti: str, now: datetime) -> bool:
        return self._live(f"REVOKED#{jti}", "AT", now)

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
            raise StorageUnavailableError("the grants store is unavailable") from None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return self._remember(pk, "JTI", expires_at, {})

    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None:
        """Note that ``client_id`` holds tokens of ``server_id`` that may live until ``until`` (overwrites)."""
        item = self._model(f"HOLDERS#{server_id}", client_id, doc={"expiresAt": int(until.timestamp())},
                           expiresAt=int(until.timestamp()))
        try:
            item.save(add_version_condition=False)
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None

    def holders(self, server_id: str, now: datetime) -> list[str]:
        """Client ids that may still hold unexpired tokens of ``server_id``."""
        try:
            items = list(self._model.query(f"HOLDERS#{server_id}"))
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return [i.sk for i in items if int(i.doc.get("expiresAt", 0)) > int(now.timestamp())]

    # -- the front channel: sign-in sessions, pending authorize requests, authorization codes, consent -----------
    #
    # ==============================================  =============================================================
    # ``pk = SESSION#{sha256(session id)}``, ``SESSION``  a sign-in session (oauth/sessions.py)
    # ``pk = AUTHZ#{sha256(request id)}``, ``REQUEST``    an authorize request waiting for sign-in or consent
    # ``pk = CODE#{sha256(code)}``, ``sk = CODE``          an authorization code (oauth/codes.py)
    # ``pk = CONSENT#{userId}``, ``{serverId}#{clientId}#{scope}``  a scope a user consented to; no ``expiresAt``:
    #                                                      lives until revoked (oauth/consent.py)
    # ==============================================  =============================================================
    #
    # Secrets (session ids, request ids, codes) are never stored, only their SHA-256. Documents are returned with
    # the item's ``version`` so that callers can make single-use transitions conditional on what they read.

    def _front_put(self, pk: str, sk: str, doc: dict, expires_at: datetime | None, version: int | None = None,
                   *, overwrite: bool = False) -> bool:
        """Write a document. ``overwrite``: unconditionally; else only if the stored ``version`` is still
        ``version`` (None: only if there is no item yet). False when that condition failed."""
        from pynamodb.exceptions import PutError

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
            raise StorageUnavailableError("the grants store is unavailable") from None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return True

    def _front_get(self, pk: str, sk: str, now: datetime | None) -> tuple[dict, int] | None:
        """The document and its version (strongly consistent); None when absent or, with ``now``, expired."""
        try:
            item = self._model.get(pk, sk, consistent_read=True)
        except self._model.DoesNotExist:
            return None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        doc = dict(item.doc or {})
        if now is not None and "expiresAt" in doc and int(doc["expiresAt"]) <= int(now.timestamp()):
            return None
        return doc, int(item.version or 0)

    def _front_delete(self, pk: str, sk: str) -> None:
        try:
            self._model(pk, sk).delete(add_version_condition=False)
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None

    # sign-in sessions

    def save_session(self, id_hash: str, record: dict, expires_at: datetime) -> None:
        self._front_put(f"SESSION#{id_hash}", "SESSION", record, expires_at, overwrite=True)

    def get_session(self, id_hash: str, now: datetime) -> dict | None:
        found = self._front_get(f"SESSION#{id_hash}", "SESSION", now)
        return found[0] if found else None

    def delete_session(self, id_hash: str) -> None:
        self._front_delete(f"SESSION#{id_hash}", "SESSION")

    # pending authorize requests

    def create_authorize_request(self, id_hash: str, record: dict, expires_at: datetime) -> bool:
        return self._front_put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at)

    def get_authorize_request(self, id_hash: str, now: datetime) -> tuple[dict, int] | None:
        return self._front_get(f"AUTHZ#{id_hash}", "REQUEST", now)

    def update_authorize_request(self, id_hash: str, record: dict, expires_at: datetime, version: int) -> bool:
        return self._front_put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at, version)

    def delete_authorize_request(self, id_hash: str) -> None:
        self._front_delete(f"AUTHZ#{id_hash}", "REQUEST")

    # authorization codes

    def create_code(self, code_hash: str, record: dict, expires_at: datetime) -> bool:
        return self._front_put(f"CODE#{code_hash}", "CODE", record, expires_at)

    def get_code(self, code_hash: str) -> tuple[dict, int] | None:
        """The code's record whether or not it expired (a replay of a consumed code must still be recognised)."""
        return self._front_get(f"CODE#{code_hash}", "CODE", None)

    def update_code(self, code_hash: str, record: dict, expires_at: datetime, version: int) -> bool:
        """Replace the record if its version is still ``version`` (single use: two redemptions cannot both win)."""
        return self._front_put(f"CODE#{code_hash}", "CODE", record, expires_at, version)

    # consent

    def consent_grants(self, user_id: str) -> list[dict]:
        """Every scope consent of the user (one Query of its partition)."""
        try:
            items = list(self._model.query(f"CONSENT#{user_id}", consistent_read=True))
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return [{**(i.doc or {}), "_key": i.sk} for i in items]

    def save_consent_grants(self, user_id: str, records: list[tuple[str, dict]]) -> None:
        """Write ``(key, record)`` consents of the user (overwriting: consenting again refreshes them)."""
        for key, record in records:
            self._front_put(f"CONSENT#{user_id}", key, record, None, overwrite=True)

    def delete_consent_grant(self, user_id: str, key: str) -> None:
        self._front_delete(f"CONSENT#{user_id}", key)
