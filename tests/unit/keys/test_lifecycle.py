"""The pure key-lifecycle planner (chalicelib.keys.lifecycle): Okta's ACTIVE / NEXT / EXPIRED model."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.keys import lifecycle as lc
from chalicelib.keys.lifecycle import KeyRecord, Plan, RotationPolicy

T0 = datetime(2025, 3, 13, 23, 34, 6, tzinfo=timezone.utc)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
POLICY = RotationPolicy()
_ids = itertools.count()


def record(status, created, activated=None, expired=None, kid=None) -> KeyRecord:
    kid = kid or f"kid-{next(_ids):03d}"
    if status == "ACTIVE" and activated is None:
        activated = created
    jwk = {"kty": "RSA", "alg": "RS256", "kid": kid, "use": "sig", "e": "AQAB", "n": f"n-of-{kid}"}
    return KeyRecord(kid=kid, status=status, created=created, activated=activated, expired=expired, public_jwk=jwk)


def steady(now=T0):
    """A healthy server whose ACTIVE started signing at ``now`` and whose NEXT was created with it."""
    return [record("ACTIVE", now - DAY, activated=now), record("NEXT", now)]


def apply(p: Plan, keys: list[KeyRecord], now: datetime) -> tuple[list[KeyRecord], bool]:
    """A minimal in-memory executor following the documented contract; returns (keys, rotated)."""
    by_kid = {k.kid: k for k in keys}
    rotated = False

    def new(status):
        k = record(status, now, activated=now if status == "ACTIVE" else None)
        by_kid[k.kid] = k

    if p.bootstrap:
        new("ACTIVE")
        rotated = True
    for r in p.repair:
        if r.action == "EXPIRE":
            by_kid[r.kid] = dataclasses.replace(by_kid[r.kid], status="EXPIRED", expired=now)
        else:
            by_kid[r.kid] = dataclasses.replace(by_kid[r.kid], status="ACTIVE", activated=now)
            rotated = True
    if p.rotate:
        by_kid[p.rotate_out] = dataclasses.replace(by_kid[p.rotate_out], status="EXPIRED", expired=now)
        if p.promote:
            by_kid[p.promote] = dataclasses.replace(by_kid[p.promote], status="ACTIVE", activated=now)
        else:
            new("ACTIVE")
        rotated = True
    if p.create_next:
        new("NEXT")
    for kid in p.retire:
        del by_kid[kid]
    return list(by_kid.values()), rotated


def kids(keys, status):
    return [k.kid for k in keys if k.status == status]


# --- bootstrap and steady state -------------------------------------------------------------------


def test_bootstrap_when_there_are_no_keys():
    p = lc.plan([], T0, "AUTO", None, POLICY)
    assert p.bootstrap and p.create_next
    assert not p.rotate and not p.repair and not p.retire
    keys, _ = apply(p, [], T0)
    assert lc.validate_invariants(keys) == []
    assert len(kids(keys, "ACTIVE")) == 1 and len(kids(keys, "NEXT")) == 1


def test_only_expired_keys_bootstraps_a_new_pair_and_keeps_retiring():
    old = record("EXPIRED", T0 - 100 * DAY, activated=T0 - 99 * DAY, expired=T0 - 10 * DAY)
    fresh = record("EXPIRED", T0 - 5 * DAY, activated=T0 - 5 * DAY, expired=T0 - SECOND)
    p = lc.plan([old, fresh], T0, "MANUAL", T0 - 5 * DAY, POLICY)
    assert p.bootstrap and p.create_next
    assert p.retire == (old.kid,)


@pytest.mark.parametrize("mode", ["AUTO", "MANUAL"])
def test_healthy_server_before_rotation_is_due_needs_nothing(mode):
    keys = steady()
    p = lc.plan(keys, T0 + 89 * DAY, mode, T0, POLICY)
    assert p.is_noop and p == Plan()


# --- AUTO rotation ---------------------------------------------------------------------------------


def test_auto_rotation_is_due_exactly_at_last_rotated_plus_interval():
    keys = steady()
    active, nxt = keys
    assert not lc.plan(keys, T0 + 90 * DAY - SECOND, "AUTO", T0, POLICY).rotate
    p = lc.plan(keys, T0 + 90 * DAY, "AUTO", T0, POLICY)
    assert p.rotate and p.rotate_out == active.kid and p.promote == nxt.kid
    assert p.create_next, "the consumed NEXT is replaced in the same run"
    assert not p.bootstrap and not p.repair


def test_auto_without_last_rotated_counts_from_the_active_activation():
    keys = steady()
    assert not lc.plan(keys, T0 + 90 * DAY - SECOND, "AUTO", None, POLICY).rotate
    assert lc.plan(keys, T0 + 90 * DAY, "AUTO", None, POLICY).rotate


def test_auto_rotation_without_a_next_creates_one_and_waits_next_lead():
    active = record("ACTIVE", T0 - DAY, activated=T0)
    due = T0 + 90 * DAY
    p = lc.plan([active], due, "AUTO", T0, POLICY)
    assert p.create_next and not p.rotate
    assert any("postponed" in r for r in p.reasons)

    keys, _ = apply(p, [active], due)
    nxt = kids(keys, "NEXT")[0]
    assert not lc.plan(keys, due + POLICY.next_lead - SECOND, "AUTO", T0, POLICY).rotate
    later = lc.plan(keys, due + POLICY.next_lead, "AUTO", T0, POLICY)
    assert later.rotate and later.promote == nxt


def test_auto_rotation_with_a_young_next_is_postponed():
    active = record("ACTIVE", T0 - DAY, activated=T0)
    young = record("NEXT", T0 + 80 * DAY)
    p = lc.plan([active, young], T0 + 90 * DAY, "AUTO", T0, POLICY)
    assert p.is_noop and any("younger" in r for r in p.reasons)
    assert lc.plan([active, young], T0 + 125 * DAY, "AUTO", T0, POLICY).rotate


# --- MANUAL and forced rotation ----------------------------------------------------------------------


def test_manual_mode_never_rotates_on_its_own():
    keys = steady()
    assert lc.plan(keys, T0 + 1000 * DAY, "MANUAL", T0, POLICY).is_noop


def test_manual_mode_still_keeps_a_next_key():
    active = record("ACTIVE", T0 - DAY, activated=T0)
    p = lc.plan([active], T0 + DAY, "MANUAL", T0, POLICY)
    assert p.create_next and not p.rotate and not p.bootstrap


@pytest.mark.parametrize("mode", ["AUTO", "MANUAL"])
def test_forced_rotation_promotes_the_next_at_once(mode):
    keys = steady()
    active, nxt = keys
    p = lc.plan(keys, T0 + SECOND, mode, T0, POLICY, force_rotate=True)
    assert p.rotate and p.rotate_out == active.kid and p.promote == nxt.kid and p.create_next


def test_forced_rotation_without_a_next_makes_a_new_key_sign_in_the_same_run():
    active = record("ACTIVE", T0 - DAY, activated=T0)
    p = lc.plan([active], T0 + DAY, "MANUAL", T0, POLICY, force_rotate=True)
    assert p.rotate and p.rotate_out == active.kid and p.promote is None and p.create_next
    keys, _ = apply(p, [active], T0 + DAY)
    assert lc.validate_invariants(keys) == []
    assert kids(keys, "EXPIRED") == [active.kid]
    assert len(kids(keys, "ACTIVE")) == 1 and len(kids(keys, "NEXT")) == 1


# --- retirement --------------------------------------------------------------------------------------


def test_expired_key_is_retired_after_retention_and_not_before():
    expired_at = T0
    gone = record("EXPIRED", T0 - 91 * DAY, activated=T0 - 90 * DAY, expired=expired_at)
    keys = steady() + [gone]
    assert lc.plan(keys, expired_at + POLICY.retention - SECOND, "AUTO", T0, POLICY).retire == ()
    p = lc.plan(keys, expired_at + POLICY.retention, "AUTO", T0, POLICY)
    assert p.retire == (gone.kid,) and not p.rotate and not p.create_next


def test_expired_key_without_expiry_time_is_never_retired_but_is_reported():
    odd = record("EXPIRED", T0 - 1000 * DAY)
    keys = steady() + [odd]
    assert lc.plan(keys, T0 + 10 * DAY, "AUTO", T0, POLICY).retire == ()
    assert any("no expiry time" in v for v in lc.validate_invariants(keys))


def test_retire_never_touches_active_or_next():
    keys = steady(T0 - 1000 * DAY)
    p = lc.plan(keys, T0, "MANUAL", T0 - 1000 * DAY, POLICY)
    assert p.retire == ()


# --- repairs -------------------------------------------------------------------------------------------


def test_two_active_keys_keep_the_most_recently_activated():
    older = record("ACTIVE", T0 - 10 * DAY, activated=T0 - 10 * DAY)
    newer = record("ACTIVE", T0 - 20 * DAY, activated=T0 - DAY)
    nxt = record("NEXT", T0 - DAY)
    p = lc.plan([older, newer, nxt], T0, "AUTO", T0 - DAY, POLICY)
    assert [(r.action, r.kid) for r in p.repair] == [("EXPIRE", older.kid)]
    assert not p.rotate and not p.create_next
    keys, _ = apply(p, [older, newer, nxt], T0)
    assert lc.validate_invariants(keys) == []
    assert kids(keys, "ACTIVE") == [newer.kid]


def test_zero_active_with_a_next_promotes_it_and_creates_a_successor():
    nxt = record("NEXT", T0 - 50 * DAY)
    expired = record("EXPIRED", T0 - 100 * DAY, activated=T0 - 99 * DAY, expired=T0 - DAY)
    p = lc.plan([nxt, expired], T0, "AUTO", T0 - 99 * DAY, POLICY, force_rotate=True)
    assert [(r.action, r.kid) for r in p.repair] == [("PROMOTE", nxt.kid)]
    assert not p.rotate, "one promotion per run, even when forced"
    assert p.create_next and not p.bootstrap
    keys, _ = apply(p, [nxt, expired], T0)
    assert lc.validate_invariants(keys) == []


def test_zero_active_and_two_next_promote_the_oldest_and_keep_the_other():
    oldest = record("NEXT", T0 - 50 * DAY)
    newer = record("NEXT", T0 - DAY)
    p = lc.plan([newer, oldest], T0, "MANUAL", None, POLICY)
    assert [(r.action, r.kid) for r in p.repair] == [("PROMOTE", oldest.kid)]
    assert not p.create_next
    keys, _ = apply(p, [newer, oldest], T0)
    assert lc.validate_invariants(keys) == [] and kids(keys, "NEXT") == [newer.kid]


def test_two_next_keys_keep_the_longest_published():
    active = record("ACTIVE", T0 - DAY, activated=T0 - DAY)
    oldest = record("NEXT", T0 - 30 * DAY)
    newer = record("NEXT", T0 - DAY)
    p = lc.plan([active, newer, oldest], T0, "AUTO", T0 - DAY, POLICY)
    assert [(r.action, r.kid) for r in p.repair] == [("EXPIRE", newer.kid)]
    assert not p.create_next and not p.rotate


def test_repairs_and_a_due_rotation_combine_into_one_consistent_run():
    stale = record("ACTIVE", T0 - 200 * DAY, activated=T0 - 200 * DAY)
    current = record("ACTIVE", T0 - 100 * DAY, activated=T0 - 100 * DAY)
    nxt = record("NEXT", T0 - 100 * DAY)
    p = lc.plan([stale, current, nxt], T0, "AUTO", T0 - 100 * DAY, POLICY)
    assert p.rotate and p.rotate_out == current.kid and p.promote == nxt.kid
    keys, _ = apply(p, [stale, current, nxt], T0)
    assert lc.validate_invariants(keys) == []
    assert set(kids(keys, "EXPIRED")) == {stale.kid, current.kid}


# --- a simulated year ----------------------------------------------------------------------------------


@pytest.mark.parametrize("start_keys", [[], "steady"])
def test_a_year_of_daily_auto_runs_keeps_every_invariant(start_keys):
    keys = steady() if start_keys == "steady" else []
    last_rotated = T0 if keys else None
    published_since: dict[str, datetime] = {k.kid: k.created for k in keys}
    rotations = []
    for day in range(366):
        now = T0 + day * DAY
        p = lc.plan(keys, now, "AUTO", last_rotated, POLICY)
        before = {k.kid for k in keys}
        keys, rotated = apply(p, keys, now)
        for k in keys:
            published_since.setdefault(k.kid, now)
        assert lc.validate_invariants(keys) == [], day
        assert len(lc.published(keys)) <= 3
        if rotated:
            last_rotated = now
            rotations.append(now)
            signer = kids(keys, "ACTIVE")[0]
            if signer in before:
                # Every promoted key was published at least next_lead before it signed.
                assert now - published_since[signer] >= POLICY.next_lead
    gaps = [b - a for a, b in zip(rotations, rotations[1:], strict=False)]
    assert gaps and all(g == POLICY.rotation_interval for g in gaps)


# --- credentials.signing --------------------------------------------------------------------------------


def test_credentials_signing_auto_has_next_rotation_in_okta_format():
    keys = steady()
    signing = lc.credentials_signing(keys, "AUTO", T0 + timedelta(microseconds=987654), POLICY)
    assert signing == {
        "kid": keys[0].kid,
        "rotationMode": "AUTO",
        "lastRotated": "2025-03-13T23:34:06.000Z",
        "nextRotation": "2025-06-11T23:34:06.000Z",  # Okta's observed lastRotated + 90 d
    }
    assert list(signing) == ["kid", "rotationMode", "lastRotated", "nextRotation"]


def test_credentials_signing_manual_omits_next_rotation():
    keys = steady()
    assert lc.credentials_signing(keys, "MANUAL", T0, POLICY) == {
        "kid": keys[0].kid,
        "rotationMode": "MANUAL",
        "lastRotated": "2025-03-13T23:34:06.000Z",
    }


def test_credentials_signing_falls_back_to_activation_and_converts_to_utc():
    plus_two = timezone(timedelta(hours=2))
    active = record("ACTIVE", T0, activated=datetime(2025, 1, 2, 3, 4, 5, tzinfo=plus_two))
    signing = lc.credentials_signing([active], "MANUAL", None, POLICY)
    assert signing["lastRotated"] == "2025-01-02T01:04:05.000Z"


def test_credentials_signing_needs_an_active_key():
    with pytest.raises(ValueError):
        lc.credentials_signing([record("NEXT", T0)], "AUTO", T0, POLICY)


# --- /v1/keys -------------------------------------------------------------------------------------------


def test_published_lists_active_next_expired_with_public_members_only():
    active, nxt = steady()
    private = {"d": "private!", "p": "x", "q": "y", "dp": "1", "dq": "2", "qi": "3"}
    leaky_jwk = {**active.public_jwk, **private, "status": "ACTIVE"}
    active = dataclasses.replace(active, public_jwk=leaky_jwk)
    gone = record("EXPIRED", T0 - 91 * DAY, activated=T0 - 90 * DAY, expired=T0)
    out = lc.published([gone, nxt, active])
    assert [k["kid"] for k in out] == [active.kid, nxt.kid, gone.kid]
    for key in out:
        assert set(key) == {"kty", "alg", "kid", "use", "e", "n"}
    assert "private!" not in repr(out)
    assert any("private members" in v for v in lc.validate_invariants([active, nxt]))


# --- JWKS max-age ---------------------------------------------------------------------------------------


def test_jwks_max_age_shrinks_as_the_auto_rotation_approaches():
    keys = steady()
    samples = [lc.jwks_max_age(keys, T0 + d * DAY, "AUTO", T0, POLICY) for d in range(0, 91)]
    assert samples == sorted(samples, reverse=True)
    assert samples[0] == 86400  # the one-day ceiling far from rotation
    assert lc.jwks_max_age(keys, T0 + 90 * DAY - timedelta(hours=1), "AUTO", T0, POLICY) == 3600
    assert samples[-1] == lc.JWKS_MAX_AGE_FLOOR_SECONDS  # due: never zero or negative
    assert lc.jwks_max_age(keys, T0 + 200 * DAY, "AUTO", T0, POLICY) == lc.JWKS_MAX_AGE_FLOOR_SECONDS


def test_jwks_max_age_is_shorter_than_the_next_pre_publication_window():
    policy = RotationPolicy(rotation_interval=timedelta(hours=12), next_lead=timedelta(hours=6))
    keys = steady()
    for minutes in range(0, 12 * 60, 17):
        age = lc.jwks_max_age(keys, T0 + timedelta(minutes=minutes), "AUTO", T0, policy, ceiling=DAY)
        assert age <= policy.next_lead.total_seconds() / 2
    # A NEXT created now cannot sign for next_lead, and every cache filled now expires well before.
    assert lc.jwks_max_age([keys[0]], T0, "AUTO", T0, policy) < policy.next_lead.total_seconds()


def test_jwks_max_age_follows_a_postponed_rotation():
    active = record("ACTIVE", T0 - DAY, activated=T0)
    young = record("NEXT", T0 + 89 * DAY)
    # Nominally due in one day, but the young NEXT postpones it by weeks: the full ceiling applies.
    assert lc.jwks_max_age([active, young], T0 + 89 * DAY, "AUTO", T0, POLICY) == 86400
    assert lc.auto_rotation_at([active, young], T0 + 89 * DAY, T0, POLICY) == T0 + 89 * DAY + POLICY.next_lead


def test_jwks_max_age_in_manual_mode_is_a_modest_constant():
    keys = steady()
    for days in (0, 89, 90, 500):
        assert lc.jwks_max_age(keys, T0 + days * DAY, "MANUAL", T0, POLICY) == 300


def test_jwks_max_age_without_an_active_key_is_the_floor():
    assert lc.jwks_max_age([record("NEXT", T0)], T0, "AUTO", T0, POLICY) == 60


# --- retention, policy, validation ----------------------------------------------------------------------


def test_retention_sums_longest_token_cache_skew_and_signer_staleness():
    got = lc.retention_for(
        30,
        60,
        jwks_cache=timedelta(hours=1),
        clock_skew=timedelta(minutes=2),
        signer_cache_staleness=timedelta(minutes=5),
    )
    assert got == timedelta(minutes=60 + 60 + 2 + 5)
    # The signer term: a lost rotation announcement is seen after the change log's trust (one hour), longer than
    # the signer's own five minutes.
    assert lc.SIGNING_AFTER_ROTATION == timedelta(hours=1)
    assert lc.retention_for(1440) == timedelta(days=2, hours=1, minutes=5)
    assert RotationPolicy().retention == lc.DEFAULT_RETENTION == lc.retention_for(1440)
    with pytest.raises(ValueError):
        lc.retention_for(0)


def test_default_retention_covers_okta_token_limits_and_the_signer_cache():
    from chalicelib.keys.signer import DEFAULT_MAX_STALENESS

    assert lc.DEFAULT_RETENTION >= timedelta(hours=24) + DEFAULT_MAX_STALENESS + lc.DEFAULT_CLOCK_SKEW


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rotation_interval": timedelta(0)},
        {"next_lead": timedelta(0)},
        {"next_lead": timedelta(days=91)},
        {"retention": timedelta(seconds=-1)},
    ],
)
def test_rotation_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        RotationPolicy(**kwargs)


def test_validate_invariants_reports_each_violation():
    a1, a2 = record("ACTIVE", T0), record("ACTIVE", T0)
    n1, n2 = record("NEXT", T0), record("NEXT", T0)
    problems = lc.validate_invariants([a1, a2, n1, n2, a1])
    assert any(p.startswith("3 ACTIVE keys") for p in problems)
    assert any(p.startswith("2 NEXT keys") for p in problems)
    assert any("appears more than once" in p for p in problems)
    assert lc.validate_invariants([n1]) == ["no ACTIVE key"]
    mismatch = dataclasses.replace(a1, public_jwk={**a1.public_jwk, "kid": "other"})
    assert any("carries kid" in p for p in lc.validate_invariants([mismatch]))


def test_inputs_are_checked():
    with pytest.raises(ValueError):
        lc.plan([], T0, "SOMETIMES", None, POLICY)
    with pytest.raises(ValueError):
        lc.plan([], datetime(2025, 1, 1), "AUTO", None, POLICY)
    with pytest.raises(ValueError):
        record("RETIRED", T0)
    with pytest.raises(ValueError):
        record("NEXT", datetime(2025, 1, 1))


# --- the max-age's window (issue 20: a server's JWKS works it out once per window, not per request) -----------


def _max_age_by_its_definition(keys, now, mode, last_rotated, policy, ceiling=lc.JWKS_MAX_AGE_CEILING) -> int:
    """KEY-10/KEY-12 as jwks_max_age's docstring states them, written out independently."""
    cap = min(ceiling, policy.next_lead / 2)
    if mode == "MANUAL":
        age = min(timedelta(seconds=lc.JWKS_MAX_AGE_MANUAL_SECONDS), cap)
    else:
        rotation_at = lc.auto_rotation_at(keys, now, last_rotated, policy)
        if rotation_at is None:
            return lc.JWKS_MAX_AGE_FLOOR_SECONDS
        age = min(cap, rotation_at - now)
    return max(lc.JWKS_MAX_AGE_FLOOR_SECONDS, int(age.total_seconds()))


