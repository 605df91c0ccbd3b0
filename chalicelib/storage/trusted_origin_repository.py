"""Repository of trusted origins (the configuration table; docs/ARCHITECTURE.md "Data model").

They are org-wide, few, and read whole by the CORS cache of the token path, so they share one partition, which one
strongly consistent Query loads (as a server's configuration):

==========================  =========================================================================================
``pk = ORIGINS``, sk        item
==========================  =========================================================================================
``ORIGIN#{id}``             a trusted origin
``URL#{origin}``            uniqueness marker of the (normalised) origin, written in the same transaction
``NAME#{casefolded name}``  uniqueness marker of the name ("An object with this field already exists")
==========================  =========================================================================================
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..domain import TrustedOrigin
from ..ports import L_NAME, L_ORIGIN, L_VERSION, origin_name_key
from . import mappers
from .base import Repository
from .models import Item
from .transactions import Transaction

PK = "ORIGINS"


def origin_sk(origin_id: str) -> str:
    return f"ORIGIN#{origin_id}"


def url_sk(origin: str) -> str:
    return f"URL#{origin}"


def name_sk(name: str) -> str:
    return f"NAME#{origin_name_key(name)}"


class TrustedOriginRepository(Repository):
    STORE = "the configuration store"

    def list(self) -> list[TrustedOrigin]:
        items = self._guard(lambda: list(self._model.query(PK, self._model.sk.startswith("ORIGIN#"),
                                                           consistent_read=True)))
        found = [mappers.trusted_origin_from(i.doc, i.version) for i in items]
        return sorted(found, key=lambda o: (o.created, o.id))

    def get(self, origin_id: str) -> TrustedOrigin | None:
        def read() -> Item | None:
            try:
                return self._model.get(PK, origin_sk(origin_id), consistent_read=True)
            except self._model.DoesNotExist:
                return None

        item = self._guard(read)
        return mappers.trusted_origin_from(item.doc, item.version) if item else None

    def _item(self, sk: str, doc: dict[str, Any], version: int | None = None) -> Item:
        item = self._model(PK, sk, doc=doc)
        if version is not None:
            item.version = version
        return item

    def _origin_item(self, origin: TrustedOrigin, version: int | None) -> Item:
        return self._item(origin_sk(origin.id), mappers.trusted_origin_doc(origin), version)

    def _tx(self) -> Transaction:
        return Transaction(self._model, self._connection)

    def create(self, origin: TrustedOrigin) -> TrustedOrigin:
        tx = self._tx()
        tx.put(self._origin_item(origin, None), L_VERSION)
        tx.put(self._item(url_sk(origin.origin), {"id": origin.id}), L_ORIGIN)
        tx.put(self._item(name_sk(origin.name), {"id": origin.id}), L_NAME)
        tx.commit()
        return replace(origin, version=1)

    def replace(self, old: TrustedOrigin, new: TrustedOrigin) -> TrustedOrigin:
        tx = self._tx()
        tx.put(self._origin_item(new, old.version), L_VERSION)
        if new.origin != old.origin:
            tx.delete(self._item(url_sk(old.origin), {}), L_ORIGIN, check_version=False)
            tx.put(self._item(url_sk(new.origin), {"id": new.id}), L_ORIGIN)
        if origin_name_key(new.name) != origin_name_key(old.name):
            tx.delete(self._item(name_sk(old.name), {}), L_NAME, check_version=False)
            tx.put(self._item(name_sk(new.name), {"id": new.id}), L_NAME)
        tx.commit()
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, origin: TrustedOrigin) -> None:
        tx = self._tx()
        tx.delete(self._origin_item(origin, origin.version), L_VERSION)
        tx.delete(self._item(url_sk(origin.origin), {}), L_ORIGIN, check_version=False)
        tx.delete(self._item(name_sk(origin.name), {}), L_NAME, check_version=False)
        tx.commit()
