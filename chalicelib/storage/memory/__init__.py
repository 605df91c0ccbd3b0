"""The in-memory backend: every storage port with the semantics the DynamoDB backend has (conditional writes on
versions, uniqueness markers, all-or-nothing transactions, expiry checked on read, listing order), held to it by
tests/contract. For tests and local experiments: nothing persists, and it never imports pynamodb."""
from __future__ import annotations

from typing import Any, cast

from .change_log import MemoryChangeLog
from .config import MemoryConfig
from .directory import MemoryApiTokens, MemoryClients, MemoryGroups, MemoryUsers
from .logs import MemoryLogEvents
from .grants import (
    MemoryAssertions,
    MemoryCodes,
    MemoryConsents,
    MemoryDevices,
    MemoryHolders,
    MemoryPendingRequests,
    MemoryPushedRequests,
    MemoryRefreshTokens,
    MemoryRevocations,
    MemorySessions,
)
from .table import Table
from .trusted_origins import MemoryTrustedOrigins


class InMemoryStorage:
    """Three tables, as in DynamoDB: what shares a table shares its key space."""

    def __init__(self) -> None:
        config, directory, grants = self._tables = Table(), Table(), Table()
        self.config = MemoryConfig(config)
        self.api_tokens = MemoryApiTokens(directory)
        self.clients = MemoryClients(directory)
        self.users = MemoryUsers(directory)
        self.groups = MemoryGroups(directory)
        self.refresh_tokens = MemoryRefreshTokens(grants)
        self.client_servers = self.refresh_tokens  # the same items: written with each family
        self.refresh_tokens.index_created_table()  # a new table: no family from before the index
        self.revocations = MemoryRevocations(grants)
        self.assertions = MemoryAssertions(grants)
        self.holders = MemoryHolders(grants)
        self.sessions = MemorySessions(grants)
        self.pending = MemoryPendingRequests(grants)
        self.pushed_requests = MemoryPushedRequests(grants)
        self.codes = MemoryCodes(grants)
        self.consents = MemoryConsents(grants)
        self.devices = MemoryDevices(grants)
        self.changes = MemoryChangeLog(config)
        self.trusted_origins = MemoryTrustedOrigins(config)
        self.log_events = MemoryLogEvents()

    def bootstrap(self) -> None:
        """Nothing to create."""

    def snapshot(self) -> object:
        """Everything stored now, for ``restore``: a test world built once can be reset between tests."""
        return (*(t.snapshot() for t in self._tables), self.log_events.snapshot())

    def restore(self, snapshot: object) -> None:
        # ``snapshot``'s own tuple: each table's items, then the System Log's.
        *tables, logs = cast("tuple[Any, ...]", snapshot)
        for table, items in zip(self._tables, tables):
            table.restore(items)
        self.log_events.restore(logs)
