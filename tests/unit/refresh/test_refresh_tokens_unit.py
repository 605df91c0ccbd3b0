"""``RefreshTokens`` on an in-memory store (chalicelib/oauth/refresh_tokens.py): issuance, rotation, reuse
detection, lifetimes, binding, the user checked at use, revocation. Cases named after security-checklist
RT-01..14, REV-05, TOK-05."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import DEPROVISIONED, LOCKED_OUT, SUSPENDED
from chalicelib.oauth.errors import InvalidGrantError
from chalicelib.oauth.refresh_tokens import (
    INVALID,
    MAX_ACCESS_TOKENS,
    MAX_ROTATED,
    Family,
    IssuedToken,
    RefreshTokens,
    hash_token,
    refresh_token_due,
)
from tests.unit.oauth.oauthfakes import NOW, fake_client
from tests.unit.refresh.refreshfakes import backworld, sha256

SCOPES = ("openid", "offline_access", "profile")
# RFC 6749 A.17: refresh-token = 1*VSCHAR; ours are the family id, a dot and 256 random bits in base64url
VSCHAR_URLSAFE = re.compile(r"^oar[A-Za-z0-9]{17}\.[A-Za-z0-9_-]{43}$")


@pytest.fixture
def b():
    return backworld()


def issue(b, *, lifetime: int = 0, window: int = 60, client_id: str = "native", server_id: str = "aus_a",
          access_token=None, grant_type: str = "password", auth_time: int | None = None) -> tuple[str, str]:
    return b.tokens.issue(server_id=server_id, client_id=client_id, user_id=b.alice.id, scopes=SCOPES,
                          auth_time=auth_time, amr=("pwd",), lifetime_minutes=lifetime, window_minutes=window,
                          now=b.clock.now(), grant_type=grant_type, access_token=access_token)


def redeem(b, token: str, client_id: str = "native", server_id: str = "aus_a"):
    return b.tokens.redeem(token, server_id=server_id, client_id=client_id, now=b.clock.now())


def family(b, family_id: str, client_id: str = "native", server_id: str = "aus_a") -> Family | None:
    return b.store.family(server_id, client_id, family_id)


# -- issuance ------------------------------------------------------------------------------------------------------


def test_tok05_opaque_256_bit_tokens_stored_only_as_sha256(b):
    token, family_id = issue(b)
    assert VSCHAR_URLSAFE.match(token) and token.startswith(family_id + ".")
    assert re.fullmatch(r"oar[A-Za-z0-9]{17}", family_id)
    stored = repr((b.store.records, b.store.tokens, b.store.pointers))
    assert token not in stored and b.store.tokens == {}  # no record of its own: its family holds its hash
    assert family(b, family_id).current_hash == sha256(token) == hash_token(token)


def test_issue_records_the_grant(b):
    token, family_id = issue(b, auth_time=1_700_000_000, grant_type="authorization_code")
    f = family(b, family_id)
    assert (f.server_id, f.client_id, f.user_id, f.scopes, f.amr, f.grant_type) == (
        "aus_a", "native", b.alice.id, SCOPES, ("pwd",), "authorization_code")
    assert f.auth_time == 1_700_000_000 and f.created == NOW and f.last_updated == NOW
    assert b.store.locate(family_id) == ("aus_a", "native")


def test_issue_without_auth_time_records_now(b):
    _, family_id = issue(b)
    assert family(b, family_id).auth_time == int(NOW.timestamp())


def test_issue_refuses_nonsense(b):
    with pytest.raises(ValueError):
        issue(b, window=0)
    with pytest.raises(ValueError):
        b.tokens.issue(server_id="aus_a", client_id="", user_id=b.alice.id, scopes=SCOPES, auth_time=None, amr=(),
                       lifetime_minutes=0, window_minutes=10, now=NOW)


def test_two_issues_are_two_families(b):
    one, f1 = issue(b)
    two, f2 = issue(b)
    assert one != two and f1 != f2


@pytest.mark.parametrize("lifetime,window,expected", [
    (0, 60, timedelta(minutes=60)),  # unlimited lifetime: the idle window
    (30, 60, timedelta(minutes=30)),  # the lifetime caps the window
    (120, 60, timedelta(minutes=60)),
])
def test_rt11_first_token_expiry(b, lifetime, window, expected):
    _, family_id = issue(b, lifetime=lifetime, window=window)
    assert family(b, family_id).expires_at == NOW + expected


def test_refresh_token_due_needs_offline_access_and_the_grant():
    client = fake_client("c", grant_types=("password", "refresh_token"))
    assert refresh_token_due(client, ("openid", "offline_access"))
    assert not refresh_token_due(client, ("openid",))  # RT-12
    assert not refresh_token_due(fake_client("c", grant_types=("password",)), ("offline_access",))


# -- redemption and binding -----------------------------------------------------------------------------------------


def test_redeem_the_current_token(b):
    token, family_id = issue(b)
    presented = redeem(b, token)
    assert presented.family.id == family_id and presented.token_hash == sha256(token)


def test_redeeming_the_current_token_reads_only_its_family(b):
    """The token names its family, so a refresh reads the family and not the token's record first."""
    token, family_id = issue(b)
    b.store.reads.clear()
    assert redeem(b, token).family.id == family_id
    assert b.store.reads == ["family"]


