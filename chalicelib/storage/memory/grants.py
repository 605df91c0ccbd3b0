"""The grants table in memory: the protocol core's stores (revocations, client assertions, token holders,
sessions, pending authorize requests, pushed authorization requests, codes, consent, refresh-token families) with the semantics of
storage/grants_repository.py, front_channel_repository.py and refresh_token_repository.py: expiry is checked on
every read (nothing sweeps), single-use transitions are conditional on the version read."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from ...oauth.refresh_tokens import CodeWrite, Family, IssuedToken
from ...ports import WriteConflict
from ..device_layout import DEVICE_SK, USER_CODE_SK, DeviceItems, attempts_key, device_pk, user_code_pk
from ..front_channel_layout import (CodeItems, PendingRequestItems, PushedRequestItems, SessionItems, code_key,
                                    stored_code_doc)
from ..grant_documents import (client_server_doc, family_doc, family_from, family_partition, pointer_doc,
                               revocation_doc, revocation_key, token_from)
from .table import MAX_ITEMS, Delete, Op, Put, Table


def _ts(value: datetime) -> int:
    return int(value.timestamp())


class _Grants:
    def __init__(self, table: Table) -> None:
        self._t = table

    def _remember(self, pk: str, sk: str, expires_at: datetime, doc: dict[str, Any]) -> bool:
        return self._try([Put(pk, sk, {**doc, "expiresAt": _ts(expires_at)}, "marker", expires=_ts(expires_at))])

    def _try(self, ops: list[Op]) -> bool:
        try:
            self._t.write(ops)
        except WriteConflict:
            return False
        return True

    def _live(self, pk: str, sk: str, now: datetime) -> bool:
        found = self._t.get(pk, sk)
        return found is not None and int(found.doc.get("expiresAt", 0)) > _ts(now)

    def _put(self, pk: str, sk: str, doc: dict[str, Any], expires_at: datetime | None, version: int | None = None,
             *, overwrite: bool = False) -> bool:
        expires = _ts(expires_at) if expires_at is not None else None
        body = {**doc, "expiresAt": expires} if expires is not None else dict(doc)
        return self._try([Put(pk, sk, body, "document", version, overwrite=overwrite, expires=expires)])

    def _get(self, pk: str, sk: str, now: datetime | None) -> tuple[dict[str, Any], int] | None:
        found = self._t.get(pk, sk)
        if found is None:
            return None
        doc = dict(found.doc or {})
        if now is not None and "expiresAt" in doc and int(doc["expiresAt"]) <= _ts(now):
            return None
        return doc, found.version

    def _delete(self, pk: str, sk: str) -> None:
        self._t.write([Delete(pk, sk, "document")])

    def _delete_version(self, pk: str, sk: str, version: int) -> bool:
        return self._try([Delete(pk, sk, "document", version, check_version=True)])


class MemoryRevocations(_Grants):
    def revoke_access_token(self, jti: str, client_id: str, expires_at: datetime) -> None:
        self._remember(*revocation_key(jti), expires_at, {"clientId": client_id})

    def is_access_token_revoked(self, jti: str, now: datetime) -> bool:
        return self._live(*revocation_key(jti), now)


class MemoryAssertions(_Grants):
    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        pk = f"ASSERTION#{client_id}#{jti}"
        if self._remember(pk, "JTI", expires_at, {}):
            return True
        if self._live(pk, "JTI", now):
            return False
        # An expired marker: replace it, unless a concurrent request replaced it with a live one first.
        if not self._try([Delete(pk, "JTI", "marker", when=lambda r: (r.expires or 0) <= _ts(now))]):
            return False
        return self._remember(pk, "JTI", expires_at, {})


class MemoryHolders(_Grants):
    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None:
        self._t.write([Put(f"HOLDERS#{server_id}", client_id, {"expiresAt": _ts(until)}, "holder", overwrite=True,
                           expires=_ts(until))])

    def holders(self, server_id: str, now: datetime) -> list[str]:
        return [sk for sk, r in self._t.query(f"HOLDERS#{server_id}") if int(r.doc.get("expiresAt", 0)) > _ts(now)]


class MemorySessions(SessionItems, _Grants):
    pass


class MemoryPendingRequests(PendingRequestItems, _Grants):
    pass


class MemoryCodes(CodeItems, _Grants):
    pass


class MemoryPushedRequests(PushedRequestItems, _Grants):
    pass


class MemoryDevices(DeviceItems, _Grants):
    """Device authorizations (storage/device_layout.py), as storage/device_repository.py keeps them."""

    def create_device_authorization(self, device_hash: str, server_id: str, user_code_hash: str,
                                    record: dict[str, Any], expires_at: datetime) -> bool:
        expires = _ts(expires_at)
        return self._try([Put(device_pk(device_hash), DEVICE_SK, {**record, "expiresAt": expires}, "device",
                              expires=expires),
                          Put(user_code_pk(server_id, user_code_hash), USER_CODE_SK,
                              {"deviceHash": device_hash, "expiresAt": expires}, "user code", expires=expires)])

    def count_device_attempt(self, key: str, window: int, expires_at: datetime, limit: int | None) -> int | None:
        return self._t.add(*attempts_key(key, window), {"expiresAt": _ts(expires_at)}, below=limit)

    def device_attempts(self, key: str, window: int) -> int:
        found = self._t.get(*attempts_key(key, window))
        return found.version if found else 0


class MemoryConsents(_Grants):
    def consent_grants(self, user_id: str) -> list[dict[str, Any]]:
        return [{**(r.doc or {}), "_key": sk} for sk, r in self._t.query(f"CONSENT#{user_id}")]

    def save_consent_grants(self, user_id: str, records: list[tuple[str, dict[str, Any]]]) -> None:
        for key, record in records:
            self._put(f"CONSENT#{user_id}", key, record, None, overwrite=True)

    def delete_consent_grant(self, user_id: str, key: str) -> None:
        self._delete(f"CONSENT#{user_id}", key)


class MemoryRefreshTokens(_Grants):
    """Refresh-token families (oauth/refresh_tokens.Store), keyed as storage/refresh_token_repository.py."""

    @staticmethod
    def _family_key(server_id: str, client_id: str, family_id: str) -> tuple[str, str]:
        return f"RTC#{server_id}#{client_id}", f"RTF#{family_id}"

    @staticmethod
    def _doc(pk: str, sk: str, doc: dict[str, Any], version: int | None = None) -> Put:
        expires = doc.get("expiresAt")
        return Put(pk, sk, doc, "family", version, expires=int(expires) if expires is not None else None)

    def _ops(self, family: Family, version: int | None) -> list[Op]:
        return [self._doc(*self._family_key(family.server_id, family.client_id, family.id), family_doc(family),
                          version)]

    @staticmethod
    def _pointers(family: Family, create: bool) -> list[Op]:
        doc = pointer_doc(family)
        expires = int(doc["expiresAt"])
        # Created with the family; moved afterwards without a version condition (as storage/refresh_token_repository.py)
        return [Put(pk, sk, doc, "family", None, expires=expires, overwrite=not create)
                for pk, sk in ((f"RTID#{family.id}", "RTID"), (f"RTU#{family.user_id}", f"RTF#{family.id}"))]

    @staticmethod
    def _client_server(server_id: str, client_id: str) -> Put:
        return Put(f"RTA#{client_id}", f"AS#{server_id}", client_server_doc(server_id, client_id), "client server",
                   overwrite=True)

    def create(self, family: Family, code: CodeWrite | None = None) -> bool:
        redeemed = [self._doc(*code_key(code.code.code_hash), stored_code_doc(code.code, code.keep_until),
                              code.code.version)] if code is not None else []
        return self._try(redeemed + self._ops(family, None) + self._pointers(family, create=True)
                         + [self._client_server(family.server_id, family.client_id)])

    def index_created_table(self) -> None:
        self.save_index_state({"state": "ready"}, None)

    def client_servers(self, client_id: str) -> list[str]:
        return [sk[len("AS#"):] for sk, _r in self._t.query(f"RTA#{client_id}", "AS#")]

    def index_state(self) -> tuple[dict[str, Any], int] | None:
        return self._get("RTA#INDEX", "RTA#INDEX", None)

    def save_index_state(self, doc: dict[str, Any], version: int | None) -> bool:
        return self._put("RTA#INDEX", "RTA#INDEX", doc, None, version)

    def family_partitions(self, start: dict[str, Any] | None, items: int
                          ) -> tuple[set[tuple[str, str]], dict[str, Any] | None]:
        keys = self._t.keys((start["pk"], start["sk"]) if start else None, items + 1)
        seen, more = keys[:items], len(keys) > items
        pairs = {pair for pk, _sk in seen if (pair := family_partition(pk)) is not None}
        return pairs, ({"pk": seen[-1][0], "sk": seen[-1][1]} if more else None)

    def add_client_servers(self, pairs: set[tuple[str, str]]) -> None:
        self._t.write([self._client_server(server_id, client_id) for server_id, client_id in sorted(pairs)])

    def rotate(self, family: Family, pointers: bool = True) -> bool:
        return self._try(self._ops(family, family.version) + (self._pointers(family, create=False) if pointers else []))

    def delete(self, server_id: str, client_id: str, family_id: str, user_id: str | None = None,
               revoke: tuple[tuple[str, int], ...] = (), pointer: bool = True) -> None:
        keys = [self._family_key(server_id, client_id, family_id),
                *([(f"RTID#{family_id}", "RTID")] if pointer else []),
                *([(f"RTU#{user_id}", f"RTF#{family_id}")] if user_id else [])]
        revoked: list[Op] = [Put(*revocation_key(jti), revocation_doc(client_id, exp), "revocation", overwrite=True,
                                 expires=int(exp)) for jti, exp in revoke]
        # As on DynamoDB: what does not fit one transaction beside the deletions goes first, in its own.
        split = max(0, len(revoked) - (MAX_ITEMS - len(keys)))
        for start in range(0, split, MAX_ITEMS):
            self._t.write(revoked[start:min(start + MAX_ITEMS, split)])
        self._t.write([Delete(pk, sk, "family") for pk, sk in keys] + revoked[split:])

    def token(self, token_hash: str) -> IssuedToken | None:
        found = self._get(f"RT#{token_hash}", "RT", None)
        return token_from(found[0]) if found else None

    def family(self, server_id: str, client_id: str, family_id: str) -> Family | None:
        found = self._get(*self._family_key(server_id, client_id, family_id), None)
        return family_from(*found) if found else None

    def locate(self, family_id: str) -> tuple[str, str] | None:
        found = self._get(f"RTID#{family_id}", "RTID", None)
        return (str(found[0]["serverId"]), str(found[0]["clientId"])) if found else None

    def user_families(self, user_id: str) -> Iterator[tuple[str, str, str]]:
        for sk, r in self._t.query(f"RTU#{user_id}", "RTF#", None):
            yield str(r.doc["serverId"]), str(r.doc["clientId"]), sk[len("RTF#"):]

    def families(self, server_id: str, client_id: str, after: str | None = None) -> Iterator[Family]:
        pk, _ = self._family_key(server_id, client_id, "")
        for _sk, r in self._t.query(pk, "RTF#", f"RTF#{after}" if after else None):
            yield family_from(dict(r.doc or {}), r.version)
