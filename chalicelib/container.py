"""Composition root: builds repositories and services once per warm container, from settings."""
from __future__ import annotations

from dataclasses import dataclass

from datetime import timedelta
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from pynamodb.connection import Connection

from .admin.api_tokens import ApiTokenService
from .admin.app_assignments import AppAssignmentService
from .admin.claims import ClaimService
from .admin.clients import ClientService
from .admin.groups import GroupService
from .admin.policies import PolicyService
from .admin.refresh_tokens import RefreshTokenAdmin
from .admin.rules import RuleService
from .admin.scopes import ScopeService
from .admin.server_clients import ServerClientsService
from .admin.servers import ServerService
from .admin.key_provisioning import KeyProvisioner
from .admin.signing_keys import SigningKeyService
from .admin.token_preview import TokenPreviewService
from .admin.users import UserService
from .keys.lifecycle import RotationPolicy
from .keys.signer import SigningKeyCache
from .keys.store import KeyMaterialStore
from .clock import Clock, SystemClock
from .coldstart import init_phase
from .oauth.client_auth import ClientAuthenticator
from .oauth.clients import CachedClients
from .oauth.configuration import ServerConfigs
from .oauth.context import OAuthServices
from .oauth.holders import TokenHolders
from .oauth.refresh_tokens import Directory, RefreshTokens
from .oauth.authorize.flow import FrontChannel
from .oauth.authorize.pending import PendingRequests
from .oauth.codes import Codes
from .oauth.consent import Consents
from .oauth.server import OAuthServer
from .oauth.sessions import Sessions
from .settings import Settings
from .storage.client_repository import ClientRepository
from .storage.config_repository import ConfigRepository
from .storage.directory_repository import ApiTokenRepository
from .storage.grants_repository import GrantsRepository
from .storage.group_repository import GroupRepository
from .storage.models import Item, build_model, share_client
from .storage.refresh_token_repository import RefreshTokenRepository
from .storage.tables import ensure_table
from .storage.user_repository import UserRepository


