"""Storage ports: what the management core (``admin/``) and the composition root need from storage, one
Protocol per noun, with no DynamoDB in sight (docs/ARCHITECTURE.md "Storage ports").

Two backends implement them: ``storage/`` on DynamoDB (pynamodb) and ``storage/memory/`` in memory, held to the
same contract by ``tests/contract``. What the contract fixes, beyond the signatures:

* **Versions.** Every stored object carries ``version`` (1 after creation, +1 per write). A replace or delete is
  conditional on the version the caller read; a create on the object not existing yet.
* **Uniqueness.** Names and logins (by the keys below) are unique; a write that would take a taken one fails.
* **All or nothing.** One call is one transaction: when any condition fails, nothing is written and the call
  raises ``WriteConflict`` naming every failed condition by its label (below), so the caller can tell "name
  taken" from "someone else saved first" from "the parent is gone".
* **Order.** Listings are in the order of their list key (below) and cursors are list keys, so a cursor survives
  the deletion of the item it names.
* **Expiry.** Short-lived state (``oauth/``'s stores) is expired on read, never trusted to a TTL sweep.

The protocol core declares its own stores next to the code that uses them (``oauth/sessions.SessionStore``,
``oauth/codes.CodeStore``, ``oauth/refresh_tokens.Store``, ...), so that ``oauth/`` stays a self-contained package;
both backends implement those too, and the contract suite runs them as well.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol, Sequence, TypeVar

from .domain import (
    ApiToken,
    AppGroupAssignment,
    AppUserAssignment,
    AuthorizationServer,
    Claim,
    Group,
    OAuthClient,
    Ordered,
    Policy,
    Rule,
    Scope,
    ServerConfig,
    TrustedOrigin,
    TrustedServer,
    User,
)

if TYPE_CHECKING:
    from .audit.log_keys import LogItem
    from .keys.lifecycle import KeyRecord
    from .oauth.authorize.pending import PendingStore
    from .oauth.authorize.pushed import PushedStore
    from .oauth.client_auth import AssertionLedger
    from .oauth.codes import CodeStore
    from .oauth.consent import ConsentStore
    from .oauth.context import Revocations
    from .oauth.device.authorizations import DeviceStore
    from .oauth.refresh_tokens import Store as RefreshTokenStore
    from .oauth.sessions import SessionStore

T = TypeVar("T")


# -- conflicts ---------------------------------------------------------------------------------------------------

class WriteConflict(Exception):
    """One or more conditions of a write failed; nothing was written. ``labels`` names them (the ``L_*`` below)."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__(", ".join(labels))
        self.labels = labels


# Condition labels, reported in WriteConflict.labels.
L_VERSION = "version"        # the object changed (or vanished) since it was read; or it already exists
L_NAME = "name"              # the name is already taken (or the alias, on server creation)
L_SERVER = "server"          # the parent server no longer exists
L_POLICY = "policy"          # the parent policy no longer exists
L_ORDER = "order"            # the order list changed since it was read
L_CLIENT = "client"          # the OAuth client changed (or vanished) since it was read
L_USER = "user"              # the user changed (or vanished) since it was read
L_LOGIN = "login"            # another user already has that login
L_GROUP = "group"            # a group changed, vanished, or named in the request does not exist
L_MEMBER = "member"          # the membership already exists / does not exist
L_APP = "app"                # the OAuth client of an assignment no longer exists
L_ASSIGNMENT = "assignment"  # the assignment changed (or appeared) since it was read
L_ORIGIN = "origin"          # another trusted origin already has that origin URL


def applied(call: Callable[[], object]) -> bool:
    """Run a write; False when a condition failed (another request won and nothing was written)."""
    try:
        call()
    except WriteConflict:
        return False
    return True


# -- keys: uniqueness and listing order ---------------------------------------------------------------------------

def name_key(name: str) -> str:
    """Client and group names are unique and listed case-insensitively."""
    return name.casefold()


def login_key(login: str) -> str:
    """Logins are unique regardless of case and diacritical marks (Okta's rule)."""
    decomposed = unicodedata.normalize("NFKD", login)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def client_list_key(client: OAuthClient) -> str:
    """Clients list by name key, then id (unique, and recoverable from the key)."""
    return f"{name_key(client.client_name)}#{client.client_id}"


