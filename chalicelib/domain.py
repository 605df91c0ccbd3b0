"""The configuration objects of an authorization server (okta-api.md sections 2, 4, 5, 6).

Plain frozen dataclasses: no Chalice, no DynamoDB. ``version`` is the optimistic-locking counter kept by storage;
``priority`` of policies and rules is not stored on the object but derived from an order list (see
``docs/ARCHITECTURE.md``, "Priorities").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from .keys.lifecycle import KeyRecord

ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"


@dataclass(frozen=True, slots=True)
class AuthorizationServer:
    id: str
    name: str
    description: str | None
    audiences: tuple[str, ...]
    issuer_mode: str
    status: str
    created: datetime
    last_updated: datetime
    rotation_mode: str
    default: bool = False
    # The signing key currently in use and when it started signing (maintained by the key lifecycle).
    signing_kid: str | None = None
    last_rotated: datetime | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    id: str
    name: str
    display_name: str | None
    description: str | None
    system: bool
    metadata_publish: str
    consent: str
    optional: bool
    default: bool
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    name: str
    status: str
    claim_type: str
    value_type: str
    value: str | None
    group_filter_type: str | None
    scopes: tuple[str, ...]
    system: bool
    always_include_in_token: bool
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    name: str
    description: str | None
    status: str
    system: bool
    clients: tuple[str, ...]
    created: datetime
    last_updated: datetime
    # The seeded "Default Policy" of the default server: its default rule stays last (the seed's rule).
    is_default: bool = False
    version: int | None = None


@dataclass(frozen=True, slots=True)
class TokenActions:
    access_token_lifetime_minutes: int = 60
    refresh_token_lifetime_minutes: int = 0
    refresh_token_window_minutes: int = 10080
    inline_hook_id: str | None = None


@dataclass(frozen=True, slots=True)
class RuleConditions:
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    users_include: tuple[str, ...] = ()
    users_exclude: tuple[str, ...] = ()
    groups_include: tuple[str, ...] = ()
    groups_exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    policy_id: str
    name: str
    status: str
    system: bool
    conditions: RuleConditions
    actions: TokenActions
    created: datetime
    last_updated: datetime
    is_default: bool = False
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Ordered:
    """Ids in evaluation order (priority = position + 1) and the version of that order list."""

    ids: tuple[str, ...] = ()
    version: int | None = None

    def priority_of(self, item_id: str) -> int:
        return self.ids.index(item_id) + 1


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    token_hash: str
    created: datetime
    last_updated: datetime
    client_name: str = "tokenmint"
    user_id: str | None = None


# Okta's trusted-origin scope types (TrustedOriginScopeType).
CORS = "CORS"
REDIRECT = "REDIRECT"
IFRAME_EMBED = "IFRAME_EMBED"


@dataclass(frozen=True)
class TrustedOriginScope:
    """One use of a trusted origin. ``allowed_okta_apps`` only means something for ``IFRAME_EMBED``."""

    type: str
    allowed_okta_apps: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustedOrigin:
    """An origin (``scheme://host[:port]``, normalised) the deployment trusts (Okta's Trusted Origins API). tokenmint
    acts on the ``CORS`` scope of an ACTIVE one: browser apps on it may call the OAuth endpoints (oauth/cors.py).
    ``created_by`` and ``last_updated_by`` name the admin API token's user, or the token itself."""

    id: str
    name: str
    origin: str
    scopes: tuple[TrustedOriginScope, ...]
    status: str
    created: datetime
    created_by: str | None
    last_updated: datetime
    last_updated_by: str | None
    version: int | None = None

    @property
    def allows_cors(self) -> bool:
        return self.status == ACTIVE and any(s.type == CORS for s in self.scopes)


@dataclass(frozen=True, slots=True)
class TrustedServer:
    """Another authorization server this one trusts (Okta's associated "trusted" servers): token exchange accepts
    access tokens it issued as ``subject_token`` / ``actor_token`` (docs/ARCHITECTURE.md "Token exchange")."""

    id: str
    created: datetime
    version: int | None = None


@dataclass(slots=True, weakref_slot=True)
class ServerConfig:
    """Everything one authorization server's partition holds, loaded with one Query."""

    server: AuthorizationServer
    scopes: list[Scope] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    policy_order: Ordered = field(default_factory=Ordered)
    rule_orders: dict[str, Ordered] = field(default_factory=dict)
    # Signing keys (public halves and lifecycle state) and the stored version of each, by kid.
    keys: list[KeyRecord] = field(default_factory=list)
    key_versions: dict[str, int] = field(default_factory=dict)
    # The servers this one trusts for token exchange (their access tokens may be exchanged here), in id order.
    trusted_servers: list[TrustedServer] = field(default_factory=list)

    @property
    def trusted_server_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.trusted_servers)


