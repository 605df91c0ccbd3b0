"""The change log in memory (``ports.ChangeLogStore``): the same single record of the configuration table as
storage/change_log_repository.py, written only if its version is still the one read."""
from __future__ import annotations

from ...ports import L_VERSION
from .table import Put, Table

PK = SK = "CHANGES"


class MemoryChangeLog:
    def __init__(self, table: Table) -> None:
        self._t = table

    def read(self) -> tuple[dict[str, str], int | None]:
        found = self._t.get(PK, SK)
        return (dict(found.doc), found.version) if found else ({}, None)

    def write(self, stamps: dict[str, str], version: int | None) -> None:
        self._t.write([Put(PK, SK, dict(stamps), L_VERSION, version=version)])