def test_lookup_with_the_callers_client_reads_only_the_family(b):
    """Revocation and introspection name their caller: its current token is found with one read (issue 20)."""
    token, family_id = issue(b)
    b.store.reads.clear()
    found, current = b.tokens.lookup(token, "aus_a", "native")
    assert (found.id, current, b.store.reads) == (family_id, True, ["family"])
    # Another caller (a resource server introspecting) or no hint: the family's pointer says where it lives.
    b.store.reads.clear()
    found, current = b.tokens.lookup(token, "aus_a", "someone-else")
    assert (found.client_id, current, b.store.reads) == ("native", True, ["family", "pointer", "family"])
    assert b.tokens.lookup(token, "aus_b", "native") is None
    assert b.tokens.lookup(f"{family_id}.{'A' * 43}", "aus_a", "native") is None  # a made-up random part
    assert b.tokens.lookup(token, "aus_a")[0].id == family_id


def test_a_made_up_random_part_after_a_real_family_id_revokes_nothing(b):
    """Only a token that was issued counts as reuse: a family id is no secret (the management API lists it)."""
    token, family_id = issue(b)
    for forged in (f"{family_id}.{'A' * 43}", f"{family_id}.x", f"{family_id}."):
        with pytest.raises(InvalidGrantError) as caught:
            redeem(b, forged)
        assert caught.value.description == INVALID
    assert family(b, family_id) is not None and redeem(b, token).family.id == family_id


def test_a_token_issued_without_a_family_id_still_refreshes(b):
    """Tokens issued before they named their family (43 characters) are found through their record; their
    successors name the family."""
    _, issued_id = issue(b)
    old = "B" * 43
    legacy = replace(family(b, issued_id), id="oarLegacy00000000001", current_hash=hash_token(old))
    assert b.store.create(legacy)
    b.store.legacy_record(hash_token(old), IssuedToken("aus_a", "native", legacy.id, 0, 2_000_000_000))
    assert redeem(b, old).family.id == legacy.id
    new = b.tokens.rotate(redeem(b, old), now=b.clock.now())
    assert new.startswith(legacy.id + ".") and redeem(b, new).family.id == legacy.id
    with pytest.raises(InvalidGrantError):
        redeem(b, old)  # reuse of the rotated legacy token still revokes
    assert family(b, legacy.id) is None


def test_a_rotated_token_that_names_its_family_is_reuse(b):
    token, family_id = issue(b)
    b.tokens.rotate(redeem(b, token), now=b.clock.now())
    b.store.reads.clear()
    with pytest.raises(InvalidGrantError):
        redeem(b, token)
    assert family(b, family_id) is None
    assert "token" not in b.store.reads  # the family named tells: it remembers its rotated-out tokens


def test_a_rotated_token_issued_before_is_reuse_by_its_record(b):
    """A family rotated before 2026-12-05 does not remember its rotated-out tokens: their records do."""
    token, family_id = issue(b)
    rotated_out = f"{family_id}.{'R' * 43}"
    b.store.legacy_record(hash_token(rotated_out), IssuedToken("aus_a", "native", family_id, 0, 2_000_000_000))
    b.store.reads.clear()
    with pytest.raises(InvalidGrantError):
        redeem(b, rotated_out)
    assert family(b, family_id) is None and b.store.reads[:2] == ["family", "token"]


