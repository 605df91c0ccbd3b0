"""The hosted pages (sign-in, consent, error, signed out, the logout confirmation, the ``form_post`` answer) and how
every browser-facing response is sent (security-checklist WEB-01..05, ISS-04, ISS-05).

Plain server-rendered HTML with a small inline style sheet: no CDN, no third-party resource, no JavaScript needed
(the ``form_post`` page has a one-line inline script allowed by its hash, plus a button for browsers without
JavaScript). Every value a page shows is HTML-escaped here, whatever its origin (``state``, ``login_hint``, client
names, error texts).

Every response carries:

* ``Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self' <targets>;
  frame-ancestors 'none'; base-uri 'none'`` where ``<targets>`` is the origin of the client's redirect URI on pages
  whose form is answered by a redirect to the client (sign-in, consent, the logout confirmation: browsers apply
  ``form-action`` to the redirects that follow a form submission) and on the ``form_post`` page (whose form posts
  there);
* ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store``,
  ``X-Content-Type-Options: nosniff``; pages are ``text/html; charset=utf-8``.

Cookies are ``HttpOnly; SameSite=Lax; Path=<base path>/oauth2`` and ``Secure`` when the base URL is https.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any, Iterable
from urllib.parse import urlsplit

from chalice import Response

from ..oauth.authorize.browser import BrowserResponse, Cookie, FormPost, Page, Redirect

HTML = "text/html; charset=utf-8"
AUTO_SUBMIT = "document.forms[0].submit();"
AUTO_SUBMIT_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(AUTO_SUBMIT.encode()).digest()).decode() + "'"
_SOURCE = re.compile(r"^(https?://[A-Za-z0-9.\-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?|"
                     r"[A-Za-z][A-Za-z0-9+.\-]*:)$")

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d1f24}
main{max-width:420px;margin:8vh auto;padding:32px;background:#fff;border:1px solid #dfe1e6;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 4px}
p{margin:0 0 16px}
.sub{color:#5e6c84}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;padding:10px;border:1px solid #c1c7d0;border-radius:4px;font:inherit}
button{margin-top:20px;padding:10px 18px;border:0;border-radius:4px;background:#1662dd;color:#fff;font:inherit;
cursor:pointer}
button.secondary{background:#e9ebee;color:#1d1f24;margin-left:8px}
.error{padding:10px 12px;border-radius:4px;background:#fdecea;color:#8a1c12}
ul.scopes{padding-left:18px}
ul.scopes li{margin-bottom:10px}
.scope-desc{display:block;color:#5e6c84;font-size:.9rem}
code{font-size:.9rem}
""".strip()


def e(value: Any) -> str:
    """HTML-escape anything a page shows (quotes too: values also land in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def origin(uri: str) -> str | None:
    """The CSP source expression that allows ``uri``: its origin, or ``scheme:`` for a custom-scheme URI; None when
    nothing safe can be written."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        candidate = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
    elif parts.scheme:
        candidate = f"{parts.scheme}:"
    else:
        return None
    return candidate if _SOURCE.match(candidate) else None


def csp(form_targets: Iterable[str] = (), script: str | None = None) -> str:
    sources = ["'self'", *(s for s in (origin(t) for t in form_targets) if s)]
    directives = ["default-src 'none'", "style-src 'unsafe-inline'"]
    if script:
        directives.append(f"script-src {script}")
    directives += [f"form-action {' '.join(dict.fromkeys(sources))}", "frame-ancestors 'none'", "base-uri 'none'"]
    return "; ".join(directives)


def security_headers(form_targets: Iterable[str] = (), script: str | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp(form_targets, script),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "X-Content-Type-Options": "nosniff",
    }


# -- templates ----------------------------------------------------------------------------------------------------


def _document(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><title>{e(title)}</title>'
            f"<style>{STYLE}</style></head>\n<body><main>{body}</main></body></html>\n")


def _hidden(name: str, value: Any) -> str:
    return f'<input type="hidden" name="{e(name)}" value="{e(value)}">'


def signin(values: dict[str, Any]) -> str:
    error = f'<p class="error" role="alert">{e(values.get("error"))}</p>' if values.get("error") else ""
    autofocus = "" if values.get("username") else " autofocus"
    body = (
        f'<h1>Sign in</h1><p class="sub">to continue to <strong>{e(values.get("client_name"))}</strong></p>{error}'
        f'<form method="post" action="{e(values["action"])}" autocomplete="on">'
        f'{_hidden("request_id", values["request_id"])}{_hidden("csrf_token", values["csrf_token"])}'
        f'<label for="username">Username</label>'
        f'<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" '
        f'spellcheck="false" value="{e(values.get("username"))}" required{autofocus}>'
        f'<label for="password">Password</label>'
        f'<input id="password" name="password" type="password" autocomplete="current-password" required'
        f'{"" if autofocus else " autofocus"}>'
        f'<button type="submit">Sign in</button></form>'
    )
    return _document("Sign in", body)


