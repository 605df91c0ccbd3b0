"""Helpers for the browser tests (``test_e2e_browser.py``): Debian's Chromium driven by Playwright, the client
application's side of the flow (a tiny HTTP server on a loopback port that receives the authorization response), the
admin API calls that set up the world (plain ``requests`` with ``SSWS``), and PKCE.

The browser is the distribution's ``chromium`` (``apt-get install chromium``; ``make test`` installs it and exports
``TOKENMINT_CHROMIUM``), never one that Playwright downloads. If it cannot start, ``launch_chromium`` raises: the
browser tests fail, they are never skipped.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Exactly these (Playwright adds its own automation switches; the profile is a fresh temporary directory that
# Playwright creates and removes).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def chromium_path() -> str:
    return os.environ.get("TOKENMINT_CHROMIUM", DEFAULT_CHROMIUM)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless. Raises (with what to do about it) when it cannot start."""
    path = chromium_path()
    # Chromium on Linux honours the *_proxy variables: the stack and the client app are on loopback, so none.
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARIABLES}
    try:
        return playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS), env=env, timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - re-raised with the remedy; never turned into a skip
        raise RuntimeError(
            f"Chromium could not be started from {path!r} (TOKENMINT_CHROMIUM). Install the distribution's "
            f"package (`apt-get install chromium`, which `make test` does) and never `playwright install`. "
            f"Cause: {exc}") from exc


# --------------------------------------------------------------------------------------------------------------
# The client application's side: where the browser lands
# --------------------------------------------------------------------------------------------------------------


CLIENT_PAGE = b"<!doctype html><html><head><title>Client app</title></head><body><h1>Client app</h1></body></html>"


@dataclass(frozen=True)
class Hit:
    """One request the client app received."""

    method: str
    path: str  # with the query string
    referer: str | None
    form: dict[str, str]  # a POST's form fields (response_mode=form_post)


class ClientApp:
    """An HTTP server on ``127.0.0.1:<free port>`` that answers every GET and POST with a plain page and remembers
    what it was sent (the authorization responses, the post-logout landings; not the browser's ``/favicon.ico``)."""

    def __init__(self) -> None:
        hits = self.hits = []  # type: list[Hit]

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, form: dict[str, str]) -> None:
                hits.append(Hit(self.command, self.path, self.headers.get("Referer"), form))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(CLIENT_PAGE)))
                self.end_headers()
                self.wfile.write(CLIENT_PAGE)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == "/favicon.ico":  # the browser's own request
                    self.send_error(404)
                    return
                self._answer({})

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                fields = parse_qs(raw, keep_blank_values=True)
                self._answer({k: v[0] for k, v in fields.items()})

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="browser-client-app", daemon=True)

    @property
    def callback(self) -> str:
        return f"{self.origin}/callback"

    @property
    def signed_out(self) -> str:
        return f"{self.origin}/signed-out"

    def start(self) -> "ClientApp":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def query_of(url: str) -> dict[str, str]:
    """The single-valued query parameters of ``url`` (every parameter of an authorization response is single)."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


# --------------------------------------------------------------------------------------------------------------
# Admin API (plain requests, SSWS)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Admin:
    """The admin API calls the browser tests need; everything created is removed by ``cleanup`` (newest first)."""

    http: requests.Session
    base_url: str
    token: str
    _undo: list[tuple[str, str]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"SSWS {self.token}", "Accept": "application/json"}

    def call(self, method: str, path: str, status: int, json: Any = None) -> Any:
        response = self.http.request(method, f"{self.base_url}{path}", headers=self.headers, json=json, timeout=30)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None

    def server(self, name: str) -> dict[str, Any]:
        server = self.call("POST", "/api/v1/authorizationServers", 201, {
            "name": name, "description": "browser e2e", "audiences": [f"api://{name}"]})
        self._undo.append(("server", server["id"]))
        return server

    def scope(self, server_id: str, **body: Any) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/authorizationServers/{server_id}/scopes", 201, body)

    def policy(self, server_id: str, clients: list[str]) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/authorizationServers/{server_id}/policies", 201, {
            "type": "OAUTH_AUTHORIZATION_POLICY", "name": f"browser-{uuid.uuid4().hex[:8]}",
            "description": "browser e2e", "conditions": {"clients": {"include": clients}}})

    def rule(self, server_id: str, policy_id: str, grant_types: list[str], groups: list[str]) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/authorizationServers/{server_id}/policies/{policy_id}/rules", 201, {
            "type": "RESOURCE_ACCESS", "name": f"browser-{uuid.uuid4().hex[:8]}",
            "conditions": {"grantTypes": {"include": grant_types}, "people": {"groups": {"include": groups}},
                           "scopes": {"include": ["*"]}},
            "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                  "refreshTokenWindowMinutes": 10080}}})

    def user(self, login: str, password: str) -> dict[str, Any]:
        user = self.call("POST", "/api/v1/users?activate=true", 200, {
            "profile": {"login": login, "email": login, "firstName": "Browser", "lastName": "Tester"},
            "credentials": {"password": {"value": password}}})
        self._undo.append(("user", user["id"]))
        return user

    def client(self, **body: Any) -> dict[str, Any]:
        client = self.call("POST", "/oauth2/v1/clients", 201, body)
        self._undo.append(("client", client["client_id"]))
        return client

    def assign(self, client_id: str, user_id: str) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/apps/{client_id}/users", 200, {"id": user_id})

    def trusted_origin(self, origin: str, *types: str) -> dict[str, Any]:
        made = self.call("POST", "/api/v1/trustedOrigins", 200, {
            "name": f"browser-{uuid.uuid4().hex[:8]}", "origin": origin, "scopes": [{"type": t} for t in types]})
        self._undo.append(("trustedOrigin", made["id"]))
        return made

    def cleanup(self) -> None:
        for kind, ident in reversed(self._undo):
            if kind == "trustedOrigin":
                self.call("DELETE", f"/api/v1/trustedOrigins/{ident}", 204)
            elif kind == "server":
                self.call("POST", f"/api/v1/authorizationServers/{ident}/lifecycle/deactivate", 204)
                self.call("DELETE", f"/api/v1/authorizationServers/{ident}", 204)
            elif kind == "user":
                self.call("POST", f"/api/v1/users/{ident}/lifecycle/deactivate", 200)
                self.call("DELETE", f"/api/v1/users/{ident}", 204)
            elif kind == "client":
                self.call("DELETE", f"/oauth2/v1/clients/{ident}", 204)
        self._undo.clear()
