"""Every management route × every kind of credential (issue 16's matrix): no token, SSWS, a bearer token with the
route's scope, with the read scope only, with another family's scope, from a custom authorization server, expired,
revoked, and a person with each admin role. Ids in paths name nothing, so a call that gets past authorization
answers 400/404 and changes nothing; what is checked is the authorization decision alone: 401 (not accepted), 403
(accepted, not allowed) or anything else (allowed through)."""
from __future__ import annotations

import base64
import re
from datetime import timedelta
from urllib.parse import urlencode

from chalicelib.api.management_scopes import READ_METHODS, family_of
from chalicelib.oauth import minting
from chalicelib.oauth.access_token import access_token_claims
from chalicelib.oauth.issuer import ORG_SERVER_ID
from chalicelib.okta_scopes import OKTA_SCOPES
from tests.integration.api.apisupport import nothing_changes

BASE = "https://tokenmint.test"
# Writes a bearer token may never make whatever its scope (api/api_tokens.py: an API token is a super admin's).
SUPER_ONLY = {("POST", "/api/v1/api-tokens")}
AAM_FAMILIES = {"okta.authorizationServers", "okta.apps", "okta.clients"}


def routes() -> list[tuple[str, str, str]]:
    """(method, path with made-up ids, family) of every admin route but the unknown-path catch-all."""
    from app import app  # noqa: F401 - registers every route
    from chalicelib.api.routing import AdminRoutes

    found = []
    for path, methods in sorted(AdminRoutes.registry.items()):
        family = family_of(path)
        if family is None:
            continue
        concrete = re.sub(r"\{\w+\}", "nope0000", path)  # (never api-tokens/current: it would revoke the caller)
        found += [(method, concrete, family) for method in sorted(methods) if method != "OPTIONS"]
    return found


def _mint(container, client_id: str, scopes: tuple[str, ...], user: dict | None = None,
          lifetime: timedelta = timedelta(hours=1)) -> str:
    services = container.oauth.services
    config, read_at = services.configs.active(ORG_SERVER_ID, org_route=True)
    claims = access_token_claims(issuer=BASE, audience=BASE, client_id=client_id, scopes=scopes, now=services.now(),
                                 lifetime=lifetime, subject=user["profile"]["login"] if user else client_id,
                                 custom={}, user_id=user["id"] if user else None)
    return minting.sign(services, config, read_at, claims)


def test_every_route_with_every_credential(api, container, admin_token):
    everything = tuple(scope for family in sorted({f for _m, _p, f in routes()}) for level in ("read", "manage")
                       if (scope := f"{family}.{level}") in OKTA_SCOPES)
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "matrix",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    for scope in everything:
        assert api.post(f"/api/v1/apps/{app['id']}/grants", {"issuer": BASE, "scopeId": scope}).status_code == 201
    people = {}
    for role in ("SUPER_ADMIN", "READ_ONLY_ADMIN", "API_ACCESS_MANAGEMENT_ADMIN"):
        login = f"{role.lower()}@example.com"
        user = api.post("/api/v1/users?activate=true", {
            "profile": {"login": login, "email": login, "firstName": "M", "lastName": "X"},
            "credentials": {"password": {"value": "Quiet-Harb0ur-42x"}}}).data
        assert api.post(f"/api/v1/users/{user['id']}/roles", {"type": role}).status_code == 201
        people[role] = _mint(container, app["id"], everything, user)
    revoked = _mint(container, app["id"], everything)
    secret = app["credentials"]["oauthClient"]["client_secret"]
    app_basic = base64.b64encode(f"{app['id']}:{secret}".encode()).decode()
    answer = api._client.http.post("/oauth2/v1/revoke", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {app_basic}"},
        body=urlencode({"token": revoked}))
    assert answer.status_code == 200, answer.body
    expired = _mint(container, app["id"], everything, lifetime=timedelta(seconds=-120))
    container.scopes.create("default", {"name": "matrix:read", "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    custom_client, custom_secret = container.clients.create({"client_name": "matrix-custom",
                                                             "application_type": "service"})
    basic = base64.b64encode(f"{custom_client.client_id}:{custom_secret}".encode()).decode()
    custom = api._client.http.post("/oauth2/default/v1/token", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"},
        body=urlencode({"grant_type": "client_credentials", "scope": "matrix:read"})).json_body["access_token"]

    http = api._client.http
    checked = 0
    with nothing_changes():
        for method, path, family in routes():
            read = method in READ_METHODS

            def status(authorization: str | None) -> int:
                headers = {"Content-Type": "application/json", **({"Authorization": authorization}
                                                                  if authorization else {})}
                return http.request(method, path, headers=headers, body=b"{}").status_code

            where = f"{method} {path}"
            assert status(None) == 401, where
            assert status(f"SSWS {admin_token}") not in (401, 403), where
            right_scope = f"{family}.{'read' if read else 'manage'}"
            right = _mint(container, app["id"], (right_scope,))
            if (method, path) in SUPER_ONLY or right_scope not in OKTA_SCOPES:
                # An API token is a super admin's; the System Log is read-only (Okta has no okta.logs.manage).
                assert status(f"Bearer {right}") == 403, where
            else:
                assert status(f"Bearer {right}") not in (401, 403), where
            if not read:
                assert status(f"Bearer {_mint(container, app['id'], (f'{family}.read',))}") == 403, where
            other = "okta.logs.read" if family != "okta.logs" else "okta.users.read"
            assert status(f"Bearer {_mint(container, app['id'], (other,))}") == 403, where
            for token in (custom, expired, revoked):
                assert status(f"Bearer {token}") == 401, where
            for role, token in people.items():
                allowed = role == "SUPER_ADMIN" or (role == "READ_ONLY_ADMIN" and read) or (
                    role == "API_ACCESS_MANAGEMENT_ADMIN" and family in AAM_FAMILIES)
                if (method, path) in SUPER_ONLY:
                    allowed = role == "SUPER_ADMIN"
                if right_scope not in OKTA_SCOPES:
                    allowed = False  # no token carries a scope that does not exist
                answer = status(f"Bearer {token}")
                assert (answer not in (401, 403)) if allowed else answer == 403, (where, role, answer)
            checked += 1
    assert checked > 100
