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

import builtins  # SigningKeyService.list shadows the builtin list in the annotations of the methods after it
import json
import logging
import weakref
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from ..audit.event import FAILURE, JOB_ORIGIN, SUCCESS, SYSTEM, Party, log_event
from ..clock import Clock
from ..domain import AuthorizationServer, ServerConfig
from ..errors import ConflictError, NotFoundError, StorageUnavailableError, TokenmintError, ValidationError
from ..keys import lifecycle
from ..keys.errors import KeyStoreError
from ..keys.jwk import PUBLIC_MEMBERS, public_jwk
from ..keys.lifecycle import ACTIVE, EXPIRED, NEXT, KeyRecord, Plan, RotationPolicy
from ..oauth.audit import AuditTrail, NoAudit
from ..oauth.issuer import ORG_SERVER_ID, is_org
from ..oauth.rendered import RenderedDocuments
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
# Configurations whose JWKS max-age is remembered at most (then forgotten at once, as oauth/rendered.py's documents).
MAX_AGE_MEMO_LIMIT = 256


@dataclass
class RotationReport:
    """What one scheduled run did; ``failed`` names servers whose run failed (the run then reports failure)."""

    checked: int = 0
    changed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SigningKeyService:
    def __init__(self, repo: ConfigStore, servers: ServerService, keys: KeyProvisioner, clock: Clock,
                 policy: RotationPolicy | None = None, audit: AuditTrail | None = None,
                 cached: Callable[[str, bool], ServerConfig] | None = None) -> None:
        # The System Log: the scheduled run's rollovers and failures (an admin's keyRotate is logged by its route,
        # api/admin_audit.py, which knows the admin).
        self._audit: AuditTrail = audit or NoAudit()
        self._repo = repo
        self._servers = servers
        self._keys = keys
        self._store = keys.store
        self._clock = clock
        self.policy = policy or RotationPolicy()
        # The token path's cached configuration of a server, ACTIVE or INACTIVE (oauth/configuration.ServerConfigs
        # .published): what /v1/keys serves, so that verifiers fetching keys cost no read. Its staleness is the token
        # path's, and a key is published as NEXT long before it signs, so a slightly stale set still holds every
        # signing key.
        self._cached = cached
        self._documents = RenderedDocuments()
        # id(configuration) -> (the object, weakly; its JWKS max-age; the window it holds in: from, through or None;
        # the rotation policy it was worked out under)
        self._max_ages: dict[int, tuple[weakref.ref[ServerConfig], int, datetime, datetime | None,
                                        RotationPolicy]] = {}

    # -- management view ---------------------------------------------------------------------------------------

    def list(self, server_id: str) -> list[KeyRecord]:
        return _in_published_order(self._servers.load(server_id).keys)

    def get(self, server_id: str, kid: str) -> KeyRecord:
        for key in self._servers.load(server_id).keys:
            if key.kid == kid:
                return key
        raise NotFoundError(kid, KEY_TYPE)

    def jwks_document(self, server_id: str, org: bool = False) -> tuple[str, int]:
        """``/v1/keys``'s body (``{"keys": [public members only]}``, JSON) and ``max-age``: rendered once per cached
        configuration object (oauth/rendered.py), since verifiers fetch it far more often than keys change."""
        if self._cached is None:
            config = self._org_config() if org else self._servers.load(server_id)
            return json.dumps({"keys": _public(config)}), self._max_age(config)
        # An unknown server's NotFoundError comes from the cache too: no read per request while its absence is cached.
        cached = self._cached(ORG_SERVER_ID if org else server_id, org)
        return self._documents.get(cached, "jwks", lambda: {"keys": _public(cached)}), self._cached_max_age(cached)

    def _org_config(self) -> ServerConfig:
        config = self._repo.load(ORG_SERVER_ID)
        if config is None:
            raise NotFoundError(ORG_SERVER_ID, SERVER_TYPE)
        return config

    def _max_age(self, config: ServerConfig) -> int:
        server = config.server
        return lifecycle.jwks_max_age(config.keys, self._clock.now(), server.rotation_mode,  # type: ignore[arg-type]
                                      server.last_rotated, self.policy)

    def _cached_max_age(self, config: ServerConfig) -> int:
        """``_max_age`` of a cached configuration object, worked out again only once the clock leaves the window in
        which it stays the same (lifecycle.jwks_max_age_window: a day, far from a rotation; a second, close to one).
        Kept with the object, as its rendered JWKS is (oauth/rendered.py): never staler than the configuration."""
        now = self._clock.now()
        slot = id(config)
        found = self._max_ages.get(slot)
        if found is not None and found[0]() is config and found[4] is self.policy and found[2] <= now and \
                (found[3] is None or now <= found[3]):
            return found[1]
        server = config.server
        age, through = lifecycle.jwks_max_age_window(config.keys, now, server.rotation_mode,  # type: ignore[arg-type]
                                                     server.last_rotated, self.policy)
        if len(self._max_ages) >= MAX_AGE_MEMO_LIMIT:
            self._max_ages.clear()
        self._max_ages[slot] = (weakref.ref(config), age, now, through, self.policy)
        return age

    def rotate_now(self, server_id: str, body: Any) -> builtins.list[KeyRecord]:
        """``keyRotate``: ACTIVE -> EXPIRED, NEXT -> ACTIVE, a new NEXT; allowed in both modes."""
        f = Fields(require_object(body), "rotateKeys")
        use = f.raw("use")
        if use != "sig":
            raise ValidationError("rotateKeys", ["Invalid value specified for key 'use' parameter."])
        sid = self._servers.resolve_id(server_id)
        plan, keys = self._step(sid, force=True, strict_sweep=False)
        if not plan.rotate or keys is None:
            raise ConflictError(f"A rotation of {sid} ran at the same time; reload its keys.")
        # The keys as this request published them: the rotation is durable, so no read may turn it into a failure
        # (a client retrying a 503 would rotate twice).
        return _in_published_order(keys)

    # -- the executor ------------------------------------------------------------------------------------------

    def run(self, server_id: str, force: bool = False) -> Plan:
        """Plan and apply one lifecycle step for one server. Returns the plan applied (a no-op plan when another
        run won the race)."""
        return self._step(server_id, force)[0]

    def _step(self, server_id: str, force: bool = False, strict_sweep: bool = True
              ) -> tuple[Plan, builtins.list[KeyRecord] | None]:
        """``run``, also returning the server's keys after the step (None when another run won the race).
        ``strict_sweep`` false: destroying retired material and the orphan sweep after the step are best effort (an
        admin's ``keyRotate`` succeeded once its step is applied; the scheduled run reports a failed clean-up)."""
        config = self._repo.load(server_id)
        if config is None:
            raise NotFoundError(server_id, SERVER_TYPE)
        now = self._clock.now()
        server = config.server
        plan = lifecycle.plan(config.keys, now, server.rotation_mode, server.last_rotated,  # type: ignore[arg-type]
                              self.policy, force_rotate=force)
        published_now: list[str] = []
        keys = list(config.keys)
        if not plan.is_noop:
            applied = self._apply(config, plan, now, strict_sweep)
            if applied is None:
                return Plan(), None
            keys = applied
            published_now = [k.kid for k in applied if k.kid not in {c.kid for c in config.keys}]
        try:
            self._sweep_orphans(config, plan, now, published_now)
        except KeyMaterialUnavailableError:
            if strict_sweep:
                raise
        return plan, keys

    def _apply(self, config: ServerConfig, plan: Plan, now: datetime, strict: bool = True
               ) -> builtins.list[KeyRecord] | None:
        """Apply ``plan``; returns the server's keys as published, or None when another run won the race."""
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
        try:
            won = applied(lambda: self._repo.save_keys(server, changed.values(), created, plan.retire,
                                                       config.key_versions))
        except StorageUnavailableError:
            self._discard_unpublished(sid, [k.kid for k in created])
            raise
        if not won:
            log.info("key rotation of %s lost a race to another run; nothing applied", sid)
            self._keys.discard(sid, [k.kid for k in created])
            return None
        # The step is durable from here on. A retired kid is no longer published, so material left behind is the
        # orphan sweep's; the scheduled run reports the failure (strict), an admin's keyRotate does not fail for it.
        for kid in plan.retire:
            try:
                self._store.destroy(sid, kid)
            except KeyStoreError as exc:
                log.error("destroying retired key material failed (swept later): %s", exc)
                if strict:
                    raise KeyMaterialUnavailableError("the key store is unavailable") from None
        return final

    def _discard_unpublished(self, sid: str, kids: builtins.list[str]) -> None:
        """After a failed publishing write: destroy the material of the keys it did not publish. A failure can hide
        a write that went through (a lost response), so the keys are read back first; if even that fails, the
        material stays for the orphan sweep, which only removes what no key record names."""
        try:
            current = self._repo.load(sid)
        except StorageUnavailableError:
            log.warning("could not check which new keys of %s were published; the orphan sweep removes the rest", sid)
            return
        published = {k.kid for k in current.keys} if current is not None else set()
        self._keys.discard(sid, [kid for kid in kids if kid not in published])

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

    def _sweep_orphans(self, config: ServerConfig, plan: Plan, now: datetime,
                       published_now: builtins.list[str]) -> None:
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
        """The scheduled run: every server, each on its own (one failing server does not stop the others), then
        the material of deleted servers."""
        report = RotationReport()
        known: set[str] = set()
        for server in self._repo.list_servers():
            report.checked += 1
            known.add(server.id)
            try:
                plan, keys = self._step(server.id)
                if not plan.is_noop:
                    report.changed.append(server.id)
                if plan.rotate or plan.bootstrap or any(r.action == "PROMOTE" for r in plan.repair):
                    self._audit.record(rollover_event(server, plan, keys, None, self._clock.now()))
            except Exception as exc:  # noqa: BLE001 - reported below, the run goes on with the next server
                log.exception("key rotation failed for %s", server.id)
                report.failed.append(server.id)
                self._audit.record(rollover_event(server, None, None, exc, self._clock.now()))
        try:
            self._sweep_deleted_servers(known)
        except (KeyStoreError, StorageUnavailableError) as exc:
            log.error("sweeping the key material of deleted servers failed: %s", exc)
            report.failed.append("*")
        return report

    def _sweep_deleted_servers(self, known: set[str]) -> None:
        """Schedule the deletion of material whose server no longer exists (its deletion's clean-up failed). Only
        material older than ORPHAN_GRACE: a server being created stores its keys before its record."""
        now = self._clock.now()
        for server_id, newest in self._store.stored_servers().items():
            if server_id in known or newest is None or newest + ORPHAN_GRACE > now:
                continue
            # The listing reads an index; the server's own partition (strongly consistent) has the last word.
            if self._repo.load(server_id) is None:
                self._store.destroy_all(server_id)
                log.info("scheduled the deletion of the key material of deleted server %s", server_id)