def group_list_key(group: Group) -> str:
    """Groups list by name key, then id."""
    return f"{name_key(group.name)}#{group.id}"


def user_list_key(user: User) -> str:
    """Users list in creation order, ties broken by id."""
    return f"{user.created.isoformat()}#{user.id}"


# -- the configuration: authorization servers and everything in them -----------------------------------------------

class ConfigStore(Protocol):
    """One authorization server's configuration; every call after ``create_server`` checks the server exists."""

    def resolve_alias(self, alias: str) -> str | None: ...

    def get_server(self, server_id: str) -> AuthorizationServer | None: ...

    def list_servers(self) -> list[AuthorizationServer]:
        """All servers in creation order."""

    def load(self, server_id: str) -> ServerConfig | None:
        """Everything of one server (strongly consistent), or None when the server does not exist."""

    def create_server(self, config: ServerConfig, alias: str | None = None) -> None: ...

    def save_server(self, server: AuthorizationServer) -> AuthorizationServer: ...

    def delete_server(self, server: AuthorizationServer) -> None: ...

    def save_keys(self, server: AuthorizationServer, changed: Iterable["KeyRecord"], created: Iterable["KeyRecord"],
                  removed: Iterable[str], versions: dict[str, int]) -> AuthorizationServer: ...

    def create_scope(self, server_id: str, scope: Scope) -> Scope: ...

    def replace_scope(self, server_id: str, old: Scope, new: Scope) -> Scope: ...

    def delete_scope(self, server_id: str, scope: Scope) -> None: ...

    def create_claim(self, server_id: str, claim: Claim) -> Claim: ...

    def replace_claim(self, server_id: str, old: Claim, new: Claim) -> Claim: ...

    def delete_claim(self, server_id: str, claim: Claim) -> None: ...

    def save_policy(self, server_id: str, policy: Policy, order: Ordered | None) -> Policy: ...

    def delete_policy(self, server_id: str, policy: Policy, order: Ordered, rules: Iterable[Rule],
                      rule_order: Ordered | None) -> None: ...

    def save_rule(self, server_id: str, rule: Rule, order: Ordered | None) -> Rule: ...

    def delete_rule(self, server_id: str, rule: Rule, order: Ordered) -> None: ...

    def add_trusted_servers(self, server_id: str, trusted: Iterable[TrustedServer]) -> None:
        """Trust each of them, all at once (``TRUST#{id}`` items of the server's partition); ``L_VERSION`` when one
        is trusted already."""

    def remove_trusted_server(self, server_id: str, trusted: TrustedServer) -> None:
        """Stop trusting it (only if still at ``trusted.version``, else ``L_VERSION``)."""


# -- the directory --------------------------------------------------------------------------------------------------

class ApiTokenStore(Protocol):
    def find_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def list(self) -> list[ApiToken]: ...

    def get(self, token_id: str) -> ApiToken | None: ...

    def add(self, token: ApiToken) -> None: ...

    def remove(self, token: ApiToken) -> None: ...


