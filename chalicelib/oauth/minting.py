"""Minting the tokens of user flows and client flows alike (okta-api.md 8.2, 8.3; OIDC Core 2, 3.1.3.6, 3.3.2.11,
5.1, 5.4). Every grant and the authorize endpoint call these, so a token looks the same whichever way it was
obtained (and token preview can reuse them without signing).

``AccessToken`` / ``IdToken`` builders return the claims; ``sign`` turns claims into a JWT with the server's
ACTIVE key from the signer cache.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from ..claims.builder import build_claims
from ..claims.context import EvalContext, Group as ClaimGroup
from ..domain import OAuthClient, ServerConfig, UserAccess
from ..keys import jws
from ..keys.errors import KeyStoreError
from ..keys.signer import StaleActiveKidError
from .access_token import access_token_claims
from .context import OAuthServices
from .errors import TemporarilyUnavailableError
from .issuer import access_token_audience, is_org

log = logging.getLogger("tokenmint.oauth")

ID_TOKEN_LIFETIME = timedelta(minutes=60)
# The OIDC claims each scope releases (OIDC Core 5.4), named as Okta's system claims are.
SCOPE_CLAIMS: Mapping[str, tuple[str, ...]] = {
    "profile": ("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
                "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number",),
}


@dataclass(frozen=True)
class Subject:
    """The user a token is about (None for client_credentials): id, profile, groups and when/how they signed in."""

    user_id: str
    profile: Mapping[str, Any]
    groups: Sequence[tuple[str, str]] = ()  # (id, name)
    auth_time: int | None = None
    amr: tuple[str, ...] = ("pwd",)
    updated_at: int | None = None
    email_verified: bool = True


def subject_of(access: UserAccess, auth_time: int | None, amr: Sequence[str]) -> Subject:
    """The ``Subject`` of a user flow from ``domain.UserAccess`` (user and groups), built the same way by the
    authorize endpoint, every user grant, userinfo and token preview; no ``amr``: a password sign-in."""
    user = access.user
    return Subject(user_id=user.id, profile=dict(user.profile), groups=tuple((g.id, g.name) for g in access.groups),
                   auth_time=auth_time, amr=tuple(amr) or ("pwd",), updated_at=int(user.last_updated.timestamp()))


def _context(client: OAuthClient, subject: Subject | None, scopes: Sequence[str], org: Mapping[str, Any]
             ) -> EvalContext:
    app = {"id": client.client_id, "clientId": client.client_id, "name": client.client_name, "profile": {}}
    if subject is None:
        return EvalContext(user=None, appuser=None, app=app, access_scopes=tuple(scopes), org=org, groups=())
    user = {**subject.profile, "id": subject.user_id}
    appuser = {**subject.profile, "userName": subject.profile.get("login"), "id": subject.user_id}
    groups = tuple(ClaimGroup(id=gid, name=name) for gid, name in subject.groups)
    return EvalContext(user=user, appuser=appuser, app=app, access_scopes=tuple(scopes), org=org, groups=groups)


def resource_claims(services: OAuthServices, config: ServerConfig, client: OAuthClient, scopes: Sequence[str],
                    subject: Subject | None) -> tuple[dict[str, Any], str]:
    """The custom RESOURCE claims of the granted scopes and the access token's ``sub``: everything of an access
    token that does not change from one token to the next."""
    context = _context(client, subject, scopes, services.org)
    custom = build_claims(config.claims, "RESOURCE", scopes, context, log)
    sub = custom.pop("sub", None) or (subject.profile.get("login") if subject else None) or client.client_id
    return custom, str(sub)


def access_claims(services: OAuthServices, config: ServerConfig, issuer: str, client: OAuthClient,
                  scopes: Sequence[str], lifetime: timedelta, subject: Subject | None, jkt: str | None = None
                  ) -> dict[str, Any]:
    """The claims of an access token (custom RESOURCE claims of the granted scopes included); ``jkt``: the DPoP key
    it is bound to."""
    custom, sub = resource_claims(services, config, client, scopes, subject)
    audience = access_token_audience(config.server, issuer)
    return access_token_claims(issuer=issuer, audience=audience, client_id=client.client_id,
                               scopes=tuple(scopes), now=services.now(), lifetime=lifetime, subject=sub,
                               custom=custom, user_id=subject.user_id if subject else None,
                               auth_time=subject.auth_time if subject else None, jkt=jkt)


def standard_claims(subject: Subject) -> dict[str, Any]:
    """The OIDC standard claims of a user (OIDC Core 5.1) from Okta's profile attributes."""
    p = subject.profile
    given, family = p.get("firstName"), p.get("lastName")
    address = {k: v for k, v in {
        "street_address": p.get("streetAddress"), "locality": p.get("city"), "region": p.get("state"),
        "postal_code": p.get("zipCode"), "country": p.get("countryCode")}.items() if v}
    values: dict[str, Any] = {
        "name": p.get("displayName") or " ".join(x for x in (given, family) if x) or None,
        "family_name": family, "given_name": given, "middle_name": p.get("middleName"),
        "nickname": p.get("nickName"), "preferred_username": p.get("login"), "profile": p.get("profileUrl"),
        "picture": p.get("picture"), "website": p.get("website"), "gender": p.get("gender"),
        "birthdate": p.get("birthdate"), "zoneinfo": p.get("timezone"), "locale": p.get("locale"),
        "updated_at": subject.updated_at, "email": p.get("email"),
        "email_verified": subject.email_verified if p.get("email") else None,
        "address": address or None, "phone_number": p.get("mobilePhone") or p.get("primaryPhone"),
    }
    return {k: v for k, v in values.items() if v is not None}


