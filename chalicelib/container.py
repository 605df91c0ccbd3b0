"""Composition root: builds repositories and services once per warm container, from settings."""
from __future__ import annotations

from dataclasses import dataclass

from pynamodb.connection import Connection

from .admin.api_tokens import ApiTokenService
from .admin.claims import ClaimService
from .admin.policies import PolicyService
from .admin.rules import RuleService
from .admin.scopes import ScopeService
from .admin.servers import ServerService
from .clock import Clock, SystemClock
from .settings import Settings
from .storage.config_repository import ConfigRepository
from .storage.directory_repository import ApiTokenRepository
from .storage.models import Item, build_model
from .storage.tables import ensure_table


@dataclass
class Container:
    settings: Settings
    clock: Clock
    config_model: type[Item]
    directory_model: type[Item]
    servers: ServerService
    scopes: ScopeService
    claims: ClaimService
    policies: PolicyService
    rules: RuleService
    api_tokens: ApiTokenService

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> "Container":
        clock = clock or SystemClock()
        connection = Connection(region=settings.region, host=settings.endpoint_url)
        config_model = build_model(settings.config_table, settings.region, settings.endpoint_url)
        directory_model = build_model(settings.directory_table, settings.region, settings.endpoint_url)
        config_repo = ConfigRepository(config_model, connection)
        servers = ServerService(config_repo, clock)
        return cls(
            settings=settings, clock=clock, config_model=config_model, directory_model=directory_model,
            servers=servers,
            scopes=ScopeService(config_repo, servers),
            claims=ClaimService(config_repo, servers),
            policies=PolicyService(config_repo, servers, clock),
            rules=RuleService(config_repo, servers, clock),
            api_tokens=ApiTokenService(ApiTokenRepository(directory_model, connection), clock,
                                       settings.admin_token_sha256),
        )

    def bootstrap(self) -> None:
        """Local stack and tests only: create the tables, then the ``default`` server (both idempotent)."""
        ensure_table(self.config_model)
        ensure_table(self.directory_model)
        self.servers.ensure_default()


_container: Container | None = None


def get_container() -> Container:
    """The container of this warm Lambda (built on first use, not at import, to keep cold starts cheap)."""
    global _container
    if _container is None:
        _container = Container.build(Settings.from_env())
    return _container


def set_container(container: Container | None) -> None:
    """Install a container built elsewhere (the local runner and tests build theirs with their own settings)."""
    global _container
    _container = container
