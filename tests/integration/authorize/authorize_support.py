"""Helpers of the front-channel integration tests (imported as ``authorize_support``): a cookie-keeping browser on
chalice's in-process test client, an HTML form reader, PKCE values, and the world the tests share (the ``default``
server with two extra scopes, users, a group and clients of every kind)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

BASE = "https://tokenmint.test"
ISSUER = f"{BASE}/oauth2/default"
AUTHORIZE = f"{ISSUER}/v1/authorize"
TOKEN = f"{ISSUER}/v1/token"
LOGOUT = f"{ISSUER}/v1/logout"
PASSWORD = "Tokenm1nt-Secret"
WEB_CB = "https://app.example/cb"
SPA_CB = "http://127.0.0.1/cb"
LOGGED_OUT = "https://app.example/logged-out"
CONSENT_SCOPE = "consent:read"  # consent REQUIRED
FLEX_SCOPE = "flex:read"  # consent FLEXIBLE


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


# -- HTML forms ---------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def only_form(html: str) -> Form:
    found = forms(html)
    assert len(found) == 1, html
    return found[0]


# -- the browser --------------------------------------------------------------------------------------------------


class Browser:
    """chalice's test client with a cookie jar (one per browser), speaking absolute URLs of ``BASE``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, url: str, data: dict[str, str] | list[tuple[str, str]] | None = None,
                headers: dict[str, str] | None = None) -> Any:
        assert url.startswith(BASE), url
        path = url[len(BASE):]
        send = dict(headers or {})
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = b""
        if data is not None:
            body = urlencode(data).encode()
            send.setdefault("Content-Type", "application/x-www-form-urlencoded")
        response = self.client.http.request(method, path, headers=send, body=body)
        raw = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
        for header in [raw] if isinstance(raw, str) else raw:
            self.set_cookie_headers.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        response.text = response.body.decode("utf-8") if response.body else ""
        return response

    def get(self, url: str, **params: str) -> Any:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        return self.request("GET", url)

    def post(self, url: str, data: dict[str, str] | list[tuple[str, str]]) -> Any:
        return self.request("POST", url, data)

    def follow(self, response: Any, limit: int = 10) -> Any:
        """Follow redirects within the server; stop at a redirect elsewhere (the client's callback)."""
        for _ in range(limit):
            location = response.headers.get("Location")
            if response.status_code not in (301, 302, 303, 307, 308) or not location or \
                    not location.startswith(BASE):
                return response
            response = self.get(location)
        raise AssertionError("too many redirects")

    def submit(self, response: Any, button: str | None = None, **values: str) -> Any:
        form = only_form(response.text)
        data = dict(form.fields)
        data.update(values)
        if button is not None:
            data["decision"] = button
        return self.post(form.action, data)


def callback(response: Any) -> dict[str, str]:
    """The parameters of an authorization response (query or fragment of the Location), one value each."""
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    location = response.headers["Location"]
    parts = urlsplit(location)
    raw = parts.fragment or parts.query
    parsed = parse_qs(raw, keep_blank_values=True)
    assert all(len(v) == 1 for v in parsed.values()), location
    return {k: v[0] for k, v in parsed.items()}


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# -- flows --------------------------------------------------------------------------------------------------------


def authorize(browser: Browser, client: dict, *, redirect_uri: str | None = None, scope: str | None = "openid",
              state: str | None = "st-1", challenge: str | None = None, **extra: str) -> Any:
    """GET /v1/authorize (the first response, not followed)."""
    params = {"client_id": client["client_id"], "response_type": "code",
              "redirect_uri": redirect_uri or client["redirect_uris"][0]}
    if scope is not None:
        params["scope"] = scope
    if state is not None:
        params["state"] = state
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return browser.get(AUTHORIZE, **params)


def sign_in(browser: Browser, response: Any, username: str = "alice@example.com", password: str = PASSWORD) -> Any:
    """Follow to the sign-in page, submit it; the response to the POST."""
    page = browser.follow(response)
    assert page.status_code == 200 and "Sign in" in page.text, (page.status_code, page.text[:300])
    return browser.submit(page, username=username, password=password)


def through(browser: Browser, response: Any, consent: str = "allow") -> Any:
    """Follow a response through a consent page if one comes (answering ``consent``); the redirect leaving us."""
    response = browser.follow(response)
    if response.status_code == 200 and "Allow access?" in response.text:
        response = browser.follow(browser.submit(response, button=consent))
    return response


def code_flow(browser: Browser, client: dict, username: str = "alice@example.com", **kwargs: Any) -> dict[str, str]:
    """authorize -> sign in (unless the browser has a session) -> (consent) -> the callback's parameters."""
    response = browser.follow(authorize(browser, client, **kwargs))
    if response.status_code == 200 and "<h1>Sign in</h1>" in response.text:
        response = browser.submit(response, username=username, password=PASSWORD)
    return callback(through(browser, response))


def token_request(front: Any, client: dict, data: dict[str, str]) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = dict(data)
    if client.get("client_secret"):
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{client['client_id']}:{client['client_secret']}".encode()).decode()
    else:
        body["client_id"] = client["client_id"]
    response = front.client.http.post("/oauth2/default/v1/token", headers=headers, body=urlencode(body))
    response.data = json.loads(response.body) if response.body else None
    return response


def redeem(front: Any, client: dict, code: str, redirect_uri: str | None = None, verifier: str | None = None,
           **extra: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": redirect_uri or client["redirect_uris"][0], **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return token_request(front, client, data)


def introspect(front: Any, client: dict, token: str) -> dict:
    return token_request_to(front, client, "/oauth2/default/v1/introspect", {"token": token}).data


def token_request_to(front: Any, client: dict, path: str, data: dict[str, str]) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Authorization": "Basic " + base64.b64encode(
                   f"{client['client_id']}:{client['client_secret']}".encode()).decode()}
    response = front.client.http.post(path, headers=headers, body=urlencode(data))
    response.data = json.loads(response.body) if response.body else None
    return response


def assert_error_page(response: Any, status: int = 400, error: str | None = None) -> None:
    """REDIR-03: an HTML error page, never a redirect."""
    assert response.status_code == status, (response.status_code, response.headers, response.text[:300])
    assert "Location" not in response.headers
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Something went wrong" in response.text
    if error is not None:
        assert f"<code>{error}</code>" in response.text


def assert_security_headers(response: Any) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], headers
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
