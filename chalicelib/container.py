"""Composition root: builds repositories and services once per warm container, from settings."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, cast

import botocore.session
from botocore.config import Config as BotoConfig

from .admin.admin_roles import AdminRoleService
from .admin.api_tokens import ApiTokenService
from .admin.app_assignments import AppAssignmentService
from .admin.app_credentials import AppCredentialService
from .admin.app_grants import AppGrantService
from .admin.app_tokens import AppTokenAdmin
from .admin.client_token_index import ClientTokenIndex
from .admin.applications import ApplicationService
from .admin.change_notices import (ChangeNotices, NotifyingAppGroups, NotifyingClientStore, NotifyingConfigStore,
                                   NotifyingTrustedOriginStore)
from .admin.claims import ClaimService
from .admin.clients import ClientService
from .admin.groups import GroupService
from .admin.policies import PolicyService
from .admin.refresh_tokens import RefreshTokenAdmin
from .admin.rules import RuleService
from .admin.scopes import ScopeService
from .admin.server_clients import ServerClientsService
from .admin.servers import DEFAULT_ALIAS, ServerService
from .admin.key_provisioning import KeyProvisioner
from .admin.signing_keys import SigningKeyService
from .admin.trusted_origins import TrustedOriginService
from .admin.trusted_servers import TrustedServerService
from .admin.users import UserService
from .aws_loader import use_service_data_loader
from .audit.log_lines import line_sink
from .audit.recorder import Recorder
from .audit.system_log import SystemLog
from .keys.lifecycle import RotationPolicy
from .keys.signer import SigningKeyCache
from .keys.store import KeyMaterialStore
from .clock import Clock, SystemClock
from .coldstart import init_phase
from .oauth.audit import NoAudit
from .oauth.client_auth import ClientAuthenticator
from .oauth.console_client import WithConsoleAccess, WithConsoleClient
from .oauth.context import OAuthServices
from .oauth.directory import Directory
from .oauth.dpop import Dpop, Nonces, SigningKeySecret
from .oauth.grants.authorization_code import AuthorizationCodeGrant
from .oauth.grants.client_credentials import ClientCredentialsGrant
from .oauth.grants.password import PasswordGrant
from .oauth.grants.device_code import DeviceCodeGrant
from .oauth.device.authorizations import DeviceAuthorizations
from .oauth.device.verification import DeviceVerification
from .oauth.grants.refresh_token import RefreshTokenGrant
from .oauth.grants.token_exchange import TokenExchangeGrant
from .oauth.refresh_tokens import RefreshTokens
from .oauth.issuer import ORG_SERVER_ID
from .oauth.authorize.flow import FrontChannel
from .oauth.authorize.pending import PendingRequests
from .oauth.authorize.pushed import PushedRequests
from .oauth.request_object import RequestObjects
from .oauth.codes import Codes
from .oauth.consent import Consents
from .oauth.server import OAuthServer
from .oauth.sessions import Sessions
from .oauth.management_tokens import DpopRefused, ManagementPrincipal, PresentedToken, verify_management_token
from .oauth.token_path_caches import CacheSources, TokenPathCaches
from .ports import Storage
from .settings import Settings
from .storage.dynamodb import DynamoStorage

if TYPE_CHECKING:
    from .admin.token_preview import TokenPreviewService


log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    clock: Clock
    storage: Storage
    servers: ServerService
    scopes: ScopeService
    claims: ClaimService
    policies: PolicyService
    rules: RuleService
    api_tokens: ApiTokenService
    signing_keys: SigningKeyService
    signer: SigningKeyCache
    # Every cache of the token path (oauth/token_path_caches.py); `caches.clear()` empties them all.
    caches: TokenPathCaches
    clients: ClientService
    oauth: OAuthServer
    refresh_tokens: RefreshTokens
    # Where each client's refresh tokens are (admin/client_token_index.py): built by the scheduled job for old ones.
    client_token_index: ClientTokenIndex
    server_clients: ServerClientsService
    # The directory (docs/ARCHITECTURE.md "Directory").
    users: UserService
    admin_roles: AdminRoleService  # people's admin roles (admin/admin_roles.py)
    groups: GroupService
    app_assignments: AppAssignmentService
    # Okta's Applications API over the same client records (admin/applications.py, admin/app_credentials.py).
    applications: ApplicationService
    app_credentials: AppCredentialService
    app_grants: AppGrantService
    # Trusted origins (Okta's API); their CORS scope opens the OAuth endpoints to browser apps (oauth/cors.py).
    trusted_origins: TrustedOriginService
    # The System Log: every event is recorded through it (audit/recorder.py), read back by GET /api/v1/logs.
    audit: Recorder
    # Servers each server trusts for token exchange (Okta's associatedServers; admin/trusted_servers.py).
    trusted_servers: TrustedServerService

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None, storage: Storage | None = None) -> "Container":
        """``storage``: the backend of every port; DynamoDB (as named in settings) unless given (tests pass
        ``storage.memory.InMemoryStorage()``). Keys stay in KMS and Secrets Manager either way."""
        clock = clock or SystemClock()
        if storage is None:
            storage = DynamoStorage(settings, botocore_session())
        kms, secrets = LazyClient("kms", settings), LazyClient("secretsmanager", settings)
        store = KeyMaterialStore(kms, secrets, settings.kms_key_id, settings.secret_prefix)
        provisioner = KeyProvisioner(store, clock)
        policy = RotationPolicy(rotation_interval=timedelta(days=settings.rotation_days),
                                next_lead=timedelta(days=settings.rotation_days) / 2)
        ttl = timedelta(seconds=settings.cache_seconds)
        audit = Recorder(storage.log_events, clock.now, retention=timedelta(days=settings.log_retention_days),
                         sample=settings.log_token_sample, emit=line_sink(settings.system_log_lines))
        # Every management write goes through a store that announces it; the token path reads through caches that
        # follow the announcements (admin/change_notices.py, docs/ARCHITECTURE.md "Staleness bound").
        notices = ChangeNotices(storage.changes, lambda key, stamp: _drop(caches, key, stamp), clock.now)
        config_repo = NotifyingConfigStore(storage.config, notices)
        client_store = NotifyingClientStore(storage.clients, notices)
        clients = ClientService(client_store, clock)
        applications = ApplicationService(clients, client_store, clock)
        app_credentials = AppCredentialService(applications, clients, clock)
        app_grants = AppGrantService(applications, clients, clock)
        trusted_origins = TrustedOriginService(NotifyingTrustedOriginStore(storage.trusted_origins, notices), clock)
        caches = TokenPathCaches(
            CacheSources(configs=config_repo, default_server_id=partial(config_repo.resolve_alias, DEFAULT_ALIAS),
                         clients=WithConsoleClient(clients), signing_keys=store.load,
                         # build_ahead's thread is not needed here: the signer discards what ``prepare`` returns.
                         prepare_signing=cast("Callable[[], None]", partial(build_ahead, secrets, kms)),
                         read_ahead=True,
                         holders=storage.holders,
                         changes=lambda: storage.changes.read()[0], cors_origins=trusted_origins.cors_origins,
                         app_groups=storage.groups.assigned_group_ids),
            ttl, clock.now, key_retention=policy.retention, budget=settings.cache_megabytes * 1024 * 1024)
        servers = ServerService(config_repo, clock, provisioner, caches.default_server_id)
        user_repo = storage.users
        group_repo = storage.groups
        groups = GroupService(group_repo, user_repo, clock)
        users = UserService(user_repo, clock)
        admin_roles = AdminRoleService(users, user_repo, clock)
        app_assignments = AppAssignmentService(clients, user_repo, NotifyingAppGroups(group_repo, notices), groups,
                                               clock, assigned_groups=caches.app_groups.assigned_group_ids
                                               if caches.app_groups is not None else None)
        # The admin console's built-in client (oauth/console_client.py) is "assigned" to every admin.
        access = WithConsoleAccess(app_assignments)
        directory = Directory(users=users, assignments=access, clients=caches.clients)
        refresh_tokens = RefreshTokens(storage.refresh_tokens, directory, clock.now)
        oauth_services = OAuthServices(
            configs=caches.configs,
            authenticator=ClientAuthenticator(caches.clients, storage.assertions, clock.now, caches.remote_jwks),
            signer=caches.signer, revocations=storage.revocations, now=clock.now, holders=caches.holders,
            audit=audit,
            # DPoP (docs/ARCHITECTURE.md "DPoP"): proof jtis in the client assertions' single-use store, stateless
            # nonces keyed by each server's signing key.
            dpop=Dpop(storage.assertions, Nonces(SigningKeySecret(caches.configs, caches.signer, ORG_SERVER_ID)),
                      clock.now),
        )
        # The front channel (docs/ARCHITECTURE.md "Sign-in, consent and the authorization code flow").
        front = FrontChannel(oauth_services, directory, sessions=Sessions(storage.sessions, clock.now),
                             codes=Codes(storage.codes, clock.now), consents=Consents(storage.consents, clock.now, refresh_tokens.revoke_consented),
                             pending=PendingRequests(storage.pending, clock.now),
                             # RFC 9126 and RFC 9101 (docs/ARCHITECTURE.md "Pushed authorization requests and
                             # request objects")
                             pushed=PushedRequests(storage.pushed_requests, clock.now),
                             request_objects=RequestObjects(oauth_services.authenticator, clock.now))
        # Everything the OAuth side offers, and so advertises in discovery (in this order in error descriptions).
        oauth = OAuthServer(oauth_services)
        oauth.register_grant(ClientCredentialsGrant(caches.plans))
        oauth.register_grant(AuthorizationCodeGrant(front.codes, access, refresh_tokens))
        oauth.register_grant(RefreshTokenGrant(refresh_tokens))
        oauth.register_grant(PasswordGrant(directory, refresh_tokens))
        # The device flow (RFC 8628; docs/ARCHITECTURE.md "Device authorization"): the grant, the endpoint and the
        # user page share one store of device authorizations and the front channel's sessions and consent.
        devices = DeviceAuthorizations(storage.devices, clock.now)
        oauth.register_grant(DeviceCodeGrant(devices, access, front.consents, refresh_tokens))
        oauth.register_device_authorization(devices, DeviceVerification(
            oauth_services, directory, sessions=front.sessions, consents=front.consents, devices=devices))
        oauth.register_grant(TokenExchangeGrant(directory))  # RFC 8693, on-behalf-of (docs/ARCHITECTURE.md)
        oauth.register_refresh_tokens(refresh_tokens)
        oauth.register_userinfo(directory)
        oauth.register_front_channel(front)
        return cls(
            settings=settings, clock=clock, storage=storage,
            servers=servers,
            scopes=ScopeService(config_repo, servers),
            claims=ClaimService(config_repo, servers),
            policies=PolicyService(config_repo, servers, clock),
            rules=RuleService(config_repo, servers, clock),
            api_tokens=ApiTokenService(storage.api_tokens, clock, settings.admin_token_sha256),
            signing_keys=SigningKeyService(config_repo, servers, provisioner, clock, policy, audit,
                                           cached=caches.configs.published),
            signer=caches.signer,
            caches=caches,
            clients=clients,
            oauth=oauth,
            refresh_tokens=refresh_tokens,
            client_token_index=ClientTokenIndex(storage.client_servers, clock),
            server_clients=ServerClientsService(servers, storage.holders, clients, clock),
            users=users,
            admin_roles=admin_roles,
            groups=groups,
            app_assignments=app_assignments,
            applications=applications,
            app_credentials=app_credentials,
            app_grants=app_grants,
            trusted_origins=trusted_origins,
            audit=audit,
            trusted_servers=TrustedServerService(config_repo, servers, clock),
        )

    def management_principal(self, presented: PresentedToken, base_url: str
                             ) -> ManagementPrincipal | DpopRefused | None:
        """Who an access token on the management API speaks for (oauth/management_tokens.py), from the token
        path's caches; ``DpopRefused`` for a DPoP-bound token not presented with its proof."""
        principal = verify_management_token(self.oauth.services, self.caches.clients, presented, base_url)
        if not isinstance(principal, ManagementPrincipal) or principal.user_id is None:
            return principal
        # A person's token: only while the person is ACTIVE, and as far as their admin roles go (read each time,
        # so a role removed takes effect on the next request).
        user = self.users.find(principal.user_id)
        if user is None or user.status != "ACTIVE":
            return None
        return replace(principal, roles=frozenset(r.type for r in user.roles))

    @property
    def refresh_token_admin(self) -> RefreshTokenAdmin:
        """The refresh-token management API (admin/refresh_tokens.py) over the token path's RefreshTokens."""
        return RefreshTokenAdmin(self.servers, self.clients, self.refresh_tokens, self.clock)

    @property
    def system_log(self) -> SystemLog:
        """``GET /api/v1/logs`` over the log table (audit/system_log.py)."""
        return SystemLog(self.storage.log_events, self.audit, self.clock.now,
                         timedelta(days=self.settings.log_retention_days),
                         timedelta(seconds=self.settings.log_poll_lag_seconds))

    @property
    def app_tokens(self) -> AppTokenAdmin:
        """An app's refresh tokens at every server (admin/app_tokens.py)."""
        return AppTokenAdmin(self.applications, self.servers, self.refresh_token_admin, self.client_token_index)

    @property
    def token_preview(self) -> TokenPreviewService:
        """Token preview (admin/token_preview.py): the real policy and minting path, with minting's services."""
        # Imported here, not at the top: an admin-only feature whose modules would add ~5 ms to every cold start.
        from .admin.token_preview import TokenPreviewService

        front = self.oauth.front
        # Token preview mints nothing, so it records nothing: its services have no System Log.
        services = replace(self.oauth.services, audit=NoAudit())
        return TokenPreviewService(self.servers, self.clients, self.users, self.app_assignments, services,
                                   consents=front.consents if front is not None else None)

    # The DynamoDB backend's models, for the tests that look at items (an in-memory backend has none).

    @property
    def config_model(self) -> Any:
        return self.storage.config_model  # type: ignore[attr-defined]

    @property
    def directory_model(self) -> Any:
        return self.storage.directory_model  # type: ignore[attr-defined]

    @property
    def grants_model(self) -> Any:
        return self.storage.grants_model  # type: ignore[attr-defined]

    @property
    def log_model(self) -> Any:
        return self.storage.log_model  # type: ignore[attr-defined]

    def bootstrap(self) -> None:
        """Local stack and tests only: create the tables, then the ``default`` server (both idempotent)."""
        self.storage.bootstrap()
        self.servers.ensure_default()
        self.servers.ensure_org()


