"""Signing-key lifecycle of an authorization server: a pure planner over Okta's key statuses.

Okta's model (okta-api.md §3.2-3.4, security-checklist.md §16): one ACTIVE key signs; a NEXT key is
published before it signs; rotation turns ACTIVE into EXPIRED and NEXT into ACTIVE, and the new key
signs at once; an EXPIRED key stays published for a while so tokens it signed still verify. Rotation
mode AUTO rotates every ``rotation_interval`` (Okta: 90 days); MANUAL rotates only when an
administrator calls ``keyRotate`` (which is also allowed in AUTO mode).

Nothing here talks to AWS or reads a clock: ``plan`` turns (keys, now, mode, lastRotated, policy)
into a ``Plan`` whose actions are data, and an executor elsewhere applies them with conditional
writes. That keeps every branch testable with plain values and lets a retried or overlapping run
re-plan from whatever state the previous run left (KEY-08, KEY-09).

Decisions (Okta leaves these UNVERIFIED, okta-api.md §10.4):

* A NEXT key always exists, in both modes: it is created at bootstrap and again right after every
  rotation. A verifier can only accept a token whose ``kid`` it has already fetched; publishing the
  successor a whole rotation interval ahead gives every verifier cache the longest possible time to
  see it. In MANUAL mode a rotation can come at any moment, so the successor has to be there already.
  One extra key per server costs a secret-month, nothing on the token path.
* ``next_lead`` (45 days, Okta's historical lead) is the minimum time a NEXT key must have been
  published before AUTO may promote it. Normally it has been published for the whole interval, so the
  rule only bites after a repair: an AUTO rotation that finds no NEXT creates one and postpones the
  rotation until that NEXT is ``next_lead`` old; one that finds a young NEXT waits likewise.
* A forced (administrator) rotation always happens now, because someone asked for it, possibly
  because the ACTIVE key is suspect. If no NEXT exists, the run creates a key and makes it ACTIVE in
  the same run (``rotate`` with ``promote=None``); verifiers that do not yet know it refetch on the
  unknown ``kid`` (OIDC Core §10.1). Two forced rotations within one JWKS max-age have the same effect.
* Broken states are repaired before anything else, keeping the key that verifiers have known longest:
  several ACTIVE keys -> keep the most recently activated, expire the others (they stay published for
  retention); no ACTIVE but a NEXT -> promote the oldest NEXT; several NEXT -> keep the oldest, expire
  the rest (never-used keys, harmless to keep published); no ACTIVE and no NEXT -> bootstrap a pair.
* An EXPIRED key is retired once ``expired + retention <= now``; see ``retention_for``.

Executor contract, in this order: ``bootstrap`` (create an ACTIVE key), ``repair`` in order,
``rotate`` (``rotate_out`` ACTIVE -> EXPIRED; ``promote`` NEXT -> ACTIVE, or a new key when it is
None), ``create_next``, then ``retire`` (unpublish, then destroy the private material). Bootstrap,
PROMOTE and rotate set ``lastRotated`` to the run's ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final, Literal

from chalicelib.changes import LOG_TRUST
from chalicelib.keys.jwk import PRIVATE_MEMBERS, PUBLIC_MEMBERS
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS

# Final: each is its own literal type, so a KeyRecord takes them as KeyStatus without a cast.
ACTIVE: Final = "ACTIVE"
NEXT: Final = "NEXT"
EXPIRED: Final = "EXPIRED"
STATUSES = (ACTIVE, NEXT, EXPIRED)
AUTO = "AUTO"
MANUAL = "MANUAL"
ROTATION_MODES = (AUTO, MANUAL)

KeyStatus = Literal["ACTIVE", "NEXT", "EXPIRED"]
RotationMode = Literal["AUTO", "MANUAL"]

DEFAULT_ROTATION_INTERVAL = timedelta(days=90)  # Okta: nextRotation = lastRotated + 90 d
DEFAULT_NEXT_LEAD = timedelta(days=45)  # Okta (old docs): NEXT generated at the 45-day mark
MAX_ACCESS_TOKEN_MINUTES = 24 * 60  # Okta's upper bound for accessTokenLifetimeMinutes
ID_TOKEN_MINUTES = 60  # Okta: fixed
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)  # common verifier leeway; Okta's own verifiers use 2 min
JWKS_MAX_AGE_CEILING = timedelta(days=1)
JWKS_MAX_AGE_FLOOR_SECONDS = 60
JWKS_MAX_AGE_MANUAL_SECONDS = 300
# How long after a rotation a warm container may still sign with the rotated-out key: the signer refuses a kid not
# known current for DEFAULT_MAX_STALENESS, but while the change log vouches for a configuration it keeps it until
# the log names it, so a rotation whose announcement was lost is seen only after LOG_TRUST (oauth/cache.py).
SIGNING_AFTER_ROTATION = max(DEFAULT_MAX_STALENESS, LOG_TRUST)


def retention_for(
    max_access_token_minutes: int,
    id_token_minutes: int = ID_TOKEN_MINUTES,
    *,
    jwks_cache: timedelta = JWKS_MAX_AGE_CEILING,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    signer_cache_staleness: timedelta = SIGNING_AFTER_ROTATION,
) -> timedelta:
    """How long an EXPIRED key must stay published (KEY-03, KEY-10).

    The last token signed by a rotated-out key is signed up to ``signer_cache_staleness`` after the
    rotation (warm containers still hold the old ACTIVE kid, see ``signer`` and ``SIGNING_AFTER_ROTATION``:
    about a second when the rotation reaches the change log, an hour when its announcement is lost); it lives the longest
    token lifetime; verifiers accept it up to ``clock_skew`` past ``exp``. The ``jwks_cache`` term
    (the largest max-age we serve) is a margin that KEY-03 asks for: it covers a verifier that fetched
    the JWKS from an intermediary or with a clock disagreeing with ours by more than the skew. Signed
    refresh tokens would need their lifetime here too; ours are opaque.
    """
    if max_access_token_minutes <= 0 or id_token_minutes <= 0:
        raise ValueError("token lifetimes must be positive")
    longest_token = timedelta(minutes=max(max_access_token_minutes, id_token_minutes))
    return longest_token + jwks_cache + clock_skew + signer_cache_staleness


# Safe for any rule Okta allows (access tokens up to 24 h); a deployment may compute a shorter one.
DEFAULT_RETENTION = retention_for(MAX_ACCESS_TOKEN_MINUTES)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the configuration partition stores about one key (the private half lives elsewhere)."""

    kid: str
    status: KeyStatus
    created: datetime
    activated: datetime | None
    expired: datetime | None
    public_jwk: Mapping[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown key status {self.status!r}")
        for name in ("created", "activated", "expired"):
            _require_aware(getattr(self, name), name)


@dataclass(frozen=True)
class RotationPolicy:
    rotation_interval: timedelta = DEFAULT_ROTATION_INTERVAL
    # Minimum time a NEXT key is published before AUTO rotation may promote it.
    next_lead: timedelta = DEFAULT_NEXT_LEAD
    # How long an EXPIRED key stays published; see retention_for.
    retention: timedelta = DEFAULT_RETENTION

    def __post_init__(self) -> None:
        if self.rotation_interval <= timedelta(0):
            raise ValueError("rotation_interval must be positive")
        if not timedelta(0) < self.next_lead <= self.rotation_interval:
            raise ValueError("next_lead must be positive and at most rotation_interval")
        if self.retention < timedelta(0):
            raise ValueError("retention must not be negative")


@dataclass(frozen=True)
class Repair:
    """One corrective status change: EXPIRE (ACTIVE or NEXT -> EXPIRED) or PROMOTE (NEXT -> ACTIVE)."""

    action: Literal["EXPIRE", "PROMOTE"]
    kid: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """Actions for one run, as data. See the module docstring for the order an executor applies them."""

    bootstrap: bool = False
    repair: tuple[Repair, ...] = ()
    rotate: bool = False
    rotate_out: str | None = None  # the ACTIVE kid that becomes EXPIRED
    promote: str | None = None  # the NEXT kid that becomes ACTIVE; None + rotate: a new key signs
    create_next: bool = False
    retire: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def is_noop(self) -> bool:
        return not (self.bootstrap or self.repair or self.rotate or self.create_next or self.retire)


def plan(
    keys: Sequence[KeyRecord],
    now: datetime,
    mode: RotationMode,
    last_rotated: datetime | None,
    policy: RotationPolicy,
    force_rotate: bool = False,
) -> Plan:
    """Decide what one rotation run must do for one authorization server."""
    _require_mode(mode)
    _require_aware(now, "now")
    _require_aware(last_rotated, "last_rotated")
    reasons: list[str] = []
    retire = _retirable(keys, now, policy, reasons)
    actives = _actives(keys)
    nexts = _nexts(keys)

    if not actives and not nexts:
        reasons.append("no keys: bootstrap" if not keys else "no ACTIVE or NEXT key: bootstrap a new pair")
        return Plan(bootstrap=True, create_next=True, retire=retire, reasons=tuple(reasons))

    repairs = [
        Repair("EXPIRE", extra.kid, "more than one ACTIVE key: keeping the most recently activated")
        for extra in actives[1:]
    ]
    promoted_by_repair = not actives
    if promoted_by_repair:
        active = nexts.pop(0)
        repairs.append(Repair("PROMOTE", active.kid, "no ACTIVE key: promoting the longest-published NEXT"))
    else:
        active = actives[0]
    repairs.extend(
        Repair("EXPIRE", extra.kid, "more than one NEXT key: keeping the longest-published")
        for extra in nexts[1:]
    )
    next_key = nexts[0] if nexts else None

    rotate = False
    if promoted_by_repair:
        # The repair already put a new key in charge; a second promotion in one run would sign with a
        # key published seconds ago for no benefit.
        if force_rotate:
            reasons.append("forced rotation satisfied by the repair promotion")
    elif force_rotate:
        rotate = True
        reasons.append(
            "rotation forced by an administrator"
            + ("" if next_key else " with no NEXT key: a new key is created and signs at once")
        )
    elif mode == AUTO:
        due_at = _effective_last_rotated(active, last_rotated) + policy.rotation_interval
        if now >= due_at:
            if next_key is None:
                reasons.append(
                    f"AUTO rotation due but no NEXT key: creating one, rotation postponed by {policy.next_lead}"
                )
            elif now < next_key.created + policy.next_lead:
                reasons.append(
                    f"AUTO rotation due but NEXT {next_key.kid} is younger than {policy.next_lead}: postponed"
                )
            else:
                rotate = True
                reasons.append("AUTO rotation due")

    create_next = rotate or next_key is None
    if create_next and not rotate:
        reasons.append("no NEXT key: creating one")
    return Plan(
        repair=tuple(repairs),
        rotate=rotate,
        rotate_out=active.kid if rotate else None,
        promote=next_key.kid if rotate and next_key else None,
        create_next=create_next,
        retire=retire,
        reasons=tuple([r.reason for r in repairs] + reasons),
    )


def auto_rotation_at(
    keys: Sequence[KeyRecord], now: datetime, last_rotated: datetime | None, policy: RotationPolicy
) -> datetime | None:
    """When ``plan`` will actually rotate an AUTO server, absent a forced rotation.

    That is ``lastRotated + rotation_interval``, pushed back until the NEXT key (or, if there is none,
    the one about to be created at ``now``) has been published for ``next_lead``. None without an
    ACTIVE key (the next run repairs instead of rotating).
    """
    actives = _actives(keys)
    if not actives:
        return None
    nominal = _effective_last_rotated(actives[0], last_rotated) + policy.rotation_interval
    nexts = _nexts(keys)
    next_published = nexts[0].created if nexts else now
    return max(nominal, next_published + policy.next_lead)


def credentials_signing(
    keys: Sequence[KeyRecord], mode: RotationMode, last_rotated: datetime | None, policy: RotationPolicy
) -> dict[str, str]:
    """Okta's ``credentials.signing`` object of an authorization server (okta-api.md §2.2-2.3).

    ``nextRotation`` is present only in AUTO and is ``lastRotated + rotation_interval`` exactly, as
    Okta reports it, even if the planner will postpone the rotation.
    """
    _require_mode(mode)
    actives = _actives(keys)
    if not actives:
        raise ValueError("no ACTIVE key")
    active = actives[0]
    rotated = _effective_last_rotated(active, last_rotated)
    signing = {"kid": active.kid, "rotationMode": mode, "lastRotated": okta_timestamp(rotated)}
    if mode == AUTO:
        signing["nextRotation"] = okta_timestamp(rotated + policy.rotation_interval)
    return signing


def published(keys: Sequence[KeyRecord]) -> list[dict[str, Any]]:
    """The public JWKs for ``/v1/keys``: ACTIVE first, then NEXT, then EXPIRED.

    Order carries no meaning for verifiers (okta-api.md §3.4), but naive clients take the first key.
    Only the public members are copied, whatever the stored JWK holds.
    """
    ordered = _actives(keys) + _nexts(keys) + sorted(
        (k for k in keys if k.status == EXPIRED),
        key=lambda k: (k.expired or k.created, k.kid),
        reverse=True,
    )
    return [{m: k.public_jwk[m] for m in PUBLIC_MEMBERS if m in k.public_jwk} for k in ordered]


def jwks_max_age(
    keys: Sequence[KeyRecord],
    now: datetime,
    mode: RotationMode,
    last_rotated: datetime | None,
    policy: RotationPolicy,
    ceiling: timedelta = JWKS_MAX_AGE_CEILING,
) -> int:
    """Seconds for ``Cache-Control: max-age`` on ``/v1/keys`` (KEY-10, KEY-12; Okta shrinks it too).

    AUTO: ``min(ceiling, next_lead / 2, time until the planned rotation)``. Half the NEXT lead means a
    cache filled just before a NEXT key appeared expires long before that key may sign; the time-to-
    rotation term makes every cache refetch at the rotation, so verifiers pick up the fresh NEXT and
    the EXPIRED status change promptly. MANUAL: a constant 300 s, since an administrator may rotate at
    any moment and a verifier that does not refetch on an unknown kid would otherwise lag by a day.
    Never below 60 s (a late scheduler must not make verifiers hammer the endpoint); 60 s as well when
    there is no ACTIVE key, because the state is about to be repaired.
    """
    return jwks_max_age_window(keys, now, mode, last_rotated, policy, ceiling)[0]


def jwks_max_age_window(
    keys: Sequence[KeyRecord],
    now: datetime,
    mode: RotationMode,
    last_rotated: datetime | None,
    policy: RotationPolicy,
    ceiling: timedelta = JWKS_MAX_AGE_CEILING,
) -> tuple[int, datetime | None]:
    """``jwks_max_age`` at ``now``, and the last instant through which it stays the same for these keys (None: for
    as long as they stay as they are): ``jwks_max_age`` is that same number at every instant from ``now`` through
    it, so a server's JWKS need not work it out again per request (issue 20).

    The answer is constant until the planned rotation is closer than the cap, then counts down by the second to the
    60 s floor, and stays there. (Without a NEXT key the planned rotation moves with ``now`` but is never closer
    than ``next_lead``, beyond the cap: the cap holds for ever.)
    """
    _require_mode(mode)
    _require_aware(now, "now")
    if ceiling <= timedelta(0):
        raise ValueError("ceiling must be positive")
    cap = min(ceiling, policy.next_lead / 2)
    if mode == MANUAL:
        return max(JWKS_MAX_AGE_FLOOR_SECONDS, int(min(timedelta(seconds=JWKS_MAX_AGE_MANUAL_SECONDS),
                                                       cap).total_seconds())), None
    rotation_at = auto_rotation_at(keys, now, last_rotated, policy)
    if rotation_at is None:
        return JWKS_MAX_AGE_FLOOR_SECONDS, None
    left = rotation_at - now
    if left >= cap:
        # Without a NEXT key the rotation is at least ``next_lead`` away whenever it is asked: the cap, for ever.
        return max(JWKS_MAX_AGE_FLOOR_SECONDS, int(cap.total_seconds())), (rotation_at - cap) if _nexts(keys) else None
    seconds = int(left.total_seconds())
    if seconds <= JWKS_MAX_AGE_FLOOR_SECONDS:
        return JWKS_MAX_AGE_FLOOR_SECONDS, None
    return seconds, rotation_at - timedelta(seconds=seconds)  # while at least ``seconds`` are left


def validate_invariants(keys: Sequence[KeyRecord]) -> list[str]:
    """Human-readable violations of the key-set invariants (KEY-06, KEY-07); empty when healthy."""
    problems: list[str] = []
    actives = [k.kid for k in keys if k.status == ACTIVE]
    nexts = [k.kid for k in keys if k.status == NEXT]
    if not actives:
        problems.append("no ACTIVE key")
    elif len(actives) > 1:
        problems.append(f"{len(actives)} ACTIVE keys: {', '.join(actives)}")
    if len(nexts) > 1:
        problems.append(f"{len(nexts)} NEXT keys: {', '.join(nexts)}")
    seen: set[str] = set()
    for k in keys:
        if k.kid in seen:
            problems.append(f"kid {k.kid} appears more than once")
        seen.add(k.kid)
        if k.public_jwk.get("kid") != k.kid:
            problems.append(f"key {k.kid}: public JWK carries kid {k.public_jwk.get('kid')!r}")
        leaked = PRIVATE_MEMBERS.intersection(k.public_jwk)
        if leaked:
            problems.append(f"key {k.kid}: public JWK carries private members {sorted(leaked)}")
        if k.status == EXPIRED and k.expired is None:
            problems.append(f"EXPIRED key {k.kid} has no expiry time and will never be retired")
    return problems


def okta_timestamp(moment: datetime) -> str:
    """Okta's timestamp format: UTC, second precision, literal ``.000`` millis (``2025-03-13T23:34:06.000Z``)."""
    _require_aware(moment, "moment")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _actives(keys: Sequence[KeyRecord]) -> list[KeyRecord]:
    # Most recently activated first: the one a repair keeps and the one that signs.
    return sorted(
        (k for k in keys if k.status == ACTIVE),
        key=lambda k: (k.activated or k.created, k.created, k.kid),
        reverse=True,
    )


def _nexts(keys: Sequence[KeyRecord]) -> list[KeyRecord]:
    # Oldest first: the one published longest is the one verifiers most likely already have.
    return sorted((k for k in keys if k.status == NEXT), key=lambda k: (k.created, k.kid))


def _retirable(keys: Sequence[KeyRecord], now: datetime, policy: RotationPolicy, reasons: list[str]) -> tuple[str, ...]:
    due = [k for k in keys if k.status == EXPIRED and k.expired is not None and k.expired + policy.retention <= now]
    due.sort(key=lambda k: (k.expired, k.kid))
    reasons.extend(f"EXPIRED key {k.kid} is past retention" for k in due)
    return tuple(k.kid for k in due)


def _effective_last_rotated(active: KeyRecord, last_rotated: datetime | None) -> datetime:
    # A server that never rotated counts from the moment its first key started signing (Okta reports
    # lastRotated = creation time on new servers).
    return last_rotated or active.activated or active.created


def _require_mode(mode: str) -> None:
    if mode not in ROTATION_MODES:
        raise ValueError(f"unknown rotation mode {mode!r}")


def _require_aware(moment: datetime | None, name: str) -> None:
    # Naive datetimes would compare as local time in one place and UTC in another.
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
