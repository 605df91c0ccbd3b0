"""Helpers of the device-flow integration tests (imported as ``tests.integration.device.device_support``)."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tests.integration.authorize.authorize_support import BASE, PASSWORD, Browser, only_form

ISSUER = f"{BASE}/oauth2/default"
DEVICE_AUTHORIZE = "/oauth2/default/v1/device/authorize"
TOKEN = "/oauth2/default/v1/token"
DEVICE_PAGE = f"{ISSUER}/device"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def post_form(dev: Any, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    send = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    response = dev.client.http.post(path, headers=send, body=urlencode(data))
    response.data = json.loads(response.body) if response.body else None
    return response


def device_authorize(dev: Any, client: dict, scope: str | None = "openid offline_access") -> Any:
    data = {"client_id": client["client_id"]}
    if scope is not None:
        data["scope"] = scope
    return post_form(dev, DEVICE_AUTHORIZE, data)


def start(dev: Any, client: dict, scope: str | None = "openid offline_access") -> dict:
    response = device_authorize(dev, client, scope)
    assert response.status_code == 200, response.data
    return response.data


def poll(dev: Any, client: dict, device_code: str) -> Any:
    return post_form(dev, TOKEN, {"grant_type": DEVICE_GRANT, "device_code": device_code,
                                  "client_id": client["client_id"]})


def sign_in(browser: Browser, username: str = "alice@example.com", url: str = DEVICE_PAGE) -> Any:
    """GET the page (the sign-in form first), sign in, follow to the code form."""
    page = browser.get(url)
    assert page.status_code == 200 and "<h1>Sign in</h1>" in page.text, page.text[:400]
    response = browser.submit(page, username=username, password=PASSWORD)
    assert response.status_code == 303, response.text[:400]
    return browser.follow(response)


def enter(browser: Browser, page: Any, user_code: str) -> Any:
    form = only_form(page.text)
    return browser.post(form.action, {**form.fields, "user_code": user_code})


def answer(browser: Browser, page: Any, decision: str) -> Any:
    form = only_form(page.text)
    return browser.post(form.action, {**form.fields, "decision": decision})


def approve(dev: Any, browser: Browser, user_code: str, username: str = "alice@example.com") -> Any:
    page = sign_in(browser, username) if "tm_session" not in browser.cookies else browser.get(DEVICE_PAGE)
    confirm = enter(browser, page, user_code)
    assert confirm.status_code == 200 and "Connect this device?" in confirm.text, confirm.text[:600]
    return answer(browser, confirm, "approve")
