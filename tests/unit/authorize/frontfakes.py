"""An in-memory stand-in for the grants table's front-channel items (sessions, pending authorize requests, codes,
consent), with DynamoDB's version semantics: a write conditional on a version fails when the stored one moved.
Imported by the unit tests as ``frontfakes``."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Callable

from chalicelib.oauth.codes import StoredCode
from chalicelib.storage.grant_documents import code_doc, code_from


class MemoryGrants:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[dict, int, int | None]] = {}
        # Called between the read and the conditional write of ``update_code`` (to inject interleavings, H-04).
        self.before_code_write: Callable[[], None] | None = None

    # generic

    def _put(self, pk: str, sk: str, doc: dict, expires_at: datetime | None, version: int | None,
             overwrite: bool = False) -> bool:
        current = self.items.get((pk, sk))
        if not overwrite:
            if version is None and current is not None:
                return False
            if version is not None and (current is None or current[1] != version):
                return False
        new_version = (current[1] if current else 0) + 1
        expires = int(expires_at.timestamp()) if expires_at else None
        body = copy.deepcopy(doc)
        if expires is not None:
            body["expiresAt"] = expires
        self.items[(pk, sk)] = (body, new_version, expires)
        return True

    def _get(self, pk: str, sk: str, now: datetime | None) -> tuple[dict, int] | None:
        found = self.items.get((pk, sk))
        if found is None:
            return None
        doc, version, expires = found
        if now is not None and expires is not None and expires <= int(now.timestamp()):
            return None
        return copy.deepcopy(doc), version

    # sessions

    def save_session(self, id_hash: str, record: dict, expires_at: datetime) -> None:
        self._put(f"SESSION#{id_hash}", "SESSION", record, expires_at, None, overwrite=True)

    def get_session(self, id_hash: str, now: datetime) -> dict | None:
        found = self._get(f"SESSION#{id_hash}", "SESSION", now)
        return found[0] if found else None

    def delete_session(self, id_hash: str) -> None:
        self.items.pop((f"SESSION#{id_hash}", "SESSION"), None)

    # pending requests

    def create_authorize_request(self, id_hash: str, record: dict, expires_at: datetime) -> bool:
        return self._put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at, None)

    def get_authorize_request(self, id_hash: str, now: datetime) -> tuple[dict, int] | None:
        return self._get(f"AUTHZ#{id_hash}", "REQUEST", now)

    def update_authorize_request(self, id_hash: str, record: dict, expires_at: datetime, version: int) -> bool:
        return self._put(f"AUTHZ#{id_hash}", "REQUEST", record, expires_at, version)

    def delete_authorize_request(self, id_hash: str) -> None:
        self.items.pop((f"AUTHZ#{id_hash}", "REQUEST"), None)

    # codes

    def create_code(self, code: StoredCode) -> bool:
        return self._put(f"CODE#{code.code_hash}", "CODE", code_doc(code), code.expires_at, None)

    def get_code(self, code_hash: str) -> StoredCode | None:
        found = self._get(f"CODE#{code_hash}", "CODE", None)
        return code_from(code_hash, *found) if found else None

    def update_code(self, code: StoredCode, keep_until: datetime) -> bool:
        hook, self.before_code_write = self.before_code_write, None
        if hook is not None:
            hook()
        return self._put(f"CODE#{code.code_hash}", "CODE", code_doc(code), keep_until, code.version)

    # consent

    def consent_grants(self, user_id: str) -> list[dict]:
        return [{**copy.deepcopy(doc), "_key": sk} for (pk, sk), (doc, _v, _e) in self.items.items()
                if pk == f"CONSENT#{user_id}"]

    def save_consent_grants(self, user_id: str, records: list[tuple[str, dict]]) -> None:
        for key, record in records:
            self._put(f"CONSENT#{user_id}", key, record, None, None, overwrite=True)

    def delete_consent_grant(self, user_id: str, key: str) -> None:
        self.items.pop((f"CONSENT#{user_id}", key), None)

    def keys(self, prefix: str) -> list[tuple[str, str]]:
        return [k for k in self.items if k[0].startswith(prefix)]
