"""Authorization servers: create, replace, delete, lifecycle, search (okta-api.md 2.1-2.5)."""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, Callable, cast
from urllib.parse import urlparse

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, AuthorizationServer, ServerConfig
from ..errors import ForbiddenError, NotFoundError
from ..oauth.configuration import DefaultServerId
from ..oauth.issuer import ORG_SERVER_ID
from ..ports import ConfigStore, applied
from . import system_objects
from .common import SERVER_TYPE, check_if_match, write
from .key_provisioning import KeyProvisioner
from .validation import Fields, require_object

DEFAULT_ALIAS = "default"
ISSUER_MODES = ("ORG_URL", "CUSTOM_URL", "DYNAMIC")
ROTATION_MODES = ("AUTO", "MANUAL")


def _valid_audience(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    if ":" in value:  # Okta: an audience containing ':' must be a valid URI
        parsed = urlparse(value)
        return bool(parsed.scheme) and bool(parsed.netloc or parsed.path)
    return True


class ServerService:
    def __init__(self, repo: ConfigStore, clock: Clock, keys: KeyProvisioner,
                 default_id: DefaultServerId | None = None) -> None:
        self._repo = repo
        self._clock = clock
        self._keys = keys
        # The container passes the token path's cell (oauth/token_path_caches.py), so one clear() covers it.
        self._default_id = default_id or DefaultServerId(partial(repo.resolve_alias, DEFAULT_ALIAS))

    # -- reads -------------------------------------------------------------------------------------------------

    def default_id(self) -> str | None:
        """The default server's id, cached once the alias exists (``oauth.configuration.DefaultServerId``)."""
        return self._default_id.get()

    def resolve_id(self, server_id: str) -> str:
        """Map the ``default`` alias to the default server's id; other ids pass through. The org authorization
        server is not one of the servers the management API shows: its id is unknown here."""
        if server_id == ORG_SERVER_ID:
            raise NotFoundError(server_id, SERVER_TYPE)
        return self._default_id.resolve(server_id)

    def path_id(self, server_id: str) -> str:
        """How links name a server: Okta always writes ``default`` for the default server (okta-api.md 2.5)."""
        return DEFAULT_ALIAS if server_id in (DEFAULT_ALIAS, self.default_id()) else server_id

    def get(self, server_id: str) -> AuthorizationServer:
        server = self._repo.get_server(self.resolve_id(server_id))
        if server is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        return server

    def load(self, server_id: str) -> ServerConfig:
        config = self._repo.load(self.resolve_id(server_id))
        if config is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        return config

    def search(self, q: str | None) -> list[AuthorizationServer]:
        """Servers in creation order; ``q`` matches the exact name or audience (case-insensitive), as the
        seed's admin search does."""
        servers = [s for s in self._repo.list_servers() if s.id != ORG_SERVER_ID]
        if not q:
            return servers
        needle = q.strip().casefold()
        return [s for s in servers
                if s.name.casefold() == needle or any(a.casefold() == needle for a in s.audiences)]

    # -- writes ------------------------------------------------------------------------------------------------

    def _read_body(self, body: Any, *, creating: bool, current: AuthorizationServer | None = None
                   ) -> dict[str, Any]:
        """The writable fields. On PUT, ``issuerMode`` and ``rotationMode`` left out keep their current values: a
        rename must not silently switch a MANUAL server back to AUTO."""
        f = Fields(require_object(body), "authorizationServer")
        name = f.string("name", required=True, max_len=100)
        description = f.string("description", max_len=255)
        audiences = f.string_list("audiences", required=True, max_items=1)
        raw_audiences = f.raw("audiences")
        if isinstance(raw_audiences, list) and len(raw_audiences) > 1:  # not a list: string_list said so
            f.error("audiences", "Only one audience is supported.")
        for audience in audiences:
            if not _valid_audience(audience):
                f.error("audiences", f"'{audience}' is not a valid audience: it must be a valid URI when it "
                                     "contains ':' and must not contain whitespace.")
        issuer_mode = f.enum("issuerMode", ISSUER_MODES, default=current.issuer_mode if current else "ORG_URL")
        if issuer_mode == "CUSTOM_URL":
            f.error("issuerMode", "CUSTOM_URL needs a custom domain, and none is configured.")
        rotation_mode = f.enum("credentials.signing.rotationMode", ROTATION_MODES,
                               default=current.rotation_mode if current else "AUTO")
        f.enum("credentials.signing.use", ("sig",))
        for unsupported in ("accessTokenEncryptedResponseAlgorithm", "jwks", "jwks_uri"):
            if f.given(unsupported):
                f.error(unsupported, "Access-token encryption is not supported by this server.")
        f.check()
        return {
            "name": name, "description": description, "audiences": tuple(audiences), "issuer_mode": issuer_mode,
            # Okta ignores MANUAL on create: new servers always start in AUTO (okta-api.md 2.3).
            "rotation_mode": "AUTO" if creating else rotation_mode,
        }

    def _new_config(self, fields: dict[str, Any], default: bool = False) -> ServerConfig:
        now = self._clock.now()
        server_id = ids.new_id(ids.AUTHORIZATION_SERVER)
        keys = self._keys.provision(server_id)  # private halves stored before anything is published
        server = AuthorizationServer(id=server_id, status=ACTIVE, created=now, last_updated=now, default=default,
                                     signing_kid=keys[0].kid, last_rotated=now, **fields)
        return ServerConfig(server=server, scopes=system_objects.system_scopes(),
                            claims=system_objects.system_claims(), keys=keys)

    def _store(self, config: ServerConfig, alias: str | None = None) -> None:
        try:
            self._repo.create_server(config, alias=alias)
        except Exception:
            self._keys.discard(config.server.id, [k.kid for k in config.keys])
            raise

    def create(self, body: Any) -> AuthorizationServer:
        config = self._new_config(self._read_body(body, creating=True))
        self._store(config)
        return replace(config.server, version=1)

    def ensure_default(self) -> AuthorizationServer:
        """Create the ``default`` server with its historic policy and rule unless it exists (idempotent)."""
        existing = self._repo.resolve_alias(DEFAULT_ALIAS)
        if existing and (server := self._repo.get_server(existing)):
            return server
        config = self._new_config({
            "name": "default", "description": "Default Authorization Server for your Applications",
            "audiences": ("api://default",), "issuer_mode": "ORG_URL", "rotation_mode": "AUTO",
        }, default=True)
        policy, rule = system_objects.default_policy(config.server.created)
        config.policies, config.rules = [policy], [rule]
        config.policy_order, config.rule_orders = system_objects.default_orders(policy, rule)
        if not applied(lambda: self._store(config, alias=DEFAULT_ALIAS)):
            # Another bootstrap won the race: the alias now names its server.
            return self.get(DEFAULT_ALIAS)
        return replace(config.server, version=1)

    def ensure_org(self) -> AuthorizationServer:
        """Create the org authorization server (fixed id, hidden from the management API; its issuer is the base
        URL) with its signing keys, Okta's management scopes and its one policy, unless it exists (idempotent)."""
        existing = self._repo.get_server(ORG_SERVER_ID)
        if existing is not None:
            self._add_new_okta_scopes()
            return existing
        now = self._clock.now()
        keys = self._keys.provision(ORG_SERVER_ID)  # private halves stored before anything is published
        server = AuthorizationServer(id=ORG_SERVER_ID, status=ACTIVE, created=now, last_updated=now, default=False,
                                     signing_kid=keys[0].kid, last_rotated=now, name="Org Authorization Server",
                                     description="Okta scopes for the management API", audiences=("org",),
                                     issuer_mode="ORG_URL", rotation_mode="AUTO")
        config = ServerConfig(server=server, scopes=system_objects.system_scopes() + system_objects.org_scopes(),
                              claims=system_objects.system_claims(), keys=keys)
        policy, rule = system_objects.org_policy(now)
        config.policies, config.rules = [policy], [rule]
        config.policy_order, config.rule_orders = system_objects.default_orders(policy, rule)
        if not applied(lambda: self._store(config)):
            found = self._repo.get_server(ORG_SERVER_ID)  # another bootstrap won the race
            assert found is not None
            return found
        return replace(server, version=1)

    def _add_new_okta_scopes(self) -> None:
        """An org server created by an older release lacks the Okta scopes added since (``okta.users.read.self``
        for the admin console): the job that calls ``ensure_org`` after each deployment adds them."""
        config = self._repo.load(ORG_SERVER_ID)
        have = {s.name for s in config.scopes} if config is not None else set()
        for scope in system_objects.org_scopes():
            if scope.name not in have:
                # A racing job's wins. mypy cannot infer a lambda with a default argument (scope=scope) from its
                # context: the cast states its type.
                applied(cast("Callable[[], object]", lambda scope=scope: self._repo.create_scope(ORG_SERVER_ID, scope)))

    def replace(self, server_id: str, body: Any, expected_version: int | None = None) -> AuthorizationServer:
        current = self.get(server_id)
        check_if_match(current.version, expected_version)
        fields = self._read_body(body, creating=False, current=current)
        updated = replace(current, last_updated=self._clock.now(), **fields)
        return write(lambda: self._repo.save_server(updated), what=SERVER_TYPE, object_id=current.id,
                     server_id=server_id)

    def set_status(self, server_id: str, status: str) -> AuthorizationServer:
        current = self.get(server_id)
        if current.status == status:
            return current  # Okta answers 204 for activating an active server, without touching it
        updated = replace(current, status=status, last_updated=self._clock.now())
        return write(lambda: self._repo.save_server(updated), what=SERVER_TYPE, object_id=current.id,
                     server_id=server_id)

    def activate(self, server_id: str) -> AuthorizationServer:
        return self.set_status(server_id, ACTIVE)

    def deactivate(self, server_id: str) -> AuthorizationServer:
        return self.set_status(server_id, INACTIVE)

    def delete(self, server_id: str, expected_version: int | None = None) -> None:
        current = self.get(server_id)
        check_if_match(current.version, expected_version)
        if current.default:
            raise ForbiddenError("The default authorization server cannot be deleted; deactivate or rename it.")
        write(lambda: self._repo.delete_server(current), what=SERVER_TYPE, object_id=current.id,
              server_id=server_id)
        self._keys.forget(current.id)

