"""The device flow's hosted pages (sign-in, the code form, the confirmation, done), rendered like the other hosted
pages (api/pages.py: the same document, style sheet and headers; every value HTML-escaped; no JavaScript at all;
``form-action 'self'`` because every form posts to, and is answered by, this server's own pages).

Accessibility: every input has a visible ``<label for>``, hints and errors are tied to their input with
``aria-describedby`` (errors are also ``role="alert"``, and the input ``aria-invalid``), the user code is shown as
text as well as in the form, and the pages have ``lang``, a title and one ``h1`` inside ``main``.
"""
from __future__ import annotations

from typing import Any

from chalice import Response

from ..oauth.authorize.browser import BrowserResponse, Page
from . import pages
from .pages import e

DEVICE_STYLE = ".code{font:600 1.3rem/1.2 ui-monospace,monospace;letter-spacing:.12em}" \
               ".warn{padding:10px 12px;border-radius:4px;background:#fff4e5;color:#5c3b00}"


def _document(title: str, body: str) -> str:
    return pages._document(title, f"<style>{DEVICE_STYLE}</style>{body}")


def _error(values: dict[str, Any], field: str) -> tuple[str, str]:
    """(the error paragraph, the input's extra attributes)."""
    if not values.get("error"):
        return "", f' aria-describedby="{field}-hint"'
    return (f'<p class="error" role="alert" id="{field}-error">{e(values["error"])}</p>',
            f' aria-invalid="true" aria-describedby="{field}-error {field}-hint"')


def device_signin(values: dict[str, Any]) -> str:
    error = f'<p class="error" role="alert">{e(values.get("error"))}</p>' if values.get("error") else ""
    body = (
        '<h1>Sign in</h1><p class="sub">to connect a device</p>' + error +
        f'<form method="post" action="{e(values["action"])}" autocomplete="on">'
        f'<input type="hidden" name="csrf_token" value="{e(values["csrf_token"])}">'
        f'<input type="hidden" name="user_code" value="{e(values.get("user_code"))}">'
        '<label for="username">Username</label>'
        f'<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" '
        f'spellcheck="false" value="{e(values.get("username"))}" required>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form>'
    )
    return _document("Sign in", body)


def device_entry(values: dict[str, Any]) -> str:
    error, attributes = _error(values, "user_code")
    body = (
        '<h1>Connect a device</h1>'
        f'<p class="sub">Signed in as {e(values.get("user_login"))}</p>{error}'
        f'<form method="post" action="{e(values["action"])}">'
        f'<input type="hidden" name="csrf_token" value="{e(values["csrf_token"])}">'
        '<label for="user_code">Code shown on your device</label>'
        f'<input id="user_code" name="user_code" type="text" value="{e(values.get("user_code"))}" '
        f'autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" required{attributes}>'
        '<p class="sub" id="user_code-hint">8 letters, for example BCDF-GHJK. Case and dashes do not matter.</p>'
        '<button type="submit">Next</button></form>'
    )
    return _document("Connect a device", body)


def device_confirm(values: dict[str, Any]) -> str:
    items = "".join(
        f'<li><strong>{e(s["display_name"])}</strong> <code>{e(s["name"])}</code>'
        f'<span class="scope-desc">{e(s["description"])}</span></li>'
        for s in values.get("scopes", ()))
    asks = (f'<p><strong>{e(values.get("client_name"))}</strong> on a device is asking to:</p>'
            f'<ul class="scopes">{items}</ul>') if items else \
        f'<p><strong>{e(values.get("client_name"))}</strong> on a device is asking for access.</p>'
    consent = '<p class="sub">Approving also allows these permissions. You can revoke this later.</p>' \
        if values.get("consent") else ""
    body = (
        '<h1>Connect this device?</h1>' + asks + consent +
        f'<p>Code: <span class="code">{e(values.get("user_code"))}</span></p>'
        '<p class="warn" id="phishing-warning">Approve only if you started this on a device you have in front of '
        'you and it shows this same code. If someone sent you this code, choose Deny.</p>'
        f'<p class="sub">Signed in as {e(values.get("user_login"))}</p>'
        f'<form method="post" action="{e(values["action"])}" aria-describedby="phishing-warning">'
        f'<input type="hidden" name="csrf_token" value="{e(values["csrf_token"])}">'
        f'<input type="hidden" name="user_code" value="{e(values.get("user_code"))}">'
        '<button type="submit" name="decision" value="approve">Approve</button>'
        '<button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>'
    )
    return _document("Connect this device", body)


def device_done(values: dict[str, Any]) -> str:
    if values.get("approved"):
        body = (f'<h1>Device connected</h1><p><strong>{e(values.get("client_name"))}</strong> can now continue on '
                'your device.</p><p class="sub">You can close this window.</p>')
        return _document("Device connected", body)
    body = (f'<h1>Access denied</h1><p><strong>{e(values.get("client_name"))}</strong> was not connected.</p>'
            '<p class="sub">You can close this window.</p>')
    return _document("Access denied", body)


TEMPLATES = {"device_signin": device_signin, "device_entry": device_entry, "device_confirm": device_confirm,
             "device_done": device_done}


def respond(answer: BrowserResponse, base_url: str) -> Response:
    body = answer.body
    if not isinstance(body, Page) or body.template not in TEMPLATES:
        return pages.respond(answer, base_url)
    headers: dict[str, str | list[str]] = {**pages.security_headers(), "Content-Type": pages.HTML}
    response = Response(body=TEMPLATES[body.template](dict(body.values)), status_code=body.status, headers=headers)
    if answer.cookies:
        secure = base_url.startswith("https://")
        path = pages.cookie_path(base_url)
        response.headers["Set-Cookie"] = [pages.cookie_header(c, secure, path) for c in answer.cookies]
    return response
