"""In-memory cache of decrypted signing keys: the warm path budget of DESIGN.md.

A warm Lambda signs tokens with no KMS and no Secrets Manager call and parses no key: the decrypted,
parsed ``RSAPrivateKey`` of each authorization server's ACTIVE key lives in this cache. ``load`` (in
production ``KeyMaterialStore.load``: one GetSecretValue + one KMS Decrypt + one DER parse) runs only
on a cold cache or when the ACTIVE kid of that server changed, i.e. once per cold container and once
per rotation (performance.md: the parse alone costs ~40 ms, one AWS call more than a signature).

The cache is keyed by the kid the caller passes, and a kid names one key pair forever (it is the
RFC 7638 thumbprint), so a cached key can never be "wrong" for its kid; it never needs a time-based
reload. What can be stale is the caller's idea of which kid is ACTIVE: it reads the kid from its own
in-memory copy of the server configuration. That copy was last known current (read, or confirmed by the
change log, which names the server when a rotation or revoke is written: ``oauth/cache.py``) at most
``max_staleness`` ago, hence:

    After a rotation, a warm container may keep signing with the rotated-out (now EXPIRED) key until it
    reads the change log (about a second), for at most ``max_staleness`` when it cannot read the log,
    and until its copy is ``changes.LOG_TRUST`` old if the rotation's announcement was lost. Tokens it
    signs in that window live their full lifetime, so the EXPIRED key must stay published for the
    longest of these + the longest token lifetime + clock skew: the ``signer_cache_staleness`` term of
    ``lifecycle.retention_for`` (``lifecycle.SIGNING_AFTER_ROTATION``; KEY-03, KEY-10). The same bounds
    are how long an emergency revoke (KEY-05) takes to reach every warm container.

To make the bound a checked fact rather than a promise, ``get`` accepts the time the caller last knew
the kid current (``kid_read_at``) and refuses to sign with a kid known current longer than
``max_staleness`` ago; callers then refresh their configuration and retry.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .errors import KeyStoreError
from .jwk import ALG

# How long a cached ACTIVE kid is trusted. The configuration cache TTL must not exceed it and key retention
# (lifecycle.retention_for) must cover it: oauth/token_path_caches.py checks both when the container is built.
DEFAULT_MAX_STALENESS = timedelta(minutes=5)

Loader = Callable[[str, str], RSAPrivateKey]
Clock = Callable[[], datetime]


class StaleActiveKidError(KeyStoreError):
    """The caller's ACTIVE kid was read longer ago than the documented staleness bound.

    A key-store failure like any other: the token path answers it as it answers KMS or Secrets Manager being down
    (``oauth/minting.sign``: 503 ``temporarily_unavailable``), never with a 500.
    """


def protected_header(kid: str) -> bytes:
    """The base64url protected header of every JWS signed with ``kid`` (RFC 7515 7.1): Okta's ``alg`` and ``kid``,
    no ``typ``, serialized as PyJWT serializes a header (sorted members, no spaces), so ``jws.sign`` writes the
    bytes ``jwt.encode`` would."""
    header = json.dumps({"alg": ALG, "kid": kid}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(header.encode()).rstrip(b"=")


@dataclass(frozen=True)
class LoadedKey:
    """A decrypted signing key ready for ``jws.sign``: the parsed key and its protected header, made once."""

    kid: str
    private_key: RSAPrivateKey = field(repr=False)
    loaded_at: datetime
    header: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "header", protected_header(self.kid))


class SigningKeyCache:
    """Per-container cache of one decrypted ACTIVE key per authorization server. Thread-safe."""

    def __init__(self, load: Loader, clock: Clock, max_staleness: timedelta = DEFAULT_MAX_STALENESS,
                 prepare: Callable[[], None] | None = None, background: bool = False) -> None:
        """``prepare`` and ``background``: see ``prepare`` and ``prefetch`` (a cold container's first token)."""
        if max_staleness <= timedelta(0):
            raise ValueError("max_staleness must be positive")
        self._load = load
        self._prepare = prepare
        self._background = background
        self._prefetched: set[tuple[str, str]] = set()
        self._clock = clock
        self._max_staleness = max_staleness
        self._entries: dict[str, LoadedKey] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def max_staleness(self) -> timedelta:
        """How long a warm container may keep signing with a rotated-out key (see module docstring)."""
        return self._max_staleness

    def prepare(self) -> None:
        """A request that may sign has started. In a container that holds no key yet, the loader gets ready for its
        first load (``prepare``: in production the key store's AWS clients are built on another thread) while the
        request reads its configuration and client; a warm container pays one dict check."""
        if not self._entries and self._prepare is not None:
            self._prepare()

    def prefetch(self, auth_server_id: str, active_kid: str) -> threading.Thread | None:
        """Start loading ``active_kid`` on another thread (returned), unless it is the cached key (a warm
        container's cost: one dict read), this cache was not built to load in the ``background``, or it was
        prefetched before. A cold container's first token then decides its policy while the key is fetched and
        decrypted: its ``get`` waits for that load on the server's lock and finds the key or, if the load failed,
        loads again and answers the failure itself. Once per server and kid: during an outage every later request
        makes its one load, not two."""
        entry = self._entries.get(auth_server_id)
        if (entry is not None and entry.kid == active_kid) or not self._background:
            return None
        with self._locks_guard:
            if (auth_server_id, active_kid) in self._prefetched:
                return None
            self._prefetched.add((auth_server_id, active_kid))
        thread = threading.Thread(target=self._load_quietly, args=(auth_server_id, active_kid),
                                  name="tokenmint-key-load", daemon=True)
        thread.start()
        return thread

    def _load_quietly(self, auth_server_id: str, active_kid: str) -> None:
        try:
            self.get(auth_server_id, active_kid)
        except Exception:  # noqa: BLE001 - the loader logged it; the request's own get loads again and answers it
            return

    def get(self, auth_server_id: str, active_kid: str, *, kid_read_at: datetime | None = None) -> LoadedKey:
        """The decrypted key for ``active_kid``, loading it only if it is not the cached one.

        ``kid_read_at``: when the caller last knew ``active_kid`` current (read it from storage, or had it
        confirmed by the change log); if given and older than
        ``max_staleness``, raises ``StaleActiveKidError`` instead of signing with a possibly
        rotated-out key beyond what retention covers.
        """
        if kid_read_at is not None and self._clock() - kid_read_at > self._max_staleness:
            raise StaleActiveKidError(
                f"active kid of {auth_server_id!r} was read more than {self._max_staleness} ago"
            )
        # Lock-free fast path: a dict read is atomic under the GIL and entries are immutable.
        entry = self._entries.get(auth_server_id)
        if entry is not None and entry.kid == active_kid:
            return entry
        with self._server_lock(auth_server_id):
            # Another thread may have loaded it while this one waited: never load twice.
            entry = self._entries.get(auth_server_id)
            if entry is not None and entry.kid == active_kid:
                return entry
            # A failing load leaves the previous entry untouched and caches nothing.
            private_key = self._load(auth_server_id, active_kid)
            entry = LoadedKey(kid=active_kid, private_key=private_key, loaded_at=self._clock())
            self._entries[auth_server_id] = entry
            return entry

    def evict(self, auth_server_id: str) -> None:
        """Forget a server's key (emergency revoke in this container, server deleted)."""
        with self._server_lock(auth_server_id):
            self._entries.pop(auth_server_id, None)

    def clear(self) -> None:
        """Forget every server's key (the next ``get`` loads). The per-server locks stay: a load in progress
        must keep excluding a second load of the same server. Every key may be prefetched again."""
        with self._locks_guard:
            self._entries.clear()
            self._prefetched.clear()

    def _server_lock(self, auth_server_id: str) -> threading.Lock:
        # One lock per server so a slow cold load of server A never blocks signing for server B.
        with self._locks_guard:
            lock = self._locks.get(auth_server_id)
            if lock is None:
                lock = self._locks[auth_server_id] = threading.Lock()
            return lock
