"""Refresh-token families in the grants table (``chalicelib/oauth/refresh_tokens.py`` is the only user).

A *family* is everything one grant (a password sign-in, an authorization-code redemption) produced: the refresh
token in use now, the tokens it replaced, and the access tokens minted along the way. Okta's management API calls
the family a "refresh token" (``oar…``). The table holds only SHA-256 hashes of refresh tokens, never a token.

==========================================  ===================================================================
``pk = RTC#{serverId}#{clientId}``,         the family: user, scopes, original grant type, lifetimes, the hash of
``sk = RTF#{familyId}``                     the current token, the access tokens it issued; ``version`` guards
                                            rotation. One partition per (server, client): the management API's
                                            list and "revoke all" are one strongly consistent Query
``pk = RT#{sha256(token)}``, ``sk = RT``    a refresh token issued before 2026-12-05: where its family is (read,
                                            no longer written: families remember their rotated-out tokens). A
                                            token whose hash is not the family's current hash was rotated out
``pk = RTID#{familyId}``, ``sk = RTID``     where a family lives, for ``revoke_family(family_id)``; expires at the
                                            family's ``pointersUntil`` (ahead of the family, so moved only by some
                                            rotations: ``oauth/refresh_tokens.Family.moves_pointers``)
``pk = RTU#{userId}``, ``sk = RTF#{id}``     the user's families (where each lives), for revoking them when the user
                                            revokes consent (``user_families``); written with the pointer above
``pk = RTA#{clientId}``, ``sk = AS#{id}``    the client has (or had) families at server ``id``: the app's tokens
                                            across servers (``client_servers``) read only those partitions. Written
                                            (an update: it may exist) with every new family; no expiry (one small
                                            item per server and client that ever held a refresh token)
``pk = RTA#INDEX``, ``sk = RTA#INDEX``       whether every family has the item above: families created before it
                                            existed are indexed by a one-off scan (``admin/client_token_index.py``);
                                            until it says ``ready``, readers walk every server. Both items are read
                                            and written by storage/client_index_repository.py
==========================================  ===================================================================

Every item carries ``expiresAt`` (DynamoDB's TTL, days late; readers check expiry themselves). A revoked family
leaves its pointers and token items to that TTL (``delete(..., pointer=False)``): they lead to no family. The
documents are storage/grant_documents.py's; this repository exchanges ``Family`` and ``IssuedToken`` with the oauth
package.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..errors import StorageUnavailableError
from ..oauth.refresh_tokens import CodeWrite, Family, IssuedToken
from .front_channel_layout import code_key, stored_code_doc
from .grant_documents import (client_server_doc, family_doc, family_from, pointer_doc, revocation_doc, revocation_key,
                              token_from)
from .models import Item
from .transactions import MAX_ITEMS, idempotency_token

log = logging.getLogger(__name__)

FAMILY_PREFIX = "RTF#"
CLIENT_SERVER_PREFIX = "AS#"
PAGE = 100


def family_key(server_id: str, client_id: str, family_id: str) -> tuple[str, str]:
    return f"RTC#{server_id}#{client_id}", f"{FAMILY_PREFIX}{family_id}"


def token_key(token_hash: str) -> tuple[str, str]:
    return f"RT#{token_hash}", "RT"


def pointer_key(family_id: str) -> tuple[str, str]:
    return f"RTID#{family_id}", "RTID"


def user_key(user_id: str, family_id: str) -> tuple[str, str]:
    return f"RTU#{user_id}", f"{FAMILY_PREFIX}{family_id}"


def client_server_key(client_id: str, server_id: str) -> tuple[str, str]:
    return f"RTA#{client_id}", f"{CLIENT_SERVER_PREFIX}{server_id}"


class RefreshTokenRepository:
    def __init__(self, model: type[Item], connection: Connection) -> None:
        self._model = model
        self._connection = connection

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _item(self, key: tuple[str, str], doc: dict[str, Any], version: int | None = None) -> Item:
        expires = doc.get("expiresAt")
        item = self._model(key[0], key[1], doc=doc, expiresAt=int(expires) if expires is not None else None)
        if version is not None:
            item.version = version
        return item

    def _commit(self, build: Any) -> bool:
        """Run a TransactWrite; False when a condition failed (nothing was written)."""
        try:
            # The token makes botocore's retry of a committed transaction a success, not a failed condition.
            with TransactWrite(connection=self._connection, client_request_token=idempotency_token()) as tx:
                build(tx)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
                return False
            log.error("refresh-token transaction failed: %s", exc.cause_response_code)
            raise StorageUnavailableError("the grants store is unavailable") from None
        except PynamoDBException as exc:
            log.error("refresh-token transaction failed: %s", type(exc).__name__)
            raise StorageUnavailableError("the grants store is unavailable") from None
        return True

    def _get(self, key: tuple[str, str]) -> tuple[dict[str, Any], int] | None:
        try:
            item = self._model.get(key[0], key[1], consistent_read=True)
        except self._model.DoesNotExist:
            return None
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
        return dict(item.doc or {}), int(item.version or 0)

    # -- writes ----------------------------------------------------------------------------------------------------

    def create(self, family: Family, code: CodeWrite | None = None) -> bool:
        """Store a new family with its pointers and its client's index item, in one transaction (the family and its
        pointers may not exist), and with ``code`` the authorization code that grants it (conditional on the
        version it was read at)."""
        fkey = family_key(family.server_id, family.client_id, family.id)

        def build(tx: TransactWrite) -> None:
            if code is not None:
                tx.save(self._item(code_key(code.code.code_hash), stored_code_doc(code.code, code.keep_until),
                                   code.code.version))
            tx.save(self._item(fkey, family_doc(family)))
            tx.save(self._item(pointer_key(family.id), pointer_doc(family)))
            tx.save(self._item(user_key(family.user_id, family.id), pointer_doc(family)))
            # Every family of the client at this server shares the item: an update, which creates or rewrites it.
            tx.update(self._model(*client_server_key(family.client_id, family.server_id)),
                      [self._model.doc.set(client_server_doc(family.server_id, family.client_id))],
                      add_version_condition=False)

        return self._commit(build)

    def rotate(self, family: Family, pointers: bool = True) -> bool:
        """Replace the family, only if it is still at ``family.version`` (one rotation per token wins): one
        conditional PutItem; with ``pointers``, a transaction that also moves the pointers' expiry to
        ``family.pointers_until``. False when the family moved or is gone (or a retried PutItem found its own
        committed write: the caller tells, by the family's current hash)."""
        fkey = family_key(family.server_id, family.client_id, family.id)
        if not pointers:
            try:
                self._item(fkey, family_doc(family), family.version).save()
            except PutError as exc:
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    return False
                log.error("refresh-token rotation failed: %s", exc.cause_response_code)
                raise StorageUnavailableError("the grants store is unavailable") from None
            except PynamoDBException as exc:
                log.error("refresh-token rotation failed: %s", type(exc).__name__)
                raise StorageUnavailableError("the grants store is unavailable") from None
            return True

        def build(tx: TransactWrite) -> None:
            tx.save(self._item(fkey, family_doc(family), family.version))
            # Not written at every rotation, so their version no longer follows the family's: an update without a
            # version condition (the family's condition guards the transaction; the API role may UpdateItem on this
            # table).
            doc = pointer_doc(family)
            for key in (pointer_key(family.id), user_key(family.user_id, family.id)):
                tx.update(self._model(*key),
                          [self._model.doc.set(doc), self._model.expiresAt.set(int(doc["expiresAt"]))],
                          add_version_condition=False)

        return self._commit(build)

    def delete(self, server_id: str, client_id: str, family_id: str, user_id: str | None = None,
               revoke: tuple[tuple[str, int], ...] = (), pointer: bool = True) -> None:
        """Remove a family and its pointers (the family's own unless ``pointer`` is False, the user's when
        ``user_id`` is given; no condition: deleting is always right; its token items expire by TTL), and
        in the same transaction mark the access tokens ``revoke`` names (``(jti, exp)``) revoked until they expire
        (an update: a token revoked before stays revoked). A family can name up to 100 access tokens and a
        transaction holds 100 items: revocations that do not fit go first, in transactions of their own, so that
        a failure leaves the family in place for a retry rather than access tokens unrevoked behind a deleted one."""
        keys = [family_key(server_id, client_id, family_id), *([pointer_key(family_id)] if pointer else []),
                *([user_key(user_id, family_id)] if user_id else [])]
        fits = MAX_ITEMS - len(keys)
        overflow, last = revoke[:max(0, len(revoke) - fits)], revoke[max(0, len(revoke) - fits):]

        def revoked(tx: TransactWrite, tokens: tuple[tuple[str, int], ...]) -> None:
            for jti, exp in tokens:
                tx.update(self._model(*revocation_key(jti)),
                          [self._model.doc.set(revocation_doc(client_id, exp)), self._model.expiresAt.set(int(exp))],
                          add_version_condition=False)

        for start in range(0, len(overflow), MAX_ITEMS):
            self._commit(lambda tx, chunk=overflow[start:start + MAX_ITEMS]: revoked(tx, chunk))

        def build(tx: TransactWrite) -> None:
            for pk, sk in keys:
                tx.delete(self._model(pk, sk), add_version_condition=False)
            revoked(tx, last)

        self._commit(build)

    # -- reads -----------------------------------------------------------------------------------------------------

    def token(self, token_hash: str) -> IssuedToken | None:
        found = self._get(token_key(token_hash))
        return token_from(found[0]) if found else None

    def family(self, server_id: str, client_id: str, family_id: str) -> Family | None:
        found = self._get(family_key(server_id, client_id, family_id))
        return family_from(*found) if found else None

    def locate(self, family_id: str) -> tuple[str, str] | None:
        """(server id, client id) of a family, from its pointer."""
        found = self._get(pointer_key(family_id))
        if found is None:
            return None
        return str(found[0]["serverId"]), str(found[0]["clientId"])

    def user_families(self, user_id: str) -> Iterator[tuple[str, str, str]]:
        """(server id, client id, family id) of the user's families (some may have just ended)."""
        try:
            for item in self._model.query(f"RTU#{user_id}", self._model.sk.startswith(FAMILY_PREFIX),
                                          consistent_read=True, page_size=PAGE):
                doc = dict(item.doc or {})
                yield str(doc["serverId"]), str(doc["clientId"]), item.sk[len(FAMILY_PREFIX):]
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None

    def families(self, server_id: str, client_id: str, after: str | None = None) -> Iterator[Family]:
        """The client's families of the server in family-id order, strictly after family id ``after``."""
        pk, _ = family_key(server_id, client_id, "")
        start = f"{FAMILY_PREFIX}{after}" if after else FAMILY_PREFIX
        condition = (self._model.sk > start) if after else self._model.sk.startswith(FAMILY_PREFIX)
        try:
            for item in self._model.query(pk, condition, consistent_read=True, page_size=PAGE):
                if not item.sk.startswith(FAMILY_PREFIX):
                    break
                yield family_from(dict(item.doc or {}), int(item.version or 0))
        except PynamoDBException:
            raise StorageUnavailableError("the grants store is unavailable") from None