@dataclass
class Container:
    settings: Settings
    clock: Clock
    config_model: type[Item]
    directory_model: type[Item]
    grants_model: type[Item]
    grants: GrantsRepository
    servers: ServerService
    scopes: ScopeService
    claims: ClaimService
    policies: PolicyService
    rules: RuleService
    api_tokens: ApiTokenService
    signing_keys: SigningKeyService
    signer: SigningKeyCache
    clients: ClientService
    oauth: OAuthServer
    server_clients: ServerClientsService
    # The directory (docs/ARCHITECTURE.md "Directory").
    users: UserService
    groups: GroupService
    app_assignments: AppAssignmentService

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> "Container":
        clock = clock or SystemClock()
        connection = Connection(region=settings.region, host=settings.endpoint_url, connect_timeout_seconds=2,
                                read_timeout_seconds=5, max_retry_attempts=2)
        config_model = build_model(settings.config_table, settings.region, settings.endpoint_url)
        directory_model = build_model(settings.directory_table, settings.region, settings.endpoint_url)
        grants_model = build_model(settings.grants_table, settings.region, settings.endpoint_url)
        share_client(connection, (config_model, directory_model, grants_model), botocore_session())
        config_repo = ConfigRepository(config_model, connection)
        store = KeyMaterialStore(LazyClient("kms", settings), LazyClient("secretsmanager", settings),
                                 settings.kms_key_id, settings.secret_prefix)
        provisioner = KeyProvisioner(store, clock)
        servers = ServerService(config_repo, clock, provisioner)
        policy = RotationPolicy(rotation_interval=timedelta(days=settings.rotation_days),
                                next_lead=timedelta(days=settings.rotation_days) / 2)
        grants = GrantsRepository(grants_model, connection)
        clients = ClientService(ClientRepository(directory_model, connection), clock)
        user_repo = UserRepository(directory_model, connection)
        group_repo = GroupRepository(directory_model, connection)
        groups = GroupService(group_repo, user_repo, clock)
        signer = SigningKeyCache(store.load, clock.now)
        cache_ttl = timedelta(seconds=settings.cache_seconds)
        users = UserService(user_repo, clock)
        app_assignments = AppAssignmentService(clients, user_repo, group_repo, groups, clock)
        cached_clients = CachedClients(clients, cache_ttl, clock.now)
        refresh_tokens = RefreshTokens(RefreshTokenRepository(grants_model, connection),
                                       Directory(users=users, assignments=app_assignments, clients=cached_clients),
                                       grants, clock.now)
        oauth_services = OAuthServices(
            configs=ServerConfigs(config_repo, servers.resolve_id, cache_ttl, clock.now),
            authenticator=ClientAuthenticator(cached_clients, grants, clock.now),
            signer=signer, revocations=grants, now=clock.now, holders=TokenHolders(grants, clock.now),
            refresh_tokens=refresh_tokens,
        )
        # The front channel (docs/ARCHITECTURE.md "Sign-in, consent and the authorization code flow").
        front = FrontChannel(oauth_services, clients=cached_clients, users=users, assignments=app_assignments,
                             sessions=Sessions(grants, clock.now), codes=Codes(grants, clock.now),
                             consents=Consents(grants, clock.now), pending=PendingRequests(grants, clock.now))
        oauth = OAuthServer(oauth_services, front=front)
        return cls(
            settings=settings, clock=clock, config_model=config_model, directory_model=directory_model,
            grants_model=grants_model, grants=grants,
            servers=servers,
            scopes=ScopeService(config_repo, servers),
            claims=ClaimService(config_repo, servers),
            policies=PolicyService(config_repo, servers, clock),
            rules=RuleService(config_repo, servers, clock),
            api_tokens=ApiTokenService(ApiTokenRepository(directory_model, connection), clock,
                                       settings.admin_token_sha256),
            signing_keys=SigningKeyService(config_repo, servers, provisioner, clock, policy),
            signer=signer,
            clients=clients,
            oauth=oauth,
            server_clients=ServerClientsService(servers, grants, clients, clock),
            users=users,
            groups=groups,
            app_assignments=app_assignments,
        )

    @property
    def refresh_token_admin(self) -> RefreshTokenAdmin:
        """The refresh-token management API (admin/refresh_tokens.py) over the token path's RefreshTokens."""
        return RefreshTokenAdmin(self.servers, self.clients, self.oauth.services.refresh_tokens, self.clock)

    @property
    def token_preview(self) -> TokenPreviewService:
        """Token preview (admin/token_preview.py): the real policy and minting path, with minting's services."""
        front = self.oauth.front
        return TokenPreviewService(self.servers, self.clients, self.users, self.app_assignments, self.oauth.services,
                                   consents=front.consents if front is not None else None)

    def bootstrap(self) -> None:
        """Local stack and tests only: create the tables, then the ``default`` server (both idempotent)."""
        ensure_table(self.config_model)
        ensure_table(self.directory_model)
        ensure_table(self.grants_model, ttl_attribute="expiresAt")
        self.servers.ensure_default()


def botocore_session() -> Any:
    """boto3's default botocore session: every AWS client of the container shares its loaded service data."""
    return boto3.DEFAULT_SESSION._session if boto3.DEFAULT_SESSION else boto3._get_default_session()._session


def aws_client(service: str, settings: Settings) -> Any:
    """A boto3 client with short timeouts: a slow dependency must fail the request, not hang it."""
    config = BotoConfig(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
    return boto3.client(service, region_name=settings.region, endpoint_url=settings.endpoint_url, config=config)


class LazyClient:
    """A boto3 client created on first use: admin calls and warm token requests never need KMS or Secrets
    Manager, so a cold start should not pay for building those clients."""

    def __init__(self, service: str, settings: Settings) -> None:
        self._service = service
        self._settings = settings
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = aws_client(self._service, self._settings)
        return getattr(self._client, name)


_container: Container | None = None


def get_container() -> Container:
    """The container of this warm Lambda (built on first use, not at import, to keep cold starts cheap)."""
    global _container
    if _container is None:
        with init_phase():  # the rest of Lambda INIT: boto3 clients and their service models (coldstart.py)
            _container = Container.build(Settings.from_env())
    return _container


def set_container(container: Container | None) -> None:
    """Install a container built elsewhere (the local runner and tests build theirs with their own settings)."""
    global _container
    _container = container