# An app's consent methods (Okta's Apps API): TRUSTED apps skip the consent page unless prompt=consent.
TRUSTED = "TRUSTED"
CONSENT_METHOD_REQUIRED = "REQUIRED"


@dataclass(frozen=True, slots=True, weakref_slot=True)
class OAuthClient:
    """An OAuth client: one record, two views: Okta's client API (RFC 7591 shape, ``/oauth2/v1/clients``) and Okta's
    Applications API (the ``oidc_client`` app, ``/api/v1/apps``; docs/ARCHITECTURE.md "OAuth clients").

    ``secrets``: the client's secrets (at most two, so a secret can be rotated without downtime); each is kept only
    as its SHA-256 and every ACTIVE one authenticates. Empty for clients that authenticate without one (``none``,
    ``private_key_jwt``). ``jwks`` is a public JWK Set (``{"keys": [...]}``) or None; each key may carry the
    Applications API's management members (``id``, ``status``, ``created``, ``lastUpdated``): only ACTIVE keys
    verify (``verification_jwks``).

    ``consent_method``: ``REQUIRED`` (scopes ask for consent as they say) or ``TRUSTED`` (no consent page unless
    the request says ``prompt=consent``; okta-api.md 4.5). ``pkce_required``: authorization requests must carry a
    PKCE challenge. ``require_pushed_authorization_requests`` (RFC 9126 6): ``/v1/authorize`` takes the client's
    requests only through a ``request_uri`` of the PAR endpoint. ``app``: what the Applications API stores and echoes back without acting on it (visibility,
    notes, ``settings.oauthClient`` members such as ``issuer_mode``...), as sent.
    """

    client_id: str
    client_name: str
    application_type: str
    token_endpoint_auth_method: str
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    client_uri: str | None
    logo_uri: str | None
    jwks: dict[str, object] | None
    jwks_uri: str | None
    secrets: tuple[ClientSecret, ...]
    status: str
    created: datetime
    last_updated: datetime
    version: int | None = None
    # When it was last deactivated: tokens issued before stay dead if it is activated again (oauth/vouching.py).
    deactivated: datetime | None = None
    consent_method: str = "REQUIRED"
    pkce_required: bool = False
    require_pushed_authorization_requests: bool = False
    initiate_login_uri: str | None = None
    app: Mapping[str, Any] | None = None
    # Okta scopes an admin granted the app for the org authorization server (Okta's app grants).
    scope_grants: tuple["ScopeGrant", ...] = ()
    # RFC 9449 5.2 / Okta's settings.oauthClient.dpop_bound_access_tokens: token requests need a DPoP proof.
    dpop_bound_access_tokens: bool = False

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def active_secret_hashes(self) -> tuple[str, ...]:
        return tuple(s.hash for s in self.secrets if s.status == ACTIVE)

    @property
    def verification_jwks(self) -> dict[str, object] | None:
        """The registered keys that verify client assertions: the ACTIVE ones, as plain JWKs."""
        if self.jwks is None:
            return None
        keys = self.jwks.get("keys")
        if not isinstance(keys, list):
            return {"keys": []}
        return {"keys": [{k: v for k, v in key.items() if k not in JWK_MANAGEMENT_MEMBERS}
                         for key in keys if isinstance(key, dict) and key.get("status", ACTIVE) == ACTIVE]}


