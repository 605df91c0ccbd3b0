"""Reading an Applications API body: Okta's ``oidc_client`` app (okta-next.md 1.2) as the client record it is.

An app is the same client that ``/oauth2/v1/clients`` shows (docs/ARCHITECTURE.md "OAuth clients"), so the OAuth
settings are judged by the very rules of a registration: the body is translated to the RFC 7591 members and read by
``client_fields.read_client``, and each cause is reported under the app member it came from
(``settings.oauthClient.redirect_uris: ...``). What only the Applications API has is read here:

* acted on: ``label`` (the client's name), ``settings.oauthClient.require_pushed_authorization_requests``
  (RFC 9126 6; read as the registration member), ``settings.oauthClient.consent_method`` (``TRUSTED`` by default here,
  as Okta does), ``credentials.oauthClient.pkce_required`` (default: true for browser and native apps; must be
  true for ``none``), ``settings.oauthClient.initiate_login_uri``, a caller's own ``client_secret`` on create;
* stored and echoed without effect (``APP_ECHO``): visibility, accessibility, notes, ``issuer_mode``,
  ``refresh_token``... as Okta renders them, so a GET-modify-PUT or Terraform's read-back sees what it wrote;
* refused, saying so: any other ``signOnMode`` or app ``name`` (only OIDC apps are served), ``client_secret_jwt``,
  and ``wildcard_redirect: SUBDOMAIN``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..domain import OAuthClient
from ..errors import ValidationError
from .client_fields import read_client
from .client_metadata import BROWSER, NATIVE, NONE, web_uri_problem
from .validation import Fields, require_object

TARGET = "app"
APP_NAME = "oidc_client"
SIGN_ON_MODE = "OPENID_CONNECT"
TRUSTED, REQUIRED = "TRUSTED", "REQUIRED"
SECRET_MIN, SECRET_MAX = 14, 100
ECHO_MAX_BYTES = 16 * 1024

SETTINGS = "settings.oauthClient"
CREDENTIALS = "credentials.oauthClient"
# Where each registration member lives in an app.
PLACE = {"client_name": "label", "token_endpoint_auth_method": f"{CREDENTIALS}.token_endpoint_auth_method",
         "client_id": f"{CREDENTIALS}.client_id", "client_secret": f"{CREDENTIALS}.client_secret"}
SETTINGS_MEMBERS = ("application_type", "grant_types", "response_types", "redirect_uris", "post_logout_redirect_uris",
                    "client_uri", "logo_uri", "jwks", "jwks_uri", "require_pushed_authorization_requests",
                    "dpop_bound_access_tokens")
# settings.oauthClient members stored and echoed as sent, with the enum each must hold (None: any JSON value of the
# given type).
ENUMS = {"issuer_mode": ("ORG_URL", "CUSTOM_URL", "DYNAMIC"), "wildcard_redirect": ("DISABLED",)}
OBJECTS = ("idp_initiated_login", "refresh_token", "network")
BOOLEANS = ("participate_slo", "frontchannel_logout_session_required")
URIS = ("policy_uri", "tos_uri", "frontchannel_logout_uri")
# Top-level members stored and echoed as sent.
APP_ECHO = ("accessibility", "visibility", "profile")


def read_own_secret(f: Fields, path: str) -> str | None:
    """A client secret the admin chose (the app's create, or a new secret of ``app_credentials``), if given."""
    secret = f.string(path, max_len=SECRET_MAX + 1)
    if secret is not None and not (SECRET_MIN <= len(secret) <= SECRET_MAX and secret.isascii()
                                   and secret.isprintable()):
        f.error(path, f"A client secret must be {SECRET_MIN} to {SECRET_MAX} printable ASCII characters.")
    return secret


@dataclass(frozen=True)
class AppFields:
    client: dict[str, Any]  # OAuthClient field values, as client_fields.read_client gives them
    consent_method: str
    pkce_required: bool
    initiate_login_uri: str | None
    custom_secret: str | None
    app: dict[str, Any]
    auto_key_rotation: bool


def _registration(body: dict[str, Any]) -> dict[str, Any]:
    """The RFC 7591 members of an app body (absent ones left out, so read_client applies its defaults)."""
    oauth_settings = (body.get("settings") or {}).get("oauthClient") or {}
    oauth_credentials = (body.get("credentials") or {}).get("oauthClient") or {}
    out: dict[str, Any] = {}
    if "label" in body:
        out["client_name"] = body["label"]
    for member in ("token_endpoint_auth_method", "client_id"):
        if oauth_credentials.get(member) not in (None, ""):
            out[member] = oauth_credentials[member]
    for member in SETTINGS_MEMBERS:
        if member in oauth_settings:
            out[member] = oauth_settings[member]
    return out


def _placed(cause: str) -> str:
    member, _, message = cause.partition(":")
    head = member.split(".", 1)[0].split("[", 1)[0]
    where = PLACE.get(head) or (f"{SETTINGS}.{member}" if head in SETTINGS_MEMBERS else member)
    if head in PLACE and member != head:
        where = PLACE[head] + member[len(head):]
    return f"{where}:{message}"


def _shape(f: Fields) -> None:
    """The members every oidc_client app has, and nothing but an oidc_client."""
    mode = f.raw("signOnMode")
    if not f.given("signOnMode"):
        f.error("signOnMode", "The field cannot be left blank.")
    elif mode != SIGN_ON_MODE:
        f.error("signOnMode", f"Only {SIGN_ON_MODE} apps (name {APP_NAME}) are served by tokenmint; other app types "
                              "are out of scope.")
    if f.given("name") and f.raw("name") != APP_NAME:
        f.error("name", f"Only {APP_NAME} apps are served by tokenmint; other app types are out of scope.")
    for member in ("settings", "credentials", SETTINGS, CREDENTIALS, *APP_ECHO):
        value = f.raw(member)
        if f.given(member) and not isinstance(value, dict):
            f.error(member, "Must be an object.")


def _echo(f: Fields) -> dict[str, Any]:
    oauth: dict[str, Any] = {}
    for member, allowed in ENUMS.items():
        if member == "wildcard_redirect" and f.raw(f"{SETTINGS}.{member}") == "SUBDOMAIN":
            f.error(f"{SETTINGS}.{member}", "Wildcard (SUBDOMAIN) redirect URIs are not supported; register each "
                                            "redirect URI.")
            continue
        value = f.enum(f"{SETTINGS}.{member}", allowed, default=None)
        if value is not None:
            oauth[member] = value
    for member in OBJECTS:
        value = f.raw(f"{SETTINGS}.{member}")
        if f.given(f"{SETTINGS}.{member}"):
            if isinstance(value, dict):
                oauth[member] = value
            else:
                f.error(f"{SETTINGS}.{member}", "Must be an object.")
    for member in BOOLEANS:
        if f.given(f"{SETTINGS}.{member}") or f.raw(f"{SETTINGS}.{member}") is False:
            oauth[member] = f.boolean(f"{SETTINGS}.{member}", default=False)
    for member in URIS:
        uri = f.string(f"{SETTINGS}.{member}", max_len=1024)
        if uri:
            if problem := web_uri_problem(uri, https_only=False):
                f.error(f"{SETTINGS}.{member}", f"'{uri}' {problem}")
            oauth[member] = uri
    echo: dict[str, Any] = {m: f.raw(m) for m in APP_ECHO if f.given(m) and isinstance(f.raw(m), dict)}
    settings = f.raw("settings")
    if isinstance(settings, dict):
        others = {k: v for k, v in settings.items() if k != "oauthClient" and v is not None}
        if others:
            echo["settings"] = others
    template = f.raw("credentials.userNameTemplate")
    if isinstance(template, dict):
        echo["userNameTemplate"] = template
    echo["oauthClient"] = oauth
    if len(json.dumps(echo)) > ECHO_MAX_BYTES:
        f.error("settings", f"The app's settings may take at most {ECHO_MAX_BYTES // 1024} KB.")
    return echo


def read_app(body: Any, current: OAuthClient | None = None) -> AppFields:
    """The fields of a POST (``current`` None) or PUT app body; raises ``ValidationError`` (target ``app``) with
    every cause, each under its app member. A PUT replaces every setting, as Okta's PUT does; read-only members
    (``id``, ``status``, ``created``, ``lastUpdated``, ``_links``...) are ignored."""
    raw = require_object(body)
    f = Fields(raw, TARGET)
    _shape(f)
    causes = list(f.causes)
    client: dict[str, Any] = {}
    if not causes:
        registration = _registration(raw)
        try:
            client = read_client(registration, current)
        except ValidationError as exc:
            causes += [_placed(c) for c in exc.causes if not c.startswith("client_secret:")]
    f.causes = causes
    method = client.get("token_endpoint_auth_method") or (f.raw(f"{CREDENTIALS}.token_endpoint_auth_method")
                                                            if f.given(f"{CREDENTIALS}.token_endpoint_auth_method")
                                                            else None)
    consent = f.enum(f"{SETTINGS}.consent_method", (REQUIRED, TRUSTED), default=TRUSTED) or TRUSTED
    app_type = client.get("application_type")
    pkce = f.boolean(f"{CREDENTIALS}.pkce_required", default=app_type in (BROWSER, NATIVE) or method == NONE)
    if method == NONE and not pkce:
        f.error(f"{CREDENTIALS}.pkce_required", "Must be true for a client without a secret (auth method none).")
    auto_rotation = f.boolean(f"{CREDENTIALS}.autoKeyRotation", default=True)
    initiate = f.string(f"{SETTINGS}.initiate_login_uri", max_len=1024)
    if initiate and (problem := web_uri_problem(initiate, https_only=True)):
        f.error(f"{SETTINGS}.initiate_login_uri", f"'{initiate}' {problem}")
    secret = read_own_secret(f, f"{CREDENTIALS}.client_secret") if current is None else None
    echo = _echo(f)
    f.check()
    return AppFields(client=client, consent_method=consent, pkce_required=pkce, initiate_login_uri=initiate,
                     custom_secret=secret, app=echo, auto_key_rotation=auto_rotation)