def rollover_event(server: AuthorizationServer, plan: Plan | None, keys: list[KeyRecord] | None,
                   error: Exception | None, now: datetime) -> dict[str, Any]:
    """``app.oauth2.as.key.rollover`` (the org server's: ``app.oauth2.key.rollover``) of a scheduled run: the key
    that signs now, or the failure (its class only: an AWS error's text may name resources)."""
    event_type = "app.oauth2.key.rollover" if is_org(server) else "app.oauth2.as.key.rollover"
    targets = [Party(id=server.id, type="AuthorizationServer", display_name=server.name)]
    active = next((k for k in keys or () if k.status == ACTIVE), None)
    if active is not None:
        targets.append(Party(id=active.kid, type=KEY_TYPE))
    debug = {"rotatedOut": plan.rotate_out, "reasons": ", ".join(plan.reasons) or None} if plan else {}
    return log_event(event_type, published=now, actor=SYSTEM, targets=targets, origin=JOB_ORIGIN,
                     result=FAILURE if error else SUCCESS,
                     reason=f"Key rotation failed: {type(error).__name__}" if error else None, debug=debug)


def _public(config: ServerConfig) -> list[dict[str, Any]]:
    return [{m: k[m] for m in PUBLIC_MEMBERS if m in k} for k in lifecycle.published(config.keys)]


def _in_published_order(keys: list[KeyRecord]) -> list[KeyRecord]:
    """Keys in the order ``/v1/keys`` publishes them, unpublished ones last."""
    order = {k["kid"]: i for i, k in enumerate(lifecycle.published(keys))}
    return sorted(keys, key=lambda k: order.get(k.kid, len(order)))