def _drop(caches: TokenPathCaches, key: str, stamp: str) -> None:
    """This container's own write: forget the key at once, and do not count it again when the log is next read."""
    caches.changed(key)
    if caches.watch is not None:
        caches.watch.note(key, stamp)


_session: Any = None


def botocore_session() -> Any:
    """The container's botocore session: every AWS client of the process shares it and its loaded service data,
    loaded without listing every service first (aws_loader.py). botocore, not boto3: nothing here uses boto3's
    resources or S3 transfers, and ``import boto3`` brings s3transfer and multiprocessing with it, ~14 ms of every
    cold start (docs/performance.md "Cold start")."""
    global _session
    session = _session
    if session is None:
        with _session_lock:
            session = _session
            if session is None:
                session = botocore.session.get_session()
                use_service_data_loader(session)
                _session = session
    return session


_session_lock = threading.Lock()
# botocore's sessions are not thread-safe: clients built ahead of use on another thread (``build_ahead``) must
# never be built at the same time as another client.
_building_clients = threading.Lock()


def aws_client(service: str, settings: Settings) -> Any:
    """A botocore client with short timeouts: a slow dependency must fail the request, not hang it."""
    with _building_clients:
        config = BotoConfig(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
        return botocore_session().create_client(service, region_name=settings.region,
                                                endpoint_url=settings.endpoint_url, config=config)


class LazyClient:
    """A botocore client created on first use: admin calls and warm token requests never need KMS or Secrets
    Manager, so a cold start should not pay for building those clients. ``build_ahead`` builds it on another thread
    instead, for a request that will need it after reads of its own (a cold container's first token: docs/
    ARCHITECTURE.md "The key store's clients built while the first token reads")."""

    def __init__(self, service: str, settings: Settings) -> None:
        self._service = service
        self._settings = settings
        self._client: Any = None
        self._lock = threading.Lock()  # held while the client is built: one build, whoever asks first

    @property
    def built(self) -> bool:
        return self._client is not None

    def build(self) -> Any:
        """The client, built now if it is not (waiting for a build in progress on another thread)."""
        client = self._client
        if client is None:
            with self._lock:
                client = self._client
                if client is None:
                    client = self._client = aws_client(self._service, self._settings)
        return client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client if self._client is not None else self.build(), name)


def build_ahead(*clients: LazyClient) -> threading.Thread | None:
    """Build ``clients`` in this order on one other thread (returned; None if they are all built). A thread that
    needs one before it is ready waits for it (``LazyClient.build``); a failure here is only logged: that thread
    builds the client again and answers the failure as it would have."""
    if all(client.built for client in clients):
        return None

    def build_each() -> None:
        for client in clients:
            try:
                client.build()
            except Exception as exc:  # noqa: BLE001 - see the docstring: the caller's own build reports it
                log.warning("could not build the %s client ahead of use: %s", client._service, type(exc).__name__)

    thread = threading.Thread(target=build_each, name="tokenmint-aws-clients", daemon=True)
    thread.start()
    return thread


_container: Container | None = None


def get_container() -> Container:
    """The container of this warm Lambda (built on first use, not at import, to keep cold starts cheap)."""
    global _container
    if _container is None:
        with init_phase():  # the rest of Lambda INIT: AWS clients and their service models (coldstart.py)
            _container = Container.build(Settings.from_env())
    return _container


def set_container(container: Container | None) -> None:
    """Install a container built elsewhere (the local runner and tests build theirs with their own settings)."""
    global _container
    _container = container
