"""The one owner of what a warm container caches for the token path (docs/ARCHITECTURE.md "Staleness bound",
"Signing keys and rotation").

Built once by the composition root, which hands each piece to the service that uses it; the services keep direct
references, so owning them here costs a warm token nothing. Construction checks the bounds the documented
guarantees rest on, so a setting or a constant that breaks one fails the container build instead of weakening a
guarantee silently:

* the configuration and client caches keep a record for ``ttl``, at most ``MAX_TTL`` (300 s), on its own, and up to
  ``changes.LOG_TRUST`` (one hour) while the change log vouches for it (``cache.py``; ``ttl`` 0 turns the caches
  off, log or not);
* the signer refuses an ACTIVE kid last known current longer ago than its ``max_staleness``: the configuration cache
  hands out reads younger than ``ttl`` or the log's confirmation of a moment ago, so ``ttl`` must not exceed it, or
  a warm container would refuse to sign with a configuration it still trusts;
* an EXPIRED key stays published for ``key_retention``, which must cover how long a warm container may keep signing
  with a rotated-out key (the signer's staleness, or ``changes.LOG_TRUST`` if the rotation's announcement was lost,
  whichever is longer) on top of the longest token, the JWKS max-age and the clock skew
  (``keys.lifecycle.retention_for``), or a token signed by a warm container after a rotation could outlive its key
  in ``/v1/keys``.

``changed`` drops what one change key (``chalicelib/changes.py``) names: the change log's watch calls it for the
changes of other containers, the admin side's notices for this container's own writes. ``clear`` empties every
cache at once (tests).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ..changes import CLIENT, EVERYTHING, LOG_TRUST, SERVER, TRUSTED_ORIGINS
from ..keys.lifecycle import DEFAULT_RETENTION, MAX_ACCESS_TOKEN_MINUTES, retention_for
from ..keys.signer import DEFAULT_MAX_STALENESS, SigningKeyCache
from .app_groups import AppGroupSource, CachedAppGroups
from .cache import DEFAULT_BUDGET
from .change_watch import ChangeWatch
from .clients import CachedClients, ClientSource
from .configuration import ConfigLoader, DefaultServerId, ServerConfigs
from .cors_origins import CorsOrigins
from .holders import HolderStore, TokenHolders
from .plans import PlanMemo
from .jwks_fetch import fetch_https_json
from .remote_jwks import RemoteJwks

MAX_TTL = timedelta(seconds=300)


class CacheBoundError(ValueError):
    """The caches were configured so that a documented staleness guarantee would not hold."""


@dataclass(frozen=True)
class CacheSources:
    """Where each cache reads on a miss."""

    configs: ConfigLoader
    default_server_id: Callable[[], str | None]
    clients: ClientSource
    signing_keys: Callable[[str, str], RSAPrivateKey]
    holders: HolderStore
    # Gets ``signing_keys`` ready for a first load ahead of it (keys/signer.SigningKeyCache.prepare); None: nothing.
    prepare_signing: Callable[[], None] | None = None
    # Whether the sources may be read on other threads ahead of use (a cold container's first token: the ``default``
    # alias and the signing key; docs/ARCHITECTURE.md "The key store's clients built while the first token reads").
    # Production's may; tests' fakes are read inline.
    read_ahead: bool = False
    jwks_fetch: Callable[[str], Mapping[str, Any]] = fetch_https_json
    # The change log's stamps (ports.ChangeLogStore.read); None: no log, the caches rely on their TTL alone.
    changes: Callable[[], Mapping[str, str]] | None = None
    # The origins allowed CORS on the OAuth endpoints (admin/trusted_origins.TrustedOriginService.cors_origins).
    cors_origins: Callable[[], Iterable[str]] = lambda: ()
    # The groups assigned to an app (ports.AssignmentStore.assigned_group_ids); None: the flows read them uncached.
    app_groups: AppGroupSource | None = None


def check_bounds(ttl: timedelta, signer_staleness: timedelta, key_retention: timedelta) -> None:
    """Raise ``CacheBoundError`` naming the first documented bound the values break."""
    if not timedelta(0) <= ttl <= MAX_TTL:
        raise CacheBoundError(f"the configuration and client cache TTL ({ttl}) must be between 0 and {MAX_TTL}")
    if signer_staleness <= timedelta(0):
        raise CacheBoundError("the signer's max staleness must be positive")
    if ttl > signer_staleness:
        raise CacheBoundError(f"the configuration cache TTL ({ttl}) exceeds the signer's max staleness "
                              f"({signer_staleness}): warm containers would refuse kids they still trust")
    needed = retention_for(MAX_ACCESS_TOKEN_MINUTES, signer_cache_staleness=max(signer_staleness, LOG_TRUST))
    if key_retention < needed:
        raise CacheBoundError(f"key retention ({key_retention}) does not cover the longest token, JWKS max-age, "
                              f"clock skew and the longer of the signer's max staleness and the change log's "
                              f"trust ({needed})")


def _nothing() -> None:
    return None


class TokenPathCaches:
    """Every cache of the token path, built together with their bounds checked, and emptied together.

    ``ttl`` is ``TOKENMINT_CACHE_SECONDS`` (settings.py); ``budget`` the bytes of ``TOKENMINT_CACHE_MEGABYTES``;
    ``now`` the container's clock."""

    def __init__(self, sources: CacheSources, ttl: timedelta, now: Callable[[], datetime], *,
                 signer_staleness: timedelta = DEFAULT_MAX_STALENESS,
                 key_retention: timedelta = DEFAULT_RETENTION, budget: int = 4 * DEFAULT_BUDGET) -> None:
        check_bounds(ttl, signer_staleness, key_retention)
        self.ttl = ttl
        # Shared with admin/servers.ServerService: the admin API and the token path resolve `default` alike.
        self.default_server_id = DefaultServerId(sources.default_server_id, background=sources.read_ahead)
        self.watch = ChangeWatch(sources.changes, self.changed, self.forget_records, now) \
            if sources.changes is not None else None
        freshen = self.watch.poll if self.watch is not None else _nothing
        # A TTL of 0 asks for no caching at all: the log does not stretch it.
        vouch = self.watch.vouched if self.watch is not None and ttl > timedelta(0) else None
        # Configurations are the large entries (every claim, policy and rule of a server): 3/4 of the memory, less
        # the 1/32 of the apps' group assignments (a few ids per app).
        groups_budget = budget // 32
        self.configs = ServerConfigs(sources.configs, self.default_server_id.resolve, ttl, now, freshen,
                                     budget=budget * 3 // 4 - groups_budget, vouch=vouch,
                                     prefetch_alias=self.default_server_id.prefetch)
        self.clients = CachedClients(sources.clients, ttl, now, freshen,  # also holds the secret re-check times
                                     budget=budget - budget * 3 // 4, vouch=vouch)
        self.app_groups = CachedAppGroups(sources.app_groups, ttl, now, freshen, budget=groups_budget, vouch=vouch) \
            if sources.app_groups is not None else None
        self.signer = SigningKeyCache(sources.signing_keys, now, signer_staleness, prepare=sources.prepare_signing,
                                      background=sources.read_ahead)
        self.plans: PlanMemo[Any] = PlanMemo()  # oauth/grants/client_credentials.py
        self.holders = TokenHolders(sources.holders, now)
        self.remote_jwks = RemoteJwks(now, sources.jwks_fetch)
        self.cors_origins = CorsOrigins(sources.cors_origins, ttl, now, freshen, vouch=vouch)

    def changed(self, key: str) -> None:
        """Drop what ``key`` names. The client_credentials plans need nothing: a plan is valid only for the very
        configuration and client objects it was built from (``plans.py``), and the signer follows the ACTIVE kid
        of the configuration it is handed."""
        if key.startswith(SERVER):
            self.configs.changed(key.removeprefix(SERVER))
        elif key.startswith(CLIENT):
            self.clients.changed(key.removeprefix(CLIENT))
            if self.app_groups is not None:
                self.app_groups.changed(key.removeprefix(CLIENT))
        elif key == TRUSTED_ORIGINS:
            self.cors_origins.changed()
        elif key == EVERYTHING:
            self.forget_records()

    def forget_records(self) -> None:
        """Drop every configuration, client record, app's group assignments and the CORS origins (the change log
        collapsed, or could not be read)."""
        self.configs.clear()
        self.clients.clear()
        self.cors_origins.clear()
        if self.app_groups is not None:
            self.app_groups.clear()

    def clear(self) -> None:
        """Empty every cache: the next request reads everything afresh, as in a new container."""
        for cache in (self.default_server_id, self.configs, self.clients, self.signer, self.plans, self.holders,
                      self.remote_jwks, self.cors_origins, self.app_groups):
            if cache is not None:
                cache.clear()