_SHORT = RotationPolicy(rotation_interval=timedelta(hours=12), next_lead=timedelta(hours=6))
_WINDOW_CASES = {
    "steady": (steady(), "AUTO", T0, POLICY),
    "steady, short policy": (steady(), "AUTO", T0, _SHORT),
    "no NEXT key": ([record("ACTIVE", T0 - DAY, activated=T0)], "AUTO", T0, POLICY),
    "young NEXT": ([record("ACTIVE", T0 - DAY, activated=T0), record("NEXT", T0 + 89 * DAY)], "AUTO", T0, POLICY),
    "no ACTIVE key": ([record("NEXT", T0)], "AUTO", T0, POLICY),
    "manual": (steady(), "MANUAL", T0, POLICY),
    "fractional rotation time": (steady(), "AUTO", T0 + timedelta(microseconds=250_001), POLICY),
}


@pytest.mark.parametrize("case", sorted(_WINDOW_CASES))
def test_jwks_max_age_holds_through_its_window_and_is_its_definition(case):
    keys, mode, last_rotated, policy = _WINDOW_CASES[case]
    nominal = last_rotated + policy.rotation_interval
    offsets = [timedelta(0), DAY, 45 * DAY, 89 * DAY, 89.5 * DAY, 90 * DAY, 200 * DAY]
    near = [nominal - timedelta(seconds=s) for s in (86400.5, 86400, 86399.999999, 3600, 1000.5, 62, 61, 60.5, 1, 0)]
    for now in [T0 + o for o in offsets] + near + [nominal - policy.next_lead / 2 - SECOND * 3]:
        age, through = lc.jwks_max_age_window(keys, now, mode, last_rotated, policy)
        assert age == lc.jwks_max_age(keys, now, mode, last_rotated, policy) == \
            _max_age_by_its_definition(keys, now, mode, last_rotated, policy), now
        assert through is None or through >= now
        last = through if through is not None else now + 400 * DAY
        span = last - now
        for fraction in (0, 0.001, 0.25, 0.5, 0.999, 1):
            later = now + span * fraction
            assert lc.jwks_max_age(keys, later, mode, last_rotated, policy) == age, (now, later, through)
        assert lc.jwks_max_age(keys, last, mode, last_rotated, policy) == age
        if through is not None:  # the window is as long as it can be: a microsecond later the answer changes
            assert lc.jwks_max_age(keys, through + timedelta(microseconds=1), mode, last_rotated, policy) != age
