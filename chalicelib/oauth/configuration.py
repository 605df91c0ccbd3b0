"""Where the token path gets an authorization server's configuration: a TTL cache over one DynamoDB Query."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Protocol

from ..domain import ACTIVE, ServerConfig
from ..errors import NotFoundError
from .cache import TTLCache

SERVER_TYPE = "AuthorizationServer"


class ConfigLoader(Protocol):
    def load(self, server_id: str) -> ServerConfig | None: ...


class ServerConfigs:
    def __init__(self, loader: ConfigLoader, resolve_alias: Callable[[str], str], ttl: timedelta,
                 now: Callable[[], datetime]) -> None:
        self._loader = loader
        self._resolve = resolve_alias
        self._cache: TTLCache[str, ServerConfig | None] = TTLCache(ttl, now)

    def active(self, server_id: str) -> tuple[ServerConfig, datetime]:
        """The configuration of an ACTIVE server and when it was read; unknown and INACTIVE servers look the
        same from outside (okta-api.md 7.9: an inactive server answers like an unknown one)."""
        try:
            resolved = self._resolve(server_id)
        except NotFoundError:
            raise NotFoundError(server_id, SERVER_TYPE) from None
        config, read_at = self._cache.get(resolved, lambda: self._loader.load(resolved))
        if config is None or config.server.status != ACTIVE:
            raise NotFoundError(server_id, SERVER_TYPE)
        return config, read_at
