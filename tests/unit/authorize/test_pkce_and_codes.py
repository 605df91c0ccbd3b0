"""PKCE (RFC 7636) and authorization-code storage (chalicelib.oauth.codes): security-checklist PKCE-01, PKCE-05,
PKCE-11, CODE-01, CODE-03 (single use under an injected interleaving, H-04), CODE-04, CODE-09."""
from __future__ import annotations

import hmac
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.clock import FixedClock
from chalicelib.oauth import codes as codes_module
from chalicelib.oauth.codes import BURNED, CODE_LIFETIME, ISSUED, REDEEMED, CodeGrant, Codes, s256, verify_pkce
from chalicelib.oauth.sessions import hash_secret
from frontfakes import MemoryGrants

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def grant(**changes) -> CodeGrant:
    base = CodeGrant(server_id="aus1", client_id="c1", redirect_uri="https://app.example/cb", user_id="00u1",
                     scopes=("openid",), auth_time=int(NOW.timestamp()), code_challenge=RFC_CHALLENGE,
                     code_challenge_method="S256")
    return replace(base, **changes)


@pytest.fixture
def store() -> MemoryGrants:
    return MemoryGrants()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def codes(store, clock) -> Codes:
    return Codes(store, clock.now)


# -- PKCE ---------------------------------------------------------------------------------------------------------


def test_pkce01_rfc7636_appendix_b_vector():
    assert s256(RFC_VERIFIER) == RFC_CHALLENGE
    assert verify_pkce(RFC_CHALLENGE, RFC_VERIFIER)


@pytest.mark.parametrize("verifier,ok", [
    ("a" * 42, False), ("a" * 43, True), ("a" * 128, True), ("a" * 129, False),
    ("a" * 42 + "!", False), ("a" * 42 + " ", False), ("a" * 42 + "é", False), ("A-._~" + "b" * 40, True),
    (None, False), ("", False),
])
def test_pkce05_verifier_syntax(verifier, ok):
    challenge = s256(verifier) if ok else RFC_CHALLENGE
    assert verify_pkce(challenge, verifier) is ok


def test_pkce03_wrong_verifier_fails():
    assert not verify_pkce(RFC_CHALLENGE, RFC_VERIFIER[:-1] + "Y")


def test_pkce11_verifier_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(codes_module.hmac, "compare_digest", spy)
    assert verify_pkce(RFC_CHALLENGE, RFC_VERIFIER)
    assert calls


# -- codes --------------------------------------------------------------------------------------------------------


def test_code09_codes_are_256_bit_and_stored_only_as_hashes(codes, store):
    code = codes.issue(grant())
    assert len(code) == 43 and code.replace("-", "").replace("_", "").isalnum()
    assert store.keys("CODE#") == [(f"CODE#{hash_secret(code)}", "CODE")]
    assert code not in repr(store.items)
    assert codes.issue(grant()) != code


def test_a_code_is_found_with_everything_it_was_issued_for(codes):
    issued = grant(nonce="n-1", policy_id="pol", rule_id="rul", refresh_token_window_minutes=60)
    found = codes.find(codes.issue(issued))
    assert found is not None and found.grant == issued and found.state == ISSUED
    assert found.expires_at == NOW + CODE_LIFETIME


@pytest.mark.parametrize("presented", [None, "", "short", "x" * 43, "!" * 43])
def test_unknown_and_malformed_codes_are_not_found(codes, presented):
    codes.issue(grant())
    assert codes.find(presented) is None


def test_code04_expiry_is_300_seconds(codes, clock):
    found = codes.find(codes.issue(grant()))
    assert not found.expired(NOW + timedelta(seconds=299))
    assert found.expired(NOW + timedelta(seconds=300))


def test_code01_redeemed_once_only(codes):
    code = codes.issue(grant())
    first = codes.find(code)
    assert codes.redeem(first, "AT.1", 123)
    assert not codes.redeem(first, "AT.2", 123)  # the version read is gone
    again = codes.find(code)
    assert again.state == REDEEMED and again.access_jti == "AT.1"
    assert not codes.redeem(again, "AT.3", 123) or again.state != ISSUED


def test_code03_interleaved_redemptions_exactly_one_wins(codes, store):
    """Two redemptions read the same ISSUED code; the second writes between the first's read and write (H-04)."""
    code = codes.issue(grant())
    first, second = codes.find(code), codes.find(code)
    store.before_code_write = lambda: codes.redeem(second, "AT.second", 1)
    assert codes.redeem(first, "AT.first", 1) is False
    final = codes.find(code)
    assert final.state == REDEEMED and final.access_jti == "AT.second"


def test_burned_code_cannot_be_redeemed(codes):
    code = codes.issue(grant())
    found = codes.find(code)
    assert codes.burn(found)
    assert codes.find(code).state == BURNED
    assert not codes.redeem(found, "AT.1", 1)


def test_consumed_codes_are_kept_for_replay_detection(codes, store, clock):
    code = codes.issue(grant())
    codes.redeem(codes.find(code), "AT.1", 1)
    (_doc, _version, expires), = [v for k, v in store.items.items() if k[0].startswith("CODE#")]
    assert expires >= int((NOW + timedelta(hours=24)).timestamp())


def test_a_redemption_with_a_refresh_family_is_one_conditional_write(codes, store):
    code = codes.issue(grant())
    found = codes.find(code)
    redeemed, keep = codes.redemption(found, "AT.1", 99, "fam-1")
    # The code as the refresh-token store writes it beside the family: conditional on the version read.
    assert (redeemed.state, redeemed.access_jti, redeemed.refresh_family, redeemed.version) == \
        (REDEEMED, "AT.1", "fam-1", found.version)
    assert keep >= NOW + timedelta(hours=24)
    assert store.update_code(redeemed, keep)
    assert not store.update_code(redeemed, keep)  # the same read cannot win twice
    # A replay then sees the family to revoke; mark_replayed holding a stale read retries on a fresh one.
    marked = codes.mark_replayed(replace(codes.find(code), version=found.version))
    assert marked.refresh_family == "fam-1" and marked.replayed


def test_a_replay_marked_first_makes_the_redemption_lose(codes, store):
    code = codes.issue(grant())
    found = codes.find(code)
    assert codes.redeem(found, "AT.1", 99)
    codes.mark_replayed(codes.find(code))
    redeemed, keep = codes.redemption(found, "AT.2", 99, "fam-2")
    assert not store.update_code(redeemed, keep)
