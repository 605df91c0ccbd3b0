"""Secrets never reach the function's log, front channel (security-checklist): every record of every logger, at
DEBUG, while a person fails to sign in, signs in, consents, and an app redeems the code with PKCE, has it replayed
(the replay revokes what it issued, with a WARNING) and refreshes another. Passwords, the session cookie, the code, the
PKCE verifier, the client secret and the tokens appear in none (test_no_secret_in_logs.py covers the back
channel)."""
from __future__ import annotations

import logging

from authorize_support import PASSWORD, authorize, code_flow, pkce_pair, redeem, sign_in, token_request


def test_no_password_cookie_code_verifier_or_token_in_any_log_record(front, browser, caplog):
    caplog.set_level(logging.DEBUG)
    web, spa = front.clients["web"], front.clients["spa"]
    refused = sign_in(browser, authorize(browser, web), password="Wrong-Passw0rd-9")
    assert refused.status_code in (200, 401) and "Sign in" in refused.text
    code = code_flow(browser, web, scope="openid offline_access")["code"]
    issued = redeem(front, web, code)
    assert issued.status_code == 200, issued.data
    assert redeem(front, web, code).status_code == 400  # replayed: what it issued is revoked
    verifier, challenge = pkce_pair()
    spa_code = code_flow(browser, spa, scope="openid offline_access", challenge=challenge)["code"]
    spa_tokens = redeem(front, spa, spa_code, verifier=verifier)
    assert spa_tokens.status_code == 200, spa_tokens.data
    second = code_flow(browser, web, scope="openid offline_access")["code"]  # signed in already
    kept = redeem(front, web, second)
    assert kept.status_code == 200, kept.data
    refreshed = token_request(front, web, {"grant_type": "refresh_token", "refresh_token": kept.data["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.data

    secrets = {"password": PASSWORD, "wrong password": "Wrong-Passw0rd-9", "client secret": web["client_secret"],
               "code": code, "second code": second, "spa code": spa_code, "verifier": verifier,
               **{f"cookie {name}": value for name, value in browser.cookies.items() if len(value) >= 16}}
    for label, body in (("web", issued.data), ("spa", spa_tokens.data), ("kept", kept.data),
                        ("refreshed", refreshed.data)):
        secrets.update({f"{label} {kind}": body[kind] for kind in ("access_token", "id_token", "refresh_token")
                        if kind in body})
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any(r.name == "tokenmint.oauth" and r.levelno == logging.WARNING for r in caplog.records)  # the replay
    assert any(name.startswith("cookie ") for name in secrets)  # the session cookie is among the values checked
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == []
