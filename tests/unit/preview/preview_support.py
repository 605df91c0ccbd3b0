"""In-memory fakes for the token preview unit tests (an importable helper, not a test module): a server
configuration, clients, users, groups and app assignments as plain values; no AWS, no Chalice."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from chalicelib.admin.system_objects import system_claims
from chalicelib.clock import FixedClock
from chalicelib.admin.token_preview import TokenPreviewService
from chalicelib.domain import (
    ClientSecret,
    ACTIVE,
    EVERYONE_ID,
    BUILT_IN,
    OKTA_GROUP,
    Claim,
    Group,
    OAuthClient,
    ServerConfig,
    User,
    UserAccess,
)
from chalicelib.errors import NotFoundError
from chalicelib.oauth.context import OAuthServices
from tests.unit.policy.policy_support import NOW, config, policy, rule, scope, standard_scopes

BASE = "https://tokenmint.test"
ISSUER = f"{BASE}/oauth2/aus1"
KID = "kid-active-1"
SERVICE_ID = "0oaService0000000001"
WEB_ID = "0oaWeb00000000000001"
NATIVE_ID = "0oaNative00000000001"
ANN_ID = "00uAnn00000000000001"
BOB_ID = "00uBob00000000000001"
SALES = Group(id="00gSales000000000001", name="Sales", description=None, group_type=OKTA_GROUP, created=NOW,
              last_updated=NOW)
EVERYONE = Group(id=EVERYONE_ID, name="Everyone", description=None, group_type=BUILT_IN, created=NOW,
                 last_updated=NOW)


def oauth_client(client_id: str, *, grant_types: tuple[str, ...], status: str = ACTIVE,
                 method: str = "client_secret_basic", name: str | None = None,
                 response_types: tuple[str, ...] = ()) -> OAuthClient:
    return OAuthClient(client_id=client_id, client_name=name or client_id, application_type="web",
                       token_endpoint_auth_method=method, grant_types=grant_types, response_types=response_types,
                       redirect_uris=(), post_logout_redirect_uris=(), client_uri=None, logo_uri=None, jwks=None,
                       jwks_uri=None, secrets=(ClientSecret("ocs1", "x", ACTIVE, NOW, NOW),) if method != "none" else (),
                       status=status, created=NOW,
                       last_updated=NOW)


def user(user_id: str, login: str, *, status: str = ACTIVE, **profile: str) -> User:
    return User(id=user_id, status=status,
                profile={"login": login, "email": login, "firstName": login.split("@")[0].capitalize(),
                         "lastName": "Tester", **profile},
                created=NOW, last_updated=NOW - timedelta(days=1))


def claim(name: str, value: str | None, *, claim_type: str = "RESOURCE", value_type: str = "EXPRESSION",
          status: str = ACTIVE, scopes: tuple[str, ...] = (), group_filter_type: str | None = None,
          always: bool = True) -> Claim:
    return Claim(id=f"ocl_{claim_type[0]}_{name}", name=name, status=status, claim_type=claim_type,
                 value_type=value_type, value=value, group_filter_type=group_filter_type, scopes=scopes,
                 system=False, always_include_in_token=always)


def server_config(*policies, claims: list[Claim] | None = None, scopes=None, server_status: str = ACTIVE
                  ) -> ServerConfig:
    """A server with the system claims (``sub`` and the 18 profile claims) plus ``claims``."""
    cfg = config(*policies, scopes=scopes, server_status=server_status)
    cfg.server = replace(cfg.server, signing_kid=KID)
    cfg.claims = system_claims() + list(claims or [])
    return cfg


def default_server(**kwargs) -> ServerConfig:
    return server_config((policy("default"), [rule("default-rule")]), **kwargs)


class FakeServers:
    def __init__(self, cfg: ServerConfig) -> None:
        self.cfg = cfg
        self.loads = 0

    def load(self, server_id: str) -> ServerConfig:
        self.loads += 1
        if server_id not in (self.cfg.server.id, "default"):
            raise NotFoundError(server_id, "AuthorizationServer")
        return self.cfg


@dataclass
class Directory:
    """Clients, users, memberships and assignments; ``AppAssignmentService.access`` semantics."""

    clients: dict[str, OAuthClient] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    groups_of: dict[str, list[Group]] = field(default_factory=dict)
    assigned: set[tuple[str, str]] = field(default_factory=set)  # (client id, user id)
    group_assigned: set[tuple[str, str]] = field(default_factory=set)  # (client id, group id)
    consents: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (user id, client id) -> scopes
    calls: list[str] = field(default_factory=list)

    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]:
        self.calls.append(f"consents {user_id} {client_id}")
        return frozenset(self.consents.get((user_id, client_id), set()))

    def get_for_token(self, client_id: str) -> OAuthClient | None:
        self.calls.append(f"client {client_id}")
        return self.clients.get(client_id)

    def find(self, id_or_login: str, consistent: bool = True) -> User | None:
        self.calls.append(f"user {id_or_login}")
        return self.users.get(id_or_login) or next(
            (u for u in self.users.values() if u.login == id_or_login), None)

    def access(self, client_id: str, user_id: str) -> UserAccess | None:
        self.calls.append(f"access {client_id} {user_id}")
        found = self.users.get(user_id)
        if found is None:
            return None
        groups = (EVERYONE, *self.groups_of.get(user_id, []))
        assigned = (client_id, user_id) in self.assigned or any(
            (client_id, g.id) in self.group_assigned for g in groups)
        return UserAccess(user=found, groups=groups, assigned=assigned)


class RecordingSigner:
    """Fails the test if anything asks for a signing key."""

    def __init__(self) -> None:
        self.calls = 0

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        raise AssertionError("the preview asked for a signing key")


def services(clock: FixedClock | None = None, signer: RecordingSigner | None = None) -> OAuthServices:
    now = (clock or FixedClock(NOW)).now
    return OAuthServices(configs=None, authenticator=None, signer=signer or RecordingSigner(),  # type: ignore[arg-type]
                         revocations=None, now=now, org={"name": "Acme", "subdomain": "acme"})  # type: ignore[arg-type]


def directory() -> Directory:
    """A service client, a web client (code, implicit, refresh), a native client (password, no refresh); Ann in
    Sales assigned to both user clients through Everyone; Bob in no group, assigned to nothing."""
    d = Directory()
    d.clients[SERVICE_ID] = oauth_client(SERVICE_ID, grant_types=("client_credentials",), name="Service")
    d.clients[WEB_ID] = oauth_client(WEB_ID, grant_types=("authorization_code", "implicit", "refresh_token"),
                                     response_types=("code", "token", "id_token"), name="Web")
    d.clients[NATIVE_ID] = oauth_client(NATIVE_ID, grant_types=("authorization_code", "password"),
                                        response_types=("code",), name="Native")
    d.users[ANN_ID] = user(ANN_ID, "ann@example.com", department="Sales", mobilePhone="+1 555 0100")
    d.users[BOB_ID] = user(BOB_ID, "bob@example.com")
    d.groups_of[ANN_ID] = [SALES]
    d.group_assigned |= {(WEB_ID, EVERYONE_ID), (NATIVE_ID, EVERYONE_ID)}
    return d


def service(cfg: ServerConfig, d: Directory | None = None, svc: OAuthServices | None = None
            ) -> tuple[TokenPreviewService, Directory]:
    d = d or directory()
    return TokenPreviewService(FakeServers(cfg), d, d, d, svc or services(), consents=d), d


__all__ = [
    "ANN_ID", "BASE", "BOB_ID", "ISSUER", "KID", "NATIVE_ID", "NOW", "SALES", "SERVICE_ID", "WEB_ID",
    "Directory", "FakeServers", "RecordingSigner", "claim", "default_server", "directory", "oauth_client", "policy",
    "rule", "scope", "server_config", "service", "services", "standard_scopes", "user",
]