def test_a_family_remembers_its_latest_rotated_tokens_until_each_expires(b):
    token, family_id = issue(b, window=60)
    tokens = [token]
    for _ in range(MAX_ROTATED + 5):
        b.clock.advance(seconds=1)
        tokens.append(b.tokens.rotate(redeem(b, tokens[-1]), now=b.clock.now()))
    f = family(b, family_id)
    assert len(f.rotated) == MAX_ROTATED and all(len(h) == 32 for h, _exp in f.rotated)
    assert f.rotated_out(hash_token(tokens[-2])) and not f.rotated_out(hash_token(tokens[0]))
    with pytest.raises(InvalidGrantError):
        redeem(b, tokens[0])  # beyond the latest 100: merely invalid, the family lives
    assert family(b, family_id) is not None
    # A second before the current token expires, every rotated-out one (each issued a second or more before it) has:
    # the next rotation forgets them all and remembers only the one it rotates out.
    b.clock.advance(minutes=59, seconds=59)
    b.tokens.rotate(redeem(b, tokens[-1]), now=b.clock.now())
    assert family(b, family_id).rotated == ((hash_token(tokens[-1])[:32], int((b.clock.now()
                                                                               + timedelta(seconds=1)).timestamp())),)


@pytest.mark.parametrize("garbage", ["", "x", "A" * 43, "A" * 600, None, 42])
def test_unknown_or_malformed_token_is_invalid_grant(b, garbage):
    issue(b)
    with pytest.raises(InvalidGrantError) as caught:
        redeem(b, garbage)
    assert caught.value.description == INVALID


def test_rt01_another_client_gets_invalid_grant_and_revokes_nothing(b):
    token, family_id = issue(b)
    with pytest.raises(InvalidGrantError):
        redeem(b, token, client_id="native2")
    assert family(b, family_id) is not None
    assert redeem(b, token).family.id == family_id  # the owner still can


def test_another_server_gets_invalid_grant(b):
    token, family_id = issue(b)
    with pytest.raises(InvalidGrantError):
        redeem(b, token, server_id="aus_b")
    assert family(b, family_id) is not None


# -- rotation and reuse detection -----------------------------------------------------------------------------------


def test_rt04_rotation_returns_a_new_token_and_the_old_one_is_rotated(b):
    token, family_id = issue(b)
    new = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert new != token and VSCHAR_URLSAFE.match(new)
    f = family(b, family_id)
    assert f.current_hash == sha256(new) and f.version == 2
    assert f.rotated_out(sha256(token)) and b.store.tokens == {}  # the family remembers it, for reuse detection
    assert redeem(b, new).family.id == family_id


def test_rt04_reuse_of_a_rotated_token_revokes_the_family_and_its_access_tokens(b):
    first_at = ("AT.first", NOW + timedelta(hours=1))
    token, family_id = issue(b, access_token=first_at)
    b.clock.advance(minutes=1)
    second = b.tokens.rotate(redeem(b, token), now=b.clock.now(), access_token=("AT.second", NOW + timedelta(hours=2)))
    with pytest.raises(InvalidGrantError) as caught:
        redeem(b, token)  # the attacker (or the client) replays the old one
    assert caught.value.description == INVALID
    assert family(b, family_id) is None
    with pytest.raises(InvalidGrantError):
        redeem(b, second)  # the legitimate holder's current token died with the family
    assert b.w.revocations.is_access_token_revoked("AT.first", b.clock.now())
    assert b.w.revocations.is_access_token_revoked("AT.second", b.clock.now())


def test_revoking_a_family_writes_only_the_family_and_its_access_tokens(b):
    """Its pointer is left to expire (TTL): each reader goes through the family and finds none."""
    token, family_id = issue(b, access_token=("AT.first", NOW + timedelta(hours=1)))
    writes = b.store.writes
    b.tokens.revoke_family(family_id)
    assert b.store.writes == writes + 1 and family(b, family_id) is None
    assert b.store.locate(family_id) is not None  # expires on its own
    assert b.w.revocations.is_access_token_revoked("AT.first", b.clock.now())
    with pytest.raises(InvalidGrantError):
        redeem(b, token)
    assert b.tokens.lookup(token, "aus_a") is None
    b.tokens.revoke_family(family_id)  # again: the pointer leads nowhere, so it is dropped
    assert b.store.locate(family_id) is None


