"""Every route the app registers answers errors in its dialect (api/errors.py), applied by its registration
(api/routing.py): the management API and the JWKS in Okta's JSON, the OAuth endpoints in OAuth JSON, the front
channel and the admin console's files in HTML pages. No view may be registered without one."""
from __future__ import annotations

from chalicelib.api import errors

FRONT_CHANNEL = ("/v1/authorize", "/signin", "/consent", "/v1/logout", "/device", "/device/confirm")


def expected_dialect(path: str) -> errors.Dialect:
    if path.startswith(("/api/v1/", "/oauth2/v1/clients")) or path in ("/oauth2/{authServerId}/v1/keys",
                                                                       "/.well-known/okta-organization",
                                                                       "/oauth2/v1/keys"):
        return errors.OKTA_JSON
    if path.startswith(("/oauth2/{authServerId}/", "/oauth2/v1/")) and path.endswith(FRONT_CHANNEL):
        return errors.HTML_PAGE
    if path == "/admin" or path.startswith("/admin/"):  # the console's page and files (api/console.py)
        return errors.HTML_PAGE
    # The org authorization server's endpoints (api/org_server.py) are OAuth endpoints like every server's.
    assert path.startswith(("/oauth2/{authServerId}/", "/oauth2/v1/", "/.well-known/")), path
    return errors.OAUTH_JSON


def test_every_route_is_guarded_by_its_dialect():
    from app import app

    checked = 0
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            dialect = getattr(entry.view_function, "error_dialect", None)
            assert dialect is expected_dialect(path), f"{method} {path}: {dialect and dialect.name}"
            checked += 1
    assert checked > 100
