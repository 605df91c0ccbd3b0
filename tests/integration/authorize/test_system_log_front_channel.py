"""The front channel's System Log events (issue 17): sign-in success and failure with the reason, lockout, consent
given and declined, the authorization decision (granted with the policy and rule, refused naming the rule that
refused), the code's exchange and logout; the person is the actor. No event carries a password, code or token."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from authorize_support import (CONSENT_SCOPE, LOGGED_OUT, LOGOUT, PASSWORD, authorize, callback, code_flow, redeem,
                               sign_in, through)


def events(front, event_type: str) -> list[dict]:
    query = urlencode({"filter": f'eventType eq "{event_type}"', "since": "2020-01-01T00:00:00Z",
                       "until": "2030-01-01T00:00:00Z"})
    response = front.api.get(f"/api/v1/logs?{query}")
    assert response.status_code == 200, response.data
    return response.data


def only(front, event_type: str) -> dict:
    found = events(front, event_type)
    assert len(found) == 1, found
    return found[0]


def assert_clean(event: dict, *secrets: str) -> None:
    text = json.dumps(event)
    for secret in (PASSWORD, *secrets):
        assert secret not in text


def test_a_sign_in_the_code_it_brings_and_its_exchange_are_events_of_the_person(front, browser):
    web = front.clients["web"]
    alice = front.users["alice"]
    params = code_flow(browser, web)
    tokens = redeem(front, web, params["code"]).data
    started = only(front, "user.session.start")
    assert started["outcome"] == {"result": "SUCCESS"}
    assert (started["actor"]["id"], started["actor"]["alternateId"]) == (alice["id"], "alice@example.com")
    assert started["authenticationContext"]["credentialType"] == "PASSWORD"
    code = only(front, "app.oauth2.as.authorize.code")
    config = front.container.servers.load("default")
    data = code["debugContext"]["debugData"]
    assert code["actor"]["id"] == alice["id"] and data["clientId"] == web["client_id"]
    assert data["policyId"] in {p.id for p in config.policies} and data["ruleId"] in {r.id for r in config.rules}
    front.container.audit.flush()
    granted = only(front, "app.oauth2.as.token.grant.id_token")
    assert granted["debugContext"]["debugData"]["grantType"] == "authorization_code"
    assert (granted["debugContext"]["debugData"]["policyId"], granted["debugContext"]["debugData"]["ruleId"]) == \
        (data["policyId"], data["ruleId"])
    assert {"id": alice["id"], "type": "User"} in granted["target"]
    for event in (started, code, granted, only(front, "app.oauth2.as.token.grant.access_token")):
        assert_clean(event, params["code"], tokens["access_token"], tokens["id_token"])


def test_a_failed_sign_in_says_why_and_names_the_login_tried(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"]))
    browser.submit(page, username="alice@example.com", password="Not-The-Password-1")
    failed = only(front, "user.session.start")
    assert failed["outcome"] == {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}
    assert failed["actor"]["id"] == front.users["alice"]["id"] and failed["severity"] == "WARN"
    assert_clean(failed, "Not-The-Password-1")
    page = browser.follow(authorize(browser, front.clients["web"]))
    browser.submit(page, username="nobody@example.com", password="Whatever-123")
    unknown = [e for e in events(front, "user.session.start") if e["actor"]["id"] == "unknown"]
    assert unknown[0]["actor"]["alternateId"] == "nobody@example.com"


def test_the_sign_in_that_locks_an_account_out_is_a_lockout_event(front, browser):
    for attempt in range(10):
        page = browser.follow(authorize(browser, front.clients["web"]))
        browser.submit(page, username="bob@example.com", password=f"Wrong-guess-{attempt}")
    locked = only(front, "user.account.lock")
    assert locked["target"][0]["id"] == front.users["bob"]["id"]
    reasons = [e["outcome"].get("reason") for e in events(front, "user.session.start")]
    assert reasons == ["INVALID_CREDENTIALS"] * 9 + ["LOCKED_OUT"]
    page = browser.follow(authorize(browser, front.clients["web"]))
    browser.submit(page, username="bob@example.com", password=PASSWORD)  # locked: refused, no second lock event
    assert len(events(front, "user.account.lock")) == 1


def test_consent_given_and_declined_are_events(front, browser, browser2):
    web = front.clients["web"]
    response = sign_in(browser, authorize(browser, web, scope=f"openid {CONSENT_SCOPE}"))
    callback(through(browser, response, consent="deny"))
    response = sign_in(browser2, authorize(browser2, web, scope=f"openid {CONSENT_SCOPE}"), username="dave@example.com")
    callback(through(browser2, response, consent="allow"))
    outcomes = {e["actor"]["id"]: (e["outcome"]["result"], e["debugContext"]["debugData"]["scopes"])
                for e in events(front, "app.oauth2.as.consent.grant")}
    assert outcomes == {front.users["alice"]["id"]: ("FAILURE", CONSENT_SCOPE),
                        front.users["dave"]["id"]: ("SUCCESS", CONSENT_SCOPE)}


def test_an_authorization_the_policy_refuses_names_the_policy_and_the_rule(front, browser):
    config = front.container.servers.load("default")
    policy = next(p for p in config.policies if p.is_default)
    rule = next(r for r in config.rules if r.policy_id == policy.id)
    path = f"/api/v1/authorizationServers/default/policies/{policy.id}/rules/{rule.id}"
    current = front.api.get(path).data
    assert front.api.put(path, {**current, "conditions": {**current["conditions"],
                                                           "scopes": {"include": ["openid"]}}}).status_code == 200
    params = code_flow(browser, front.clients["web"], scope=f"openid {CONSENT_SCOPE}")
    assert params["error"] in ("access_denied", "invalid_scope")
    refused = only(front, "app.oauth2.as.authorize")
    data = refused["debugContext"]["debugData"]
    assert refused["outcome"]["result"] == "DENY" and refused["actor"]["id"] == front.users["alice"]["id"]
    assert (data["policyId"], data["ruleId"]) == (policy.id, rule.id)
    assert refused["outcome"]["reason"].startswith(params["error"])


def test_logout_ends_the_session_in_the_log(front, browser):
    params = code_flow(browser, front.clients["web"])
    hint = redeem(front, front.clients["web"], params["code"]).data["id_token"]
    assert browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT).status_code == 302
    ended = only(front, "user.session.end")
    assert ended["actor"]["id"] == front.users["alice"]["id"]
    assert_clean(ended, hint)
