"""The device flow in-process (RFC 8628; docs/security-cases/device.md): the happy path with consent, ID and refresh
tokens; every answer of the token endpoint while the device waits (authorization_pending, slow_down and its growing
interval, access_denied, expired_token, reuse, another client); the policy and the client registration refusing;
discovery. Time moves only by the world's injected clock."""
from __future__ import annotations

import re

from tests.integration.authorize.authorize_support import jwt_claims
from tests.integration.device.conftest import CONSENT_SCOPE
from tests.integration.device.device_support import (DEVICE_GRANT, DEVICE_PAGE, ISSUER, answer, approve,
                                                     device_authorize, enter, poll, post_form, sign_in, start)


def test_happy_path_device_sign_in_consent_approve_poll_tokens(dev, browser):
    """DEV-02, DEV-05: a public native app gets a device code and a short user code; the person signs in, enters the
    code, consents and approves; the next poll gets an access token, an ID token and a refresh token."""
    tv = dev.clients["tv"]
    issued = start(dev, tv, f"openid profile offline_access {CONSENT_SCOPE}")
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", issued["user_code"])
    assert len(issued["device_code"]) >= 43
    assert issued["verification_uri"] == DEVICE_PAGE
    assert issued["verification_uri_complete"] == f"{DEVICE_PAGE}?user_code={issued['user_code']}"
    assert (issued["expires_in"], issued["interval"]) == (600, 5)

    assert poll(dev, tv, issued["device_code"]).data["error"] == "authorization_pending"
    page = sign_in(browser)
    assert "Connect a device" in page.text and 'for="user_code"' in page.text
    confirm = enter(browser, page, issued["user_code"])
    assert confirm.status_code == 200
    assert "Living Room TV" in confirm.text and issued["user_code"] in confirm.text
    assert "Watch &lt;TV&gt;" in confirm.text  # the consent scope, escaped
    assert "Approve only if you started this" in confirm.text  # DEV-04: remote phishing warning
    done = answer(browser, confirm, "approve")
    assert done.status_code == 200 and "Device connected" in done.text

    dev.clock.advance(seconds=5)
    tokens = poll(dev, tv, issued["device_code"])
    assert tokens.status_code == 200, tokens.data
    body = tokens.data
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["id_token"]
    assert set(body["scope"].split()) == {"openid", "profile", "offline_access", CONSENT_SCOPE}
    access = jwt_claims(body["access_token"])
    assert access["uid"] == dev.users["alice"]["id"] and access["cid"] == tv["client_id"]
    assert access["iss"] == ISSUER
    id_claims = jwt_claims(body["id_token"])
    assert id_claims["sub"] == dev.users["alice"]["id"] and id_claims["aud"] == tv["client_id"]
    assert id_claims["amr"] == ["pwd"] and "auth_time" in id_claims
    assert tokens.headers["Cache-Control"] == "no-store"

    # The consent is remembered (Okta's user grants) and the refresh token works with the device grant's rule.
    grants = dev.api.get(f"/api/v1/users/{dev.users['alice']['id']}/grants").data
    assert [g["scopeId"] for g in grants if g["clientId"] == tv["client_id"]]
    refreshed = post_form(dev, "/oauth2/default/v1/token", {
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"], "client_id": tv["client_id"]})
    assert refreshed.status_code == 200, refreshed.data


def test_authorization_pending_until_approved_then_slow_down_grows_the_interval(dev):
    """RFC 8628 3.5: polls within the interval get slow_down, and every later poll must wait 5 s longer."""
    tv = dev.clients["tv"]
    code = start(dev, tv)["device_code"]
    first = poll(dev, tv, code)
    assert first.status_code == 400 and first.data == {
        "error": "authorization_pending",
        "error_description": "The device authorization is pending. Please try again later."}
    dev.clock.advance(seconds=4)
    assert poll(dev, tv, code).data["error"] == "slow_down"  # interval now 10 s
    dev.clock.advance(seconds=9)
    assert poll(dev, tv, code).data["error"] == "slow_down"  # 9 s < 10 s: interval now 15 s
    dev.clock.advance(seconds=14)
    assert poll(dev, tv, code).data["error"] == "slow_down"  # 14 s < 15 s: interval now 20 s
    dev.clock.advance(seconds=20)
    assert poll(dev, tv, code).data["error"] == "authorization_pending"
    dev.clock.advance(seconds=19)
    assert poll(dev, tv, code).data["error"] == "slow_down"


def test_access_denied_after_deny(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    confirm = enter(browser, sign_in(browser), issued["user_code"])
    done = answer(browser, confirm, "deny")
    assert done.status_code == 200 and "Access denied" in done.text
    denied = poll(dev, tv, issued["device_code"])
    assert denied.status_code == 400 and denied.data["error"] == "access_denied"
    # The code is answered: entering it again is refused like a wrong code.
    again = enter(browser, browser.get(DEVICE_PAGE), issued["user_code"])
    assert "not valid or has expired" in again.text


def test_expired_token_after_ten_minutes(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    dev.clock.advance(seconds=600)
    expired = poll(dev, tv, issued["device_code"])
    assert expired.data == {"error": "expired_token", "error_description": "The device code has expired."}
    # The user code is gone with it.
    page = enter(browser, sign_in(browser), issued["user_code"])
    assert "not valid or has expired" in page.text


def test_expired_after_approval_too(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    approve(dev, browser, issued["user_code"])
    dev.clock.advance(seconds=601)
    assert poll(dev, tv, issued["device_code"]).data["error"] == "expired_token"


def test_a_device_code_is_redeemed_once(dev, browser):
    """DEV-07: after tokens were issued, the device code is invalid_grant."""
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    approve(dev, browser, issued["user_code"])
    assert poll(dev, tv, issued["device_code"]).status_code == 200
    dev.clock.advance(seconds=5)
    reused = poll(dev, tv, issued["device_code"])
    assert reused.status_code == 400 and reused.data == {
        "error": "invalid_grant", "error_description": "The device code is invalid or has expired."}


def test_unknown_device_code_and_missing_one(dev):
    tv = dev.clients["tv"]
    assert poll(dev, tv, "x" * 43).data["error"] == "invalid_grant"
    missing = post_form(dev, "/oauth2/default/v1/token", {"grant_type": DEVICE_GRANT, "client_id": tv["client_id"]})
    assert missing.data["error"] == "invalid_request"


def test_another_client_cannot_poll_a_device_code(dev, browser):
    """DEV-06: a device code is bound to the client it was issued to; the wrong client spoils nothing."""
    tv, other = dev.clients["tv"], dev.clients["other_tv"]
    issued = start(dev, tv, "openid")
    approve(dev, browser, issued["user_code"])
    stolen = poll(dev, other, issued["device_code"])
    assert stolen.status_code == 400 and stolen.data["error"] == "invalid_grant"
    assert poll(dev, tv, issued["device_code"]).status_code == 200


def test_a_rule_without_the_device_grant_type_refuses(dev, browser):
    """The access policy decides with the person: with the device rule gone only the default rule is left, which does
    not list the device grant's URN, so the page refuses and so does the token endpoint."""
    base = f"/api/v1/authorizationServers/{dev.server_id}/policies/{dev.policy_id}/rules/{dev.rule_id}"
    assert dev.api.delete(base).status_code == 204
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")  # nothing refuses before a person is known
    refused = enter(browser, sign_in(browser), issued["user_code"])
    assert refused.status_code == 403 and "Policy evaluation failed" in refused.text
    answer_ = poll(dev, tv, issued["device_code"])
    assert answer_.status_code == 400 and answer_.data["error"] == "access_denied"
    assert "Policy evaluation failed" in answer_.data["error_description"]


def test_a_rule_changed_after_approval_refuses_at_the_token_endpoint(dev, browser):
    """The token endpoint evaluates the policy again with the user: an approval does not outlive the rule."""
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    approve(dev, browser, issued["user_code"])
    base = f"/api/v1/authorizationServers/{dev.server_id}/policies/{dev.policy_id}/rules/{dev.rule_id}"
    assert dev.api.delete(base).status_code == 204
    refused = poll(dev, tv, issued["device_code"])
    assert refused.data["error"] == "access_denied"
    dev.clock.advance(seconds=5)
    assert poll(dev, tv, issued["device_code"]).data["error"] == "invalid_grant"  # burned


def test_an_unassigned_user_is_refused(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    refused = enter(browser, sign_in(browser, "bob@example.com"), issued["user_code"])
    assert refused.status_code == 403 and "not assigned" in refused.text
    assert poll(dev, tv, issued["device_code"]).data["error"] == "access_denied"


def test_user_unassigned_after_approval_gets_no_tokens(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    approve(dev, browser, issued["user_code"])
    assert dev.api.delete(f"/api/v1/apps/{tv['client_id']}/users/{dev.users['alice']['id']}").status_code == 204
    assert poll(dev, tv, issued["device_code"]).data["error"] == "invalid_grant"


def test_a_client_without_the_device_grant_type_is_unauthorized(dev):
    refused = device_authorize(dev, dev.clients["no_device"], "openid")
    assert refused.status_code == 400 and refused.data["error"] == "unauthorized_client"
    polled = poll(dev, dev.clients["no_device"], "x" * 43)
    assert polled.data["error"] == "unauthorized_client"


def test_scopes_are_validated_like_authorize(dev):
    tv = dev.clients["tv"]
    unknown = device_authorize(dev, tv, "openid nope:unknown")
    assert unknown.status_code == 400 and unknown.data["error"] == "invalid_scope"
    malformed = device_authorize(dev, tv, 'openid "x"')
    assert malformed.data["error"] == "invalid_scope"


def test_client_authentication_at_the_device_endpoint(dev):
    """DEV-06: an unknown client, or a public client naming no client_id, gets invalid_client."""
    assert post_form(dev, "/oauth2/default/v1/device/authorize", {"scope": "openid"}).data["error"] == \
        "invalid_client"
    unknown = post_form(dev, "/oauth2/default/v1/device/authorize", {"client_id": "0oanope", "scope": "openid"})
    assert unknown.status_code == 401 and unknown.data["error"] == "invalid_client"
    assert unknown.headers["Cache-Control"] == "no-store"


def test_discovery_advertises_the_device_endpoint_and_grant(dev):
    for document in ("openid-configuration", "oauth-authorization-server"):
        doc = dev.client.http.get(f"/oauth2/default/.well-known/{document}").json_body
        assert doc["device_authorization_endpoint"] == f"{ISSUER}/v1/device/authorize"
        assert DEVICE_GRANT in doc["grant_types_supported"]
    org = dev.client.http.get("/.well-known/openid-configuration").json_body
    assert org["issuer"] == "https://tokenmint.test" and "device_authorization_endpoint" not in org
    assert DEVICE_GRANT not in org.get("grant_types_supported", [])


class _Interleaved:
    """The device store with a hook run once just before the next conditional update: another request's whole poll
    happens between this poll's read and its write (security-checklist H-04: the race injected, not timed)."""

    def __init__(self, inner, hook) -> None:
        self.inner = inner
        self.hook = hook

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def update_device_authorization(self, *args):
        hook, self.hook = self.hook, None
        if hook is not None:
            hook()
        return self.inner.update_device_authorization(*args)


def test_two_racing_polls_cannot_both_get_tokens(dev, browser):
    """DEV-07: the approved authorization is redeemed with a write conditional on the version read; the poll that
    loses gets invalid_grant, and no refresh token is issued for it."""
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid offline_access")
    approve(dev, browser, issued["user_code"])
    devices = dev.container.oauth.devices
    inner = devices._store
    answers = []
    devices._store = _Interleaved(inner, lambda: answers.append(poll(dev, tv, issued["device_code"])))
    try:
        answers.append(poll(dev, tv, issued["device_code"]))
    finally:
        devices._store = inner
    assert [a.status_code for a in answers] == [200, 400]
    assert answers[1].data["error"] == "invalid_grant"
    families = dev.api.get(f"/api/v1/apps/{tv['client_id']}/tokens").data
    assert len(families) == 1


def test_a_poll_racing_another_pending_poll_is_told_to_slow_down(dev):
    tv = dev.clients["tv"]
    code = start(dev, tv)["device_code"]
    devices = dev.container.oauth.devices
    inner = devices._store
    answers = []
    devices._store = _Interleaved(inner, lambda: answers.append(poll(dev, tv, code)))
    try:
        answers.append(poll(dev, tv, code))
    finally:
        devices._store = inner
    assert [a.data["error"] for a in answers] == ["authorization_pending", "slow_down"]