@dataclass(frozen=True, slots=True)
class ScopeGrant:
    """An admin's grant of one Okta scope (``okta.*``) to an app (Okta's OAuth2ScopeConsentGrant, source ADMIN)."""

    id: str
    issuer: str
    scope_id: str
    created: datetime
    created_by: str | None
    created_by_type: str


# What the Applications API adds to a client's JWKs (never part of the key itself).
JWK_MANAGEMENT_MEMBERS = frozenset({"id", "status", "created", "lastUpdated"})


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """One client secret (Okta's OAuth2ClientSecret): ``ocs…`` id, the SHA-256 (hex) of the secret, and its status."""

    id: str
    hash: str
    status: str
    created: datetime
    last_updated: datetime


# -- the directory (docs/ARCHITECTURE.md "Directory") ---------------------------------------------------------------

# Okta's user statuses (the SDK's UserStatus enum).
STAGED = "STAGED"
PROVISIONED = "PROVISIONED"
SUSPENDED = "SUSPENDED"
LOCKED_OUT = "LOCKED_OUT"
PASSWORD_EXPIRED = "PASSWORD_EXPIRED"
RECOVERY = "RECOVERY"
DEPROVISIONED = "DEPROVISIONED"

OKTA_GROUP = "OKTA_GROUP"
BUILT_IN = "BUILT_IN"
# The built-in Everyone group is not stored: it exists everywhere with this id and holds every user
# (admin/groups.py). Rules name it with the literal ``EVERYONE``.
EVERYONE_ID = "00gEveryoneBuiltIn00"


@dataclass(frozen=True)
class RoleAssignment:
    """One admin role of a person (Okta's Role, assignment type USER)."""

    id: str
    type: str
    created: datetime


@dataclass(frozen=True)
class User:
    """A person of the directory. ``profile`` holds Okta's standard profile attributes (camelCase keys, string
    values). ``password_hash`` is a self-describing scrypt string (admin/passwords.py) or None; it is kept out of
    ``repr`` so that logging a user never logs it."""

    id: str
    status: str
    profile: dict[str, str]
    created: datetime
    last_updated: datetime
    status_changed: datetime | None = None
    activated: datetime | None = None
    last_login: datetime | None = None
    password_changed: datetime | None = None
    password_hash: str | None = field(default=None, repr=False)
    version: int | None = None
    # Admin roles assigned to this person (Okta's role assignment API): what their management tokens may do.
    roles: tuple["RoleAssignment", ...] = ()

    @property
    def login(self) -> str:
        return self.profile["login"]

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


@dataclass(frozen=True)
class Group:
    """A group: ``OKTA_GROUP`` (created through the API) or the built-in ``Everyone`` (``BUILT_IN``)."""

    id: str
    name: str
    description: str | None
    group_type: str
    created: datetime
    last_updated: datetime
    version: int | None = None


@dataclass(frozen=True)
class AppUserAssignment:
    """A user assigned to an OAuth client directly (Okta's AppUser with ``scope: USER``)."""

    client_id: str
    user_id: str
    user_name: str | None
    profile: dict[str, object]
    created: datetime
    last_updated: datetime
    version: int | None = None


@dataclass(frozen=True)
class AppGroupAssignment:
    """A group assigned to an OAuth client (Okta's ApplicationGroupAssignment)."""

    client_id: str
    group_id: str
    priority: int
    profile: dict[str, object]
    last_updated: datetime
    version: int | None = None


@dataclass(frozen=True)
class UserAccess:
    """What the authorize and token flows need to know about a user for one client (at most three reads): the
    user, every group the user belongs to (the built-in Everyone group first) and whether the user is assigned to
    the client, directly or through one of those groups."""

    user: User
    groups: tuple[Group, ...]
    assigned: bool

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)
