"""The DynamoDB backend: every storage port (chalicelib/ports.py and the protocol core's stores) on the four
tables named in settings, through pynamodb, sharing one botocore client (models.share_client)."""
from __future__ import annotations

from typing import Any

from pynamodb.connection import Connection

from ..settings import Settings
from .change_log_repository import ChangeLogRepository
from .client_repository import ClientRepository
from .config_repository import ConfigRepository
from .device_repository import DeviceRepository
from .directory_repository import ApiTokenRepository
from .front_channel_repository import (
    CodeRepository,
    ConsentRepository,
    PendingRequestRepository,
    PushedRequestRepository,
    SessionRepository,
)
from .log_repository import LogEventRepository
from .grants_repository import AssertionRepository, HolderRepository, RevocationRepository
from .group_repository import GroupRepository
from .models import Item, LogRecord, build_model, share_client
from .client_index_repository import ClientIndexRepository
from .refresh_token_repository import RefreshTokenRepository
from .tables import ensure_table
from .trusted_origin_repository import TrustedOriginRepository
from .user_repository import UserRepository


class DynamoStorage:
    def __init__(self, settings: Settings, botocore_session: Any = None) -> None:
        connection = Connection(region=settings.region, host=settings.endpoint_url, connect_timeout_seconds=2,
                                read_timeout_seconds=5, max_retry_attempts=2)
        self.config_model: type[Item] = build_model(settings.config_table, settings.region, settings.endpoint_url)
        self.directory_model: type[Item] = build_model(settings.directory_table, settings.region,
                                                       settings.endpoint_url)
        self.grants_model: type[Item] = build_model(settings.grants_table, settings.region, settings.endpoint_url)
        self.log_model: type[LogRecord] = build_model(  # type: ignore[assignment]
            settings.log_table, settings.region, settings.endpoint_url, base=LogRecord)
        share_client(connection, (self.config_model, self.directory_model, self.grants_model, self.log_model),
                     botocore_session)
        self.connection = connection
        self.config = ConfigRepository(self.config_model, connection)
        self.api_tokens = ApiTokenRepository(self.directory_model, connection)
        self.clients = ClientRepository(self.directory_model, connection)
        self.users = UserRepository(self.directory_model, connection)
        self.groups = GroupRepository(self.directory_model, connection)
        self.refresh_tokens = RefreshTokenRepository(self.grants_model, connection)
        self.client_servers = ClientIndexRepository(self.grants_model)  # items written with each family
        self.revocations = RevocationRepository(self.grants_model, connection)
        self.assertions = AssertionRepository(self.grants_model, connection)
        self.holders = HolderRepository(self.grants_model, connection)
        self.sessions = SessionRepository(self.grants_model, connection)
        self.pending = PendingRequestRepository(self.grants_model, connection)
        self.pushed_requests = PushedRequestRepository(self.grants_model, connection)
        self.codes = CodeRepository(self.grants_model, connection)
        self.consents = ConsentRepository(self.grants_model, connection)
        self.devices = DeviceRepository(self.grants_model, connection)
        self.changes = ChangeLogRepository(self.config_model, connection)
        self.trusted_origins = TrustedOriginRepository(self.config_model, connection)
        self.log_events = LogEventRepository(self.log_model, connection)

    def bootstrap(self) -> None:
        """Local stack and tests only: create the tables (idempotent). In AWS they come from ``infra/``."""
        ensure_table(self.config_model)
        ensure_table(self.directory_model)
        if ensure_table(self.grants_model, ttl_attribute="expiresAt"):
            self.client_servers.index_created_table()
        ensure_table(self.log_model, ttl_attribute="expiresAt")
