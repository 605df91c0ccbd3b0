"""Okta's wire shapes of the Applications API (okta-next.md 1.2): the ``oidc_client`` app, its client secrets and
its client JWKs. Members Okta renders for every app and tokenmint does not act on (accessibility, visibility,
notes...) are rendered as the admin last sent them, else with Okta's defaults; properties without a value are left
out rather than ``null`` (api/render.py ``_without_nulls``: the spec types them as plain strings)."""
from __future__ import annotations

from typing import Any, cast

from ..admin.app_credentials import secret_hash_view
from ..admin.app_fields import APP_NAME, SIGN_ON_MODE
from ..clock import okta_time
from ..domain import ACTIVE, ClientSecret, OAuthClient, ScopeGrant
from .directory_render import APPS
from .render import link

DEFAULT_ACCESSIBILITY = {"selfService": False}
DEFAULT_VISIBILITY = {"autoLaunch": False, "autoSubmitToolbar": False, "hide": {"iOS": False, "web": False},
                      "appLinks": {"oidc_client_link": True}}
DEFAULT_USER_NAME_TEMPLATE = {"template": "${source.login}", "type": "BUILT_IN"}
DEFAULT_SETTINGS = {"app": {}, "implicitAssignment": False, "manualProvisioning": False,
                    "notes": {}}
DEFAULT_OAUTH_ECHO = {"issuer_mode": "ORG_URL", "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
                      "wildcard_redirect": "DISABLED", "dpop_bound_access_tokens": False}


def _lifecycle(href: str, status: str) -> dict[str, Any]:
    if status == ACTIVE:
        return {"deactivate": link(f"{href}/lifecycle/deactivate", "POST")}
    return {"activate": link(f"{href}/lifecycle/activate", "POST")}


def app_href(base: str, app_id: str) -> str:
    return f"{base}{APPS}/{app_id}"


def jwk(key: dict[str, Any], base: str, app_id: str) -> dict[str, Any]:
    href = f"{app_href(base, app_id)}/credentials/jwks/{key.get('id')}"
    status = key.get("status", ACTIVE)
    links = _lifecycle(href, status)
    if status != ACTIVE:
        links["delete"] = link(href, "DELETE")
    # Every key tokenmint accepts verifies signatures: ``use`` says so even when the admin left it out (Okta's
    # spec tells a signing key from an encryption key by it).
    return {**key, "use": key.get("use") or "sig", "status": status, "_links": links}


def client_secret(secret: ClientSecret, base: str, app_id: str, value: str | None = None) -> dict[str, Any]:
    """Okta's OAuth2ClientSecret; ``client_secret`` only in the answer that created it (only its hash is kept)."""
    href = f"{app_href(base, app_id)}/credentials/secrets/{secret.id}"
    links = _lifecycle(href, secret.status)
    if secret.status != ACTIVE:
        links["delete"] = link(href, "DELETE")
    return {"id": secret.id, "status": secret.status, **({"client_secret": value} if value else {}),
            "secret_hash": secret_hash_view(secret), "created": okta_time(secret.created),
            "lastUpdated": okta_time(secret.last_updated), "_links": links}


def scope_grant(g: ScopeGrant, c: OAuthClient, base: str, expand: bool = False) -> dict[str, Any]:
    """Okta's OAuth2ScopeConsentGrant of an admin's grant (source ADMIN, status ACTIVE: a revoked one is gone)."""
    href = app_href(base, c.client_id)
    return {
        "id": g.id, "status": ACTIVE, "created": okta_time(g.created),
        **({"createdBy": {"id": g.created_by, "type": g.created_by_type}} if g.created_by else {}),
        "lastUpdated": okta_time(g.created), "issuer": g.issuer, "clientId": c.client_id, "scopeId": g.scope_id,
        "source": "ADMIN",
        **({"_embedded": {"scope": {"id": g.scope_id}}} if expand else {}),
        "_links": {"app": {"href": href, "title": c.client_name},
                   "self": link(f"{href}/grants/{g.id}", "GET", "DELETE"),
                   "client": {"href": f"{base}/oauth2/v1/clients/{c.client_id}", "title": c.client_name}},
    }


def _oauth_settings(c: OAuthClient, base: str) -> dict[str, Any]:
    echo = dict((c.app or {}).get("oauthClient") or {})
    settings: dict[str, Any] = {
        "client_uri": c.client_uri, "logo_uri": c.logo_uri,
        "redirect_uris": list(c.redirect_uris), "post_logout_redirect_uris": list(c.post_logout_redirect_uris),
        "response_types": list(c.response_types), "grant_types": list(c.grant_types),
        "application_type": c.application_type, "consent_method": c.consent_method,
        "initiate_login_uri": c.initiate_login_uri,
        # A stored JWK Set's "keys" is a list (admin/client_fields.py checks it on every write).
        "jwks": {"keys": [jwk(k, base, c.client_id) for k in cast("list[object]", (c.jwks or {}).get("keys", []))
                          if isinstance(k, dict)]} if c.jwks else None,
        "jwks_uri": c.jwks_uri,
        # RFC 9126 6, shown only when set (absent means false)
        "require_pushed_authorization_requests": True if c.require_pushed_authorization_requests else None,
    }
    settings.update({k: v for k, v in DEFAULT_OAUTH_ECHO.items() if k not in echo})
    settings.update(echo)
    settings["dpop_bound_access_tokens"] = c.dpop_bound_access_tokens  # the client's setting, never a stale echo
    return {k: v for k, v in settings.items() if v is not None}


def application(c: OAuthClient, base: str, secret: str | None = None) -> dict[str, Any]:
    """The ``oidc_client`` app of client ``c``; ``secret`` (a new secret's value) only in the answer that made it."""
    app = c.app or {}
    href = app_href(base, c.client_id)
    oauth_credentials: dict[str, Any] = {
        "autoKeyRotation": app.get("autoKeyRotation", True), "client_id": c.client_id,
        **({"client_secret": secret} if secret else {}),
        "token_endpoint_auth_method": c.token_endpoint_auth_method, "pkce_required": c.pkce_required,
    }
    return {
        "id": c.client_id,
        "name": APP_NAME,
        "label": c.client_name,
        "status": c.status,
        "lastUpdated": okta_time(c.last_updated),
        "created": okta_time(c.created),
        "accessibility": app.get("accessibility", DEFAULT_ACCESSIBILITY),
        "visibility": app.get("visibility", DEFAULT_VISIBILITY),
        "features": [],
        "signOnMode": SIGN_ON_MODE,
        **({"profile": app["profile"]} if "profile" in app else {}),
        "credentials": {"userNameTemplate": app.get("userNameTemplate", DEFAULT_USER_NAME_TEMPLATE),
                        "oauthClient": oauth_credentials},
        "settings": {**DEFAULT_SETTINGS, **app.get("settings", {}), "oauthClient": _oauth_settings(c, base)},
        "_links": {
            "users": {"href": f"{href}/users"},
            "groups": {"href": f"{href}/groups"},
            "clientCredentials": [{"name": "secrets", "href": f"{href}/credentials/secrets"}],
            **_lifecycle(href, c.status),
        },
    }