def test_pointers_move_only_when_the_new_token_would_outlive_them(b):
    """A rotation rewrites the family's pointers (by id, by user) about once a window, not every time, and they
    always outlive the family (revoke_family and consent revocation find it through them)."""
    token, family_id = issue(b, window=60)  # unlimited lifetime: the family's expiry moves at every rotation
    first = b.store.pointer_expiry[family_id]
    assert first == int((NOW + timedelta(minutes=120)).timestamp())  # two windows
    moved = []
    for _ in range(6):
        b.clock.advance(minutes=25)
        token = b.tokens.rotate(redeem(b, token), now=b.clock.now())
        f = family(b, family_id)
        assert b.store.pointer_expiry[family_id] >= int(f.expires_at.timestamp())
        assert int(f.pointers_until.timestamp()) == b.store.pointer_expiry[family_id]
        moved.append(b.store.pointer_expiry[family_id] != first)
        first = b.store.pointer_expiry[family_id]
    # Pointers reach +120 min; the rotation at +75 min (token until +135) moves them to +195; the one at +150 min
    # (token until +210) moves them again.
    assert moved == [False, False, True, False, False, True]


def test_pointers_never_outlast_a_limited_familys_end(b):
    token, family_id = issue(b, lifetime=90, window=60)
    assert b.store.pointer_expiry[family_id] == int((NOW + timedelta(minutes=90)).timestamp())
    b.clock.advance(minutes=50)
    b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert b.store.pointer_expiry[family_id] == int((NOW + timedelta(minutes=90)).timestamp())


def test_a_family_stored_before_pointers_ran_ahead_moves_them_at_its_next_rotation(b):
    token, family_id = issue(b)
    stored = family(b, family_id)
    key = (stored.server_id, stored.client_id, stored.id)
    doc, version = b.store.records[key]
    b.store.records[key] = ({k: v for k, v in doc.items() if k != "pointersUntil"}, version)
    assert family(b, family_id).pointers_until is None
    b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert family(b, family_id).pointers_until == NOW + timedelta(minutes=120)


def test_rt06_only_the_current_token_works_in_a_chain(b):
    r1, family_id = issue(b)
    r2 = b.tokens.rotate(redeem(b, r1), now=b.clock.now())
    r3 = b.tokens.rotate(redeem(b, r2), now=b.clock.now())
    with pytest.raises(InvalidGrantError):
        redeem(b, r1)
    with pytest.raises(InvalidGrantError):
        redeem(b, r3)


def test_rt09_concurrent_rotation_exactly_one_wins_then_the_family_is_revoked(b):
    token, family_id = issue(b)
    first = redeem(b, token)
    second = redeem(b, token)  # both read the family before either wrote
    winner = b.tokens.rotate(first, now=b.clock.now())
    with pytest.raises(InvalidGrantError):
        b.tokens.rotate(second, now=b.clock.now())
    assert family(b, family_id) is None
    with pytest.raises(InvalidGrantError):
        redeem(b, winner)


def test_rt09_race_injected_between_read_and_conditional_write(b):
    """H-04: the other rotation lands exactly between this one's read and its conditional write."""
    token, family_id = issue(b)
    presented = redeem(b, token)
    b.store.before_write = lambda: b.tokens.rotate(redeem(b, token), now=b.clock.now())
    with pytest.raises(InvalidGrantError):
        b.tokens.rotate(presented, now=b.clock.now())
    assert family(b, family_id) is None


def test_a_rotation_whose_committed_write_is_retried_is_still_a_success(b):
    """A PutItem has no idempotency token: botocore's retry of a write whose first attempt was committed (its answer
    lost) fails the version condition on that very write. The rotation re-reads the family and finds its own token
    current: a success, not a race lost (which would revoke the family)."""
    token, family_id = issue(b)
    store = b.store

    class AnswerLost:
        def __getattr__(self, name):
            return getattr(store, name)

        def rotate(self, family, pointers=True):
            assert store.rotate(family, pointers)  # committed...
            return False  # ...and the retry's condition failed

    tokens = RefreshTokens(AnswerLost(), b.tokens.directory, b.tokens.now)
    new = tokens.rotate(redeem(b, token), now=b.clock.now())
    assert family(b, family_id).current_hash == sha256(new) and redeem(b, new).family.id == family_id