def consent(values: dict[str, Any]) -> str:
    items = "".join(
        f'<li><strong>{e(s["display_name"])}</strong> <code>{e(s["name"])}</code>'
        f'<span class="scope-desc">{e(s["description"])}</span></li>'
        for s in values.get("scopes", ()))
    who = f' <span class="sub">(signed in as {e(values["user_login"])})</span>' if values.get("user_login") else ""
    body = (
        f'<h1>Allow access?</h1><p><strong>{e(values.get("client_name"))}</strong> is asking to:</p>'
        f'<ul class="scopes">{items}</ul><p class="sub">You can revoke this later.{who}</p>'
        f'<form method="post" action="{e(values["action"])}">'
        f'{_hidden("request_id", values["request_id"])}{_hidden("csrf_token", values["csrf_token"])}'
        f'<button type="submit" name="decision" value="allow">Allow</button>'
        f'<button type="submit" name="decision" value="deny" class="secondary">Don&#39;t allow</button></form>'
    )
    return _document("Allow access", body)


def error(values: dict[str, Any]) -> str:
    # No link anywhere: the page must not lead back to a URI that failed validation (ISS-05).
    body = (f'<h1>Something went wrong</h1><p class="error" role="alert">{e(values.get("description"))}</p>'
            f'<p class="sub">Error code: <code>{e(values.get("error"))}</code></p>')
    return _document("Error", body)


def signed_out(values: dict[str, Any]) -> str:
    return _document("Signed out", "<h1>You are signed out</h1><p class=\"sub\">You can close this window.</p>")


def logout_confirm(values: dict[str, Any]) -> str:
    fields = "".join(_hidden(name, value) for name, value in values.get("fields", ()))
    body = (
        f'<h1>Sign out?</h1><p><strong>{e(values.get("client_name"))}</strong> is asking to end the sign-in '
        f'session of this browser, for an account other than the one signed in here.</p>'
        f'<form method="post" action="{e(values["action"])}">{fields}'
        f'<button type="submit" name="confirm" value="logout">Sign out</button>'
        f'<button type="submit" name="confirm" value="stay" class="secondary">Stay signed in</button></form>'
    )
    return _document("Sign out", body)


def still_signed_in(values: dict[str, Any]) -> str:
    return _document("Still signed in", "<h1>You are still signed in</h1>"
                                        "<p class=\"sub\">You can close this window.</p>")


def form_post(answer: FormPost) -> str:
    fields = "".join(_hidden(name, value) for name, value in answer.fields)
    body = (f'<h1>Continue</h1><p class="sub">Returning to the application.</p>'
            f'<form method="post" action="{e(answer.action)}">{fields}'
            f'<button type="submit">Continue</button></form><script>{AUTO_SUBMIT}</script>')
    return _document("Continue", body)


TEMPLATES = {"signin": signin, "consent": consent, "error": error, "signed_out": signed_out,
             "logout_confirm": logout_confirm, "still_signed_in": still_signed_in}


# -- responses ----------------------------------------------------------------------------------------------------


def cookie_header(cookie: Cookie, secure: bool, path: str) -> str:
    parts = [f"{cookie.name}={cookie.value}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    if cookie.max_age is not None:
        parts.append(f"Max-Age={cookie.max_age}")
        if cookie.max_age == 0:
            parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    return "; ".join(parts)


def cookie_path(base_url: str) -> str:
    """``/oauth2`` under the public base URL's path (an API Gateway stage adds one, e.g. ``/api/oauth2``)."""
    return (urlsplit(base_url).path.rstrip("/") or "") + "/oauth2"


def page_response(page: Page) -> Response:
    targets = tuple(page.values.get("form_targets") or ())
    headers: dict[str, str | list[str]] = {**security_headers(targets), "Content-Type": HTML}
    return Response(body=TEMPLATES[page.template](dict(page.values)), status_code=page.status, headers=headers)


def respond(answer: BrowserResponse, base_url: str) -> Response:
    body = answer.body
    if isinstance(body, Redirect):
        headers: dict[str, Any] = {**security_headers(), "Location": body.location,
                                   "Content-Type": "text/plain; charset=utf-8"}
        response = Response(body="", status_code=body.status, headers=headers)
    elif isinstance(body, FormPost):
        headers = {**security_headers((body.action,), AUTO_SUBMIT_HASH), "Content-Type": HTML}
        response = Response(body=form_post(body), status_code=200, headers=headers)
    else:
        response = page_response(body)
    if answer.cookies:
        secure = base_url.startswith("https://")
        path = cookie_path(base_url)
        response.headers["Set-Cookie"] = [cookie_header(c, secure, path) for c in answer.cookies]
    return response


def error_page(error_code: str, description: str, status: int) -> Response:
    """The error page (no cookies, no form): what api/errors.py answers on the front channel."""
    return page_response(Page("error", {"error": error_code, "description": description}, status))
