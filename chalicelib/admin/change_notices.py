"""Every management write reaches the token path's caches: at once on the container that made it, within a second
on every other (docs/ARCHITECTURE.md "Staleness bound"; the change log is ``chalicelib/changes.py``).

The composition root wraps the configuration, client and trusted-origin stores the admin services write through
(``NotifyingConfigStore``, ``NotifyingClientStore``, ``NotifyingTrustedOriginStore``), and the apps' group
assignments (``NotifyingAppGroups``, under the client's key), so no service has to remember
to announce a write: every write method of those ports announces the server, client or trusted origins it touched
once it returns (or fails in a way that may have written: ``StorageUnavailableError``, e.g. a timeout). A
``WriteConflict`` wrote nothing and announces nothing.

``ChangeNotices.changed`` first drops the keys from this container's caches (read your own writes, with no AWS
call involved), then records them in the change log, retrying a lost race on the log's version a few times with
jittered backoff, for at most ``changes.WRITE_WINDOW`` after the stamp was made (a stamp must reach the log well
inside ``changes.PRUNE_MARGIN``). If the log cannot be written, the write itself still stands (it has been
committed) and an error names the keys: other containers may keep what it replaced until their entry is
``changes.LOG_TRUST`` (one hour) old, unless a later change this container records first (the keys are carried
over to its next write of the log) or their own log reads fail (``TOKENMINT_CACHE_SECONDS``).
"""
from __future__ import annotations

import logging
import random
import time
from datetime import datetime
from typing import Callable, Iterable, TypeVar

from ..changes import LOG_TRUST, MAX_KEYS, TRUSTED_ORIGINS, WRITE_WINDOW, client_key, marked, new_stamp, server_key
from ..domain import (AppGroupAssignment, AppUserAssignment, AuthorizationServer, Claim, Group, OAuthClient, Ordered,
                      Policy, Rule, Scope, ServerConfig, TrustedOrigin, TrustedServer)
from ..errors import StorageUnavailableError
from ..keys.lifecycle import KeyRecord
from ..ports import ChangeLogStore, ClientStore, ConfigStore, DirectoryGroups, TrustedOriginStore, WriteConflict

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 5
BACKOFF = 0.01  # seconds, times the attempt number, jittered