def scope_claims(config: ServerConfig, subject: Subject, scopes: Sequence[str], everything: bool) -> dict[str, Any]:
    """The profile/email/address/phone claims the granted scopes release. ``everything``: all of them (an ID token
    issued without an access token, and userinfo); otherwise only the system claims with ``alwaysIncludeInToken``
    (okta-api.md 8.3)."""
    standard = standard_claims(subject)
    always = {c.name for c in config.claims if c.system and c.value_type == "SYSTEM" and c.always_include_in_token
              and c.status == "ACTIVE"}
    active = {c.name for c in config.claims if c.system and c.value_type == "SYSTEM" and c.status == "ACTIVE"}
    out: dict[str, Any] = {}
    for scope in scopes:
        for name in SCOPE_CLAIMS.get(scope, ()):
            if name in standard and name in active and (everything or name in always):
                out[name] = standard[name]
    return out


def _half_hash(value: str) -> str:
    """OIDC Core 3.1.3.6 / 3.3.2.11: base64url of the left half of SHA-256 (RS256)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


def id_token_claims(services: OAuthServices, config: ServerConfig, issuer: str, client: OAuthClient, subject: Subject,
                    scopes: Sequence[str], *, nonce: str | None = None, access_token: str | None = None,
                    code: str | None = None, everything: bool = False) -> dict[str, Any]:
    iat = int(services.now().timestamp())
    claims: dict[str, Any] = {
        "sub": subject.user_id,
        "name": None,
        "ver": 1,
        "iss": issuer,
        "aud": client.client_id,
        "iat": iat,
        "exp": iat + int(ID_TOKEN_LIFETIME.total_seconds()),
        "jti": "ID." + secrets.token_urlsafe(32),
        "amr": list(subject.amr),
        "idp": config.server.id,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    claims["auth_time"] = subject.auth_time if subject.auth_time is not None else iat
    if access_token is not None:
        claims["at_hash"] = _half_hash(access_token)
    if code is not None:
        claims["c_hash"] = _half_hash(code)
    profile = scope_claims(config, subject, scopes, everything)
    claims.update(profile)
    if claims["name"] is None:
        del claims["name"]
    custom = build_claims(config.claims, "IDENTITY", scopes, _context(client, subject, scopes, services.org), log)
    for name, value in custom.items():
        claims.setdefault(name, value)  # never replaces a registered claim
    return claims


def userinfo_claims(services: OAuthServices, config: ServerConfig, client: OAuthClient, subject: Subject,
                    scopes: Sequence[str]) -> dict[str, Any]:
    """``/v1/userinfo``: ``sub`` and every claim the scopes release (OIDC Core 5.3.2), plus IDENTITY claims."""
    claims: dict[str, Any] = {"sub": subject.user_id, **scope_claims(config, subject, scopes, everything=True)}
    custom = build_claims(config.claims, "IDENTITY", scopes, _context(client, subject, scopes, services.org), log)
    for name, value in custom.items():
        claims.setdefault(name, value)
    return claims


def sign(services: OAuthServices, config: ServerConfig, read_at: datetime, claims: Mapping[str, Any]) -> str:
    """Sign with the server's ACTIVE key from the signer cache (no AWS call when warm)."""
    server = config.server
    try:
        try:
            key = services.signer.get(server.id, server.signing_kid or "", kid_read_at=read_at)
        except StaleActiveKidError:
            # The configuration was handed out just inside the cache period and signing comes just past the signer's
            # bound: read which kid is ACTIVE again rather than refuse the token (keys/signer.py).
            services.configs.changed(server.id)
            fresh, fresh_at = services.configs.active(server.id, org_route=is_org(server))
            key = services.signer.get(server.id, fresh.server.signing_kid or "", kid_read_at=fresh_at)
    except KeyStoreError:
        log.error("signing key of %s unavailable", server.id)
        raise TemporarilyUnavailableError("The authorization server is temporarily unavailable.") from None
    return jws.sign(claims, key)