def test_rotation_of_a_family_revoked_meanwhile_fails(b):
    token, family_id = issue(b)
    presented = redeem(b, token)
    b.tokens.revoke_family(family_id)
    with pytest.raises(InvalidGrantError):
        b.tokens.rotate(presented, now=b.clock.now())
    assert family(b, family_id) is None


def test_rt03_rotation_keeps_scopes_user_and_auth_time(b):
    token, family_id = issue(b, auth_time=1_600_000_000)
    before = family(b, family_id)
    b.clock.advance(minutes=5)
    b.tokens.rotate(redeem(b, token), now=b.clock.now())
    after = family(b, family_id)
    assert (after.scopes, after.user_id, after.auth_time, after.amr, after.created, after.grant_type) == (
        before.scopes, before.user_id, before.auth_time, before.amr, before.created, before.grant_type)
    assert after.last_updated == NOW + timedelta(minutes=5)


def test_family_remembers_unexpired_access_tokens_only_and_at_most_a_bounded_number(b):
    token, family_id = issue(b, access_token=("AT.0", NOW + timedelta(minutes=5)))
    b.clock.advance(minutes=10)  # AT.0 expired
    token = b.tokens.rotate(redeem(b, token), now=b.clock.now(),
                            access_token=("AT.1", b.clock.now() + timedelta(hours=1)))
    assert [j for j, _ in family(b, family_id).access_tokens] == ["AT.1"]
    for i in range(MAX_ACCESS_TOKENS + 5):
        token = b.tokens.rotate(redeem(b, token), now=b.clock.now(),
                                access_token=(f"AT.x{i}", b.clock.now() + timedelta(hours=1)))
    remembered = family(b, family_id).access_tokens
    assert len(remembered) == MAX_ACCESS_TOKENS and remembered[-1][0] == f"AT.x{MAX_ACCESS_TOKENS + 4}"


# -- lifetimes ------------------------------------------------------------------------------------------------------


def test_rt11_idle_window_expires_an_unused_token(b):
    token, family_id = issue(b, window=60)
    b.clock.advance(minutes=59, seconds=59)
    assert redeem(b, token)
    b.clock.advance(seconds=1)
    with pytest.raises(InvalidGrantError):
        redeem(b, token)
    assert family(b, family_id) is None  # cleaned up on use


def test_rt11_rotation_slides_the_idle_window(b):
    token, family_id = issue(b, window=60)
    for _ in range(5):
        b.clock.advance(minutes=50)
        token = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert family(b, family_id).expires_at == b.clock.now() + timedelta(minutes=60)
    assert redeem(b, token)


def test_rt11_absolute_lifetime_caps_the_family_even_with_rotation(b):
    token, family_id = issue(b, lifetime=120, window=60)
    b.clock.advance(minutes=50)
    token = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    b.clock.advance(minutes=50)
    token = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert family(b, family_id).expires_at == NOW + timedelta(minutes=120)  # not 100 + 60
    b.clock.advance(minutes=19, seconds=59)
    token = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    b.clock.advance(seconds=1)
    with pytest.raises(InvalidGrantError):
        redeem(b, token)


def test_rt07_an_expired_token_cannot_be_used(b):
    token, _ = issue(b, window=10)
    b.clock.advance(minutes=11)
    with pytest.raises(InvalidGrantError):
        redeem(b, token)


# -- the user, checked at use (RT-14) -------------------------------------------------------------------------------


def test_holder_returns_the_users_access(b):
    token, _ = issue(b)
    access = b.tokens.holder(redeem(b, token).family, b.clock.now())
    assert access.user.id == b.alice.id and access.assigned


@pytest.mark.parametrize("status", [DEPROVISIONED, SUSPENDED, LOCKED_OUT])
def test_rt14_user_not_active_revokes_the_family(b, status):
    token, family_id = issue(b)
    b.users.set(b.alice.id, status=status, status_changed=b.clock.now() + timedelta(seconds=1))
    b.clock.advance(seconds=1)
    with pytest.raises(InvalidGrantError):
        b.tokens.holder(redeem(b, token).family, b.clock.now())
    assert family(b, family_id) is None


def test_rt14_a_user_reactivated_since_does_not_bring_the_family_back(b):
    token, family_id = issue(b)
    b.clock.advance(minutes=1)
    b.users.set(b.alice.id, status=SUSPENDED, status_changed=b.clock.now())
    b.clock.advance(minutes=1)
    b.users.set(b.alice.id, status="ACTIVE", status_changed=b.clock.now())  # unsuspended before the token was used
    with pytest.raises(InvalidGrantError):
        b.tokens.holder(redeem(b, token).family, b.clock.now())
    assert family(b, family_id) is None


