"""Trusted origins in memory (``ports.TrustedOriginStore``): the same partition, markers and conditions as
storage/trusted_origin_repository.py, on the configuration ``Table``."""
from __future__ import annotations

from dataclasses import replace

from ...domain import TrustedOrigin
from ...ports import L_NAME, L_ORIGIN, L_VERSION
from .. import mappers
from ..trusted_origin_repository import PK, name_sk, origin_sk, url_sk
from .table import Delete, Op, Put, Table


class MemoryTrustedOrigins:
    def __init__(self, table: Table) -> None:
        self._t = table

    def list(self) -> list[TrustedOrigin]:
        found = [mappers.trusted_origin_from(r.doc, r.version) for _, r in self._t.query(PK, "ORIGIN#")]
        return sorted(found, key=lambda o: (o.created, o.id))

    def get(self, origin_id: str) -> TrustedOrigin | None:
        found = self._t.get(PK, origin_sk(origin_id))
        return mappers.trusted_origin_from(found.doc, found.version) if found else None

    @staticmethod
    def _origin(origin: TrustedOrigin, version: int | None) -> Put:
        return Put(PK, origin_sk(origin.id), mappers.trusted_origin_doc(origin), L_VERSION, version)

    def create(self, origin: TrustedOrigin) -> TrustedOrigin:
        self._t.write([self._origin(origin, None), Put(PK, url_sk(origin.origin), {"id": origin.id}, L_ORIGIN),
                       Put(PK, name_sk(origin.name), {"id": origin.id}, L_NAME)])
        return replace(origin, version=1)

    def replace(self, old: TrustedOrigin, new: TrustedOrigin) -> TrustedOrigin:
        ops: list[Op] = [self._origin(new, old.version)]
        if new.origin != old.origin:
            ops += [Delete(PK, url_sk(old.origin), L_ORIGIN), Put(PK, url_sk(new.origin), {"id": new.id}, L_ORIGIN)]
        if name_sk(new.name) != name_sk(old.name):
            ops += [Delete(PK, name_sk(old.name), L_NAME), Put(PK, name_sk(new.name), {"id": new.id}, L_NAME)]
        self._t.write(ops)
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, origin: TrustedOrigin) -> None:
        self._t.write([Delete(PK, origin_sk(origin.id), L_VERSION, origin.version, check_version=True),
                       Delete(PK, url_sk(origin.origin), L_ORIGIN), Delete(PK, name_sk(origin.name), L_NAME)])