class ClientStore(Protocol):
    def get(self, client_id: str, consistent: bool = True) -> OAuthClient | None:
        """``consistent=False`` may be stale (the token path's cheaper read)."""

    def page(self, prefix: str, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        """Up to ``limit`` clients in list-key order whose name key starts with ``prefix``, after the list key
        ``after``; and the list key to continue from when more follow."""

    def create(self, client: OAuthClient) -> OAuthClient: ...

    def replace(self, old: OAuthClient, new: OAuthClient) -> OAuthClient: ...

    def delete(self, client: OAuthClient) -> None: ...


@dataclass(frozen=True)
class UserPartition:
    """A user with the ids of its groups and of the apps it is assigned to directly (one read)."""

    user: User
    group_ids: tuple[str, ...]
    client_ids: tuple[str, ...]


class UserStore(Protocol):
    def get(self, user_id: str, consistent: bool = True) -> User | None: ...

    def get_by_login(self, login: str, consistent: bool = True) -> User | None: ...

    def batch_get(self, user_ids: Iterable[str]) -> dict[str, User]: ...

    def scan(self, after: str | None) -> Iterator[tuple[str, User]]:
        """Every user in list-key order after the list key ``after``, with its list key, lazily."""

    def partition(self, user_id: str) -> UserPartition | None:
        """The user, the ids of its groups and of the apps it is assigned to directly (strongly consistent)."""

    def group_ids(self, user_id: str) -> list[str]: ...

    def create(self, user: User, group_ids: Iterable[str] = ()) -> User: ...

    def replace(self, old: User, new: User, clear_sign_ins: bool = False) -> User:
        """Save ``new`` if the stored user is still at ``old.version``; ``clear_sign_ins``: forget the failed sign-ins
        in the same write (a successful sign-in: one write, not two)."""

    def delete(self, user: User) -> None:
        """The user and its login; then its memberships and direct assignments (not atomically)."""

    def reserve_sign_in(self, user_id: str, at: str, limit: int) -> int | None:
        """Count one sign-in attempt atomically if fewer than ``limit`` are counted: the new count, else None and
        nothing changed. ``limit`` 0 changes nothing but costs what a reservation costs."""

    def failed_sign_ins(self, user_id: str) -> int: ...

    def clear_failed_sign_ins(self, user_id: str) -> None: ...


class GroupStore(Protocol):
    def get(self, group_id: str) -> Group | None: ...

    def batch_get(self, group_ids: Iterable[str]) -> dict[str, Group]: ...

    def scan(self, prefix: str, after: str | None) -> Iterator[tuple[str, Group]]:
        """Groups in list-key order whose list key starts with ``prefix``, after the list key ``after``."""

    def create(self, group: Group) -> Group: ...

    def replace(self, old: Group, new: Group) -> Group: ...

    def delete(self, group: Group) -> None:
        """Its app assignments, then the group and its name (version-checked), then its memberships."""


class MembershipStore(Protocol):
    def add_member(self, group_id: str, user_id: str) -> None:
        """Raises WriteConflict with only ``L_MEMBER`` when the user already is a member."""

    def remove_member(self, group_id: str, user_id: str) -> None: ...

    def member_ids(self, group_id: str, after: str | None, limit: int) -> list[str]:
        """Member ids in id order after the user id ``after``."""


class AssignmentStore(Protocol):
    def get_app_user(self, client_id: str, user_id: str) -> AppUserAssignment | None: ...

    def app_users(self, client_id: str, after: str | None, limit: int) -> list[AppUserAssignment]:
        """Direct assignments in user-id order after the user id ``after``."""

    def save_app_user(self, assignment: AppUserAssignment, existing: AppUserAssignment | None
                      ) -> AppUserAssignment: ...

    def remove_app_user(self, client_id: str, user_id: str) -> None: ...

    def get_app_group(self, client_id: str, group_id: str) -> AppGroupAssignment | None: ...

    def app_groups(self, client_id: str) -> list[AppGroupAssignment]: ...

    def assigned_group_ids(self, client_id: str) -> set[str]: ...

    def save_app_group(self, assignment: AppGroupAssignment, existing: AppGroupAssignment | None,
                       group: Group | None) -> AppGroupAssignment:
        """``group`` (None for Everyone) is re-saved version-checked: a concurrent deletion makes one fail."""

    def remove_app_group(self, client_id: str, group_id: str) -> None: ...


class AppDirectory(AssignmentStore, Protocol):
    """What the app-assignment service reads and writes: the assignments, and groups by id (a person's groups)."""

    def batch_get(self, group_ids: Iterable[str]) -> dict[str, Group]: ...


class DirectoryGroups(GroupStore, MembershipStore, AssignmentStore, Protocol):
    """Groups, memberships and app assignments: the three live in one partition scheme, so one backend object
    serves all three (each consumer asks only for the port it uses)."""


# -- trusted origins (org-wide) ----------------------------------------------------------------------------------------

def origin_name_key(name: str) -> str:
    """Trusted-origin names are unique case-insensitively (as client and group names)."""
    return name.casefold()


class TrustedOriginStore(Protocol):
    """Every trusted origin of the deployment. Origins (already normalised) and names (by ``origin_name_key``) are
    unique: a write that would take a taken one fails with ``L_ORIGIN`` or ``L_NAME``."""

    def list(self) -> list[TrustedOrigin]:
        """All of them, strongly consistently (one read; the CORS cache loads through it), in creation order."""

    def get(self, origin_id: str) -> TrustedOrigin | None: ...

    def create(self, origin: TrustedOrigin) -> TrustedOrigin: ...

    def replace(self, old: TrustedOrigin, new: TrustedOrigin) -> TrustedOrigin:
        """Save ``new`` if the stored one is still at ``old.version`` (else ``L_VERSION``)."""

    def delete(self, origin: TrustedOrigin) -> None:
        """Delete it if it is still at ``origin.version`` (else ``L_VERSION``), with its uniqueness markers."""


# -- the token path's notes of who holds tokens ----------------------------------------------------------------------

class HolderLedger(Protocol):
    """Written by the token path (``oauth/holders.HolderStore``), read by ``admin/server_clients.py``."""

    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None: ...

    def holders(self, server_id: str, now: datetime) -> list[str]:
        """Client ids that may still hold unexpired tokens of the server, in id order."""


class ClientServerIndex(Protocol):
    """Which servers each client has refresh-token families at (written with each family by the refresh-token
    store, which is also this port), and the state of the one-off indexing of older families; read by
    ``admin/client_token_index.py``."""

    def client_servers(self, client_id: str) -> list[str]: ...

    def index_state(self) -> tuple[dict[str, Any], int] | None: ...

    def save_index_state(self, doc: dict[str, Any], version: int | None) -> bool:
        """Write the state if it is still at ``version`` (None: if there is none); False when it moved."""

    def family_partitions(self, start: dict[str, Any] | None, items: int
                          ) -> tuple[set[tuple[str, str]], dict[str, Any] | None]:
        """(server id, client id) of the family partitions among about ``items`` items of a Scan from ``start``,
        and where the next stretch starts (None: the scan is complete)."""

    def add_client_servers(self, pairs: set[tuple[str, str]]) -> None: ...


class ChangeLogStore(Protocol):
    """The deployment's change log (``chalicelib/changes.py``): one small record of change key -> stamp."""

    def read(self) -> tuple[dict[str, str], int | None]:
        """The stamps and the record's version (None: no record yet), read strongly consistently."""

    def write(self, stamps: dict[str, str], version: int | None) -> None:
        """Replace the record, only if its version is still ``version`` (None: only if there is none); else
        ``WriteConflict([L_VERSION])``."""


# -- a backend ------------------------------------------------------------------------------------------------------

class LogEventStore(Protocol):
    """The System Log's table (audit/log_keys.py has the keys; an item holds a batch of events). ``append`` writes
    every item or raises ``StorageUnavailableError`` (items already written may be written again: keys are unique,
    so that is harmless); ``read`` returns up to ``limit`` items of one partition with ``low <= sort_key <= high``
    (either bound may be None), each as (sort key, its events in recording order), in sort-key order or reversed,
    leaving out expired ones."""

    def append(self, items: "Sequence[LogItem]") -> None: ...

    def read(self, partition: str, low: str | None, high: str | None, descending: bool, limit: int,
             now: datetime) -> "list[tuple[str, list[dict[str, Any]]]]": ...


class Storage(Protocol):
    """Every port of one backend (``storage/dynamodb.DynamoStorage``, ``storage/memory.InMemoryStorage``); the
    composition root wires services from it. The grants-table stores are the protocol core's own ports.
    (Read-only members, so that a backend's concrete repositories satisfy them.)"""

    @property
    def config(self) -> ConfigStore: ...

    @property
    def api_tokens(self) -> ApiTokenStore: ...

    @property
    def clients(self) -> ClientStore: ...

    @property
    def users(self) -> UserStore: ...

    @property
    def groups(self) -> DirectoryGroups: ...

    @property
    def refresh_tokens(self) -> "RefreshTokenStore": ...

    @property
    def client_servers(self) -> ClientServerIndex: ...

    @property
    def revocations(self) -> "Revocations": ...

    @property
    def assertions(self) -> "AssertionLedger": ...

    @property
    def holders(self) -> HolderLedger: ...

    @property
    def sessions(self) -> "SessionStore": ...

    @property
    def pending(self) -> "PendingStore": ...

    @property
    def pushed_requests(self) -> "PushedStore": ...

    @property
    def codes(self) -> "CodeStore": ...

    @property
    def consents(self) -> "ConsentStore": ...

    @property
    def devices(self) -> "DeviceStore": ...

    @property
    def changes(self) -> ChangeLogStore: ...

    @property
    def trusted_origins(self) -> TrustedOriginStore: ...

    @property
    def log_events(self) -> "LogEventStore": ...

    def bootstrap(self) -> None:
        """Create what the backend needs (tables) if it does not exist yet; idempotent."""
