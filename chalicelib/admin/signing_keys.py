"""Signing keys of authorization servers: the rotation executor and the management view (okta-api.md 3;
DESIGN.md "Signing keys"). Creating keys and destroying material is admin/key_provisioning.py.

The planner (``keys/lifecycle.py``) decides; this module applies a plan in an order that is safe to interrupt
anywhere:

1. every new key's private half is encrypted and stored in Secrets Manager first;
2. one DynamoDB transaction then publishes new keys, changes statuses, moves ``credentials.signing`` on the
   server and unpublishes retired keys, each write conditional on the version it read;
3. only then is the material of retired keys destroyed.

A run that dies after 1 leaves unpublished material (never used, swept after ``ORPHAN_GRACE``); one that dies
after 2 leaves material of unpublished keys (swept the same way). A run that loses a race in 2 changes nothing
and discards what it stored. So there is never zero or two ACTIVE keys, and never a published key without its
private half.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from ..domain import ServerConfig
from ..errors import ConflictError, NotFoundError, TokenmintError, ValidationError
from ..keys import lifecycle
from ..keys.errors import KeyStoreError
from ..keys.jwk import PUBLIC_MEMBERS, public_jwk
from ..keys.lifecycle import ACTIVE, EXPIRED, NEXT, KeyRecord, Plan, RotationPolicy
from ..ports import ConfigStore, applied
from .common import SERVER_TYPE
from .key_provisioning import KeyMaterialUnavailableError, KeyProvisioner
from .servers import ServerService
from .validation import Fields, require_object

log = logging.getLogger(__name__)

KEY_TYPE = "AuthorizationServerJsonWebKey"
# Material with no published key is destroyed only after this long, so a run that is still between storing a
# new key and publishing it never loses the material under its feet.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass
class RotationReport:
    """What one scheduled run did; ``failed`` names servers whose run failed (the run then reports failure)."""

    checked: int = 0
    changed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SigningKeyService:
    def __init__(self, repo: ConfigStore, servers: ServerService, keys: KeyProvisioner, clock: Clock,
                 policy: RotationPolicy | None = None) -> None:
        self._repo = repo
        self._servers = servers
        self._keys = keys
        self._store = keys.store
        self._clock = clock
        self.policy = policy or RotationPolicy()

    # -- management view ---------------------------------------------------------------------------------------

    def list(self, server_id: str) -> list[KeyRecord]:
        config = self._servers.load(server_id)
        order = {k["kid"]: i for i, k in enumerate(lifecycle.published(config.keys))}
        return sorted(config.keys, key=lambda k: order.get(k.kid, len(order)))

    def get(self, server_id: str, kid: str) -> KeyRecord:
        for key in self._servers.load(server_id).keys:
            if key.kid == kid:
                return key
        raise NotFoundError(kid, KEY_TYPE)

    def jwks(self, server_id: str) -> tuple[list[dict[str, Any]], int]:
        """Public JWKs and the ``max-age`` to serve them with, from the configuration partition only."""
        config = self._servers.load(server_id)
        server = config.server
        max_age = lifecycle.jwks_max_age(config.keys, self._clock.now(), server.rotation_mode,  # type: ignore[arg-type]
                                         server.last_rotated, self.policy)
        return lifecycle.published(config.keys), max_age

    def rotate_now(self, server_id: str, body: Any) -> list[KeyRecord]:
        """``keyRotate``: ACTIVE -> EXPIRED, NEXT -> ACTIVE, a new NEXT; allowed in both modes."""
        f = Fields(require_object(body), "rotateKeys")
        use = f.raw("use")
        if use != "sig":
            raise ValidationError("rotateKeys", ["Invalid value specified for key 'use' parameter."])
        sid = self._servers.resolve_id(server_id)
        if not self.run(sid, force=True).rotate:
            raise ConflictError(f"A rotation of {sid} ran at the same time; reload its keys.")
        return self.list(sid)

    # -- the executor ------------------------------------------------------------------------------------------

    def run(self, server_id: str, force: bool = False) -> Plan:
        """Plan and apply one lifecycle step for one server. Returns the plan applied (a no-op plan when another
        run won the race)."""
        config = self._repo.load(server_id)
        if config is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        now = self._clock.now()
        server = config.server
        plan = lifecycle.plan(config.keys, now, server.rotation_mode, server.last_rotated,  # type: ignore[arg-type]
                              self.policy, force_rotate=force)
        published_now: list[str] = []
        if not plan.is_noop:
            applied = self._apply(config, plan, now)
            if applied is None:
                return Plan()
            published_now = applied
        self._sweep_orphans(config, plan, now, published_now)
        return plan

    def _apply(self, config: ServerConfig, plan: Plan, now: datetime) -> list[str] | None:
        """Apply ``plan``; returns the kids it created and published, or None when another run won the race."""
        sid = config.server.id
        keys = {k.kid: k for k in config.keys}
        changed: dict[str, KeyRecord] = {}
        created: list[KeyRecord] = []
        rotated = False
        for kid in [r.kid for r in plan.repair if r.action == "PROMOTE"] + ([plan.promote] if plan.promote else []):
            self._check_promotable(sid, keys[kid])

        def status(kid: str, new_status: str) -> None:
            key = changed.get(kid, keys[kid])
            if new_status == EXPIRED:
                changed[kid] = replace(key, status=EXPIRED, expired=now)
            else:
                changed[kid] = replace(key, status=ACTIVE, activated=now)

        try:
            if plan.bootstrap:
                created.append(self._keys.new_key(sid, ACTIVE, now))
                rotated = True
            for repair in plan.repair:
                status(repair.kid, EXPIRED if repair.action == "EXPIRE" else ACTIVE)
                rotated = rotated or repair.action == "PROMOTE"
            if plan.rotate:
                status(plan.rotate_out, EXPIRED)  # type: ignore[arg-type]
                if plan.promote:
                    status(plan.promote, ACTIVE)
                else:
                    created.append(self._keys.new_key(sid, ACTIVE, now))
                rotated = True
            if plan.create_next:
                created.append(self._keys.new_key(sid, NEXT, now))
        except TokenmintError:
            self._keys.discard(sid, [k.kid for k in created])
            raise

        final = [changed.get(k.kid, k) for k in config.keys if k.kid not in plan.retire] + created
        problems = lifecycle.validate_invariants(final)
        if problems:  # the planner's contract makes this unreachable; refuse rather than publish a bad set
            self._keys.discard(sid, [k.kid for k in created])
            raise RuntimeError(f"refusing a key set that breaks invariants: {problems}")
        active = next(k for k in final if k.status == ACTIVE)
        server = replace(config.server, signing_kid=active.kid,
                         last_rotated=now if rotated else config.server.last_rotated)
        if not applied(lambda: self._repo.save_keys(server, changed.values(), created, plan.retire,
                                                    config.key_versions)):
            log.info("key rotation of %s lost a race to another run; nothing applied", sid)
            self._keys.discard(sid, [k.kid for k in created])
            return None
        for kid in plan.retire:
            try:
                self._store.destroy(sid, kid)
            except KeyStoreError as exc:
                log.error("destroying retired key material failed (swept later): %s", exc)
                raise KeyMaterialUnavailableError("the key store is unavailable") from None
        return [k.kid for k in created]

    def _check_promotable(self, sid: str, key: KeyRecord) -> None:
        """KEY-11: promote a key only if its private half loads and matches the JWK verifiers already have;
        otherwise fail the run before anything is written, so the current ACTIVE key keeps signing."""
        try:
            private = self._store.load(sid, key.kid)
        except KeyStoreError as exc:
            log.error("refusing to promote key %s of %s: its material does not load (%s)", key.kid, sid, exc)
            raise KeyMaterialUnavailableError("the key store is unavailable") from None
        if public_jwk(private) != {m: key.public_jwk.get(m) for m in PUBLIC_MEMBERS}:
            log.error("refusing to promote key %s of %s: its material does not match its published JWK", key.kid, sid)
            raise KeyMaterialUnavailableError("the key store is unavailable")

    def _sweep_orphans(self, config: ServerConfig, plan: Plan, now: datetime, published_now: list[str]) -> None:
        """Destroy material of keys that are not published (left by a run that died between two steps).

        ``config`` was read before this run applied its plan, so the keys this run just published
        (``published_now``) are added explicitly: their secrets' ``CreatedDate`` comes from Secrets Manager's
        clock, and their safety must not depend on it agreeing with ours within ``ORPHAN_GRACE``."""
        try:
            stored = self._store.stored(config.server.id)
        except KeyStoreError as exc:
            log.error("listing key material failed: %s", exc)
            raise KeyMaterialUnavailableError("the key store is unavailable") from None
        published = ({k.kid for k in config.keys} - set(plan.retire)) | set(published_now)
        for kid, created in stored.items():
            if kid not in published and created is not None and created + ORPHAN_GRACE <= now:
                try:
                    self._store.destroy(config.server.id, kid)
                    log.info("destroyed orphaned key material of %s", config.server.id)
                except KeyStoreError as exc:
                    log.error("destroying orphaned key material failed: %s", exc)

    def run_all(self) -> RotationReport:
        """The scheduled run: every server, each on its own (one failing server does not stop the others)."""
        report = RotationReport()
        for server in self._repo.list_servers():
            report.checked += 1
            try:
                if not self.run(server.id).is_noop:
                    report.changed.append(server.id)
            except Exception:  # noqa: BLE001 - reported below, the run goes on with the next server
                log.exception("key rotation failed for %s", server.id)
                report.failed.append(server.id)
        return report

