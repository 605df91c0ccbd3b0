"""The device flow over real HTTP against the local stack (RFC 8628; docs/security-cases/device.md): a device
driven by Authlib's ``OAuth2Session`` (Authlib has no device-authorization helper, so the device endpoint is a plain
POST through the session, and the polls are Authlib's ``fetch_token`` with the device grant), the person's side
through the HTML forms with ``requests``, and the user page in Debian's Chromium (Playwright) with axe-core.

The world: a fresh authorization server with a policy for a native app (public) registered for the device grant and
refresh tokens, a rule listing the grant's URN, a user assigned to the app. A browser that cannot start fails the
test (never a skip)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from playwright.sync_api import expect, sync_playwright

from browser_support import Admin, launch_chromium
from console_support import SERIOUS, axe_source

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PASSWORD = "Velvet-Harbor-73q"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def _form(html: str) -> dict[str, Any]:
    reader = _Forms()
    reader.feed(html)
    assert len(reader.forms) == 1, html[:500]
    return reader.forms[0]


@pytest.fixture(scope="module")
def world(stack: Any, http: requests.Session) -> Iterator[dict[str, Any]]:
    admin = Admin(http, stack.base_url, stack.token)
    tag = uuid.uuid4().hex[:8]
    try:
        server = admin.server(f"device-as-{tag}")
        login = f"device.tester.{tag}@example.com"
        user = admin.user(login, PASSWORD)
        tv = admin.client(application_type="native", token_endpoint_auth_method="none",
                          client_name=f"Device TV {tag}", response_types=["code"],
                          grant_types=["authorization_code", DEVICE_GRANT, "refresh_token"],
                          redirect_uris=[f"com.example.tv{tag}:/cb"])
        admin.assign(tv["client_id"], user["id"])
        policy = admin.policy(server["id"], [tv["client_id"]])
        admin.rule(server["id"], policy["id"], [DEVICE_GRANT], ["EVERYONE"])
        yield {"issuer": server["issuer"], "client_id": tv["client_id"], "login": login, "user_id": user["id"],
               "base_url": stack.base_url}
    finally:
        admin.cleanup()


def _device_authorize(session: OAuth2Session, world: dict[str, Any], scope: str) -> dict[str, Any]:
    response = session.post(f"{world['issuer']}/v1/device/authorize",
                            data={"client_id": world["client_id"], "scope": scope}, timeout=30,
                            withhold_token=True)
    assert response.status_code == 200, response.text
    return response.json()


def _fetch(session: OAuth2Session, world: dict[str, Any], device_code: str) -> dict[str, Any]:
    return session.fetch_token(f"{world['issuer']}/v1/token", grant_type=DEVICE_GRANT, device_code=device_code,
                               timeout=30)


def test_device_flow_with_authlib_and_the_html_forms(world):
    """DEV-02, DEV-05, DEV-07: Authlib's session polls with the device grant; the person approves through the
    forms; the tokens verify against /v1/keys; the device code is single use."""
    device = OAuth2Session(client_id=world["client_id"], token_endpoint_auth_method="none",
                           scope="openid offline_access")
    issued = _device_authorize(device, world, "openid offline_access")
    assert issued["verification_uri"] == f"{world['issuer']}/device" and issued["interval"] == 5
    with pytest.raises(OAuthError) as pending:
        _fetch(device, world, issued["device_code"])
    assert pending.value.error == "authorization_pending"

    person = requests.Session()
    page = person.get(issued["verification_uri_complete"], timeout=30)
    form = _form(page.text)
    entry = person.post(form["action"], data={**form["fields"], "username": world["login"], "password": PASSWORD},
                        timeout=30)
    form = _form(entry.text)
    assert form["fields"]["user_code"] == issued["user_code"]
    confirm = person.post(form["action"], data=form["fields"], timeout=30)
    assert "Connect this device?" in confirm.text
    form = _form(confirm.text)
    done = person.post(form["action"], data={**form["fields"], "decision": "approve"}, timeout=30)
    assert done.status_code == 200 and "Device connected" in done.text

    tokens = _fetch(device, world, issued["device_code"])
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"] and tokens["id_token"]
    keys = jwt.PyJWKClient(f"{world['issuer']}/v1/keys")
    claims = jwt.decode(tokens["id_token"], keys.get_signing_key_from_jwt(tokens["id_token"]).key,
                        algorithms=["RS256"], audience=world["client_id"], issuer=world["issuer"])
    assert claims["sub"] == world["user_id"]
    with pytest.raises(OAuthError) as reused:
        _fetch(device, world, issued["device_code"])
    assert reused.value.error == "invalid_grant"
    discovery = requests.get(f"{world['issuer']}/.well-known/oauth-authorization-server", timeout=30).json()
    assert discovery["device_authorization_endpoint"] == f"{world['issuer']}/v1/device/authorize"
    assert DEVICE_GRANT in discovery["grant_types_supported"]


def test_the_user_page_in_chromium_is_accessible_and_script_free(world):
    """DEV-04: the complete URI prefills, the person confirms; every page passes axe-core (no serious or critical
    violation), raises no CSP violation and runs no script."""
    device = OAuth2Session(client_id=world["client_id"], token_endpoint_auth_method="none", scope="openid")
    issued = _device_authorize(device, world, "openid")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            context = chromium.new_context()
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            def axe() -> None:
                page.evaluate(axe_source())
                result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
                serious = [(v["id"], v["impact"], v["help"]) for v in result["violations"]
                           if v["impact"] in SERIOUS]
                assert not serious, (page.url, serious)

            page.goto(issued["verification_uri_complete"])
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            axe()
            page.get_by_label("Username").fill(world["login"])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            code = page.get_by_label("Code shown on your device")
            assert code.input_value() == issued["user_code"]
            axe()
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_role("heading", name="Connect this device?")).to_be_visible()
            expect(page.get_by_text(issued["user_code"])).to_be_visible()
            axe()
            page.get_by_role("button", name="Approve").click()
            expect(page.get_by_role("heading", name="Device connected")).to_be_visible()
            axe()
            assert errors == []
        finally:
            chromium.close()
    assert _fetch(device, world, issued["device_code"])["access_token"]
