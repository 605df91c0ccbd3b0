"""The device user page in-process (docs/security-cases/device.md): signing in, the code's normalisation, the entry
limits against guessing (DEV-01), CSRF on every form, the confirmation accepted only from the session that entered the
code (DEV-01, DEV-03), headers and HTML error pages, System Log events."""
from __future__ import annotations

from urllib.parse import urlencode

from tests.integration.authorize.authorize_support import PASSWORD, Browser, only_form
from tests.integration.device.device_support import (DEVICE_PAGE, ISSUER, answer, enter, poll, sign_in, start)


def _events(dev, event_type: str) -> list[dict]:
    query = urlencode({"filter": f'eventType eq "{event_type}"', "since": "2020-01-01T00:00:00Z",
                       "until": "2030-01-01T00:00:00Z"})
    response = dev.api.get(f"/api/v1/logs?{query}")
    assert response.status_code == 200, response.data
    return response.data


def _garble(code: str) -> str:
    return f"  {code[:2].lower()} {code[2:4]}--{code[5:].lower()} "


def test_codes_are_normalised_case_dash_and_space_insensitively(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    confirm = enter(browser, sign_in(browser), _garble(issued["user_code"]))
    assert confirm.status_code == 200 and "Connect this device?" in confirm.text
    assert issued["user_code"] in confirm.text  # shown canonically for the person to compare


def test_wrong_and_garbled_codes_are_refused_with_the_form_again(dev, browser):
    issued = start(dev, dev.clients["tv"], "openid")
    page = sign_in(browser)
    wrong_letter = issued["user_code"].replace(issued["user_code"][0], "A" if issued["user_code"][0] != "A" else "E")
    for entry in ("", "BCDF-GHJ", "BCDF-GHJKL", "BCDF-GHJ1", wrong_letter, "ÄBCD-FGHJ", "x" * 500):
        refused = enter(browser, page, entry)
        assert refused.status_code == 200, entry
        assert 'role="alert"' in refused.text and "not valid or has expired" in refused.text
        assert 'aria-invalid="true"' in refused.text
        assert "<script" not in refused.text


def test_verification_uri_complete_prefills_through_sign_in_never_submits(dev, browser):
    """DEV-04: the complete URI only fills in the form; the person still confirms on the next page."""
    issued = start(dev, dev.clients["tv"], "openid")
    page = browser.get(issued["verification_uri_complete"])
    assert "<h1>Sign in</h1>" in page.text and issued["user_code"] in page.text
    after = browser.follow(browser.submit(page, username="alice@example.com", password=PASSWORD))
    form = only_form(after.text)
    assert form.fields["user_code"] == issued["user_code"]
    assert poll(dev, dev.clients["tv"], issued["device_code"]).data["error"] == "authorization_pending"


def test_a_failed_sign_in_shows_one_message(dev, browser):
    page = browser.get(DEVICE_PAGE)
    failed = browser.submit(page, username="alice@example.com", password="wrong")
    assert failed.status_code == 200 and "Unable to sign in" in failed.text
    assert "tm_session" not in browser.cookies


def test_a_session_of_the_hosted_pages_is_shared(dev, browser):
    sign_in(browser)
    page = browser.get(DEVICE_PAGE)
    assert "Connect a device" in page.text and "alice@example.com" in page.text


def test_brute_force_is_limited_per_person_across_sessions(dev, browser):
    """DEV-01: ten entries per person per window; the eleventh is refused (429) without a lookup, even the right code,
    and a new sign-in (a new session) does not reset the count; another person is not affected."""
    issued = start(dev, dev.clients["tv"], "openid")
    page = sign_in(browser, "mallory@example.com")
    for i in range(10):
        assert enter(browser, page, f"BBBB-BBB{'BCDFGHJKLM'[i]}").status_code == 200
    limited = enter(browser, page, issued["user_code"])
    assert limited.status_code == 429 and "Too many codes" in limited.text
    again = Browser(dev.client)
    assert enter(again, sign_in(again, "mallory@example.com"), issued["user_code"]).status_code == 429
    # Someone else still can; and the window ends.
    other = Browser(dev.client)
    assert "Connect this device?" in enter(other, sign_in(other), issued["user_code"]).text
    dev.clock.advance(minutes=15)
    fresh = start(dev, dev.clients["tv"], "openid")
    assert "Connect this device?" in enter(browser, browser.get(DEVICE_PAGE), fresh["user_code"]).text


def test_brute_force_is_limited_per_server_for_everyone(dev, browser):
    """DEV-01: failed entries of everyone together are capped per server and window (here lowered to 3)."""
    from chalicelib.oauth.device.authorizations import Limits

    devices = dev.container.oauth.devices
    before = devices.limits
    devices.limits = Limits(per_server=3)
    try:
        issued = start(dev, dev.clients["tv"], "openid")
        page = sign_in(browser, "mallory@example.com")
        for letter in "BCD":
            enter(browser, page, f"BBBB-BBB{letter}")
        alice = Browser(dev.client)
        assert enter(alice, sign_in(alice), issued["user_code"]).status_code == 429
    finally:
        devices.limits = before


def test_every_form_needs_its_csrf_token(dev, browser):
    """The sign-in, entry and confirmation forms are refused (403 page, nothing done) without the browser's cookie
    and the token derived from it."""
    issued = start(dev, dev.clients["tv"], "openid")
    page = browser.get(DEVICE_PAGE)
    form = only_form(page.text)
    for token in ("", "forged", None):
        data = {**form.fields, "username": "alice@example.com", "password": PASSWORD}
        if token is None:
            data.pop("csrf_token")
        else:
            data["csrf_token"] = token
        refused = browser.post(form.action, data)
        assert refused.status_code == 403 and "could not be verified" in refused.text
    assert "tm_session" not in browser.cookies
    # A post from another browser (no tm_csrf cookie) with this browser's token.
    stranger = Browser(dev.client)
    stolen = stranger.post(form.action, {**form.fields, "username": "alice@example.com", "password": PASSWORD})
    assert stolen.status_code == 403

    entry = sign_in(browser)
    form = only_form(entry.text)
    refused = browser.post(form.action, {"csrf_token": "forged", "user_code": issued["user_code"]})
    assert refused.status_code == 403
    confirm = enter(browser, entry, issued["user_code"])
    form = only_form(confirm.text)
    assert browser.post(form.action, {**form.fields, "csrf_token": "forged", "decision": "approve"}
                        ).status_code == 403
    # The entry form's token does not answer the confirmation either.
    assert browser.post(form.action, {**form.fields, "csrf_token": only_form(entry.text).fields["csrf_token"],
                                      "decision": "approve"}).status_code == 403
    assert poll(dev, dev.clients["tv"], issued["device_code"]).data["error"] == "authorization_pending"


def test_the_confirmation_is_accepted_only_from_the_session_that_entered_the_code(dev, browser):
    """DEV-01, DEV-03: a person who never entered the code (through the limited form) cannot approve it by posting the
    confirmation with a guessed code, even with valid CSRF tokens of their own browser."""
    from chalicelib.oauth.device.verification import csrf

    issued = start(dev, dev.clients["tv"], "openid")
    attacker = Browser(dev.client)
    sign_in(attacker, "mallory@example.com")
    token = csrf(attacker.cookies["tm_csrf"], f"confirm:{issued['user_code'].replace('-', '')}")
    forged = attacker.post(f"{ISSUER}/device/confirm", {"csrf_token": token, "user_code": issued["user_code"],
                                                        "decision": "approve"})
    assert forged.status_code == 400 and "no longer valid" in forged.text
    # Once another session entered it, the earlier one's confirmation no longer counts either (session spying).
    victim_page = enter(browser, sign_in(browser), issued["user_code"])
    enter(attacker, attacker.get(DEVICE_PAGE), issued["user_code"])
    late = answer(browser, victim_page, "approve")
    assert late.status_code == 400
    assert poll(dev, dev.clients["tv"], issued["device_code"]).data["error"] == "authorization_pending"


def test_an_answered_code_cannot_be_answered_again(dev, browser):
    """DEV-03: the first answer wins; a second Approve (another tab, a replayed post) changes nothing."""
    issued = start(dev, dev.clients["tv"], "openid")
    confirm = enter(browser, sign_in(browser), issued["user_code"])
    assert answer(browser, confirm, "deny").status_code == 200
    assert answer(browser, confirm, "approve").status_code == 400
    assert poll(dev, dev.clients["tv"], issued["device_code"]).data["error"] == "access_denied"


def test_pages_have_a_strict_csp_and_no_script(dev, browser):
    issued = start(dev, dev.clients["tv"], "openid")
    responses = [browser.get(DEVICE_PAGE)]
    responses.append(sign_in(browser))
    responses.append(enter(browser, responses[-1], issued["user_code"]))
    responses.append(answer(browser, responses[-1], "approve"))
    responses.append(browser.get(f"{ISSUER.replace('default', 'ausNope')}/device"))
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "form-action 'self';" in csp and "script-src" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Type"].startswith("text/html")
        assert "<script" not in response.text
        assert '<html lang="en">' in response.text
    assert responses[-1].status_code == 404  # an unknown server: an HTML error page


def test_every_visible_input_has_a_label(dev, browser):
    signin = browser.get(DEVICE_PAGE)
    entry = sign_in(browser)
    for page, inputs in ((signin, ("username", "password")), (entry, ("user_code",))):
        for name in inputs:
            assert f'<label for="{name}">' in page.text and f'id="{name}" name="{name}"' in page.text
    assert 'aria-describedby="user_code-hint"' in entry.text


def test_system_log_events_of_the_flow(dev, browser):
    tv = dev.clients["tv"]
    issued = start(dev, tv, "openid")
    assert poll(dev, tv, issued["device_code"]).data["error"] == "authorization_pending"
    page = sign_in(browser)
    enter(browser, page, "BBBB-BBBB")
    confirm = enter(browser, page, issued["user_code"])
    answer(browser, confirm, "approve")
    dev.clock.advance(seconds=5)
    assert poll(dev, tv, issued["device_code"]).status_code == 200
    logs = []
    for kind in ("app.oauth2.as.device.authorize", "user.session.start", "app.oauth2.as.device.user_code.verify",
                 "app.oauth2.as.device.activate", "app.oauth2.as.token.grant.access_token",
                 "app.oauth2.as.token.grant"):
        logs += _events(dev, kind)
    seen = [(e["eventType"], e["outcome"]["result"]) for e in logs]
    assert ("app.oauth2.as.device.authorize", "SUCCESS") in seen
    assert ("user.session.start", "SUCCESS") in seen
    assert ("app.oauth2.as.device.user_code.verify", "FAILURE") in seen
    assert ("app.oauth2.as.device.user_code.verify", "SUCCESS") in seen
    assert ("app.oauth2.as.device.activate", "SUCCESS") in seen
    activated = next(e for e in logs if e["eventType"] == "app.oauth2.as.device.activate")
    assert activated["actor"]["alternateId"] == "alice@example.com"
    assert activated["debugContext"]["debugData"]["ruleId"] == dev.rule_id
    minted = [e for e in logs if e["eventType"] == "app.oauth2.as.token.grant.access_token"]
    assert minted and minted[-1]["debugContext"]["debugData"]["grantType"] == \
        "urn:ietf:params:oauth:grant-type:device_code"
    # Polls while pending are not one event each; no code is ever logged.
    assert not any(e["eventType"] == "app.oauth2.as.token.grant" and e["outcome"]["result"] == "FAILURE"
                   for e in logs)
    text = str(logs)
    assert issued["device_code"] not in text and issued["user_code"] not in text
    assert issued["user_code"].replace("-", "") not in text
