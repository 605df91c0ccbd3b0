"""Where the token path gets an authorization server's configuration: a TTL cache over one DynamoDB Query, and
the default server's id behind the ``default`` alias (okta-api.md 2.5)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable, Protocol

from ..domain import ACTIVE, ServerConfig
from ..errors import NotFoundError
from .cache import DEFAULT_BUDGET, CacheStats, TTLCache, Vouch
from .issuer import ORG_SERVER_ID

SERVER_TYPE = "AuthorizationServer"
DEFAULT_ALIAS = "default"


class ConfigLoader(Protocol):
    def load(self, server_id: str) -> ServerConfig | None: ...


class DefaultServerId:
    """The default server's id, read until the alias exists and then kept for the life of the container: the
    default server cannot be deleted, so once the alias exists it never changes. Absence is not cached (the
    local stack and tests create the default server after the container).

    Because it never changes, the alias needs no change log read before it (a record does: "Staleness bound" in
    docs/ARCHITECTURE.md). With ``background``, ``prefetch`` reads it on another thread, so that a cold container's
    first request for ``default`` reads the change log and the alias at once."""

    def __init__(self, load: Callable[[], str | None], background: bool = False) -> None:
        self._load = load
        self._id: str | None = None
        self._background = background
        self._reading = threading.Lock()  # one read at a time: a request waits for a prefetch in progress
        self._prefetched = False  # once per container: while the alias is absent each request reads it once, not twice

    def get(self) -> str | None:
        if self._id is None:
            with self._reading:
                if self._id is None:
                    self._id = self._load()
        return self._id

    def prefetch(self) -> threading.Thread | None:
        """Start reading the alias on another thread (returned), unless it is known, this was not built for the
        ``background``, or it was prefetched before (once per container, or since ``clear``). A failed or empty read
        is only dropped: the request's own ``get`` reads again and answers it itself."""
        if self._id is not None or not self._background or self._prefetched:
            return None
        self._prefetched = True
        thread = threading.Thread(target=self._get_quietly, name="tokenmint-default-alias", daemon=True)
        thread.start()
        return thread

    def _get_quietly(self) -> None:
        try:
            self.get()
        except Exception:  # noqa: BLE001 - see prefetch: the request's own read reports it
            return

    def resolve(self, server_id: str) -> str:
        """Map the ``default`` alias to the default server's id; other ids pass through."""
        if server_id != DEFAULT_ALIAS:
            return server_id
        resolved = self._id if self._id is not None else self.get()
        if resolved is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        return resolved

    def clear(self) -> None:
        self._id = None
        self._prefetched = False


def _nothing() -> None:
    return None


class ServerConfigs:
    """``freshen`` runs before every lookup: the change log's poll (``change_watch.ChangeWatch.poll``); ``vouch`` its
    ``vouched`` (``cache.py``)."""

    def __init__(self, loader: ConfigLoader, resolve_alias: Callable[[str], str], ttl: timedelta,
                 now: Callable[[], datetime], freshen: Callable[[], None] = _nothing,
                 budget: int = DEFAULT_BUDGET, vouch: Vouch | None = None,
                 prefetch_alias: Callable[[], object] | None = None) -> None:
        """``prefetch_alias``: starts reading the ``default`` alias while ``freshen`` reads the change log
        (``DefaultServerId.prefetch``)."""
        self._loader = loader
        self._resolve = resolve_alias
        self._freshen = freshen
        self._prefetch_alias = prefetch_alias
        self._cache: TTLCache[str, ServerConfig | None] = TTLCache(ttl, now, budget, vouch=vouch)

    def active(self, server_id: str, org_route: bool = False) -> tuple[ServerConfig, datetime]:
        """The configuration of an ACTIVE server and when it was last known current (read, or confirmed by the change
        log: what the signer's staleness check measures); unknown and INACTIVE servers look the
        same from outside (okta-api.md 7.9: an inactive server answers like an unknown one). The org
        authorization server is found only by its own routes (``org_route``): through ``/oauth2/{id}/…`` it is
        unknown."""
        config, read_at = self._lookup(server_id, org_route)
        if config.server.status != ACTIVE:
            raise NotFoundError(server_id, SERVER_TYPE)
        return config, read_at

    def published(self, server_id: str, org_route: bool = False) -> ServerConfig:
        """The configuration of a server that exists, ACTIVE or INACTIVE, from the same cache: what ``/v1/keys``
        serves (an inactive server's keys still verify what it issued). An unknown server is NotFoundError, and
        while its absence is cached that costs no read (a verifier or a scanner asking again and again)."""
        return self._lookup(server_id, org_route)[0]

    def _lookup(self, server_id: str, org_route: bool) -> tuple[ServerConfig, datetime]:
        if server_id == DEFAULT_ALIAS and self._prefetch_alias is not None:
            self._prefetch_alias()  # a cold container: the alias is read while the change log is
        self._freshen()
        if (server_id == ORG_SERVER_ID) != org_route:
            raise NotFoundError(server_id, SERVER_TYPE)
        try:
            resolved = self._resolve(server_id)
        except NotFoundError:
            raise NotFoundError(server_id, SERVER_TYPE) from None
        config, read_at = self._cache.get(resolved, lambda: self._loader.load(resolved))
        if config is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        return config, read_at

    def changed(self, server_id: str) -> None:
        """The server's configuration changed: the next lookup reads it again (always strongly consistent)."""
        self._cache.invalidate(server_id)

    def clear(self) -> None:
        self._cache.clear()

    def stats(self) -> CacheStats:
        return self._cache.stats()
