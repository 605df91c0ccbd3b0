"""The admin console (issue 18; docs/console.md): a single-page app at ``/admin`` (its routes after ``#``, its files under ``/admin/assets/``), served by the same deployment
so that the local stack runs offline and a deployment needs no bucket or CDN (docs/ARCHITECTURE.md "Admin console").

It is only a client of the public API: it signs a person in with code + PKCE at the org authorization server (its
built-in client, ``oauth/console_client.py``) and calls ``/api/v1`` with the bearer token. These routes serve files
and need no authentication; the page's Content-Security-Policy allows no inline script or style, and scripts,
styles and API calls only from this origin.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from . import errors, pages
from .console_assets import bundle
from .routing import Routes

bp = Blueprint(__name__)
routes = Routes(bp, errors.HTML_PAGE)

CSP = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "font-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
))
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
    # The page names the current build: revalidated every time so a deployment takes effect on the next load.
    "Cache-Control": "no-cache",
}
IMMUTABLE = "public, max-age=31536000, immutable"


@routes.route("/admin", methods=["GET"], name="console_page")
def console_page() -> Response:
    return Response(body=bundle().index, status_code=200, headers=dict(PAGE_HEADERS))


@routes.route("/admin/assets/{build}/{name}", methods=["GET"], name="console_asset")
def console_asset(build: str, name: str) -> Response:
    found = bundle().asset(build, name)
    if found is None:
        # An asset of another build (a tab opened before a deployment) or no asset at all: the app reloads.
        return pages.error_page("not_found", "There is no such file of the admin console.", 404)
    body, content_type = found
    return Response(body=body.decode("utf-8"), status_code=200, headers={
        "Content-Type": content_type, "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"})
