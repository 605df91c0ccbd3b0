"""The front channel's state in the "grants" table, one repository per concern (docs/ARCHITECTURE.md "Sign-in,
consent and the authorization code flow").

==============================================  =============================================================
``pk = SESSION#{sha256(session id)}``, ``SESSION``  a sign-in session (oauth/sessions.py)
``pk = AUTHZ#{sha256(request id)}``, ``REQUEST``    an authorize request waiting for sign-in or consent
``pk = CODE#{sha256(code)}``, ``sk = CODE``          an authorization code (oauth/codes.py)
``pk = PAR#{sha256(request_uri id)}``, ``REQUEST``  a pushed authorization request (RFC 9126), taken once
``pk = CONSENT#{userId}``, ``{serverId}#{clientId}#{scope}``  a scope a user consented to; no ``expiresAt``:
                                                     lives until revoked (oauth/consent.py)
==============================================  =============================================================

Secrets (session ids, request ids, codes) are never stored, only their SHA-256. Documents are returned with the
item's ``version`` so that callers can make single-use transitions conditional on what they read. The key layout of
sessions, requests and codes is storage/front_channel_layout.py's, shared with the in-memory backend.
"""
from __future__ import annotations

from typing import Any

from .front_channel_layout import CodeItems, PendingRequestItems, PushedRequestItems, SessionItems
from .grants_repository import GrantsTable


class SessionRepository(SessionItems, GrantsTable):
    pass


class PendingRequestRepository(PendingRequestItems, GrantsTable):
    pass


class CodeRepository(CodeItems, GrantsTable):
    pass


class PushedRequestRepository(PushedRequestItems, GrantsTable):
    pass


class ConsentRepository(GrantsTable):
    def consent_grants(self, user_id: str) -> list[dict[str, Any]]:
        """Every scope consent of the user (one Query of its partition), each with its key as ``_key``."""
        items = self._query(f"CONSENT#{user_id}", consistent=True)
        return [{**(i.doc or {}), "_key": i.sk} for i in items]

    def save_consent_grants(self, user_id: str, records: list[tuple[str, dict[str, Any]]]) -> None:
        """Write ``(key, record)`` consents of the user (overwriting: consenting again refreshes them)."""
        for key, record in records:
            self._put(f"CONSENT#{user_id}", key, record, None, overwrite=True)

    def delete_consent_grant(self, user_id: str, key: str) -> None:
        self._delete(f"CONSENT#{user_id}", key)