def test_a_status_change_before_issuance_does_not_matter(b):
    b.users.set(b.alice.id, status_changed=NOW - timedelta(days=1))
    token, _ = issue(b)
    assert b.tokens.holder(redeem(b, token).family, b.clock.now()).user.id == b.alice.id


def test_deleted_user_revokes_the_family(b):
    token, family_id = issue(b)
    del b.users.users[b.alice.id]
    with pytest.raises(InvalidGrantError):
        b.tokens.holder(redeem(b, token).family, b.clock.now())
    assert family(b, family_id) is None


def test_unassigned_user_revokes_the_family(b):
    token, family_id = issue(b)
    b.assignments.assigned.discard(("native", b.alice.id))
    with pytest.raises(InvalidGrantError):
        b.tokens.holder(redeem(b, token).family, b.clock.now())
    assert family(b, family_id) is None


# -- revocation -----------------------------------------------------------------------------------------------------


def test_revoke_family_is_idempotent_and_ignores_unknown_ids(b):
    token, family_id = issue(b, access_token=("AT.x", NOW + timedelta(hours=1)))
    b.tokens.revoke_family(family_id)
    b.tokens.revoke_family(family_id)
    b.tokens.revoke_family("oarNoSuchFamily000000")
    b.tokens.revoke_family("")
    with pytest.raises(InvalidGrantError):
        redeem(b, token)
    assert b.w.revocations.is_access_token_revoked("AT.x", b.clock.now())


def test_revoking_does_not_revoke_expired_access_tokens_again(b):
    _, family_id = issue(b, access_token=("AT.old", NOW + timedelta(minutes=5)))
    b.clock.advance(minutes=6)
    b.tokens.revoke_family(family_id)
    assert "AT.old" not in b.w.revocations.revoked


def test_lookup_and_active_for_introspection(b):
    token, family_id = issue(b)
    f, current = b.tokens.lookup(token, "aus_a")
    assert f.id == family_id and current
    assert b.tokens.lookup(token, "aus_b") is None
    assert b.tokens.active(token, "aus_a", b.clock.now())[0].id == family_id
    new = b.tokens.rotate(redeem(b, token), now=b.clock.now())
    assert b.tokens.lookup(token, "aus_a")[1] is False  # rotated
    assert b.tokens.active(token, "aus_a", b.clock.now()) is None
    assert b.tokens.active(new, "aus_a", b.clock.now()) is not None
    assert family(b, family_id) is not None  # looking is not using: no reuse detection


def test_management_views_hide_dead_families(b):
    live, live_id = issue(b)
    _, other_id = issue(b)
    b.clock.advance(minutes=1)
    gone_user = b.users.add(b.alice.__class__(**{**b.alice.__dict__, "id": "00uBob00000000000001",
                                                 "profile": {**b.alice.profile, "login": "bob@example.com"}}))
    b.assignments.assigned.add(("native", gone_user.id))
    bob_token, bob_id = b.tokens.issue(server_id="aus_a", client_id="native", user_id=gone_user.id, scopes=SCOPES,
                                       auth_time=None, amr=(), lifetime_minutes=0, window_minutes=60, now=b.clock.now())
    b.users.set(gone_user.id, status=DEPROVISIONED, status_changed=b.clock.now() + timedelta(seconds=1))
    b.clock.advance(seconds=2)
    expired_token, expired_id = issue(b, window=1)
    b.clock.advance(minutes=2)
    listed = [f.id for f, _ in b.tokens.live_families("aus_a", "native", None, b.clock.now())]
    assert sorted(listed) == sorted([live_id, other_id])
    assert b.tokens.family("aus_a", "native", bob_id, b.clock.now()) is None
    assert b.tokens.family("aus_a", "native", expired_id, b.clock.now()) is None
    assert b.tokens.family("aus_a", "native", live_id, b.clock.now())[0].id == live_id
    assert b.tokens.revoke_id("aus_a", "native", bob_id)  # dead ones can be revoked (cleanup)
    assert not b.tokens.revoke_id("aus_a", "native", bob_id)
    assert b.tokens.revoke_all("aus_a", "native") == 3
    assert list(b.store.families("aus_a", "native")) == []
