"""Sign-in sessions (chalicelib.oauth.sessions), the CSRF binding of pending authorize requests
(chalicelib.oauth.authorize.pending) and remembered consent (chalicelib.oauth.consent): security-checklist WEB-04,
H-02 (injected clock), DDB-05 (expiry checked on read)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.clock import FixedClock
from chalicelib.oauth.authorize.params import AuthorizeParams
from chalicelib.oauth.authorize.pending import (PENDING_LIFETIME, ConcurrentChange, PendingRequest, PendingRequests,
                                               csrf_token, new_browser_cookie)
from chalicelib.oauth.consent import Consents
from chalicelib.oauth.sessions import ABSOLUTE, IDLE, TOUCH_EVERY, Sessions, hash_secret
from frontfakes import MemoryGrants

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store() -> MemoryGrants:
    return MemoryGrants()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


# -- sessions -----------------------------------------------------------------------------------------------------


def test_web04_session_ids_are_256_bit_and_stored_only_as_hashes(store, clock):
    sessions = Sessions(store, clock.now)
    cookie, session = sessions.start("00u1")
    assert len(cookie) == 43
    assert store.keys("SESSION#") == [(f"SESSION#{hash_secret(cookie)}", "SESSION")]
    assert cookie not in repr(store.items)
    found = sessions.current(cookie)
    assert found is not None and found.user_id == "00u1" and found.amr == ("pwd",) and found.auth_time == NOW


@pytest.mark.parametrize("cookie", [None, "", "abc", "x" * 43, "!" * 43, "a" * 44])
def test_unknown_or_malformed_cookies_have_no_session(store, clock, cookie):
    sessions = Sessions(store, clock.now)
    sessions.start("00u1")
    assert sessions.current(cookie) is None


def test_idle_timeout_is_checked_on_read(store, clock):
    sessions = Sessions(store, clock.now)
    cookie, _ = sessions.start("00u1")
    clock.advance(seconds=IDLE.total_seconds() - 1)
    assert sessions.current(cookie) is not None  # used: the idle deadline moves
    clock.advance(seconds=IDLE.total_seconds() - 1)
    assert sessions.current(cookie) is not None
    clock.advance(seconds=IDLE.total_seconds())
    assert sessions.current(cookie) is None  # the item is still stored (TTL deletes late); the read refuses it


def test_absolute_lifetime_ends_even_an_active_session(store, clock):
    sessions = Sessions(store, clock.now)
    cookie, _ = sessions.start("00u1")
    while clock.now() - NOW < ABSOLUTE - timedelta(hours=1):
        clock.advance(hours=1)
        assert sessions.current(cookie) is not None
    clock.advance(hours=1)
    assert sessions.current(cookie) is None


def test_use_is_written_at_most_every_few_minutes(store, clock):
    sessions = Sessions(store, clock.now)
    cookie, _ = sessions.start("00u1")
    version = store.items[(f"SESSION#{hash_secret(cookie)}", "SESSION")][1]
    clock.advance(seconds=TOUCH_EVERY.total_seconds() - 1)
    sessions.current(cookie)
    assert store.items[(f"SESSION#{hash_secret(cookie)}", "SESSION")][1] == version
    clock.advance(seconds=1)
    assert sessions.current(cookie).last_seen == clock.now()
    assert store.items[(f"SESSION#{hash_secret(cookie)}", "SESSION")][1] == version + 1


def test_signing_in_again_replaces_the_previous_session(store, clock):
    sessions = Sessions(store, clock.now)
    old, _ = sessions.start("00u1")
    new, session = sessions.start("00u2", replacing=old)
    assert new != old and sessions.current(old) is None and sessions.current(new).user_id == "00u2"
    assert sessions.end(new) and sessions.current(new) is None
    assert not sessions.end("garbage")


# -- pending requests and CSRF ------------------------------------------------------------------------------------


def params() -> AuthorizeParams:
    return AuthorizeParams(client_id="c1", redirect_uri="https://app.example/cb", response_types=frozenset({"code"}),
                           response_mode="query", scopes=("openid",), state="s", nonce=None,
                           prompt=frozenset(), max_age=None, login_hint=None, code_challenge=None,
                           code_challenge_method=None)


def pending_for(browser: str) -> PendingRequest:
    return PendingRequest(server_id="aus1", issuer="https://t/oauth2/aus1", params=params(),
                          browser_hash=hash_secret(browser), needs_login=True, created=int(NOW.timestamp()))


def test_web04_csrf_token_is_bound_to_the_browser_and_the_request(store, clock):
    requests = PendingRequests(store, clock.now)
    browser = new_browser_cookie()
    stored = requests.store(pending_for(browser))
    assert stored.request_id and store.keys("AUTHZ#") == [(f"AUTHZ#{hash_secret(stored.request_id)}", "REQUEST")]
    token = csrf_token(browser, stored.request_id, "signin")
    loaded = requests.load(stored.request_id)
    assert loaded.csrf_ok(browser, token, "signin")
    assert not loaded.csrf_ok(browser, token, "consent")                     # another form's token
    assert not loaded.csrf_ok(browser, None, "signin")                       # missing
    wrong = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]  # never equal to the real one
    assert not loaded.csrf_ok(browser, wrong, "signin")                      # wrong
    assert not loaded.csrf_ok(None, token, "signin")                         # no cookie (a cross-site post)
    other = new_browser_cookie()
    assert not loaded.csrf_ok(other, csrf_token(other, stored.request_id, "signin"), "signin")  # other browser
    second = requests.store(pending_for(browser))
    assert not loaded.csrf_ok(browser, csrf_token(browser, second.request_id, "signin"), "signin")


def test_pending_requests_expire_after_ten_minutes(store, clock):
    requests = PendingRequests(store, clock.now)
    stored = requests.store(pending_for(new_browser_cookie()))
    clock.advance(seconds=PENDING_LIFETIME.total_seconds() - 1)
    assert requests.load(stored.request_id) is not None
    clock.advance(seconds=1)
    assert requests.load(stored.request_id) is None


def test_pending_updates_are_conditional_and_finish_deletes(store, clock):
    requests = PendingRequests(store, clock.now)
    stored = requests.store(pending_for(new_browser_cookie()))
    loaded = requests.load(stored.request_id)
    updated = requests.store(replace(loaded, user_id="00u1"))
    assert requests.load(stored.request_id).user_id == "00u1"
    with pytest.raises(ConcurrentChange):
        requests.store(replace(loaded, user_id="00u2"))  # a stale copy (double submit)
    requests.finish(updated)
    assert requests.load(stored.request_id) is None
    assert requests.load("not-a-request-id") is None


# -- consent ------------------------------------------------------------------------------------------------------


def test_consent_is_remembered_per_user_client_and_server_and_revocable(store, clock):
    consents = Consents(store, clock.now)
    consents.remember("00u1", "aus1", "c1", [("a", "scpA"), ("b", "scpB")], "https://t/oauth2/aus1")
    consents.remember("00u1", "aus2", "c1", [("a", "scpA2")], "https://t/oauth2/aus2")
    consents.remember("00u1", "aus1", "c2", [("c", "scpC")], "https://t/oauth2/aus1")
    consents.remember("00u2", "aus1", "c1", [("z", None)], "https://t/oauth2/aus1")
    assert consents.granted("00u1", "aus1", "c1") == {"a", "b"}
    assert consents.granted("00u1", "aus2", "c1") == {"a"}
    assert consents.granted("00u2", "aus1", "c1") == {"z"}
    grants = consents.list("00u1")
    assert len(grants) == 4 and all(g.id.startswith("oag") and len(g.id) == 20 for g in grants)
    first_id = next(g.id for g in grants if g.scope == "a" and g.server_id == "aus1")
    clock.advance(minutes=5)
    consents.remember("00u1", "aus1", "c1", [("a", "scpA")], "https://t/oauth2/aus1")  # again: same grant
    again = next(g for g in consents.list("00u1") if g.scope == "a" and g.server_id == "aus1")
    assert again.id == first_id and again.last_updated > again.created
    assert consents.revoke("00u1", grant_id=first_id) == 1
    assert consents.granted("00u1", "aus1", "c1") == {"b"}
    assert consents.revoke("00u1", client_id="c1") == 2
    assert consents.granted("00u1", "aus1", "c2") == {"c"}
    assert consents.revoke("00u1") == 1 and consents.list("00u1") == []
    assert consents.granted("00u2", "aus1", "c1") == {"z"}
