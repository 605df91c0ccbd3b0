"""oauth/vouching.py: which changes of a user or client end the tokens issued before them (issue 13)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from chalicelib.domain import ACTIVE, INACTIVE, SUSPENDED, User
from chalicelib.oauth.vouching import client_vouches, user_vouches
from tests.unit.oauth.oauthfakes import fake_client

T = datetime(2026, 3, 1, 12, 0, 0, 500_000, tzinfo=timezone.utc)
IAT = int(T.timestamp())  # 12:00:00 (the token's whole second)


def person(**changes) -> User:
    base = User(id="00u1", status=ACTIVE, profile={"login": "a@example.com"}, created=T - timedelta(days=9),
                last_updated=T - timedelta(days=1), status_changed=T - timedelta(days=9),
                password_changed=T - timedelta(days=9))
    return replace(base, **changes)


def test_an_unchanged_active_user_vouches():
    assert user_vouches(person(), T) and user_vouches(person(), IAT)
    assert user_vouches(person(status_changed=None, password_changed=None), IAT)


def test_no_user_or_not_active_never_vouches():
    assert not user_vouches(None, IAT)
    assert not user_vouches(person(status=SUSPENDED), IAT)


def test_a_status_or_password_change_after_issuance_ends_the_token():
    later = T + timedelta(seconds=1)
    assert not user_vouches(person(status_changed=later), IAT)
    assert not user_vouches(person(password_changed=later), IAT)
    assert not user_vouches(person(password_changed=T + timedelta(microseconds=1)), T)  # families: exact times


def test_a_change_in_the_second_of_an_access_token_leaves_it_alone():
    """``iat`` is whole seconds: a token minted just after a change in the same second must not be refused."""
    assert user_vouches(person(password_changed=T), IAT)
    assert user_vouches(person(password_changed=T + timedelta(milliseconds=400)), IAT)


def test_a_client_deactivated_since_never_vouches_again():
    client = replace(fake_client("c1"), status=ACTIVE, deactivated=None)
    assert client_vouches(client, IAT)
    assert not client_vouches(replace(client, status=INACTIVE), IAT)
    assert not client_vouches(replace(client, deactivated=T + timedelta(seconds=5)), IAT)
    assert client_vouches(replace(client, deactivated=T - timedelta(seconds=5)), IAT)
    assert not client_vouches(None, IAT)