class ChangeNotices:
    """``drop(key, stamp)``: this container's caches forget ``key`` (``TokenPathCaches.changed`` + the watch's
    ``note``). ``sleep`` and ``jitter`` are injected so tests of the retry need no real waiting."""

    def __init__(self, changes: ChangeLogStore, drop: Callable[[str, str], None], now: Callable[[], datetime], *,
                 sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random) -> None:
        self._changes = changes
        self._drop = drop
        self._now = now
        self._sleep = sleep
        self._jitter = jitter
        self._unrecorded: set[str] = set()  # keys whose change could not be recorded yet (module docstring)

    def changed(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        now = self._now()
        stamp = new_stamp(now)
        for key in keys:
            self._drop(key, stamp)
        pending = sorted(self._unrecorded.union(keys))
        for attempt in range(1, ATTEMPTS + 1):
            if self._now() - now > WRITE_WINDOW:
                break
            try:
                current, version = self._changes.read()
                self._changes.write(marked(current, pending, stamp, now), version)
                self._unrecorded.difference_update(pending)
                return
            except WriteConflict:
                if attempt < ATTEMPTS:
                    self._sleep(BACKOFF * attempt * (0.5 + self._jitter()))
            except StorageUnavailableError:
                break
        if len(self._unrecorded) + len(keys) <= MAX_KEYS:
            self._unrecorded.update(keys)
        log.error("could not record a change of %s in the change log; other containers may keep the previous "
                  "version for up to %s", ", ".join(keys), LOG_TRUST)


class _Announcing:
    def __init__(self, notices: ChangeNotices) -> None:
        self._notices = notices

    def _write(self, keys: list[str], call: Callable[[], T]) -> T:
        try:
            result = call()
        except StorageUnavailableError:
            self._notices.changed(keys)  # it may have been written before the failure
            raise
        self._notices.changed(keys)
        return result


class NotifyingConfigStore(_Announcing):
    """``ports.ConfigStore`` that announces every write under the key of the server it touched."""

    def __init__(self, inner: ConfigStore, notices: ChangeNotices) -> None:
        super().__init__(notices)
        self._inner = inner

    # -- reads pass through ----------------------------------------------------------------------------------------

    def resolve_alias(self, alias: str) -> str | None:
        return self._inner.resolve_alias(alias)

    def get_server(self, server_id: str) -> AuthorizationServer | None:
        return self._inner.get_server(server_id)

    def list_servers(self) -> list[AuthorizationServer]:
        return self._inner.list_servers()

    def load(self, server_id: str) -> ServerConfig | None:
        return self._inner.load(server_id)

    # -- writes announce -------------------------------------------------------------------------------------------

    def create_server(self, config: ServerConfig, alias: str | None = None) -> None:
        self._write([server_key(config.server.id)], lambda: self._inner.create_server(config, alias))

    def save_server(self, server: AuthorizationServer) -> AuthorizationServer:
        return self._write([server_key(server.id)], lambda: self._inner.save_server(server))

    def delete_server(self, server: AuthorizationServer) -> None:
        self._write([server_key(server.id)], lambda: self._inner.delete_server(server))

    def save_keys(self, server: AuthorizationServer, changed: Iterable[KeyRecord], created: Iterable[KeyRecord],
                  removed: Iterable[str], versions: dict[str, int]) -> AuthorizationServer:
        return self._write([server_key(server.id)],
                           lambda: self._inner.save_keys(server, changed, created, removed, versions))

    def create_scope(self, server_id: str, scope: Scope) -> Scope:
        return self._write([server_key(server_id)], lambda: self._inner.create_scope(server_id, scope))

    def replace_scope(self, server_id: str, old: Scope, new: Scope) -> Scope:
        return self._write([server_key(server_id)], lambda: self._inner.replace_scope(server_id, old, new))

    def delete_scope(self, server_id: str, scope: Scope) -> None:
        self._write([server_key(server_id)], lambda: self._inner.delete_scope(server_id, scope))

    def create_claim(self, server_id: str, claim: Claim) -> Claim:
        return self._write([server_key(server_id)], lambda: self._inner.create_claim(server_id, claim))

    def replace_claim(self, server_id: str, old: Claim, new: Claim) -> Claim:
        return self._write([server_key(server_id)], lambda: self._inner.replace_claim(server_id, old, new))

    def delete_claim(self, server_id: str, claim: Claim) -> None:
        self._write([server_key(server_id)], lambda: self._inner.delete_claim(server_id, claim))

    def save_policy(self, server_id: str, policy: Policy, order: Ordered | None) -> Policy:
        return self._write([server_key(server_id)], lambda: self._inner.save_policy(server_id, policy, order))

    def delete_policy(self, server_id: str, policy: Policy, order: Ordered, rules: Iterable[Rule],
                      rule_order: Ordered | None) -> None:
        self._write([server_key(server_id)],
                    lambda: self._inner.delete_policy(server_id, policy, order, rules, rule_order))

    def save_rule(self, server_id: str, rule: Rule, order: Ordered | None) -> Rule:
        return self._write([server_key(server_id)], lambda: self._inner.save_rule(server_id, rule, order))

    def delete_rule(self, server_id: str, rule: Rule, order: Ordered) -> None:
        self._write([server_key(server_id)], lambda: self._inner.delete_rule(server_id, rule, order))

    def add_trusted_servers(self, server_id: str, trusted: Iterable[TrustedServer]) -> None:
        trusted = list(trusted)
        self._write([server_key(server_id)], lambda: self._inner.add_trusted_servers(server_id, trusted))

    def remove_trusted_server(self, server_id: str, trusted: TrustedServer) -> None:
        self._write([server_key(server_id)], lambda: self._inner.remove_trusted_server(server_id, trusted))


class NotifyingClientStore(_Announcing):
    """``ports.ClientStore`` that announces every write under the key of the client it touched."""

    def __init__(self, inner: ClientStore, notices: ChangeNotices) -> None:
        super().__init__(notices)
        self._inner = inner

    def get(self, client_id: str, consistent: bool = True) -> OAuthClient | None:
        return self._inner.get(client_id, consistent)

    def page(self, prefix: str, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        return self._inner.page(prefix, limit, after)

    def create(self, client: OAuthClient) -> OAuthClient:
        return self._write([client_key(client.client_id)], lambda: self._inner.create(client))

    def replace(self, old: OAuthClient, new: OAuthClient) -> OAuthClient:
        return self._write([client_key(new.client_id)], lambda: self._inner.replace(old, new))

    def delete(self, client: OAuthClient) -> None:
        self._write([client_key(client.client_id)], lambda: self._inner.delete(client))


class NotifyingTrustedOriginStore(_Announcing):
    """``ports.TrustedOriginStore`` that announces every write under the one key of all trusted origins (the CORS
    cache holds them as one entry)."""

    def __init__(self, inner: TrustedOriginStore, notices: ChangeNotices) -> None:
        super().__init__(notices)
        self._inner = inner

    def list(self) -> list[TrustedOrigin]:
        return self._inner.list()

    def get(self, origin_id: str) -> TrustedOrigin | None:
        return self._inner.get(origin_id)

    def create(self, origin: TrustedOrigin) -> TrustedOrigin:
        return self._write([TRUSTED_ORIGINS], lambda: self._inner.create(origin))

    def replace(self, old: TrustedOrigin, new: TrustedOrigin) -> TrustedOrigin:
        return self._write([TRUSTED_ORIGINS], lambda: self._inner.replace(old, new))

    def delete(self, origin: TrustedOrigin) -> None:
        self._write([TRUSTED_ORIGINS], lambda: self._inner.delete(origin))


class NotifyingAppGroups(_Announcing):
    """What ``AppAssignmentService`` writes and reads through (``ports.DirectoryGroups``' assignment methods and the
    group reads it needs): group-assignment writes announced under the key of their client, since the flows cache an
    app's assigned groups (``oauth/app_groups.py``). Direct user assignments live in the person's partition, which
    the flows read fresh: they pass through unannounced."""

    def __init__(self, inner: DirectoryGroups, notices: ChangeNotices) -> None:
        super().__init__(notices)
        self._inner = inner

    def save_app_group(self, assignment: AppGroupAssignment, existing: AppGroupAssignment | None,
                       group: Group | None) -> AppGroupAssignment:
        return self._write([client_key(assignment.client_id)],
                           lambda: self._inner.save_app_group(assignment, existing, group))

    def remove_app_group(self, client_id: str, group_id: str) -> None:
        self._write([client_key(client_id)], lambda: self._inner.remove_app_group(client_id, group_id))

    # -- everything else passes through ----------------------------------------------------------------------------

    def batch_get(self, group_ids: Iterable[str]) -> dict[str, Group]:
        return self._inner.batch_get(group_ids)

    def get_app_user(self, client_id: str, user_id: str) -> AppUserAssignment | None:
        return self._inner.get_app_user(client_id, user_id)

    def app_users(self, client_id: str, after: str | None, limit: int) -> list[AppUserAssignment]:
        return self._inner.app_users(client_id, after, limit)

    def save_app_user(self, assignment: AppUserAssignment, existing: AppUserAssignment | None
                      ) -> AppUserAssignment:
        return self._inner.save_app_user(assignment, existing)

    def remove_app_user(self, client_id: str, user_id: str) -> None:
        self._inner.remove_app_user(client_id, user_id)

    def get_app_group(self, client_id: str, group_id: str) -> AppGroupAssignment | None:
        return self._inner.get_app_group(client_id, group_id)

    def app_groups(self, client_id: str) -> list[AppGroupAssignment]:
        return self._inner.app_groups(client_id)

    def assigned_group_ids(self, client_id: str) -> set[str]:
        return self._inner.assigned_group_ids(client_id)
