"""The front channel's items in the grants table, written once for both backends: sign-in sessions, authorize
requests waiting for a page, and authorization codes (docs/ARCHITECTURE.md "Sign-in, consent and the authorization
code flow"). Each class is a mixin over the three primitives a backend's grants table provides, with the same
signatures on both (``_put(pk, sk, doc, expires_at, version=None, *, overwrite=False) -> bool``,
``_get(pk, sk, now) -> (doc, version) | None``, ``_delete(pk, sk)``: storage/grants_repository.GrantsTable on
DynamoDB, storage/memory/grants._Grants in memory), so the key layout cannot differ between the two backends that the
contract suite holds to the same behaviour. No pynamodb here.

==============================================  =============================================================
``pk = SESSION#{sha256(session id)}``, ``SESSION``  a sign-in session (oauth/sessions.py)
``pk = AUTHZ#{sha256(request id)}``, ``REQUEST``    an authorize request waiting for sign-in or consent
``pk = CODE#{sha256(code)}``, ``sk = CODE``          an authorization code (oauth/codes.py)
``pk = PAR#{sha256(request_uri id)}``, ``REQUEST``  a pushed authorization request (RFC 9126; oauth/authorize/pushed.py)
==============================================  =============================================================

Secrets (session ids, request ids, codes) are never stored, only their SHA-256. Documents are returned with the
item's ``version`` so that callers can make single-use transitions conditional on what they read.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from ..oauth.codes import StoredCode
from .grant_documents import code_doc, code_from


class GrantPrimitives(Protocol):
    """The primitives a backend's grants table provides, which the mixins below (and storage/device_layout.py's)
    call on ``self``: typing only (each mixin method's ``self``), so that the concrete class that pairs a mixin with a
    backend's table is checked to provide them."""

    def _put(self, pk: str, sk: str, doc: dict[str, Any], expires_at: datetime | None, version: int | None = None,
             *, overwrite: bool = False) -> bool: ...

    def _get(self, pk: str, sk: str, now: datetime | None) -> tuple[dict[str, Any], int] | None: ...

    def _delete(self, pk: str, sk: str) -> None: ...

    def _delete_version(self, pk: str, sk: str, version: int) -> bool: ...


class SessionItems:
    """oauth/sessions.SessionStore."""

    def save_session(self: GrantPrimitives, id_hash: str, record: dict[str, Any], expires_at: datetime) -> None:
        self._put(f"SESSION#{id_hash}", "SESSION", record, expires_at, overwrite=True)

    def get_session(self: GrantPrimitives, id_hash: str, now: datetime) -> dict[str, Any] | None:
        found = self._get(f"SESSION#{id_hash}", "SESSION", now)
        return found[0] if found else None

    def delete_session(self: GrantPrimitives, id_hash: str) -> None:
        self._delete(f"SESSION#{id_hash}", "SESSION")


class PendingRequestItems:
    """oauth/authorize/pending.PendingStore."""

    def create_authorize_request(self: GrantPrimitives, id_hash: str, record: dict[str, Any],
                                 expires_at: datetime) -> bool:
        return self._put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at)

    def get_authorize_request(self: GrantPrimitives, id_hash: str,
                              now: datetime) -> tuple[dict[str, Any], int] | None:
        return self._get(f"AUTHZ#{id_hash}", "REQUEST", now)

    def update_authorize_request(self: GrantPrimitives, id_hash: str, record: dict[str, Any], expires_at: datetime,
                                 version: int) -> bool:
        return self._put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at, version)

    def delete_authorize_request(self: GrantPrimitives, id_hash: str) -> None:
        self._delete(f"AUTHZ#{id_hash}", "REQUEST")


def code_key(code_hash: str) -> tuple[str, str]:
    return f"CODE#{code_hash}", "CODE"


def stored_code_doc(code: StoredCode, keep_until: datetime) -> dict[str, Any]:
    """The code's document as ``update_code`` writes it (with its expiry), for a transaction that writes the code
    beside other items (the refresh-token family a redemption creates: storage/refresh_token_repository.py)."""
    return {**code_doc(code), "expiresAt": int(keep_until.timestamp())}


class CodeItems:
    """oauth/codes.CodeStore; the document is storage/grant_documents.py's."""

    def create_code(self: GrantPrimitives, code: StoredCode) -> bool:
        return self._put(*code_key(code.code_hash), code_doc(code), code.expires_at)

    def get_code(self: GrantPrimitives, code_hash: str) -> StoredCode | None:
        """The code whether or not it expired (a replay of a consumed code must still be recognised)."""
        found = self._get(*code_key(code_hash), None)
        return code_from(code_hash, *found) if found else None

    def update_code(self: GrantPrimitives, code: StoredCode, keep_until: datetime) -> bool:
        """Replace the code if its version is still ``code.version`` (single use: two redemptions cannot both
        win)."""
        return self._put(*code_key(code.code_hash), code_doc(code), keep_until, code.version)


class PushedRequestItems:
    """oauth/authorize/pushed.PushedStore: a pushed authorization request (RFC 9126), written once and taken once.
    ``take`` reads the item and deletes it on condition that its version is still the one read, so of two
    concurrent takes exactly one gets the request (PAR-01)."""

    def create_pushed_request(self: GrantPrimitives, id_hash: str, record: dict[str, Any],
                              expires_at: datetime) -> bool:
        return self._put(f"PAR#{id_hash}", "REQUEST", record, expires_at)

    def take_pushed_request(self: GrantPrimitives, id_hash: str, now: datetime) -> dict[str, Any] | None:
        """The request, deleted in the same step; None when absent, taken by someone else, or expired (an expired
        one is deleted too)."""
        found = self._get(f"PAR#{id_hash}", "REQUEST", None)
        if found is None:
            return None
        record, version = found
        if not self._delete_version(f"PAR#{id_hash}", "REQUEST", version):
            return None
        if int(record.get("expiresAt", 0)) <= int(now.timestamp()):
            return None
        return record
